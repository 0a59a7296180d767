"""Claims about activation functions: saturation, ReLU's slope, tanh's zero mean."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from nncheck.reference import (
    activation_backward,
    initialize_parameters,
    model_backward,
    model_forward,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)

from .._scalar import (
    ACTIVATION_SECTION,
    DERIVATIVE_SECTION,
    LEAKY_RELU,
    RELU,
    SIGMOID,
    TANH,
    ScalarSpec,
    sigma_of,
    z,
)
from ._model import Claim, Outcome, Picture

SEED = 0
"""Seed of the numeric demonstrations in this module."""
SATURATED = sp.Rational(1, 10)
"""A unit is called saturated where g′ is below this fraction of its peak."""


def derivative_profile(spec: ScalarSpec) -> dict[str, Any]:
    """Peak and tails of g′, derived exactly.

    g′ is written in the activation's value a = g(z) (σ′ = σ(1 − σ), tanh′ = 1 − tanh²: the
    derived short forms), a polynomial p(a) over a's range (g(−∞), g(∞)); its critical points
    there give the peak, its values at the ends the limits z → ±∞. For an activation whose
    derivative is not a function of its value (ReLU), the tails are g′(±∞) directly.
    """
    a = sp.Symbol("a", real=True)
    lo, hi = spec.expr.subs(z, -sp.oo), spec.expr.subs(z, sp.oo)
    p = spec.derivative_short.xreplace({sigma_of(z): a, spec.expr: a})
    if p.has(z):
        tails = (spec.derivative.subs(z, -sp.oo), spec.derivative.subs(z, sp.oo))
        return {"tails": tails, "peak": None, "peak_at_z": None}
    critical = [c for c in sp.solve(sp.diff(p, a), a) if lo < c < hi]
    peak = max((p.subs(a, c), c) for c in critical) if critical else None
    at_zero = peak is not None and spec.expr.subs(z, 0) == peak[1]
    return {
        "tails": (p.subs(a, lo), p.subs(a, hi)),
        "peak": None if peak is None else peak[0],
        "peak_at_z": 0 if at_zero else None,
    }


def saturates(spec: ScalarSpec) -> bool:
    """g′ → 0 as z → −∞ and as z → +∞ (both tails), exactly."""
    return all(t == 0 for t in derivative_profile(spec)["tails"])


def gradient_through_tanh(scale: float, seed: int = SEED) -> dict[str, float]:
    """A 100-8-1 tanh network initialised W = randn·scale, b = 0 on seeded inputs (reference):
    how much of dA[1] survives the tanh layer (‖dZ[1]‖/‖dA[1]‖), the mean tanh′(Z[1]) and the
    fraction of saturated units (tanh′ < 1/10)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((100, 64))
    Y = (rng.random((1, 64)) < 0.5).astype(np.float64)
    params = initialize_parameters([100, 8, 1], "small", seed=rng, scale=scale)
    AL, caches = model_forward(X, params, "tanh")
    grads = model_backward(AL, Y, caches)
    Z1, dA1 = caches[0].Z, grads["dA1"]
    gprime = activation_backward(np.ones_like(Z1), Z1, "tanh")
    dZ1 = activation_backward(dA1, Z1, "tanh")
    return {
        "scale": scale,
        "passed_fraction": float(np.linalg.norm(dZ1) / np.linalg.norm(dA1)),
        "mean_tanh_prime": float(np.mean(gprime)),
        "saturated_fraction": float(np.mean(gprime < float(SATURATED))),
        "norm_dW1": float(np.linalg.norm(grads["dW1"])),
    }


def _saturation() -> Outcome:
    profiles = {s.name: derivative_profile(s) for s in (SIGMOID, TANH)}
    expected = {"sigmoid": sp.Rational(1, 4), "tanh": sp.Integer(1)}
    exact = all(
        profiles[n]["peak"] == peak and profiles[n]["peak_at_z"] == 0 and saturates(spec)
        for n, peak, spec in (("sigmoid", expected["sigmoid"], SIGMOID),
                              ("tanh", expected["tanh"], TANH))
    )  # fmt: skip
    small, large = gradient_through_tanh(0.01), gradient_through_tanh(1.0)
    return Outcome(
        exact and small["passed_fraction"] > 0.9 and large["passed_fraction"] < 0.5,
        {
            "sigmoid_prime_max": float(expected["sigmoid"]),
            "tanh_prime_max": float(expected["tanh"]),
            "max_at_z": 0,
            "tails_sigmoid_prime": [float(t) for t in profiles["sigmoid"]["tails"]],
            "tails_tanh_prime": [float(t) for t in profiles["tanh"]["tails"]],
            "seed": SEED,
            "network": [100, 8, 1],
            "init_x0.01": small,
            "init_x1": large,
        },
    )


