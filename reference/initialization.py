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

import re
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


def _weight_matrices(
    params: Mapping[str, object],
) -> list[tuple[int, FloatArray, FloatArray | None]]:
    """(l, W[l], b[l]) for every 2-D weight matrix ``W<l>`` (a lone ``W`` or ``w`` is layer 1)."""
    out: list[tuple[int, FloatArray, FloatArray | None]] = []
    for key, W in params.items():
        found = re.fullmatch(r"([Ww])(\d*)", str(key))
        if found is None or not isinstance(W, np.ndarray) or W.ndim != 2:
            continue
        b = params.get(f"b{found.group(2)}")
        out.append((int(found.group(2) or 1), W, b if isinstance(b, np.ndarray) else None))
    return sorted(out, key=lambda t: t[0])


def equal_row_pairs(rows: FloatArray, limit: int | None = None) -> list[tuple[int, int]]:
    """(i, j), i < j, for the equal rows of a 2-D array; at most ``limit`` pairs (None: all)."""
    n = rows.shape[0]
    _, inverse = np.unique(rows.reshape(n, -1), axis=0, return_inverse=True)
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(inverse.reshape(-1).tolist()):
        groups.setdefault(int(g), []).append(i)
    pairs: list[tuple[int, int]] = []
    for members in groups.values():
        for a, i in enumerate(members):
            for j in members[a + 1 :]:
                if limit is not None and len(pairs) >= limit:
                    return sorted(pairs)
                pairs.append((i, j))
    return sorted(pairs)


def symmetric_units(
    params: Mapping[str, object], *, limit: int | None = 1000
) -> list[tuple[int, int, int]]:
    """(l, i, j) for every pair of interchangeable hidden units i < j of layer l.

    Units i and j of hidden layer l (l < L) are interchangeable when row i of W[l] equals row
    j, b[l][i] equals b[l][j] (a missing b counts as equal) and column i of W[l+1] equals
    column j. Then Z[l]_i = Z[l]_j, so A[l]_i = A[l]_j, and dA[l]_i = W[l+1]_{:,i}ᵀ·dZ[l+1] =
    dA[l]_j, so dZ, dW and db rows i and j are equal and so is the next layer's dW column:
    gradient descent keeps them interchangeable forever. Each condition is needed: a different
    b (or outgoing column) gives a different Z (or dA) and the units drift apart (the notes: b
    may be zero "so long as W is initialized randomly"; tests/test_reference.py trains both
    cases). Output units are never listed: their labels differ, so their gradients do. At
    most ``limit`` pairs per layer (None: all).
    """
    layers = _weight_matrices(params)
    by_l = {l: W for l, W, _ in layers}
    pairs: list[tuple[int, int, int]] = []
    for l, W, b in layers:
        n = W.shape[0]
        nxt = by_l.get(l + 1)
        if n < 2 or nxt is None or nxt.shape[1] != n:
            continue
        brow = b.reshape(n, -1) if b is not None and b.size == n else np.zeros((n, 1))
        key = np.concatenate([W.reshape(n, -1), brow, nxt.T.reshape(n, -1)], axis=1)
        pairs.extend((l, i, j) for i, j in equal_row_pairs(key, limit))
    return pairs


def breaks_symmetry(params: Mapping[str, object]) -> bool:
    """True when no hidden layer has two interchangeable units (:func:`symmetric_units`).

    The notes' rule: never initialise W[l] with two equal rows (W = 0 is the classic case).
    """
    return not symmetric_units(params)


def gradient_descent_step(theta: FloatArray, grad: FloatArray, learning_rate: float) -> FloatArray:
    """θ := θ − α·dJ/dθ, as a new array."""
    return theta - learning_rate * grad
