"""Activation functions g(z) and their derivatives g'(z) (course notes: "Activation functions").

All functions are elementwise, take any real array and return a new float64 array; none
mutates its input. Derivatives at a kink use the convention of the notes: ReLU'(0) = 0 and
leaky-ReLU'(0) = slope (any value in the subdifferential would be valid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._types import FloatArray, as_float_array

LEAKY_SLOPE = 0.01
"""Default negative-side slope of leaky ReLU, as in the course notes."""


def sigmoid(z: npt.ArrayLike) -> FloatArray:
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for any finite z.

    Uses e^(−|z|) ≤ 1 on both branches, so σ(±1e4) is exactly 1.0 / 0.0 with no warning —
    not even under ``np.errstate(all="raise")``: e^(−|z|) rounding to 0 is the right answer,
    so underflow is ignored here.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
        out: FloatArray = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


def sigmoid_derivative(z: npt.ArrayLike) -> FloatArray:
    """σ'(z) = σ(z)(1 − σ(z)) (underflow to 0 in the tails is ignored, as in :func:`sigmoid`)."""
    s = sigmoid(z)
    with np.errstate(under="ignore"):
        out: FloatArray = s * (1.0 - s)
    return out


def tanh(z: npt.ArrayLike) -> FloatArray:
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))."""
    return np.tanh(as_float_array(z, "z"))


def tanh_derivative(z: npt.ArrayLike) -> FloatArray:
    """tanh'(z) = 1 − tanh(z)²."""
    t = np.tanh(as_float_array(z, "z"))
    return 1.0 - t * t


def relu(z: npt.ArrayLike) -> FloatArray:
    """ReLU(z) = max(0, z)."""
    return np.maximum(as_float_array(z, "z"), 0.0)


def relu_derivative(z: npt.ArrayLike) -> FloatArray:
    """ReLU'(z) = 1 if z > 0 else 0 (0 at the kink z = 0)."""
    return (as_float_array(z, "z") > 0).astype(np.float64)


def leaky_relu(z: npt.ArrayLike, slope: float = LEAKY_SLOPE) -> FloatArray:
    """Leaky ReLU(z) = z if z > 0 else slope·z."""
    z = as_float_array(z, "z")
    return np.where(z > 0, z, slope * z)


def leaky_relu_derivative(z: npt.ArrayLike, slope: float = LEAKY_SLOPE) -> FloatArray:
    """Leaky ReLU'(z) = 1 if z > 0 else slope (slope at the kink z = 0)."""
    z = as_float_array(z, "z")
    return np.where(z > 0, 1.0, slope)


@dataclass(frozen=True)
class Activation:
    """An activation g with its derivative g' and the points where g is not differentiable."""

    name: str
    forward: Callable[[npt.ArrayLike], FloatArray]
    derivative: Callable[[npt.ArrayLike], FloatArray]
    kinks: tuple[float, ...] = ()


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "relu": Activation("relu", relu, relu_derivative, kinks=(0.0,)),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative, kinks=(0.0,)),
}
"""The activations the reference knows, by name."""


def get_activation(name: str, *, slope: float = LEAKY_SLOPE) -> Activation:
    """Look up an activation by name; ``slope`` applies to ``"leaky_relu"`` only.

    Raises ``ValueError`` listing the known names when ``name`` is unknown.
    """
    if name not in ACTIVATIONS:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; expected one of: {known}")
    if name == "leaky_relu" and slope != LEAKY_SLOPE:
        return Activation(
            "leaky_relu",
            lambda z: leaky_relu(z, slope),
            lambda z: leaky_relu_derivative(z, slope),
            kinks=(0.0,),
        )
    return ACTIVATIONS[name]
