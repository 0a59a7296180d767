"""Array aliases used across the reference."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
"""A float64 ndarray; the reference computes in float64 throughout."""

Params: TypeAlias = dict[str, FloatArray]
"""The course's ``parameters`` dict: ``{"W1": ..., "b1": ..., "W2": ...}``."""

Grads: TypeAlias = dict[str, FloatArray]
"""The course's ``grads`` dict: ``{"dW1": ..., "db1": ..., "dA0": ...}``."""


def as_float_array(x: npt.ArrayLike, name: str = "array") -> FloatArray:
    """Return ``x`` as a float64 array (a copy only when needed).

    Raises ``TypeError`` naming ``name`` when ``x`` is not numeric.
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real numeric array, got dtype {arr.dtype}; "
            "convert it with np.asarray(..., dtype=float)"
        )
    return arr.astype(np.float64, copy=False)
