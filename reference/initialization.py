"""Initialisation (course notes: "Random initialization" and "Initialization").

W[l] must be random and small: with equal rows (zeros included) every hidden unit of a layer
computes the same function and receives the same gradient, so they stay equal forever (symmetry
is never broken). b[l] may be zero. Scales:

- ``"small"``: W = randn·0.01 (the notes' first recipe; keeps tanh/sigmoid out of saturation)
- ``"he"``:    W = randn·√(2 / n[l−1]) (for ReLU layers)
- ``"xavier"``: W = randn·√(1 / n[l−1]) (for tanh layers)
- ``"zeros"``: W = 0 (the counter-example: fails to break symmetry)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from ._types import FloatArray, Params

InitMethod = Literal["small", "he", "xavier", "zeros"]


def initialize_parameters(
    layer_dims: Sequence[int],
    method: InitMethod = "small",
    *,
    seed: int | np.random.Generator | None = None,
    scale: float = 0.01,
) -> Params:
    """Parameters W1, b1, …, WL, bL for widths ``layer_dims`` = [n[0], …, n[L]].

    ``scale`` is the factor of the ``"small"`` method. Raises ``ValueError`` for fewer than two
    widths or a width below 1.
    """
    dims = [int(n) for n in layer_dims]
    if len(dims) < 2:
        raise ValueError(f"layer_dims needs at least [n_x, n_y], got {list(layer_dims)}")
    if any(n < 1 for n in dims):
        raise ValueError(f"every layer width must be at least 1, got {dims}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    params: Params = {}
    for l in range(1, len(dims)):
        shape = (dims[l], dims[l - 1])
        if method == "zeros":
            W = np.zeros(shape)
        elif method == "small":
            W = rng.standard_normal(shape) * scale
        elif method == "he":
            W = rng.standard_normal(shape) * np.sqrt(2.0 / dims[l - 1])
        elif method == "xavier":
            W = rng.standard_normal(shape) * np.sqrt(1.0 / dims[l - 1])
        else:
            raise ValueError(
                f"unknown init method {method!r}; expected 'small', 'he', 'xavier' or 'zeros'"
            )
        params[f"W{l}"] = W
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return params


def symmetric_units(params: Mapping[str, FloatArray]) -> list[tuple[int, int, int]]:
    """(l, i, j) for every pair of units i < j of layer l that start out identical.

    Units i and j of layer l compute the same function when row i and row j of W[l] are equal
    and so are b[l][i] and b[l][j]; gradient descent then gives them equal gradients
    (when the outgoing weights agree too), so they never become different.
    """
    pairs: list[tuple[int, int, int]] = []
    for key, W in params.items():
        if not (key.startswith("W") and key[1:].isdigit()) or W.ndim != 2 or W.shape[0] < 2:
            continue
        l = int(key[1:])
        rows = W
        b = params.get(f"b{l}")
        if b is not None and np.size(b) == W.shape[0]:
            rows = np.hstack([W, np.reshape(b, (W.shape[0], 1))])
        for i in range(rows.shape[0]):
            for j in range(i + 1, rows.shape[0]):
                if np.array_equal(rows[i], rows[j]):
                    pairs.append((l, i, j))
    return pairs


def breaks_symmetry(params: Mapping[str, FloatArray]) -> bool:
    """True when no layer has two units with equal incoming weights and bias (zeros count).

    The notes' rule: never initialise W[l] with two equal rows (W = 0 is the classic case).
    """
    return not symmetric_units(params)


def gradient_descent_step(theta: FloatArray, grad: FloatArray, learning_rate: float) -> FloatArray:
    """θ := θ − α·dJ/dθ, as a new array."""
    return theta - learning_rate * grad
