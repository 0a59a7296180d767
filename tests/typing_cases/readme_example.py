"""The example of docs/readme/shapes.md (kept here so the documented error is tested)."""

from __future__ import annotations

import numpy as np

from nncheck.shapes import Array, Dim, One, shapecheck, shaped


class N0(Dim): ...  # n[0], input features


class N1(Dim): ...  # n[1], hidden units


class M(Dim): ...  # m, examples


@shapecheck
def layer1(X: Array[N0, M], W1: Array[N1, N0], b1: Array[N1, One]) -> Array[N1, M]:
    return W1 @ X + b1


def forward(X: Array[N0, M], W1: Array[N1, N0], b1: Array[N1, One]) -> Array[N1, M]:
    return layer1(X, W1.T, b1)  # E: arg-type


X: Array[N0, M] = shaped(np.ones((3, 5)))
