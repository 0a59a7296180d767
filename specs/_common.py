"""Helpers shared by the scalar and matrix specs: symbols, zero tests, lambdify wrappers."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from typing import Any

import mpmath  # type: ignore[import-untyped]  # reason: mpmath (a sympy dependency) ships no stubs
import numpy as np
import numpy.typing as npt
import sympy as sp

FloatArray = npt.NDArray[np.float64]

# The dimension symbols of the notes: n[l] units in layer l, n[l−1] in the layer before, m examples.
n_l = sp.Symbol("n_l", positive=True, integer=True)
n_prev = sp.Symbol("n_prev", positive=True, integer=True)
m = sp.Symbol("m", positive=True, integer=True)
DIMS = (n_l, n_prev, m)


def is_zero(expr: Any, *, samples: int = 5, seed: int = 0, exact: bool = True) -> bool:
    """True when ``expr`` is identically zero.

    Exact first (``cancel``, then ``simplify`` for small expressions); an expression SymPy
    cannot reduce is evaluated at ``samples`` random rational points with 60 significant
    digits, where anything above 1e-40 counts as non-zero (an analytic non-zero function
    vanishes only on a measure-zero set; a Piecewise one is analytic on each piece, and the
    points land in random pieces). ``exact=False`` skips straight to the evaluation (for the
    large expressions of whole networks, where ``cancel`` takes seconds).
    """
    e = sp.sympify(expr)
    if e == 0:
        return True
    if exact and not e.has(sp.Piecewise):  # Piecewise (ReLU) defeats cancel: evaluate it
        try:
            if sp.cancel(sp.together(e)) == 0:
                return True
            if sp.count_ops(e) <= 200 and sp.simplify(e) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - sympy
            pass
    free = sorted(e.free_symbols, key=str)
    if e.atoms(sp.core.function.AppliedUndef):
        return False  # an unknown function g(·) that did not cancel: cannot be evaluated
    f = sp.lambdify(free, e, modules="mpmath")
    rng = random.Random(seed)
    with mpmath.workdps(60):
        for _ in range(samples):
            point = [mpmath.mpf(rng.randint(-900, 900)) / 1000 for _ in free]
            value = f(*point)
            if not mpmath.isfinite(value) or abs(value) > mpmath.mpf("1e-40"):
                return False
    return True


def broadcast_float(value: Any, args: Sequence[Any]) -> FloatArray:
    """``value`` as a float64 array broadcast to the shape of the arguments.

    Lambdified constants (e.g. the derivative 1 of z ↦ z) come back as Python numbers; this
    turns them into arrays shaped like the inputs so every spec function is elementwise.
    """
    shape = np.broadcast(*[np.asarray(a) for a in args]).shape if args else ()
    out = np.empty(shape, dtype=np.float64)
    out[...] = np.asarray(value, dtype=np.float64)
    return out


def elementwise(expr: Any, symbols: Sequence[Any]) -> Callable[..., FloatArray]:
    """Lambdify ``expr`` with ``modules="numpy"`` into an elementwise float64 function.

    Cached: asking a spec for ``numpy()`` in a loop compiles the expression once.
    """
    return _elementwise(expr, tuple(symbols))


@functools.lru_cache(maxsize=256)
def _elementwise(expr: Any, symbols: tuple[Any, ...]) -> Callable[..., FloatArray]:
    f = sp.lambdify(symbols, expr, modules="numpy")
    n = len(symbols)

    def call(*args: npt.ArrayLike) -> FloatArray:
        if len(args) != n:
            names = ", ".join(str(s) for s in symbols)
            raise TypeError(f"expected {n} argument(s) ({names}), got {len(args)}")
        arrays = [np.asarray(a, dtype=np.float64) for a in args]
        return broadcast_float(f(*arrays), arrays)

    call.__name__ = f"lambdified_{'_'.join(str(s) for s in symbols)}"
    call.__doc__ = f"Lambdified (modules='numpy'): {expr}"
    return call


def element_matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """A concrete ``rows × cols`` matrix of real element symbols ``name_i_j`` (1-based)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}_{j + 1}", real=True))


def ones(rows: int, cols: int) -> sp.Matrix:
    return sp.ones(rows, cols)
