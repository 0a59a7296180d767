"""Property checks: small, independent checks that take a function (or its outputs) and return data.

Every check returns a :class:`PropertyResult` — it never asserts and never raises because of a bug
in the checked function: a crash of that function becomes a ``"fail"`` result carrying the
exception. Asserting is a separate, thin step (``assert result.ok, result.message``).
Importing this module imports numpy and ``nncheck.reference`` only (not hypothesis).

Results
-------
``PropertyResult(check, status, message, details)``; ``status`` is ``"pass"``, ``"fail"``,
``"warn"`` or ``"skip"``; ``.ok`` is ``status != "fail"``; ``details`` is JSON-able
(``to_dict()`` gives the whole result as a JSON-able dict). :func:`assert_ok` is the thin
asserting step for a test: it raises with the messages of the failing results.

Checks (``check`` name → function)
----------------------------------
- ``"shapes"``  :func:`check_output_shapes(outputs, expected, rules=None)` — every named output
  has the shape the dimension rules give; rank-1 arrays and transposes get the notes' fix.
- ``"rank1"``   :func:`check_no_rank1(arrays)` — no array of shape ``(n,)``.
- ``"scalar_cost"`` :func:`check_scalar_cost(value)` — a finite scalar (float, numpy scalar or
  0-d array), ≥ 0 for cross-entropy; a ``(1, 1)`` array fails with the ``np.squeeze`` tip.
- ``"mutation"`` :func:`check_no_mutation(fn, *args, **kwargs)` — copies every array (also inside
  dicts, lists, tuples and dataclasses) before the call and names the argument, key and index
  that changed (:func:`check_no_mutation_call` takes ``ignore=("parameters",)``).
- ``"determinism"`` :func:`check_deterministic(fn, *args, **kwargs)` — two calls on identical
  copies return identical outputs.
- ``"dtype"``   :func:`check_dtype_preserved(fn, *args, **kwargs)` — float inputs give float
  outputs of at least the input precision.
- ``"stability"`` :func:`check_stability(fn, *args, expected=None, **kwargs)` — run at extreme
  inputs (e.g. :data:`EXTREME_Z`): overflow warnings, non-finite outputs and small rounding
  losses are ``"warn"`` (never a failure of correct code); values more than 1 % off
  ``expected`` where both are finite are ``"fail"``.
- ``"symmetry_breaking"`` :func:`check_symmetry_breaking(params)` — no two hidden units are
  interchangeable (equal rows of W[l], equal entries of b[l] and equal columns of W[l+1]);
  zero b is allowed, a one-row W (an output unit, logistic regression) may be zero; given
  ``X, Y`` a failure is explained by training on the reference.
  :func:`symmetric_units(params)` lists the interchangeable pairs.
- ``"symmetry_under_training"`` :func:`check_symmetry_under_training(params, X, Y)` — trains
  with the reference and shows that interchangeable units stay equal (the notes' argument).
- ``"init_scale"`` :func:`check_init_scale(params, activation)` — warns when the weights feeding
  a sigmoid/tanh layer are large (saturation, slow learning).
- ``"update_direction"`` :func:`check_update_direction(update_fn, params, grads, cost_fn)` —
  ``update_fn(params, grads, learning_rate)`` returns θ − α·dθ and the cost decreases for a
  small α.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nncheck._compare import (
    Change,
    clone,
    compare_values,
    describe_changes,
    fmt,
    fmt_index,
    jsonable,
)
from nncheck._findings import Status
from nncheck.diagnose.catalogue import Mistake
from nncheck.reference import RULES, model_gradients, update_parameters
from nncheck.reference.initialization import equal_row_pairs, symmetric_units

__all__ = [
    "EXTREME_Z",
    "Change",
    "PropertyResult",
    "Status",
    "assert_ok",
    "check_deterministic",
    "check_dtype_preserved",
    "check_init_scale",
    "check_no_mutation",
    "check_no_mutation_call",
    "check_no_rank1",
    "check_output_shapes",
    "check_scalar_cost",
    "check_stability",
    "check_symmetry_breaking",
    "check_symmetry_under_training",
    "check_update_direction",
    "compare_values",
    "symmetric_units",
]


EXTREME_Z: np.ndarray[Any, np.dtype[np.float64]] = np.array(
    [[-1e4, -750.0, -40.0, -1.0, 0.0, 1.0, 40.0, 750.0, 1e4]]
)
"""Pre-activations for :func:`check_stability`: beyond exp's overflow (±750, ±1e4), where σ
rounds to 0 or 1 (±40), and ordinary values. Read-only; the checks pass copies."""
EXTREME_Z.setflags(write=False)

RANK1_TIP = (
    "the notes' tip: do not use rank-1 arrays of shape (n,); create (n, 1) arrays "
    "(np.zeros((n, 1)), np.random.randn(n, 1)), keep dimensions in sums "
    "(np.sum(..., axis=1, keepdims=True)), or reshape (a.reshape(n, 1))"
)


@dataclass(frozen=True)
class PropertyResult:
    """The outcome of one property check, as data.

    ``check`` names the property (e.g. ``"mutation"``), ``status`` is its verdict, ``message``
    explains it to a learner (which array, expected vs found, the fix) and ``details`` holds
    JSON-able facts (shapes, indices, values, seeds).
    """

    check: str
    status: Status
    message: str
    details: dict[str, object] = field(default_factory=dict, hash=False)

    @property
    def ok(self) -> bool:
        """True unless the check found a bug (``"warn"`` and ``"skip"`` are ok)."""
        return self.status != "fail"

    def to_dict(self) -> dict[str, object]:
        """The result as a JSON-able dict."""
        return {
            "check": self.check,
            "status": self.status,
            "message": self.message,
            "details": jsonable(self.details),
        }


def assert_ok(*results: PropertyResult) -> None:
    """Raise ``AssertionError`` listing every failing result (the thin asserting step for tests).

    ``"warn"`` and ``"skip"`` results do not raise.
    """
    failed = [r for r in results if not r.ok]
    if failed:
        raise AssertionError("\n".join(f"[{r.check}] {r.message}" for r in failed))


# --------------------------------------------------------------------------------------------
# helpers


def _not_a_mapping(check: str, status: Status, value: object, what: str) -> PropertyResult:
    return PropertyResult(
        check,
        status,
        f"{what} must be a dict of arrays such as {{'W1': ..., 'b1': ...}}, "
        f"got a {type(value).__name__}",
        {"type": type(value).__name__},
    )


def _fn_name(fn: Callable[..., object]) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn))


def _crash(check: str, fn: Callable[..., object], exc: BaseException) -> PropertyResult:
    name = _fn_name(fn)
    return PropertyResult(
        check,
        "fail",
        f"{name} raised {type(exc).__name__}: {exc} — the check could not run; fix the error first",
        {"function": name, "exception": type(exc).__name__, "error": str(exc)},
    )


def _arg_labels(
    fn: Callable[..., object], args: Sequence[object], kwargs: Mapping[str, object]
) -> list[tuple[str, object]]:
    """(name, value) of every argument, named by the function's signature when possible."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        labels = [(f"argument {i}", a) for i, a in enumerate(args)]
        labels.extend(kwargs.items())
        return labels
    out: list[tuple[str, object]] = []
    params = inspect.signature(fn).parameters
    for name, value in bound.arguments.items():
        kind = params[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            out.extend((f"{name}[{i}]", v) for i, v in enumerate(value))
        elif kind is inspect.Parameter.VAR_KEYWORD:
            out.extend(value.items())
        else:
            out.append((name, value))
    return out


def _iter_arrays(value: object, path: str) -> list[tuple[str, np.ndarray[Any, Any]]]:
    if isinstance(value, np.ndarray):
        return [(path, value)]
    if isinstance(value, Mapping):
        out: list[tuple[str, np.ndarray[Any, Any]]] = []
        for k, v in value.items():
            out.extend(_iter_arrays(v, f"{path}[{k!r}]"))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            out.extend(_iter_arrays(v, f"{path}[{i}]"))
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = []
        for f in dataclasses.fields(value):
            out.extend(_iter_arrays(getattr(value, f.name), f"{path}.{f.name}"))
        return out
    return []


# --------------------------------------------------------------------------------------------
# shapes


def _rule_for(name: str, expected: tuple[int, ...]) -> str:
    kind = re.sub(r"\d+$", "", name)
    if kind in RULES:
        return RULES[kind]
    if kind == "AL":
        return RULES["A"]
    if kind == "X":
        return "X: (n[0], m)"
    if kind in ("Y", "Y_hat", "Yhat"):
        return f"{kind}: (1, m)"
    return f"{name}: {expected}"


def _shape_problem(
    name: str, value: object, expected: tuple[int, ...], rule: str
) -> dict[str, object] | None:
    if not isinstance(value, np.ndarray):
        if (
            expected == ()
            and isinstance(value, (int, float, np.number))
            and not isinstance(value, bool)
        ):
            return None
        found = (
            tuple(np.shape(value))
            if isinstance(value, (list, tuple, int, float, np.number))
            else None
        )
        return {
            "name": name,
            "kind": "type",
            "found": type(value).__name__,
            "expected": list(expected),
            "rule": rule,
            "message": (
                f"{name} is a {type(value).__name__}"
                + (f" of shape {found}" if found is not None and found != () else "")
                + f", not a numpy array; the rule {rule} needs an array of shape {expected}"
                + (" — build it with np.array(...) or np.zeros(...)" if found is not None else "")
            ),
        }
    shape = tuple(int(n) for n in value.shape)
    if shape == expected:
        return None
    if len(shape) == 1 and len(expected) == 2:
        kind = "rank1"
        if shape[0] == math.prod(expected):
            fix = f" — use {name}.reshape{expected}"
        else:
            fix = f" — it has {shape[0]} values but needs {math.prod(expected)}"
        message = (
            f"{name} has shape {shape}: a rank-1 array; the rule {rule} needs {expected}{fix}. "
            f"({RANK1_TIP}); see `nncheck claims rank-one-transpose`"
        )
    elif len(expected) == 2 and len(shape) == 2 and shape == expected[::-1]:
        kind = "transposed"
        message = (
            f"{name} has shape {shape}: the transpose of what the rule {rule} needs {expected} "
            f"— use {name}.T, or check the order of the factors in the product that made it"
        )
    else:
        kind = "shape"
        message = f"{name} has shape {shape}; the rule {rule} needs {expected}"
        if len(shape) == 2 and len(expected) == 2 and shape[1] == 1 and expected[1] != 1:
            message += " — a sum over the wrong axis, or over examples too early"
        elif (
            len(shape) == 2 and len(expected) == 2 and shape[0] == expected[0] and expected[1] == 1
        ):
            message += (
                " — it still has one column per example; sum over the examples: "
                "np.sum(..., axis=1, keepdims=True)"
            )
    return {
        "name": name,
        "kind": kind,
        "found": list(shape),
        "expected": list(expected),
        "rule": rule,
        "message": message,
    }


def check_output_shapes(
    outputs: Mapping[str, object],
    expected: Mapping[str, tuple[int, ...]],
    rules: Mapping[str, str] | None = None,
) -> PropertyResult:
    """Check that every name in ``expected`` is in ``outputs`` with exactly that shape.

    ``rules`` maps a name to the rule text quoted in messages; by default it comes from
    ``nncheck.reference.RULES`` by the name without its layer number (``"dW2"`` → the dW rule).
    ``expected[name] == ()`` accepts a Python or numpy scalar. Rank-1 arrays get the notes'
    tip; a transposed array gets ``.T``. All problems are gathered; the message leads with the
    first and ``details["problems"]`` lists them all (``details["rank1"]`` names the rank-1 ones).
    """
    if not isinstance(outputs, Mapping):
        return _not_a_mapping("shapes", "fail", outputs, "the outputs")
    problems: list[dict[str, object]] = []
    for name, shape in expected.items():
        exp = tuple(int(n) for n in shape)
        rule = (rules or {}).get(name) or _rule_for(name, exp)
        if name not in outputs:
            problems.append(
                {
                    "name": name,
                    "kind": "missing",
                    "found": None,
                    "expected": list(exp),
                    "rule": rule,
                    "message": f"{name} is missing from the output (it must be an array of shape "
                    f"{exp})",
                }
            )
            continue
        problem = _shape_problem(name, outputs[name], exp, rule)
        if problem is not None:
            problems.append(problem)
    checked = sorted(expected)
    if not problems:
        return PropertyResult(
            "shapes",
            "pass",
            f"all {len(checked)} arrays follow the dimension rules",
            {"checked": checked, "shapes": {k: list(v) for k, v in expected.items()}},
        )
    first = str(problems[0]["message"])
    message = (
        first
        if len(problems) == 1
        else (
            f"{first} (and {len(problems) - 1} more: "
            + ", ".join(str(p["name"]) for p in problems[1:])
            + ")"
        )
    )
    return PropertyResult(
        "shapes",
        "fail",
        message,
        {
            "problems": [{k: v for k, v in p.items() if k != "message"} for p in problems],
            "rank1": [p["name"] for p in problems if p["kind"] == "rank1"],
            "checked": checked,
        },
    )


def check_no_rank1(arrays: Mapping[str, object]) -> PropertyResult:
    """Fail when any array (looked for inside dicts/tuples too) has shape ``(n,)``.

    Rank-1 arrays behave neither as rows nor as columns (``a.T`` is ``a``; ``a @ a.T`` is a
    scalar), the notes' first numpy pitfall.
    """
    if not isinstance(arrays, Mapping):
        return _not_a_mapping("rank1", "fail", arrays, "the arrays")
    found: list[dict[str, object]] = []
    for name, value in arrays.items():
        for path, arr in _iter_arrays(value, str(name)):
            if arr.ndim == 1:
                found.append({"name": path, "shape": list(arr.shape)})
    if not found:
        return PropertyResult(
            "rank1", "pass", "no rank-1 arrays", {"checked": sorted(map(str, arrays))}
        )
    first = found[0]
    n = first["shape"][0]  # type: ignore[index]
    message = (
        f"{first['name']} has shape ({n},): a rank-1 array; use shape ({n}, 1) or (1, {n}) — "
        + RANK1_TIP
    )
    if len(found) > 1:
        message += f" (also: {', '.join(str(f['name']) for f in found[1:])})"
    message += "; see `nncheck claims rank-one-transpose`"
    return PropertyResult("rank1", "fail", message, {"rank1": found})


def check_scalar_cost(
    value: object, *, name: str = "cost", nonnegative: bool = True, strict: bool = True
) -> PropertyResult:
    """A cost must be a finite scalar: a float, a numpy scalar or a 0-d array.

    A ``(1, 1)`` array fails with the course's fix (``np.squeeze(cost)``), and so does a
    1-element list (the course's tests fail both); with ``strict=False`` (code outside the
    course's conventions) a single number in an array or list only warns. An array of one value
    per example fails (the cost is their mean). With ``nonnegative`` (cross-entropy and squared
    loss) a negative cost fails (a sign flip).
    """
    details: dict[str, object] = {"type": type(value).__name__}
    if not strict and isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        try:
            one = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            one = None
        if one is not None and one.size == 1:
            details["shape"] = list(one.shape)
            inner = check_scalar_cost(
                one.reshape(()), name=name, nonnegative=nonnegative, strict=True
            )
            if not inner.ok:
                return inner
            return PropertyResult(
                "scalar_cost",
                "warn",
                f"{name} is {type(value).__name__} of shape {one.shape} holding one number, not "
                f"a number: use {name} = float(np.squeeze({name}))",
                details,
            )
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number, np.ndarray)):
        return PropertyResult(
            "scalar_cost",
            "fail",
            f"{name} is a {type(value).__name__}, not a number; return a float "
            f"(e.g. float(np.squeeze({name})))",
            details,
        )
    if isinstance(value, np.ndarray):
        details["shape"] = list(value.shape)
        if value.ndim > 0:
            if value.size == 1:
                return PropertyResult(
                    "scalar_cost",
                    "fail",
                    f"{name} has shape {value.shape}; the cost must be a scalar of shape () — "
                    f"use {name} = np.squeeze({name}) (or float({name}))",
                    details,
                )
            return PropertyResult(
                "scalar_cost",
                "fail",
                f"{name} has shape {value.shape}: one value per example, not the cost; the cost is "
                f"their mean J = (1/m) Σ L — e.g. {name} = np.sum(losses) / m",
                details,
            )
        if value.dtype.kind not in "iuf":
            return PropertyResult(
                "scalar_cost",
                "fail",
                f"{name} has dtype {value.dtype}; it must be a real number",
                details,
            )
    number = float(value)
    details["value"] = jsonable(number)
    if not math.isfinite(number):
        return PropertyResult(
            "scalar_cost",
            "fail",
            f"{name} is {number}: a log of 0 or an overflow — with ŷ strictly inside (0, 1) the "
            "cross-entropy is finite; check the formula (and the activation of the last layer)",
            details,
        )
    if nonnegative and number < 0:
        return PropertyResult(
            "scalar_cost",
            "fail",
            f"{name} = {fmt(number)} is negative, but the loss is never negative; a sign is "
            "flipped: J = −(1/m) Σ [y·log ŷ + (1−y)·log(1−ŷ)]",
            details,
        )
    return PropertyResult(
        "scalar_cost", "pass", f"{name} = {fmt(number)} is a finite scalar", details
    )


