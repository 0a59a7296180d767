"""Classic mistakes of the course, each marked with the error mypy must report."""

from __future__ import annotations

from typing import TypeVar

from nncheck.shapes import Array, Dim, One, sum_keepdims

N = TypeVar("N")
P = TypeVar("P")
M = TypeVar("M")


def linear_forward(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
    return W @ A_prev + b


def forward_wrong_order(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
    return A_prev @ W + b  # E: operator no-any-return


def forward_returns_transposed(
    A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]
) -> Array[N, M]:
    Z = W @ A_prev + b
    return Z.T  # E: return-value


def forward_row_bias(A_prev: Array[P, M], W: Array[N, P], b: Array[One, N]) -> Array[N, M]:
    return W @ A_prev + b  # E: operator no-any-return


def dW_without_transpose(dZ: Array[N, M], A_prev: Array[P, M]) -> Array[N, P]:
    return dZ @ A_prev / A_prev.shape[1]  # E: operator no-any-return


def dA_prev_without_WT(dZ: Array[N, M], W: Array[N, P]) -> Array[P, M]:
    return W @ dZ  # E: operator no-any-return


def db_as_row(dZ: Array[N, M]) -> Array[One, N]:
    return sum_keepdims(dZ) / dZ.shape[1]  # E: return-value


class N0(Dim): ...


class N1(Dim): ...


class Examples(Dim): ...


def pass_W_transposed(X: Array[N0, Examples], W1: Array[N1, N0], b1: Array[N1, One]) -> None:
    linear_forward(X, W1.T, b1)  # E: misc


def pass_row_bias(X: Array[N0, Examples], W1: Array[N1, N0], b1: Array[N1, One]) -> None:
    linear_forward(X, W1, b1.T)  # E: misc arg-type


def layer1(X: Array[N0, Examples], W1: Array[N1, N0], b1: Array[N1, One]) -> Array[N1, Examples]:
    return W1 @ X + b1


def call_layer1(X: Array[N0, Examples], W1: Array[N1, N0], b1: Array[N1, One]) -> None:
    layer1(X, W1.T, b1)  # E: arg-type
    layer1(X, W1, b1.T)  # E: arg-type
    layer1(X.T, W1, b1)  # E: arg-type
