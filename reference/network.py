"""An L-layer network: [LINEAR → g]×(L−1) → LINEAR → SIGMOID, with cross-entropy cost.

The hidden activation g is one of "relu", "leaky_relu", "tanh", "sigmoid". Parameters are the
course's dict ``{"W1", "b1", …, "WL", "bL"}``; gradients come back as ``{"dW1", "db1", …}``
plus ``dA0 … dA{L-1}`` (the newer course convention: dA{l} is dJ/dA[l] per example).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._types import FloatArray, Grads, Params, as_float_array
from .activations import LEAKY_SLOPE, sigmoid
from .dimensions import labels_like, layer_dims_from_params
from .layers import activation_backward, activation_forward, linear_backward, linear_forward
from .losses import cross_entropy_from_logits, loss_derivative

HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")


@dataclass(frozen=True)
class LayerCache:
    """What layer l's backward needs from its forward: A_prev, W, b and Z."""

    A_prev: FloatArray
    W: FloatArray
    b: FloatArray
    Z: FloatArray
    activation: str


def _check_hidden(hidden: str) -> None:
    if hidden not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"unknown hidden activation {hidden!r}; expected one of {', '.join(HIDDEN_ACTIVATIONS)}"
        )


def model_forward(
    X: FloatArray,
    params: Mapping[str, FloatArray],
    hidden: str = "relu",
    *,
    slope: float = LEAKY_SLOPE,
) -> tuple[FloatArray, list[LayerCache]]:
    """Forward pass; returns (AL, caches) with AL: (n[L], m) and one cache per layer."""
    _check_hidden(hidden)
    dims = layer_dims_from_params(params)
    L = len(dims) - 1
    A = as_float_array(X, "X")
    if A.ndim != 2 or A.shape[0] != dims[0]:
        raise ValueError(f"X has shape {A.shape}; the rule X: (n[0], m) needs ({dims[0]}, m)")
    caches: list[LayerCache] = []
    for l in range(1, L + 1):
        activation = hidden if l < L else "sigmoid"
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = linear_forward(A, W, b)
        caches.append(LayerCache(A, W, b, Z, activation))
        A = activation_forward(Z, activation, slope=slope)
    return A, caches


def model_backward(
    AL: FloatArray,
    Y: FloatArray,
    caches: list[LayerCache],
    *,
    slope: float = LEAKY_SLOPE,
) -> Grads:
    """Backward pass of the cross-entropy cost; returns dW{l}, db{l} and dA{l-1} for every layer.

    The output layer uses dZ[L] = AL − Y, the simplified form of dAL ∗ σ'(Z[L]) that stays finite
    when AL rounds to 0 or 1; dA{L-1} onward follow the layer rules.
    """
    grads: Grads = {}
    L = len(caches)
    Y = labels_like(Y, caches[-1].Z.shape)
    out = caches[-1]
    dZ = sigmoid(out.Z) - Y
    for l in range(L, 0, -1):
        cache = caches[l - 1]
        if l < L:
            dZ = activation_backward(grads[f"dA{l}"], cache.Z, cache.activation, slope=slope)
        dA_prev, dW, db = linear_backward(dZ, cache.A_prev, cache.W)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA_prev, dW, db
    return grads


def output_gradient(AL: FloatArray, Y: FloatArray) -> FloatArray:
    """dAL = −(Y/AL − (1−Y)/(1−AL)), the course's start of backprop (per example)."""
    return loss_derivative(AL, Y, "cross_entropy")


def model_cost(
    params: Mapping[str, FloatArray],
    X: FloatArray,
    Y: FloatArray,
    hidden: str = "relu",
    *,
    slope: float = LEAKY_SLOPE,
) -> float:
    """J = (1/m) Σ L(AL, Y), computed from Z[L] so that it is finite for every finite input.

    m is the number of columns of X; with n[L] > 1 output units their losses are summed.
    """
    _, caches = model_forward(X, params, hidden, slope=slope)
    Z = caches[-1].Z
    Y = labels_like(Y, Z.shape)
    return float(np.sum(cross_entropy_from_logits(Z, Y)) / Z.shape[1])


def model_gradients(
    params: Mapping[str, FloatArray],
    X: FloatArray,
    Y: FloatArray,
    hidden: str = "relu",
    *,
    slope: float = LEAKY_SLOPE,
) -> Grads:
    """dJ/dW[l], dJ/db[l] (and dA) of :func:`model_cost`: forward then backward."""
    AL, caches = model_forward(X, params, hidden, slope=slope)
    return model_backward(AL, Y, caches, slope=slope)


def predict(
    params: Mapping[str, FloatArray],
    X: FloatArray,
    hidden: str = "relu",
    *,
    threshold: float = 0.5,
    slope: float = LEAKY_SLOPE,
) -> FloatArray:
    """Labels in {0., 1.}: 1 where AL > threshold (0.5 in the notes)."""
    AL, _ = model_forward(X, params, hidden, slope=slope)
    return (threshold < AL).astype(np.float64)


def update_parameters(
    params: Mapping[str, FloatArray], grads: Mapping[str, FloatArray], learning_rate: float
) -> Params:
    """Gradient descent θ := θ − α·dJ/dθ for every W and b; returns a new dict, inputs untouched."""
    new: Params = {}
    for key, value in params.items():
        gkey = "d" + key
        if gkey not in grads:
            raise KeyError(f"grads has no {gkey!r} for parameter {key!r}")
        new[key] = value - learning_rate * grads[gkey]
    return new