# --------------------------------------------------------------------------------------------
# calling the function


def check_no_mutation(
    fn: Callable[..., object], /, *args: object, **kwargs: object
) -> PropertyResult:
    """Call ``fn(*args, **kwargs)`` and fail if it changed any of its inputs.

    Arrays are copied before the call, also inside dicts, lists, tuples, dataclasses and plain
    objects (so a cache tuple or a ``parameters`` dict is covered); after the call each argument
    is compared with its copy. The message names the argument (by the function's parameter
    name), the key, the index and the values before and after. To allow a documented in-place
    update of one argument, use :func:`check_no_mutation_call` with ``ignore``.
    """
    return check_no_mutation_call(fn, args, kwargs)


def check_no_mutation_call(
    fn: Callable[..., object],
    args: Sequence[object] = (),
    kwargs: Mapping[str, object] | None = None,
    *,
    ignore: Sequence[str] = (),
) -> PropertyResult:
    """:func:`check_no_mutation` with the arguments as data, skipping arguments named in
    ``ignore`` (parameter names, e.g. ``ignore=("parameters",)`` for an update that is meant to
    work in place)."""
    kwargs = dict(kwargs or {})
    labels = _arg_labels(fn, args, kwargs)
    before = [(name, clone(value)) for name, value in labels]
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # reason: a crash of the checked function is a finding
        return _crash("mutation", fn, exc)
    changes: list[Change] = []
    for (name, old), (_, value) in zip(before, labels, strict=True):
        if name not in ignore:
            changes.extend(compare_values(old, value, name))
    fname = _fn_name(fn)
    details: dict[str, object] = {"function": fname, "arguments": [n for n, _ in labels]}
    if ignore:
        details["ignored"] = list(ignore)
    if not changes:
        return PropertyResult("mutation", "pass", f"{fname} leaves its inputs unchanged", details)
    details["changes"] = [
        {"path": c.path, "description": c.description, **c.details} for c in changes
    ]
    details["argument"] = changes[0].path
    return PropertyResult(
        "mutation",
        "fail",
        f"{fname} changed its input: {describe_changes(changes)}. A function must not modify "
        "its arguments: work on a copy (e.g. dZ = np.array(dA, copy=True) before "
        "dZ[Z <= 0] = 0; new = copy.deepcopy(parameters))",
        details,
    )


