"""Initialisation and training checks: symmetry breaking (and its persistence under training),
the scale of initial weights, the update step θ − α·dθ."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nncheck._compare import (
    clone,
    fmt,
)
from nncheck.diagnose.catalogue import Mistake
from nncheck.properties._result import PropertyResult, _crash, _fn_name, _not_a_mapping
from nncheck.reference import model_gradients, update_parameters
from nncheck.reference.initialization import equal_row_pairs, symmetric_units


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
