"""Logistic regression's cost is convex with the cross-entropy loss and not with the squared loss.

Both claims use one derivation. With z = wᵀx + b linear in θ = (w, b), J(θ) = (1/m) Σ ℓᵢ(x̃ᵢᵀθ)
(x̃ = (x, 1), ℓᵢ(z) = L(σ(z), yᵢ)) has the Hessian (1/m) Σ ℓᵢ″(zᵢ) x̃ᵢx̃ᵢᵀ — SymPy derives it for
a generic ℓ — so J is convex exactly when ℓ″ ≥ 0 for every real z and label. ℓ″ is derived from
the spec's loss written in s = σ(z) (ds/dz = s(1 − s), itself derived), a rational function of s;
with s = 1/(1 + t), t = e^(−z) > 0, SymPy's assumptions decide its sign.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from nncheck.reference import (
    logistic_cost,
    logistic_propagate,
    sigmoid,
    sigmoid_derivative,
    squared_loss,
    squared_loss_derivative,
)

from .._scalar import (
    CROSS_ENTROPY_LOSS,
    LOSS_SECTION,
    SIGMOID,
    SQUARED_LOSS,
    ScalarSpec,
    sigma_of,
    y,
    y_hat,
    z,
)
from ._model import Claim, FloatArray, Outcome, Picture

SEED = 0
"""Seed of the demonstration data set (re-run with it to get the same numbers)."""

_s = sigma_of(z)
_t = sp.Symbol("t", positive=True)  # t = e^(−z) ranges over (0, ∞) as z ranges over ℝ


def logit_curvature(loss: ScalarSpec) -> Any:
    """ℓ″(z) for ℓ(z) = L(σ(z), y), as a rational function of s = σ(z) (and y).

    d/dz = s(1 − s)·d/ds, with s(1 − s) the short form SymPy derives for σ′ (not typed in).
    """
    ds_dz = SIGMOID.derivative_short
    if ds_dz.has(z):  # pragma: no cover - guards the derivation itself
        raise ValueError(f"σ′ did not reduce to a function of σ: {ds_dz}")
    ell = loss.expr.subs(y_hat, _s)
    first = sp.cancel(sp.diff(ell, _s) * ds_dz)
    return sp.factor_terms(sp.cancel(sp.diff(first, _s) * ds_dz))


def curvature_nonnegative(loss: ScalarSpec) -> tuple[bool, dict[str, str]]:
    """Whether SymPy proves ℓ″ ≥ 0 for every real z, for both labels y = 0 and y = 1.

    Returns (proved, {label: ℓ″ in t = e^(−z)}); "not proved" is not a disproof (see
    :func:`negative_curvature_point` for that).
    """
    c = logit_curvature(loss)
    in_t = {yv: sp.factor(sp.cancel(c.subs({y: yv, _s: 1 / (1 + _t)}))) for yv in (0, 1)}
    proved = all(bool(e.is_nonnegative) for e in in_t.values())
    return proved, {f"y={yv}": str(e) for yv, e in in_t.items()}


def hessian_is_gram(n_x: int = 2, m: int = 2) -> bool:
    """SymPy: the Hessian of (1/m) Σ ℓⱼ(wᵀxⱼ + b) in (w, b) equals (1/m) Σ ℓⱼ″(zⱼ) x̃ⱼx̃ⱼᵀ, and
    vᵀHv = (1/m) Σ ℓⱼ″(zⱼ)(x̃ⱼᵀv)² for every v (so H is PSD wherever every ℓⱼ″ ≥ 0).

    ℓⱼ are undefined functions (any loss of the logit), at ``n_x`` features and ``m`` examples.
    """
    w = sp.Matrix(sp.symbols(f"w1:{n_x + 1}", real=True))
    theta = [*w, sp.Symbol("b", real=True)]
    v = sp.Matrix(sp.symbols(f"v1:{n_x + 2}", real=True))
    X = sp.Matrix(n_x, m, lambda i, j: sp.Symbol(f"x_{i + 1}_{j + 1}", real=True))
    ells = [sp.Function(f"ell{j + 1}") for j in range(m)]
    xt = [sp.Matrix([*X[:, j], 1]) for j in range(m)]
    zs = [(sp.Matrix(theta).T * xt[j])[0, 0] for j in range(m)]
    J = sum(ells[j](zs[j]) for j in range(m)) / m
    H = sp.hessian(J, theta)
    c = [sp.diff(ells[j](z), z, 2).subs(z, zs[j]) for j in range(m)]
    gram = sum((c[j] * xt[j] * xt[j].T for j in range(m)), sp.zeros(n_x + 1, n_x + 1)) / m
    quad = sum(c[j] * (xt[j].T * v)[0, 0] ** 2 for j in range(m)) / m
    same = all(sp.expand(e) == 0 for e in H - gram)
    return same and sp.expand((v.T * gram * v)[0, 0] - quad) == 0


def _cross_entropy_convex() -> Outcome:
    gram = hessian_is_gram()
    nonneg, in_t = curvature_nonnegative(CROSS_ENTROPY_LOSS)
    c = logit_curvature(CROSS_ENTROPY_LOSS)
    free_of_y = not c.has(y)
    return Outcome(
        gram and nonneg and free_of_y,
        {
            "hessian": "(1/m) Σ ℓ″(zᵢ) x̃ᵢ x̃ᵢᵀ, x̃ = (x, 1) (derived at n_x = 2, m = 2)",
            "hessian_is_gram": gram,
            "d2L_dz2": str(c),
            "d2L_dz2_in_t": in_t,
            "d2L_dz2_depends_on_y": not free_of_y,
            "d2L_dz2_nonnegative": nonneg,
        },
    )


def second_derivative_in_w(loss: ScalarSpec) -> tuple[Any, tuple[Any, Any, Any]]:
    """d²/dw² L(σ(wx + b), y), exact, from the spec's loss and σ (symbols w, b, x, y)."""
    w, b, x = sp.symbols("w b x", real=True)
    expr = loss.expr.subs(y_hat, SIGMOID.expr.subs(z, w * x + b))
    return sp.diff(expr, w, 2), (w, b, x)