def check_deterministic(
    fn: Callable[..., object], /, *args: object, **kwargs: object
) -> PropertyResult:
    """Call ``fn`` twice on identical copies of the inputs; fail if the outputs differ.

    Differences usually come from unseeded ``np.random`` or from state kept between calls
    (a global, a mutable default argument, an input modified in place).
    """
    outputs: list[object] = []
    for _ in range(2):
        a = [clone(x) for x in args]
        k = {key: clone(v) for key, v in kwargs.items()}
        try:
            outputs.append(fn(*a, **k))
        except Exception as exc:  # reason: a crash of the checked function is a finding
            return _crash("determinism", fn, exc)
    fname = _fn_name(fn)
    changes = compare_values(outputs[0], outputs[1], "output")
    if not changes:
        return PropertyResult(
            "determinism",
            "pass",
            f"{fname} returns the same output for the same inputs",
            {"function": fname},
        )
    return PropertyResult(
        "determinism",
        "fail",
        f"{fname} returned different outputs for identical inputs: {describe_changes(changes)} "
        "(first call → second call). It depends on hidden state: seed the random generator "
        "(np.random.seed(...) or a Generator argument) and do not keep state between calls",
        {
            "function": fname,
            "changes": [
                {"path": c.path, "description": c.description, **c.details} for c in changes
            ],
        },
    )


