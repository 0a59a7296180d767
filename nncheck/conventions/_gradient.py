"""Gradient checks of a person's backward pass against finite differences of their own forward.

Uses :func:`nncheck.numeric.check_gradients` (error-bounded and kink-aware) when it is available;
a plain central difference with a loose tolerance otherwise. On a mismatch the person's gradient is
compared with a full central-difference gradient to name the factor (m, 1/m, −1…).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nncheck._findings import Finding
from nncheck.diagnose import explain
from nncheck.errors import UserCodeError

Array = np.ndarray[Any, np.dtype[np.float64]]


def central_gradient(
    cost: Callable[[dict[str, Array]], float], params: Mapping[str, Array], key: str
) -> Array:
    """∂cost/∂params[key] by central differences (one evaluation pair per element)."""
    theta = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    x = theta[key]
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        h = 1e-6 * max(1.0, abs(old))
        x[idx] = old + h
        fp = cost(theta)
        x[idx] = old - h
        fm = cost(theta)
        x[idx] = old
        g[idx] = (fp - fm) / (2 * h)
    return g


def _fallback_mismatches(
    cost: Callable[[dict[str, Array]], float],
    params: Mapping[str, Array],
    grads: Mapping[str, Array],
) -> list[tuple[str, str, Any, Any, list[Any]]]:
    out: list[tuple[str, str, Any, Any, list[Any]]] = []
    for key, g in grads.items():
        num = central_gradient(cost, params, key)
        ana = np.asarray(g, dtype=np.float64)
        if ana.shape != num.shape:
            if ana.size != num.size:
                out.append((key, f"has shape {ana.shape}, expected {num.shape}", None, None, [key]))
                continue
            ana = ana.reshape(num.shape)
        err = np.abs(ana - num)
        bad = err > 1e-6 + 1e-4 * (np.abs(ana) + np.abs(num))
        if np.any(bad):
            idx = np.unravel_index(int(np.argmax(np.where(bad, err, -1))), num.shape)
            out.append(
                (
                    key,
                    f"is {float(ana[idx]):.6g} at {list(map(int, idx))}, finite differences give "
                    f"{float(num[idx]):.6g}",
                    float(num[idx]),
                    float(ana[idx]),
                    [key, *(int(i) for i in idx)],
                )
            )
    return out


def _engine_report(
    cost: Callable[[dict[str, Array]], float],
    params: Mapping[str, Array],
    grads: Mapping[str, Array],
    seed: int,
) -> Any:
    """``nncheck.numeric.check_gradients``'s report, or None when the engine is unavailable or
    fails for a reason of its own (the plain central difference is used then)."""
    try:
        from nncheck.numeric import check_gradients
    except ImportError:
        return None

    def guarded(p: Any) -> float:
        try:
            return cost(p)
        except Exception as exc:  # the person's code: passes through the engine unchanged
            raise UserCodeError("cost", f"raised {type(exc).__name__}", "") from exc

    try:
        return check_gradients(guarded, dict(params), dict(grads), seed=seed)
    except UserCodeError as exc:
        # the person's own exception, for the conformance engine to report with their traceback
        # (rather than falling back to a looser finite difference)
        raise (exc.__cause__ if isinstance(exc.__cause__, Exception) else exc) from None
    except Exception:  # the engine's own failure must not be blamed on the person's code
        return None


def gradient_finding(
    function: str,
    cost: Callable[[dict[str, Array]], float],
    params: Mapping[str, Array],
    grads: Mapping[str, Any],
    *,
    seed: int,
    m: int,
    example: Mapping[str, Any],
    display: Mapping[str, str] | None = None,
    what: str = "your own cost",
) -> Finding:
    """Compare ``grads`` (keyed like ``params``) with finite differences of ``cost``.

    ``display`` renames parameters in messages (``{"W1": "dW1"}``).
    """
    display = dict(display or {})
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    shaped: dict[str, Array] = {}
    for key, g in grads.items():
        arr = np.asarray(g, dtype=np.float64)
        if arr.shape != params[key].shape:
            if arr.size != 1 or params[key].size != 1:  # only a number may change its container
                name = display.get(key, key)
                want = params[key].shape
                d = explain(name, central_gradient(cost, params, key), arr, m=m)
                return Finding(
                    function,
                    "gradient",
                    "fail",
                    f"{name} has shape {arr.shape} but the parameter has shape "
                    f"{want}: a gradient has the shape of its parameter",
                    diagnosis=d.message if d else None,
                    mistake=d.mistake if d else None,
                    expected=str(want),
                    actual=str(arr.shape),
                    example=dict(example),
                )
            arr = arr.reshape(params[key].shape)
        shaped[key] = arr
    mismatches: list[tuple[str, str, Any, Any, list[Any]]] = []
    notes = ""
    report = _engine_report(cost, params, shaped, seed)
    if report is None:
        mismatches = _fallback_mismatches(cost, params, shaped)
    else:
        for p in report.parameters:
            if p.verdict == "mismatch":
                idx = list(p.worst_index) if p.worst_index is not None else []
                mismatches.append(
                    (
                        p.name,
                        f"is {p.analytic:.6g} at {idx}, finite differences give {p.numeric:.6g} "
                        f"(relative difference {p.relative_difference:.2g})",
                        p.numeric,
                        p.analytic,
                        [p.name, *idx],
                    )
                )
        inconclusive = [p.name for p in report.parameters if p.verdict == "inconclusive"]
        if inconclusive and not mismatches:
            return Finding(
                function,
                "gradient",
                "warn",
                "finite differences were inconclusive for "
                f"{', '.join(display.get(k, k) for k in inconclusive)} (a kink or poor conditioning"
                " at this point); the other gradients match",
                example=dict(example),
            )
    if not mismatches:
        return Finding(
            function,
            "gradient",
            "pass",
            f"{', '.join(display.get(k, k) for k in shaped)} match finite differences of {what}"
            + notes,
        )
    key, text, expected, actual, where = mismatches[0]
    diagnosis = None
    mistake = None
    num = central_gradient(cost, params, key)
    d = explain(display.get(key, key), num, shaped[key], m=m)
    if d is not None:
        diagnosis, mistake = d.message, d.mistake
    others = [display.get(k, k) for k, *_ in mismatches[1:]]
    also = f" (also wrong: {', '.join(others)})" if others else ""
    where = [display.get(key, key), *where[1:]]
    return Finding(
        function,
        "gradient",
        "fail",
        f"{display.get(key, key)} {text}: it is not the derivative of {what}{also}",
        diagnosis=diagnosis,
        mistake=mistake,
        expected=expected,
        actual=actual,
        worst_index=where,
        example=dict(example),
    )
