"""Shape annotations: ``Array[R, C]`` for mypy and its runtime twin ``@shapecheck``.

Write the dimension rules of the course notes into your signatures::

    from typing import TypeVar
    from nncheck.shapes import Array, One, shapecheck, sum_keepdims

    N, P, M = TypeVar("N"), TypeVar("P"), TypeVar("M")

    @shapecheck
    def linear_forward(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
        return W @ A_prev + b

mypy rejects ``linear_forward(A_prev, W.T, b)`` before anything runs; ``@shapecheck`` checks the
same annotations on every call (off with ``NNCHECK_SHAPECHECK=0``). The optional mypy plugin
``nncheck.shapes.mypy_plugin`` gives literal shapes to ``np.zeros((4, 1))`` and friends and
reports rank-1 constructions (error code ``nncheck-rank1``).

This package imports numpy and the standard library only.
"""

from __future__ import annotations

from ._array import (
    Array,
    Dim,
    One,
    apply,
    mean_keepdims,
    shaped,
    sum_keepdims,
    sum_rows_keepdims,
)
from ._errors import ShapeError
from ._runtime import ENV_VAR, shapecheck

__all__ = [
    "ENV_VAR",
    "Array",
    "Dim",
    "One",
    "ShapeError",
    "apply",
    "mean_keepdims",
    "shapecheck",
    "shaped",
    "sum_keepdims",
    "sum_rows_keepdims",
]