def check_dtype_preserved(
    fn: Callable[..., object], /, *args: object, allow_upcast: bool = True, **kwargs: object
) -> PropertyResult:
    """Float inputs must give float outputs of at least the same precision.

    The input precision is the widest float dtype among the array arguments (also inside
    containers); a check with no float input is ``"skip"``. An integer, boolean or object
    output array fails (e.g. ``np.zeros((n, 1), dtype=int)``, ``//``), a narrower float fails
    (precision lost); a wider float passes unless ``allow_upcast`` is False.
    """
    in_arrays = [arr for i, a in enumerate(args) for _, arr in _iter_arrays(a, f"args[{i}]")]
    in_arrays += [arr for k, a in kwargs.items() for _, arr in _iter_arrays(a, k)]
    floats = [a.dtype for a in in_arrays if a.dtype.kind in "fc"]
    if not floats:
        return PropertyResult("dtype", "skip", "no floating-point inputs to compare with", {})
    in_dtype = np.result_type(*floats)
    try:
        out = fn(*[clone(a) for a in args], **{k: clone(v) for k, v in kwargs.items()})
    except Exception as exc:  # reason: a crash of the checked function is a finding
        return _crash("dtype", fn, exc)
    fname = _fn_name(fn)
    problems: list[dict[str, object]] = []
    for path, arr in _iter_arrays(out, "output"):
        kind = arr.dtype.kind
        if kind in "fc":
            if arr.dtype.itemsize < in_dtype.itemsize and not (
                kind == "f" and in_dtype.kind == "c"
            ):
                problems.append({"path": path, "dtype": str(arr.dtype), "why": "narrower"})
            elif not allow_upcast and arr.dtype.itemsize > in_dtype.itemsize:
                problems.append({"path": path, "dtype": str(arr.dtype), "why": "upcast"})
        else:
            problems.append({"path": path, "dtype": str(arr.dtype), "why": "not float"})
    details: dict[str, object] = {
        "function": fname,
        "input_dtype": str(in_dtype),
        "problems": problems,
    }
    if not problems:
        return PropertyResult("dtype", "pass", f"{fname} keeps {in_dtype} precision", details)
    p = problems[0]
    why = {
        "narrower": "loses precision",
        "upcast": "changes precision",
        "not float": "is not a float array (an int/bool array: look for dtype=int, //, or a "
        "comparison returned without converting, e.g. (Z > 0).astype(float))",
    }[str(p["why"])]
    return PropertyResult(
        "dtype",
        "fail",
        f"{fname} returns {p['path']} with dtype {p['dtype']} for {in_dtype} inputs: it {why}",
        details,
    )


