"""The course's layer formulas written with Array annotations: mypy must report nothing."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from nncheck.shapes import Array, Dim, One, apply, shaped, sum_keepdims, sum_rows_keepdims

N = TypeVar("N")
P = TypeVar("P")
M = TypeVar("M")


def linear_forward(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
    return W @ A_prev + b


def tanh_forward(Z: Array[N, M]) -> Array[N, M]:
    return apply(np.tanh, Z)


def sigmoid_backward(dA: Array[N, M], A: Array[N, M]) -> Array[N, M]:
    return dA * A * (1.0 - A)


def linear_backward(
    dZ: Array[N, M], A_prev: Array[P, M], W: Array[N, P]
) -> tuple[Array[P, M], Array[N, P], Array[N, One]]:
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = sum_keepdims(dZ) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def logistic_grads(
    w: Array[P, One], X: Array[P, M], Y: Array[One, M]
) -> tuple[Array[P, One], Array[One, M]]:
    A = apply(np.tanh, w.T @ X)  # any elementwise g keeps (1, m)
    dZ = A - Y
    dw = X @ dZ.T / X.shape[1]
    return dw, sum_rows_keepdims(dZ)


def update(W: Array[N, P], dW: Array[N, P], learning_rate: float) -> Array[N, P]:
    return W - learning_rate * dW


class N0(Dim): ...


class N1(Dim): ...


class Examples(Dim): ...


def two_layers(
    X: Array[N0, Examples], W1: Array[N1, N0], b1: Array[N1, One]
) -> Array[N1, Examples]:
    return linear_forward(X, W1, b1)


def from_plain(params: dict[str, np.ndarray[tuple[int, ...], np.dtype[np.float64]]]) -> None:
    W1: Array[N1, N0] = shaped(params["W1"])
    b1: Array[N1, One] = shaped(params["b1"])
    X: Array[N0, Examples] = shaped(np.ones((W1.shape[1], 5)))
    Z1: Array[N1, Examples] = two_layers(X, W1, b1)
    np.testing.assert_allclose(Z1, np.tanh(Z1) * 0 + Z1)
