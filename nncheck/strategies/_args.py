"""Argument validation shared by the strategies (an ``InvalidArgument`` naming the argument,
its value and the fix), the seed strategy and the constants."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from nncheck.reference import HIDDEN_ACTIVATIONS

Arr = np.ndarray[Any, np.dtype[np.float64]]

MAX_SEED = 2**32 - 1
"""Seeds are drawn from ``0 … MAX_SEED`` and shrink towards 0."""

KINK_ACTIVATIONS = ("relu", "leaky_relu")


def _int_arg(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidArgument(
            f"{name}={value!r} must be an int (got {type(value).__name__}); "
            f"pass e.g. {name}={minimum}"
        )
    v = int(value)
    if v < minimum:
        raise InvalidArgument(f"{name}={v} is too small: it must be at least {minimum}")
    if maximum is not None and v > maximum:
        raise InvalidArgument(f"{name}={v} is too large: it must be at most {maximum}")
    return v


def _float_arg(
    name: str, value: object, *, positive: bool = False, minimum: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidArgument(
            f"{name}={value!r} must be a real number (got {type(value).__name__})"
        )
    v = float(value)
    if not math.isfinite(v):
        raise InvalidArgument(f"{name}={v} must be finite")
    if positive and v <= 0:
        raise InvalidArgument(f"{name}={v} must be > 0")
    if minimum is not None and v < minimum:
        raise InvalidArgument(f"{name}={v} must be at least {minimum}")
    return v


def _ordered(min_name: str, lo: float, max_name: str, hi: float) -> None:
    if lo > hi:
        raise InvalidArgument(
            f"{min_name}={lo} is larger than {max_name}={hi}; pass {min_name} <= {max_name}"
        )


def _shape_arg(name: str, shape: object) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)):
        raise InvalidArgument(
            f"{name}={shape!r} must be a tuple of ints such as (n, m) (got {type(shape).__name__})"
        )
    return tuple(_int_arg(f"{name}[{i}]", n, 1) for i, n in enumerate(shape))


def _dims_arg(name: str, dims: object) -> list[int]:
    if not isinstance(dims, (tuple, list)):
        raise InvalidArgument(
            f"{name}={dims!r} must be a list of layer widths [n[0], …, n[L]] "
            f"(got {type(dims).__name__}); to draw them use layer_dims().flatmap(...)"
        )
    if len(dims) < 2:
        raise InvalidArgument(f"{name}={list(dims)!r} needs at least [n_x, n_y] (two widths)")
    return [_int_arg(f"{name}[{i}]", n, 1) for i, n in enumerate(dims)]


def _hidden_arg(hidden: object) -> tuple[str, ...]:
    names = (hidden,) if isinstance(hidden, str) else hidden
    if not isinstance(names, (tuple, list)) or not names:
        raise InvalidArgument(
            f"hidden={hidden!r} must be an activation name or a non-empty sequence of them, "
            f"from {HIDDEN_ACTIVATIONS}"
        )
    for h in names:
        if h not in HIDDEN_ACTIVATIONS:
            raise InvalidArgument(
                f"hidden contains {h!r}, which is not a known activation; "
                f"use one of {HIDDEN_ACTIVATIONS}"
            )
    return tuple(str(h) for h in names)


def seeds() -> st.SearchStrategy[int]:
    """Seeds for the NumPy generator behind every array strategy; they shrink towards 0."""
    return st.integers(0, MAX_SEED)