def check_stability(
    fn: Callable[..., object],
    /,
    *args: object,
    expected: object = None,
    rtol: float = 1e-6,
    fail_rtol: float = 1e-2,
    atol: float = 0.0,
    hint: str = "",
    **kwargs: object,
) -> PropertyResult:
    """Run ``fn`` at extreme inputs (the caller passes them, e.g. z = ±1e4) and judge the result.

    - ``"fail"``: ``fn`` raised, or an output differs from ``expected`` by more than
      ``fail_rtol`` (relative to the largest expected value of each array) where both are
      finite — a wrong formula, not rounding — or has another shape than ``expected``.
    - ``"skip"``: the output's structure does not match ``expected`` (a tuple for an array).
    - ``"warn"``: numpy emitted a RuntimeWarning (overflow in ``np.exp``), an output is NaN/inf
      where ``expected`` is finite (or no ``expected`` given), or it differs by more than
      ``rtol`` but less than ``fail_rtol`` (cancellation, e.g. log(1 − σ(30))) — correct
      formulas written the textbook way do this, so it is never a failure. ``hint`` is
      appended to the message.
    - ``"pass"``: finite, quiet and (if given) equal to ``expected``.
    """
    fname = _fn_name(fn)
    call_args = [clone(a) for a in args]
    call_kwargs = {k: clone(v) for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
                out = fn(*call_args, **call_kwargs)
        except Exception as exc:  # reason: a crash of the checked function is a finding
            return _crash("stability", fn, exc)
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    details: dict[str, object] = {"function": fname, "warnings": sorted(set(runtime))}
    if expected is not None:
        mism = _value_mismatch(expected, out, rtol=fail_rtol, atol=atol)
        if mism is not None and mism["kind"] == "structure":
            details.update(mism)
            return PropertyResult(
                "stability",
                "skip",
                f"cannot compare the output of {fname} with the expected values: "
                f"{mism['message']} (pass `expected` with the structure the function returns)",
                details,
            )
        if mism is not None:
            details.update(mism)
            return PropertyResult(
                "stability",
                "fail",
                f"{fname} is wrong at extreme inputs: {mism['message']}"
                + (f". {hint}" if hint else ""),
                details,
            )
        inexact = _value_mismatch(expected, out, rtol=rtol, atol=atol)
        if inexact is not None:
            details["inexact"] = inexact
    nonfinite = [
        path
        for path, arr in _iter_arrays(out, "output")
        if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr))
    ]
    if isinstance(out, (float, np.floating)) and not math.isfinite(float(out)):
        nonfinite.append("output")
    if expected is not None:
        exp_nonfinite = {
            p
            for p, a in _iter_arrays(expected, "output")
            if a.dtype.kind in "fc" and not np.all(np.isfinite(a))
        }
        nonfinite = [p for p in nonfinite if p not in exp_nonfinite]
    details["nonfinite"] = nonfinite
    inexact_found = details.get("inexact")
    if nonfinite or runtime or inexact_found:
        parts = []
        if runtime:
            parts.append(f"numpy warned: {'; '.join(sorted(set(runtime)))}")
        if nonfinite:
            parts.append(f"non-finite values (nan/inf) in {', '.join(nonfinite)}")
        if isinstance(inexact_found, dict):
            parts.append(f"inaccurate: {inexact_found['message']}")
        message = (
            f"{fname} is numerically fragile at extreme inputs ({'; '.join(parts)}). The formula "
            "may be right, but floating point fails it here (np.exp overflows for large |z|; "
            "1 − σ(z) loses its digits once σ(z) is near 1): use a stable form, e.g. σ(z) = "
            "np.where(z >= 0, 1/(1+np.exp(-z)), np.exp(z)/(1+np.exp(z))), or compute the cost "
            "from z with np.logaddexp"
        )
        return PropertyResult("stability", "warn", message + (f". {hint}" if hint else ""), details)
    return PropertyResult(
        "stability", "pass", f"{fname} is finite and quiet at extreme inputs", details
    )


def _value_mismatch(
    expected: object, out: object, *, rtol: float, atol: float
) -> dict[str, object] | None:
    """The first value of ``out`` that differs from ``expected`` where both are finite.

    The absolute tolerance of each array is ``max(atol, rtol · max|expected|)``: at extreme
    inputs tiny values (σ(−40) ≈ 4e−18) lose their relative accuracy in correct formulas.
    ``kind`` is ``"structure"`` when the outputs cannot be matched up at all.
    """
    exp_arrays = _iter_arrays(expected, "output")
    if not exp_arrays:
        try:
            e, o = float(expected), float(out)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return {
                "kind": "structure",
                "message": f"expected a number like {expected!r}, got {type(out).__name__}",
            }
        if (
            math.isfinite(e)
            and math.isfinite(o)
            and not math.isclose(o, e, rel_tol=rtol, abs_tol=max(atol, rtol * abs(e)))
        ):
            return {
                "kind": "value",
                "message": f"returned {fmt(o)}, expected {fmt(e)}",
                "expected": e,
                "found": o,
            }
        return None
    out_arrays = dict(_iter_arrays(out, "output"))
    for path, e_arr in exp_arrays:
        o_arr = out_arrays.get(path)
        if o_arr is None:
            return {
                "kind": "structure",
                "message": f"{path} is missing (expected an array of shape {e_arr.shape})",
            }
        if o_arr.shape != e_arr.shape:
            return {
                "kind": "shape",
                "message": f"{path} has shape {o_arr.shape}, expected {e_arr.shape}",
            }
        try:
            e_f, o_f = e_arr.astype(np.float64), o_arr.astype(np.float64)
        except (TypeError, ValueError):
            return {"kind": "structure", "message": f"{path} has dtype {o_arr.dtype}, not real"}
        finite_e = e_f[np.isfinite(e_f)]
        tol = max(atol, rtol * float(np.max(np.abs(finite_e)))) if finite_e.size else atol
        both = np.isfinite(e_f) & np.isfinite(o_f)
        bad = both & ~np.isclose(o_f, e_f, rtol=rtol, atol=tol)
        if np.any(bad):
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            return {
                "kind": "value",
                "message": f"{path}{fmt_index(index)} = {fmt(float(o_f[index]))}, expected "
                f"{fmt(float(e_f[index]))}",
                "index": list(index),
                "expected": float(e_f[index]),
                "found": float(o_f[index]),
            }
    return None


# --------------------------------------------------------------------------------------------
# initialisation and training


