"""One layer, forward and backward (course notes: "Forward and backward propagation").

Forward:   Z = W·A_prev + b,   A = g(Z)
Backward:  dZ = dA ∗ g'(Z)
           dW = (1/m) dZ·A_prevᵀ,   db = (1/m) Σ_columns dZ,   dA_prev = Wᵀ·dZ

``dA`` and ``dZ`` are per-example derivatives (dL/dA, dL/dZ); the 1/m of the cost J = (1/m) Σ L
enters in dW and db, exactly as in the notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

import numpy as np
import numpy.typing as npt

from ._types import FloatArray, as_float_array
from .activations import LEAKY_SLOPE, get_activation
from .dimensions import RULES, ShapeError, check_shape

if TYPE_CHECKING:  # shape annotations (nncheck.shapes); runtime values stay plain ndarrays
    from typing import TypeVar

    from nncheck.shapes import Array, One

    N = TypeVar("N")  # n[l]
    P = TypeVar("P")  # n[l-1]
    M = TypeVar("M")  # m, the examples


def _matrix(x: npt.ArrayLike, name: str, rule: str) -> FloatArray:
    arr = as_float_array(x, name)
    if arr.ndim != 2:
        raise ShapeError(name, tuple(arr.shape), rule, (arr.shape[0], 1) if arr.ndim else (1, 1))
    return arr


def _check_layer(W: FloatArray, A_prev: FloatArray, A_name: str = "A_prev") -> None:
    """W: (n[l], n[l−1]) must meet A_prev: (n[l−1], m) — else name the transposed one."""
    if W.shape[1] == A_prev.shape[0]:
        return
    if W.shape[0] == A_prev.shape[0]:
        raise ShapeError("W", tuple(W.shape), RULES["W"], (W.shape[1], W.shape[0]))
    raise ShapeError(
        A_name,
        tuple(A_prev.shape),
        "A[l-1]: (n[l-1], m) with n[l-1] = W.shape[1]",
        (W.shape[1], A_prev.shape[1]),
    )


@overload
def linear_forward(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]: ...
@overload
def linear_forward(A_prev: FloatArray, W: FloatArray, b: FloatArray) -> FloatArray: ...
def linear_forward(  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    A_prev: FloatArray, W: FloatArray, b: FloatArray
) -> FloatArray:
    """Z = W·A_prev + b.

    W: (n[l], n[l−1]), A_prev: (n[l−1], m), b: (n[l], 1) → Z: (n[l], m). Raises
    :class:`ShapeError` when the shapes break these rules (numpy would otherwise broadcast a
    rank-1 or transposed b silently into a wrong Z).
    """
    W = _matrix(W, "W", RULES["W"])
    A_prev = _matrix(A_prev, "A_prev", "A[l-1]: (n[l-1], m)")
    _check_layer(W, A_prev)
    b = as_float_array(b, "b")
    check_shape("b", b, (W.shape[0], 1), RULES["b"])
    Z: FloatArray = W @ A_prev + b
    return Z


@overload
def activation_forward(
    Z: Array[N, M], activation: str, *, slope: float = LEAKY_SLOPE
) -> Array[N, M]: ...
@overload
def activation_forward(
    Z: FloatArray, activation: str, *, slope: float = LEAKY_SLOPE
) -> FloatArray: ...
def activation_forward(  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    Z: FloatArray, activation: str, *, slope: float = LEAKY_SLOPE
) -> FloatArray:
    """A = g(Z) for the named activation."""
    return get_activation(activation, slope=slope).forward(Z)


@overload
def linear_backward(
    dZ: Array[N, M], A_prev: Array[P, M], W: Array[N, P]
) -> tuple[Array[P, M], Array[N, P], Array[N, One]]: ...
@overload
def linear_backward(
    dZ: FloatArray, A_prev: FloatArray, W: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]: ...
def linear_backward(  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    dZ: FloatArray, A_prev: FloatArray, W: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (dA_prev, dW, db) = (Wᵀ·dZ, dZ·A_prevᵀ/m, Σ_columns dZ/m), m = A_prev.shape[1]."""
    dZ = _matrix(dZ, "dZ", RULES["dZ"])
    A_prev = _matrix(A_prev, "A_prev", "A[l-1]: (n[l-1], m)")
    W = _matrix(W, "W", RULES["W"])
    _check_layer(W, A_prev)
    check_shape("dZ", dZ, (W.shape[0], A_prev.shape[1]), RULES["dZ"])
    m = A_prev.shape[1]
    dW = (dZ @ A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


@overload
def activation_backward(
    dA: Array[N, M], Z: Array[N, M], activation: str, *, slope: float = LEAKY_SLOPE
) -> Array[N, M]: ...
@overload
def activation_backward(
    dA: FloatArray, Z: FloatArray, activation: str, *, slope: float = LEAKY_SLOPE
) -> FloatArray: ...
def activation_backward(  # type: ignore[misc]  # reason: an Array is a typing-only view of this ndarray
    dA: FloatArray, Z: FloatArray, activation: str, *, slope: float = LEAKY_SLOPE
) -> FloatArray:
    """dZ = dA ∗ g'(Z) (elementwise), g' evaluated at Z — not at A.

    Raises :class:`ShapeError` unless dA has the shape of Z (both (n[l], m)).
    """
    dA = as_float_array(dA, "dA")
    Z = as_float_array(Z, "Z")
    check_shape("dA", dA, tuple(Z.shape), RULES["dA"])
    dZ: FloatArray = dA * get_activation(activation, slope=slope).derivative(Z)
    return dZ
