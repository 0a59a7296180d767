"""Plain numpy code with the plugin on: no new errors (regression: the plugin once broke mypy's
float → complex promotion by adding its dependency to every module, builtins included)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def close(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> bool:
    return bool(np.allclose(x, y, rtol=1e-3, atol=1e-9)) and bool(np.all(x < 0.5))


def unknown_shapes(n: int, m: int) -> npt.NDArray[np.float64]:
    W = np.zeros((n, m))  # no literal size: stays an ndarray
    total = float(np.sum(W)) + float(W.max())
    return np.asarray(W * total + np.maximum(W, 0.0), dtype=np.float64)