def _layers(
    params: Mapping[str, object],
) -> list[tuple[int, str, np.ndarray[Any, Any], np.ndarray[Any, Any] | None]]:
    """(l, key, W, b) for every weight matrix key ``W<l>`` (or a lone ``W``/``w``), by l."""
    out: list[tuple[int, str, np.ndarray[Any, Any], np.ndarray[Any, Any] | None]] = []
    for key, value in params.items():
        m = re.fullmatch(r"([Ww])(\d*)", str(key))
        if m is None or not isinstance(value, np.ndarray) or value.ndim != 2:
            continue
        l = int(m.group(2)) if m.group(2) else 1
        b = params.get(f"b{m.group(2)}")
        out.append((l, str(key), value, b if isinstance(b, np.ndarray) else None))
    return sorted(out, key=lambda t: t[0])


def _equal_rows(W: np.ndarray[Any, Any]) -> list[tuple[int, int]]:
    return equal_row_pairs(W, 1000)


SYMMETRY_EXPLANATION = (
    "units whose incoming weights, bias and outgoing weights are equal compute the same "
    "activation for every example and receive the same gradient, so gradient descent keeps "
    "them equal forever: the layer acts like a single unit (symmetry is never broken). "
    "Initialise W randomly, e.g. W = np.random.randn(n[l], n[l-1]) * 0.01; b may be zero"
)


def check_symmetry_breaking(
    params: Mapping[str, object],
    X: np.ndarray[Any, Any] | None = None,
    Y: np.ndarray[Any, Any] | None = None,
    *,
    hidden: str = "relu",
) -> PropertyResult:
    """An initialiser must break symmetry: no interchangeable units (:func:`symmetric_units`).

    ``"fail"`` for interchangeable units (e.g. all-zero or constant W). ``"warn"`` when a W
    with more than one row has equal rows but the units differ through b or the next layer's
    weights (symmetry is broken, but not in the way the notes recommend). Zero b is allowed; a
    one-row W (an output unit, logistic regression) may be zero. Given data ``X``, ``Y`` (and
    the ``hidden`` activation), a failure is explained by training: the message adds what
    :func:`check_symmetry_under_training` shows on the reference.
    """
    if not isinstance(params, Mapping):
        return _not_a_mapping("symmetry_breaking", "fail", params, "the parameters")
    layers = _layers(params)
    if not layers:
        return PropertyResult(
            "symmetry_breaking",
            "skip",
            "no weight matrices W1, W2, … found",
            {"keys": sorted(map(str, params))},
        )
    pairs = symmetric_units(params)
    keys = {l: key for l, key, _, _ in layers}
    if pairs:
        l, j, k = pairs[0]
        per_layer: dict[str, int] = {}
        for pl, _, _ in pairs:
            per_layer[keys[pl]] = per_layer.get(keys[pl], 0) + 1
        W = dict((lk, w) for _, lk, w, _ in layers)[keys[l]]
        what = (
            "all zero" if not np.any(W) else "constant" if np.all(W == W.flat[0]) else "equal rows"
        )
        details: dict[str, object] = {
            "pairs": [list(p) for p in pairs[:20]],
            "pairs_per_matrix": per_layer,
            "layer": l,
            "units": [j, k],
        }
        shown = ""
        if X is not None and Y is not None:
            trained = check_symmetry_under_training(params, X, Y, hidden=hidden)
            details["under_training"] = trained.to_dict()
            if trained.status == "fail":
                steps = trained.details["steps"]
                shown = (
                    f" (shown on the reference: after {steps} gradient-descent steps on your "
                    f"data, units {j} and {k} are still equal)"
                )
        return PropertyResult(
            "symmetry_breaking",
            "fail",
            f"{keys[l]} does not break symmetry ({what}): units {j} and {k} of layer {l} are "
            f"interchangeable — {SYMMETRY_EXPLANATION}{shown}; "
            "see `nncheck claims symmetry-persists`",
            details,
        )
    equal = [(key, _equal_rows(W)) for _, key, W, _ in layers if W.shape[0] > 1]
    equal = [(key, rows) for key, rows in equal if rows]
    if equal:
        key, rows = equal[0]
        return PropertyResult(
            "symmetry_breaking",
            "warn",
            f"{key} has equal rows {rows[0][0]} and {rows[0][1]}; the units still differ through "
            "b or the next layer's weights, so training can separate them, but the notes "
            "initialise every W randomly (np.random.randn(...) * 0.01)",
            {"equal_rows": {k: [list(r) for r in rs] for k, rs in equal}},
        )
    return PropertyResult(
        "symmetry_breaking",
        "pass",
        "every W breaks symmetry (no two interchangeable units)",
        {"matrices": [key for _, key, _, _ in layers]},
    )


