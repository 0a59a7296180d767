"""``Array[R, C]``: a typing-only, shape-carrying view of a 2-D float ndarray.

At runtime nothing here wraps or copies: values are plain ``numpy.ndarray`` objects and
``Array[P, M]`` is only an annotation. For mypy, ``Array`` is a generic class, *invariant* in both
dimensions, whose operators carry the dimension rules of the course notes:

- ``A.T`` is ``Array[C, R]``;
- ``Array[R, C] @ Array[C, K]`` is ``Array[R, K]`` (anything else is an ``operator`` error);
- ``+ - * /`` need equal shapes, or a column ``Array[R, One]`` broadcast over the columns, or a
  scalar;
- ``shape`` is ``tuple[int, int]``.

Dimensions are TypeVars (``P = TypeVar("P")``), nominal classes (``class N1(Dim): ...``) or
:data:`One` (``Literal[1]``). Plain ndarrays enter the typed world through :func:`shaped`; the
typed helpers (:func:`sum_keepdims`, …) cover the numpy calls the formulas need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar, overload

import numpy as np
import numpy.typing as npt

from ._errors import ShapeError

__all__ = [
    "Array",
    "Dim",
    "One",
    "apply",
    "mean_keepdims",
    "shaped",
    "sum_keepdims",
    "sum_rows_keepdims",
]

R = TypeVar("R")
C = TypeVar("C")
K = TypeVar("K")

One: TypeAlias = Literal[1]
"""The dimension of size 1: a bias is ``Array[N, One]``, a label row ``Array[One, M]``."""


class Dim:
    """Base class of nominal dimension names: ``class N1(Dim): ...`` names a layer width.

    Two different Dim subclasses never match, so ``Array[N1, N0]`` is not ``Array[N0, N1]``.
    At runtime :func:`~nncheck.shapes.shapecheck` treats the class name like a TypeVar name:
    every axis annotated ``N1`` must have the same size within one call.
    """


class Array(Generic[R, C]):
    """A 2-D float64 array with row dimension ``R`` and column dimension ``C`` (typing only).

    Never instantiate it: annotate ``X: Array[N0, M]`` and pass a plain ndarray (enter with
    :func:`shaped`). The methods below exist for the type checker; at runtime the value is an
    ``numpy.ndarray`` and numpy's own methods run.
    """

    def __new__(cls, *args: object, **kwargs: object) -> Array[Any, Any]:
        raise TypeError(
            "Array is an annotation, not a container: values stay numpy arrays. "
            "Use shaped(x) to give an ndarray an Array type."
        )

    if TYPE_CHECKING:

        @property
        def shape(self) -> tuple[int, int]: ...
        @property
        def T(self) -> Array[C, R]: ...
        @property
        def ndim(self) -> int: ...
        @property
        def size(self) -> int: ...
        @property
        def dtype(self) -> np.dtype[Any]: ...

        @overload
        def __matmul__(self, other: Array[C, K], /) -> Array[R, K]: ...
        @overload
        def __matmul__(self, other: npt.NDArray[Any], /) -> Array[R, Any]: ...
        def __matmul__(self, other: Any, /) -> Any: ...
        @overload
        def __rmatmul__(self, other: Array[K, R], /) -> Array[K, C]: ...
        @overload
        def __rmatmul__(self, other: npt.NDArray[Any], /) -> Array[Any, C]: ...
        def __rmatmul__(self, other: Any, /) -> Any: ...

        def __add__(self, other: _Operand[R, C], /) -> Array[R, C]: ...
        def __radd__(self, other: _ROperand[R], /) -> Array[R, C]: ...
        def __sub__(self, other: _Operand[R, C], /) -> Array[R, C]: ...
        def __rsub__(self, other: _ROperand[R], /) -> Array[R, C]: ...
        def __mul__(self, other: _Operand[R, C], /) -> Array[R, C]: ...
        def __rmul__(self, other: _ROperand[R], /) -> Array[R, C]: ...
        def __truediv__(self, other: _Operand[R, C], /) -> Array[R, C]: ...
        def __rtruediv__(self, other: _ROperand[R], /) -> Array[R, C]: ...
        def __pow__(self, other: float, /) -> Array[R, C]: ...
        def __neg__(self) -> Array[R, C]: ...
        def __abs__(self) -> Array[R, C]: ...
        def __lt__(self, other: _Operand[R, C], /) -> npt.NDArray[np.bool_]: ...
        def __le__(self, other: _Operand[R, C], /) -> npt.NDArray[np.bool_]: ...
        def __gt__(self, other: _Operand[R, C], /) -> npt.NDArray[np.bool_]: ...
        def __ge__(self, other: _Operand[R, C], /) -> npt.NDArray[np.bool_]: ...
        def __getitem__(self, key: Any, /) -> Any: ...
        def __array__(self) -> npt.NDArray[np.float64]: ...
        def copy(self) -> Array[R, C]: ...
        def astype(self, dtype: Any, /) -> npt.NDArray[Any]: ...
        def reshape(self, *shape: Any) -> npt.NDArray[np.float64]: ...
        def ravel(self) -> npt.NDArray[np.float64]: ...
        def item(self, *args: Any) -> float: ...
        def sum(self, *args: Any, **kwargs: Any) -> Any: ...
        def mean(self, *args: Any, **kwargs: Any) -> Any: ...
        def max(self, *args: Any, **kwargs: Any) -> Any: ...
        def min(self, *args: Any, **kwargs: Any) -> Any: ...


_Operand: TypeAlias = "Array[R, C] | Array[R, One] | npt.NDArray[Any] | float"
"""Right operand of ``+ - * /``: the same shape, a column broadcast over the columns, a plain
ndarray of unknown shape (gradual: the result keeps this Array's shape) or a scalar."""
_ROperand: TypeAlias = "Array[R, One] | npt.NDArray[Any] | float"
"""Left operand of a reflected ``+ - * /`` (``b + Z`` with b a column, ``1 - Z``)."""


def shaped(x: npt.ArrayLike, /, shape: tuple[int, int] | None = None) -> Array[Any, Any]:
    """Enter the typed world: return ``x`` as a 2-D float64 ndarray typed ``Array[Any, Any]``.

    Assign the result to an annotated name (``W: Array[N1, N0] = shaped(params["W1"])``) and mypy
    checks every later use. ``x`` is returned as is when it already is a float64 ndarray (no
    copy). Raises :class:`ShapeError` for a rank-1 (or rank ≠ 2) array — the course keeps every
    vector 2-D — and, when ``shape`` is given, for any other shape.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        fix = (
            "use shape (n, 1) for a column or (1, m) for a row, e.g. x.reshape(-1, 1)"
            if arr.ndim == 1
            else "an Array is 2-D"
        )
        raise ShapeError(
            f"shaped: x has shape {arr.shape}, a rank-{arr.ndim} array; {fix}",
            name="x",
            shape=tuple(arr.shape),
            rule="Array[R, C] is 2-D",
        )
    if shape is not None and tuple(arr.shape) != tuple(shape):
        raise ShapeError(
            f"shaped: x has shape {arr.shape}, but {tuple(shape)} was asked for",
            name="x",
            shape=tuple(arr.shape),
            rule=f"shape {tuple(shape)}",
            expected=tuple(shape),
        )
    result: Array[Any, Any] = arr  # type: ignore[assignment]  # reason: the typing-only view
    return result


def _typed(arr: Any) -> Any:
    # The single place where a plain ndarray is declared to be an Array of known dimensions.
    return arr


def sum_keepdims(x: Array[R, C], /) -> Array[R, One]:
    """Σ over the columns (the examples), keeping a column: ``np.sum(x, axis=1, keepdims=True)``.

    The course's ``db = sum_keepdims(dZ) / m``: (n, m) → (n, 1).
    """
    result: Array[R, One] = _typed(np.sum(x, axis=1, keepdims=True))
    return result


def mean_keepdims(x: Array[R, C], /) -> Array[R, One]:
    """Mean over the columns, keeping a column: ``np.mean(x, axis=1, keepdims=True)``."""
    result: Array[R, One] = _typed(np.mean(x, axis=1, keepdims=True))
    return result


def sum_rows_keepdims(x: Array[R, C], /) -> Array[One, C]:
    """Σ over the rows, keeping a row: ``np.sum(x, axis=0, keepdims=True)``, (n, m) → (1, m)."""
    result: Array[One, C] = _typed(np.sum(x, axis=0, keepdims=True))
    return result


def apply(
    fn: Callable[[npt.NDArray[np.float64]], npt.NDArray[Any]], x: Array[R, C], /
) -> Array[R, C]:
    """An elementwise numpy function keeps the shape: ``apply(np.tanh, Z)`` is ``Array[R, C]``."""
    result: Array[R, C] = _typed(fn(np.asarray(x)))
    return result
