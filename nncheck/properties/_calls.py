"""Checks that call the function: no mutation of its inputs, determinism, dtype, stability at
extreme inputs."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nncheck._compare import (
    Change,
    clone,
    compare_values,
    describe_changes,
    fmt,
    fmt_index,
)
from nncheck.properties._result import PropertyResult, _arg_labels, _crash, _fn_name, _iter_arrays

EXTREME_Z: np.ndarray[Any, np.dtype[np.float64]] = np.array(
    [[-1e4, -750.0, -40.0, -1.0, 0.0, 1.0, 40.0, 750.0, 1e4]]
)
"""Pre-activations for :func:`check_stability`: beyond exp's overflow (±750, ±1e4), where σ
rounds to 0 or 1 (±40), and ordinary values. Read-only; the checks pass copies."""
EXTREME_Z.setflags(write=False)


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
