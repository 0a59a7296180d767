"""Logistic regression (course notes: "Logistic regression as a neural network").

ŷ = σ(wᵀx + b) for every column x of X: (n_x, m), with w: (n_x, 1) and a scalar b.
J = (1/m) Σ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) (cross-entropy); dw = (1/m) X·(A − Y)ᵀ, db = (1/m) Σ (A − Y).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

import numpy as np
import numpy.typing as npt

from ._types import FloatArray, as_float_array
from .activations import sigmoid
from .dimensions import check_shape, labels_like
from .losses import cross_entropy_from_logits

if TYPE_CHECKING:  # shape annotations (nncheck.shapes); runtime values stay plain ndarrays
    from typing import TypeVar

    from nncheck.shapes import Array, One

    P = TypeVar("P")  # n_x, the features
    M = TypeVar("M")  # m, the examples


def _bias(b: npt.ArrayLike) -> float:
    """b as a float: a Python/numpy scalar, or any array holding exactly one number."""
    arr = as_float_array(b, "b")
    if arr.size != 1:
        raise ValueError(
            f"b has shape {arr.shape}; logistic regression has a single bias b (a scalar), "
            "e.g. b = 0.0"
        )
    return float(arr.reshape(()))


def _logits(w: FloatArray, b: npt.ArrayLike, X: FloatArray) -> FloatArray:
    w = as_float_array(w, "w")
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}; the rule X: (n_x, m) needs a 2-D array")
    check_shape("w", w, (X.shape[0], 1), "w: (n_x, 1)")
    Z: FloatArray = w.T @ X + _bias(b)
    return Z


@overload
def logistic_forward(w: Array[P, One], b: float, X: Array[P, M]) -> Array[One, M]: ...
@overload
def logistic_forward(w: FloatArray, b: float, X: FloatArray) -> FloatArray: ...
def logistic_forward(w: FloatArray, b: float, X: FloatArray) -> FloatArray:  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    """A = σ(wᵀX + b): (1, m)."""
    return sigmoid(_logits(w, b, X))


@overload
def logistic_cost(w: Array[P, One], b: float, X: Array[P, M], Y: Array[One, M]) -> float: ...
@overload
def logistic_cost(w: FloatArray, b: float, X: FloatArray, Y: FloatArray) -> float: ...
def logistic_cost(w: FloatArray, b: float, X: FloatArray, Y: FloatArray) -> float:  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    """J(w, b), computed from the logits so it stays finite for every finite input."""
    Z = _logits(w, b, X)
    return float(np.mean(cross_entropy_from_logits(Z, labels_like(Y, Z.shape))))


@overload
def logistic_propagate(
    w: Array[P, One], b: float, X: Array[P, M], Y: Array[One, M]
) -> tuple[float, Array[P, One], float]: ...
@overload
def logistic_propagate(
    w: FloatArray, b: float, X: FloatArray, Y: FloatArray
) -> tuple[float, FloatArray, float]: ...
def logistic_propagate(  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    w: FloatArray, b: float, X: FloatArray, Y: FloatArray
) -> tuple[float, FloatArray, float]:
    """Return (J, dw, db): the cost, dJ/dw of shape (n_x, 1) and dJ/db as a float."""
    Z = _logits(w, b, X)
    Y = labels_like(Y, Z.shape)
    m = Z.shape[1]
    dZ = sigmoid(Z) - Y
    dw = (as_float_array(X, "X") @ dZ.T) / m
    db = float(np.sum(dZ) / m)
    return float(np.mean(cross_entropy_from_logits(Z, Y))), dw, db


@overload
def logistic_predict(
    w: Array[P, One], b: float, X: Array[P, M], threshold: float = 0.5
) -> Array[One, M]: ...
@overload
def logistic_predict(
    w: FloatArray, b: float, X: FloatArray, threshold: float = 0.5
) -> FloatArray: ...
def logistic_predict(  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    w: FloatArray, b: float, X: FloatArray, threshold: float = 0.5
) -> FloatArray:
    """Labels in {0., 1.} of shape (1, m): 1 where σ(wᵀx + b) > threshold."""
    return (threshold < logistic_forward(w, b, X)).astype(np.float64)
