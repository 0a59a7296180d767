"""One layer, forward and backward (course notes: "Forward and backward propagation").

Forward:   Z = W·A_prev + b,   A = g(Z)
Backward:  dZ = dA ∗ g'(Z)
           dW = (1/m) dZ·A_prevᵀ,   db = (1/m) Σ_columns dZ,   dA_prev = Wᵀ·dZ

``dA`` and ``dZ`` are per-example derivatives (dL/dA, dL/dZ); the 1/m of the cost J = (1/m) Σ L
enters in dW and db, exactly as in the notes.
"""

from __future__ import annotations

import numpy as np

from ._types import FloatArray, as_float_array
from .activations import LEAKY_SLOPE, get_activation


def linear_forward(A_prev: FloatArray, W: FloatArray, b: FloatArray) -> FloatArray:
    """Z = W·A_prev + b.

    W: (n[l], n[l−1]), A_prev: (n[l−1], m), b: (n[l], 1) → Z: (n[l], m).
    """
    return as_float_array(W, "W") @ as_float_array(A_prev, "A_prev") + as_float_array(b, "b")


def activation_forward(Z: FloatArray, activation: str, *, slope: float = LEAKY_SLOPE) -> FloatArray:
    """A = g(Z) for the named activation."""
    return get_activation(activation, slope=slope).forward(Z)


def linear_backward(
    dZ: FloatArray, A_prev: FloatArray, W: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (dA_prev, dW, db) = (Wᵀ·dZ, dZ·A_prevᵀ/m, Σ_columns dZ/m), m = A_prev.shape[1]."""
    dZ = as_float_array(dZ, "dZ")
    A_prev = as_float_array(A_prev, "A_prev")
    W = as_float_array(W, "W")
    m = A_prev.shape[1]
    dW = (dZ @ A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def activation_backward(
    dA: FloatArray, Z: FloatArray, activation: str, *, slope: float = LEAKY_SLOPE
) -> FloatArray:
    """dZ = dA ∗ g'(Z) (elementwise), g' evaluated at Z — not at A."""
    return as_float_array(dA, "dA") * get_activation(activation, slope=slope).derivative(Z)
