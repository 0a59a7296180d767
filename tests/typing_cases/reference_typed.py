"""The shape-typed reference: typed arguments give typed results, mistakes are caught."""

from __future__ import annotations

import numpy as np

from nncheck.reference import (
    activation_backward,
    activation_forward,
    linear_backward,
    linear_forward,
    logistic_forward,
    logistic_propagate,
)
from nncheck.shapes import Array, Dim, One, shaped


class N0(Dim): ...


class N1(Dim): ...


class M(Dim): ...


def layer(X: Array[N0, M], W1: Array[N1, N0], b1: Array[N1, One]) -> Array[N1, M]:
    Z1 = linear_forward(X, W1, b1)
    return activation_forward(Z1, "relu")


def backward(
    dA1: Array[N1, M], Z1: Array[N1, M], X: Array[N0, M], W1: Array[N1, N0]
) -> tuple[Array[N1, N0], Array[N1, One]]:
    dZ1 = activation_backward(dA1, Z1, "relu")
    _, dW1, db1 = linear_backward(dZ1, X, W1)
    return dW1, db1


def logistic(w: Array[N0, One], X: Array[N0, M], Y: Array[One, M]) -> Array[N0, One]:
    A: Array[One, M] = logistic_forward(w, 0.0, X)
    cost, dw, db = logistic_propagate(w, 0.0, X, Y)
    return dw - A.shape[1] * cost * db * w


def plain_arrays_still_work() -> float:
    X = np.ones((3, 5))
    Z = linear_forward(X, np.ones((4, 3)), np.zeros((4, 1)))
    return float(Z.sum())


def mistakes(X: Array[N0, M], W1: Array[N1, N0], b1: Array[N1, One], Y: Array[One, M]) -> None:
    linear_forward(X, W1.T, b1)  # E: misc
    linear_forward(X, W1, b1.T)  # E: misc arg-type
    linear_backward(linear_forward(X, W1, b1), X.T, W1)  # E: misc
    w: Array[N0, One] = shaped(np.zeros((3, 1)))
    logistic_forward(w.T, 0.0, X)  # E: misc arg-type
    logistic_propagate(w, 0.0, X, Y.T)  # E: misc arg-type
    bad: Array[M, N1] = linear_forward(X, W1, b1)  # E: arg-type