def check_symmetry_under_training(
    params: Mapping[str, object],
    X: np.ndarray[Any, Any],
    Y: np.ndarray[Any, Any],
    *,
    hidden: str = "relu",
    steps: int = 5,
    learning_rate: float = 0.5,
) -> PropertyResult:
    """Train ``params`` with the reference for ``steps`` gradient-descent steps and show the notes'
    argument: interchangeable units at the start are still equal at the end.

    ``"fail"`` when the initial parameters have interchangeable units (they stay equal — the
    message says which, and for how many steps); ``"pass"`` when there are none. ``"skip"`` if
    the reference cannot run these parameters (shape errors are reported by other checks).
    """
    if not isinstance(params, Mapping):
        return _not_a_mapping("symmetry_under_training", "skip", params, "the parameters")
    start = symmetric_units(params)
    try:
        current: dict[str, np.ndarray[Any, Any]] = {
            str(k): np.asarray(v, dtype=np.float64).copy()
            for k, v in params.items()
            if isinstance(v, np.ndarray)
        }
        for _ in range(steps):
            grads = model_gradients(
                current, np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64), hidden
            )
            current = update_parameters(current, grads, learning_rate)
    except Exception as exc:  # reason: bad shapes are other checks' findings
        return PropertyResult(
            "symmetry_under_training",
            "skip",
            f"could not train these parameters with the reference ({type(exc).__name__}: {exc})",
            {"error": str(exc)},
        )
    if not start:
        return PropertyResult(
            "symmetry_under_training",
            "pass",
            "no interchangeable units at the start, so training can give every unit its own role",
            {"steps": steps, "learning_rate": learning_rate},
        )
    layers = {l: key for l, key, _, _ in _layers(current)}
    still: list[list[int]] = []
    gaps: list[float] = []
    for l, j, k in start:
        W = current[layers[l]]
        gap = float(np.max(np.abs(W[j] - W[k])))
        gaps.append(gap)
        if gap <= 1e-12 * max(1.0, float(np.max(np.abs(W)))):
            still.append([l, j, k])
    l, j, k = start[0]
    key = layers[l]
    if still:
        moved = float(np.max(np.abs(current[key] - np.asarray(params[key], dtype=np.float64))))
        how = (
            f"{key} did not move at all: its gradient is exactly 0"
            if moved == 0.0
            else f"{key} moved by up to {fmt(moved)}, but rows {j} and {k} moved identically"
        )
        return PropertyResult(
            "symmetry_under_training",
            "fail",
            f"units {j} and {k} of layer {l} start equal and are still equal after {steps} "
            f"gradient-descent steps of the reference (α = {learning_rate}; {how}) — "
            f"{SYMMETRY_EXPLANATION}; see `nncheck claims symmetry-persists`",
            {
                "pairs": still[:20],
                "steps": steps,
                "learning_rate": learning_rate,
                "max_change": moved,
                "max_gap": max(gaps),
            },
        )
    return PropertyResult(
        "symmetry_under_training",
        "pass",
        f"units that started equal were separated by training within {steps} steps",
        {"pairs": [list(p) for p in start[:20]], "steps": steps, "min_gap": min(gaps)},
    )


def check_init_scale(
    params: Mapping[str, object],
    activation: str = "tanh",
    *,
    output_activation: str = "sigmoid",
    threshold: float = 5.0,
) -> PropertyResult:
    """Warn when the weights feeding a sigmoid/tanh layer are large (the notes: keep W small).

    For layer l the gain is rms(W[l])·√n[l−1] — the typical |z| for inputs of unit size. Above
    ``threshold`` (default 5: the course's ``randn * 10`` is far above, ``randn * 0.01``, Xavier
    and He are far below) tanh/sigmoid saturate and gradients vanish. Hidden layers use
    ``activation``, the last layer ``output_activation``; layers with other activations are not
    judged. Never ``"fail"``: large weights are a risk, not a wrong formula.
    """
    if not isinstance(params, Mapping):
        return _not_a_mapping("init_scale", "skip", params, "the parameters")
    layers = _layers(params)
    if not layers:
        return PropertyResult("init_scale", "skip", "no weight matrices W1, W2, … found", {})
    last = layers[-1][0]
    gains: dict[str, float] = {}
    large: list[tuple[str, float, str]] = []
    for l, key, W, _ in layers:
        act = output_activation if l == last else activation
        if W.size == 0 or W.dtype.kind not in "iuf":
            continue
        gain = float(np.sqrt(np.mean(np.asarray(W, dtype=np.float64) ** 2)) * math.sqrt(W.shape[1]))
        gains[key] = gain
        if act in ("sigmoid", "tanh") and gain > threshold:
            large.append((key, gain, act))
    details: dict[str, object] = {"gains": gains, "threshold": threshold, "activation": activation}
    if not large:
        judged = [
            key
            for l, key, _, _ in layers
            if (output_activation if l == last else activation) in ("sigmoid", "tanh")
        ]
        if not judged:
            return PropertyResult(
                "init_scale",
                "skip",
                f"no sigmoid/tanh layer to judge ({activation} hidden)",
                details,
            )
        return PropertyResult(
            "init_scale", "pass", "the weights feeding sigmoid/tanh layers are small", details
        )
    key, gain, act = max(large, key=lambda t: t[1])
    return PropertyResult(
        "init_scale",
        "warn",
        f"{key} is large for a {act} layer: rms({key})·√n[l−1] = {fmt(gain)} (> {threshold}), so "
        f"z is large, {act} saturates and its gradient is nearly 0 — learning is slow. The notes "
        "scale random weights down: np.random.randn(...) * 0.01 (or √(1/n[l−1])); "
        "see `nncheck claims saturation-slows-learning`",
        details,
    )