def negative_curvature_point(loss: ScalarSpec) -> dict[str, float] | None:
    """The first point of a small grid (x = 1, b = 0, y ∈ {0, 1}, w = 0, ±1, …, ±6) where
    d²/dw² L(σ(wx + b), y) < 0, decided exactly by SymPy; None if there is none."""
    d2, (w, b, x) = second_derivative_in_w(loss)
    for wv in sorted(range(-6, 7), key=abs):
        for yv in (0, 1):
            value = d2.subs({w: wv, b: 0, x: 1, y: yv})
            if value.is_negative:
                return {"w": wv, "b": 0, "x": 1, "y": yv, "d2L_dw2": float(value)}
    return None


def _dataset(seed: int = SEED, m: int = 40) -> tuple[FloatArray, FloatArray]:
    """One feature, labels that overlap (not separable, so cross-entropy has a finite minimum)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((1, m))
    Y = (X + rng.standard_normal((1, m)) > 0).astype(np.float64)
    return X, Y


def _squared_grads(
    w: FloatArray, b: float, X: FloatArray, Y: FloatArray
) -> tuple[FloatArray, float]:
    Z = w.T @ X + b
    dZ = squared_loss_derivative(sigmoid(Z), Y) * sigmoid_derivative(Z)
    return X @ dZ.T / X.shape[1], float(np.mean(dZ))


def _squared_cost(w: FloatArray, b: float, X: FloatArray, Y: FloatArray) -> float:
    return float(np.mean(squared_loss(sigmoid(w.T @ X + b), Y)))


def _descend(
    loss: str,
    start: tuple[float, float],
    X: FloatArray,
    Y: FloatArray,
    steps: int = 300,
    rate: float = 4.0,
) -> tuple[float, float, float]:
    """Gradient descent on J(w, b) (reference gradients); returns (w, b, J) at the end."""
    w, b = np.array([[start[0]]]), start[1]
    for _ in range(steps):
        if loss == "cross_entropy":
            _, dw, db = logistic_propagate(w, b, X, Y)
        else:
            dw, db = _squared_grads(w, b, X, Y)
        w, b = w - rate * dw, b - rate * db
    J = logistic_cost(w, b, X, Y) if loss == "cross_entropy" else _squared_cost(w, b, X, Y)
    return float(w[0, 0]), float(b), J


STARTS = ((0.0, 0.0), (-10.0, 0.0))
"""Two starting points (w, b): at the origin, and deep in the wrong saturated region."""


def descent_ends(loss: str, seed: int = SEED) -> list[tuple[float, float, float]]:
    """(w, b, J) where gradient descent from each of :data:`STARTS` ends, on the seeded data."""
    X, Y = _dataset(seed)
    return [_descend(loss, s, X, Y) for s in STARTS]


def _squared_loss_nonconvex() -> Outcome:
    point = negative_curvature_point(SQUARED_LOSS)
    ends = descent_ends("squared")
    ce_ends = descent_ends("cross_entropy")
    gap = abs(ends[0][2] - ends[1][2])
    ce_gap = abs(ce_ends[0][2] - ce_ends[1][2])
    evidence: dict[str, Any] = dict(point or {})
    evidence.update(
        {
            "seed": SEED,
            "starts": [list(s) for s in STARTS],
            "squared_ends_w_b_J": [[round(v, 6) for v in e] for e in ends],
            "cross_entropy_ends_w_b_J": [[round(v, 6) for v in e] for e in ce_ends],
            "squared_final_J_gap": gap,
            "cross_entropy_final_J_gap": ce_gap,
        }
    )
    return Outcome(point is not None and gap > 1e-2 and ce_gap < 1e-6, evidence)


def loss_line(seed: int = SEED) -> Picture:
    """J(w) along b = 0 for both losses on the same seeded data, each rescaled to [0, 1] (a
    positive affine map keeps convexity): one convex, one not."""
    X, Y = _dataset(seed)
    ws = np.linspace(-12.0, 12.0, 241)
    ce = np.array([logistic_cost(np.array([[w]]), 0.0, X, Y) for w in ws])
    sq = np.array([_squared_cost(np.array([[w]]), 0.0, X, Y) for w in ws])

    def rescaled(J: FloatArray) -> FloatArray:  # same shape, comparable heights
        out: FloatArray = (J - J.min()) / (J.max() - J.min())
        return out

    return Picture(
        title=f"J(w, b = 0) on the same data (seed {seed})",
        xlabel="w",
        ylabel="J, rescaled to [0, 1]",
        series={
            "cross-entropy: convex": (ws, rescaled(ce)),
            "squared loss: not convex": (ws, rescaled(sq)),
        },
    )


CLAIMS = (
    Claim(
        id="cross-entropy-convex",
        section=LOSS_SECTION,
        statement="For logistic regression, J(w, b) with the cross-entropy loss is convex "
        "in (w, b).",
        status="proved",
        method="SymPy derives the Hessian (1/m) Σ ℓ″(zᵢ) x̃ᵢx̃ᵢᵀ (x̃ = (x, 1)) and, from the "
        "spec's loss, ℓ″ = σ(z)(1 − σ(z)) for both labels, which is ≥ 0 (t/(1 + t)² with "
        "t = e^(−z) > 0): a Gram form with non-negative weights is positive semidefinite.",
        establish=_cross_entropy_convex,
        picture=loss_line,
    ),
    Claim(
        id="squared-loss-nonconvex",
        section=LOSS_SECTION,
        statement="With the squared loss ½(σ(wx + b) − y)² the cost is not convex: gradient "
        "descent can stall or end in different places.",
        status="proved",
        method="SymPy's exact d²/dw² ½(σ(wx + b) − y)², evaluated at a grid point, is negative "
        "(a counterexample to convexity); gradient descent on seeded data from two starts ends "
        "at different costs with the squared loss and at the same cost with cross-entropy.",
        establish=_squared_loss_nonconvex,
        picture=loss_line,
    ),
)