def saturation_curves() -> Picture:
    """σ′ and tanh′ over z ∈ [−8, 8] (reference derivatives), saturated tails shaded."""
    zs = np.linspace(-8.0, 8.0, 321)
    sp_, tp = sigmoid_derivative(zs), tanh_derivative(zs)
    both = (sp_ < float(SATURATED) * 0.25) & (tp < float(SATURATED))
    edge = float(np.min(zs[both & (zs > 0)]))
    return Picture(
        title="σ′ and tanh′: both vanish in the tails",
        xlabel="z",
        ylabel="g′(z)",
        series={"σ′(z) (peak 1/4)": (zs, sp_), "tanh′(z) (peak 1)": (zs, tp)},
        shaded={
            f"saturated: g′ < 10% of its peak (|z| > {edge:.1f})": (-8.0, -edge),
            f"saturated (z > {edge:.1f})": (edge, 8.0),
        },
    )


def slope_on(spec: ScalarSpec, side: str) -> Any:
    """g′ on one side of 0 ("positive" or "negative"), exactly; a constant when g is
    piecewise-linear there."""
    t = sp.Symbol("t", positive=True) if side == "positive" else sp.Symbol("t", negative=True)
    return sp.simplify(spec.derivative.subs(z, t))


def _relu_slope() -> Outcome:
    slopes = {
        "relu_positive": slope_on(RELU, "positive"),
        "relu_negative": slope_on(RELU, "negative"),
        "leaky_relu_positive": slope_on(LEAKY_RELU, "positive"),
        "leaky_relu_negative": slope_on(LEAKY_RELU, "negative"),
    }
    holds = (
        slopes["relu_positive"] == 1
        and slopes["leaky_relu_positive"] == 1
        and slopes["leaky_relu_negative"] == dict(LEAKY_RELU.parameters)["slope"]
        and slopes["relu_negative"] == 0
    )
    return Outcome(holds, {k: float(v) for k, v in slopes.items()})


def symmetric_mean(spec: ScalarSpec) -> Any:
    """(g(z) + g(−z))/2: the mean activation over inputs symmetric around 0, exactly."""
    return sp.cancel(sp.together((spec.expr + spec.expr.subs(z, -z)) / 2))


def mean_activation(seed: int = SEED, n: int = 1000) -> dict[str, float]:
    """Mean of tanh and σ (reference) over seeded inputs made symmetric (z and −z)."""
    half = np.random.default_rng(seed).standard_normal(n)
    zs = np.concatenate([half, -half])
    return {"tanh": float(np.mean(tanh(zs))), "sigmoid": float(np.mean(sigmoid(zs)))}


def _tanh_centres() -> Outcome:
    exact = {s.name: symmetric_mean(s) for s in (TANH, SIGMOID)}
    means = mean_activation()
    holds = (
        exact["tanh"] == 0
        and exact["sigmoid"] == sp.Rational(1, 2)
        and abs(means["tanh"]) < 1e-12
        and abs(means["sigmoid"] - 0.5) < 1e-12
    )
    return Outcome(
        holds,
        {
            "tanh_symmetric_mean": float(exact["tanh"]),
            "sigmoid_symmetric_mean": float(exact["sigmoid"]),
            "seed": SEED,
            "inputs": 2000,
            "measured_mean_tanh": means["tanh"],
            "measured_mean_sigmoid": means["sigmoid"],
        },
    )


CLAIMS_SATURATION = (
    Claim(
        id="saturation-slows-learning",
        section=DERIVATIVE_SECTION,
        statement="σ′ ≤ 1/4 and tanh′ ≤ 1, both largest at z = 0 and → 0 as |z| → ∞: "
        "large initial weights saturate the units and stall learning, hence W·0.01.",
        status="proved",
        method="SymPy: g′ written in a = g(z) (σ(1 − σ), 1 − tanh²) is a polynomial over g's "
        "range, whose critical point and ends give the peak at z = 0 and the tails 0; measured: "
        "the fraction of the gradient passing a tanh layer of a seeded 100-8-1 network "
        "initialised ×0.01 versus ×1 (reference).",
        establish=_saturation,
        picture=saturation_curves,
    ),
    Claim(
        id="relu-gradient-is-one",
        section=ACTIVATION_SECTION,
        statement="ReLU′(z) = 1 for every z > 0 and leaky ReLU′ ∈ {1, 0.01}: no saturation on "
        "the positive side.",
        status="proved",
        method="SymPy: the specs' derivatives evaluated on a positive and a negative symbol.",
        establish=_relu_slope,
    ),
    Claim(
        id="tanh-centres-activations",
        section=ACTIVATION_SECTION,
        statement="tanh is odd, so over inputs symmetric around 0 its mean activation is 0, "
        "where σ's is 1/2.",
        status="proved",
        method="SymPy: (g(z) + g(−z))/2 simplifies to 0 for tanh and 1/2 for σ; measured on "
        "seeded symmetric inputs through the reference.",
        establish=_tanh_centres,
    ),
)