def check_update_direction(
    update_fn: Callable[..., object],
    params: Mapping[str, np.ndarray[Any, Any]],
    grads: Mapping[str, np.ndarray[Any, Any]],
    cost_fn: Callable[[Mapping[str, np.ndarray[Any, Any]]], object] | None = None,
    *,
    learning_rate: float = 0.01,
    exact: bool = True,
) -> PropertyResult:
    """``update_fn(params, grads, learning_rate)`` must step against the gradient.

    Called on copies (in-place updates are fine). For every parameter θ with a gradient
    ``grads["d" + key]``: the step must be −α·dθ (``exact``; otherwise only ⟨step, dθ⟩ < 0);
    a step of +α·dθ, no step, or a step scaled by a constant are named (``details["mistake"]``:
    the catalogue's id). The course's rule is the exact step θ − α·dθ (its tests compare the
    updated values), so conform uses ``exact=True``. With ``cost_fn``
    (parameters → cost), the cost must decrease for α, α/10, α/100 or α/1000 — if not, the
    update or the gradients are wrong. The update may return the dict or a tuple whose first
    element is the dict.
    """
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        bad = params if not isinstance(params, Mapping) else grads
        return _not_a_mapping("update_direction", "skip", bad, "the parameters and gradients")
    fname = _fn_name(update_fn)
    old = {k: np.asarray(v) for k, v in params.items()}

    def run(lr: float) -> tuple[Mapping[str, object] | None, str | None]:
        p_copy = clone(dict(params))
        try:
            out = update_fn(p_copy, clone(dict(grads)), lr)
        except Exception as exc:  # reason: a crash of the checked function is a finding
            return None, f"{fname} raised {type(exc).__name__}: {exc}"
        if isinstance(out, tuple) and out and isinstance(out[0], Mapping):
            out = out[0]
        if out is None:
            return None, (
                f"{fname} returned None; it must return the updated parameters (end with "
                "`return parameters`)"
            )
        if not isinstance(out, Mapping):
            return None, f"{fname} returned a {type(out).__name__}, expected the parameters dict"
        return out, None

    new, error = run(learning_rate)
    details: dict[str, object] = {"function": fname, "learning_rate": learning_rate}
    if error is not None or new is None:
        return PropertyResult("update_direction", "fail", str(error), details)
    for key, theta in old.items():
        gkey = "d" + key
        if gkey not in grads:
            continue
        if key not in new:
            return PropertyResult(
                "update_direction", "fail", f"{fname} dropped {key!r} from the parameters", details
            )
        g = np.asarray(grads[gkey], dtype=np.float64)
        try:
            step = np.asarray(new[key], dtype=np.float64) - theta.astype(np.float64)
        except (ValueError, TypeError) as exc:
            return PropertyResult(
                "update_direction",
                "fail",
                f"{key} could not be compared with its old value {theta.shape} after the update "
                f"({exc})",
                details,
            )
        if step.shape != theta.shape:
            return PropertyResult(
                "update_direction",
                "fail",
                f"{key} changed shape from {theta.shape} to {step.shape} in the update: "
                f"{gkey} must have the shape of {key}",
                details,
            )
        try:
            want = -learning_rate * np.broadcast_to(g, theta.shape)
        except ValueError:
            return PropertyResult(
                "update_direction",
                "skip",
                f"{gkey} has shape {g.shape}, which does not fit {key} {theta.shape}: the "
                "gradients given are not usable (the shape checks report this)",
                details,
            )
        scale = float(np.max(np.abs(want))) if want.size else 0.0
        if scale == 0.0:
            continue
        theta_max = float(np.max(np.abs(theta))) if theta.size else 0.0
        atol = 1e-9 * scale + 8.0 * float(np.finfo(np.float64).eps) * theta_max
        if np.allclose(step, want, rtol=1e-6, atol=atol):
            continue
        inner = float(np.sum(step * want))
        ratio = inner / float(np.sum(want * want))
        proportional = np.allclose(step, ratio * want, rtol=1e-6, atol=atol)
        details.update({"parameter": key, "ratio": ratio})
        if not np.any(step):
            details["mistake"] = Mistake.LAYER_SKIPPED.value
            message = (
                f"{key} did not change: the update must assign the new value "
                f"({key} = {key} − α·{gkey}) and return it"
            )
        elif np.allclose(step, -want, rtol=1e-6, atol=atol):
            details["mistake"] = Mistake.UPDATE_WRONG_SIGN.value
            message = (
                f"{key} moved along the gradient (+α·{gkey}): a sign flip — gradient descent is "
                f"{key} = {key} − α·{gkey}"
            )
        elif proportional and ratio > 0:
            if not exact:
                continue
            no_rate = abs(ratio * learning_rate - 1.0) <= 1e-6
            details["mistake"] = (
                Mistake.MISSING_LEARNING_RATE if no_rate else Mistake.SCALED
            ).value
            message = (
                f"{key} moved by {fmt(ratio)}·(−α·{gkey}), not −α·{gkey}: check the learning "
                "rate factor"
            )
        elif inner > 0 and not exact:
            continue
        else:
            message = (
                f"the step of {key} is not −α·{gkey}"
                + ("" if inner > 0 else " and does not move against the gradient")
                + f" — gradient descent is {key} = {key} − α·{gkey} (check which gradient is "
                "used for which parameter)"
            )
        return PropertyResult("update_direction", "fail", f"{fname}: {message}", details)
    if cost_fn is None:
        return PropertyResult(
            "update_direction", "pass", f"{fname} steps every parameter by −α·dθ", details
        )
    gnorm = math.sqrt(
        sum(
            float(np.sum(np.asarray(grads["d" + k], dtype=np.float64) ** 2))
            for k in old
            if "d" + k in grads
        )
    )
    if gnorm == 0.0:
        return PropertyResult(
            "update_direction", "skip", "the gradient is zero: no direction to check", details
        )
    try:
        j0 = float(cost_fn(old))  # type: ignore[arg-type]
    except Exception as exc:  # reason: a crash of the cost is a finding
        return _crash("update_direction", cost_fn, exc)
    tried: list[dict[str, float]] = []
    lr = learning_rate
    resolution = 1e3 * float(np.finfo(np.float64).eps) * max(1.0, abs(j0))
    for _ in range(4):
        if lr * gnorm * gnorm < resolution:
            # the predicted decrease α·‖g‖² is below the rounding of J: the cost cannot judge
            details["tried"] = tried
            return PropertyResult(
                "update_direction",
                "pass",
                f"{fname} steps every parameter by −α·dθ; the cost change at α = {lr:g} "
                f"(about {fmt(lr * gnorm * gnorm)}) is below the rounding of J = {fmt(j0)}, "
                "so it was not compared",
                details,
            )
        out, error = (new, None) if lr == learning_rate else run(lr)
        if out is None:
            return PropertyResult("update_direction", "fail", str(error), details)
        try:
            j1 = float(cost_fn(out))  # type: ignore[arg-type]
        except Exception as exc:  # reason: a crash of the cost is a finding
            return _crash("update_direction", cost_fn, exc)
        tried.append({"learning_rate": lr, "cost_before": j0, "cost_after": j1})
        if j1 < j0:
            details["tried"] = tried
            return PropertyResult(
                "update_direction",
                "pass",
                f"{fname} steps against the gradient: the cost fell from {fmt(j0)} to {fmt(j1)} "
                f"(α = {lr:g})",
                details,
            )
        lr /= 10.0
    details["tried"] = tried
    return PropertyResult(
        "update_direction",
        "fail",
        f"one step of {fname} does not decrease the cost even for α = {lr * 10:g} "
        f"(J = {fmt(j0)} before, {fmt(tried[-1]['cost_after'])} after): either the update "
        "does not move against the gradient or the gradients are not those of this cost",
        details,
    )
