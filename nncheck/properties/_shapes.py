"""Shape checks: outputs against the dimension rules, no rank-1 arrays, a scalar cost."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

from nncheck._compare import (
    fmt,
    jsonable,
)
from nncheck.properties._result import PropertyResult, _iter_arrays, _not_a_mapping
from nncheck.reference import RULES

RANK1_TIP = (
    "the notes' tip: do not use rank-1 arrays of shape (n,); create (n, 1) arrays "
    "(np.zeros((n, 1)), np.random.randn(n, 1)), keep dimensions in sums "
    "(np.sum(..., axis=1, keepdims=True)), or reshape (a.reshape(n, 1))"
)


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
