"""Value strategies and their seeded makers: parameters, inputs, labels, probabilities,
pre-activations, well-conditioned values."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from nncheck.strategies._args import (
    Arr,
    _dims_arg,
    _float_arg,
    _int_arg,
    _ordered,
    _shape_arg,
    seeds,
)


def make_parameters(
    dims: Sequence[int],
    seed: int,
    *,
    init_scale: float = 1.0,
    nonzero_bias: bool = True,
) -> dict[str, Arr]:
    """The parameters :func:`parameters` draws for ``seed``: W[l] ~ N(0, init_scale²/n[l−1]),
    b[l] ~ N(0, init_scale²/4) (nonzero) or zeros."""
    d = _dims_arg("dims", dims)
    rng = np.random.default_rng(seed)
    params: dict[str, Arr] = {}
    for l in range(1, len(d)):
        params[f"W{l}"] = rng.standard_normal((d[l], d[l - 1])) * (init_scale / math.sqrt(d[l - 1]))
        b = rng.standard_normal((d[l], 1)) * (init_scale / 2.0)
        params[f"b{l}"] = b if nonzero_bias else np.zeros((d[l], 1))
    return params


def parameters(
    dims: Sequence[int], *, init_scale: float = 1.0, nonzero_bias: bool = True
) -> st.SearchStrategy[dict[str, Arr]]:
    """Parameter dicts obeying W[l]: (n[l], n[l−1]), b[l]: (n[l], 1) for widths ``dims``.

    W[l] entries are N(0, init_scale²/n[l−1]), so z stays of size ≈ ``init_scale`` for unit
    inputs (1.0 keeps sigmoid/tanh unsaturated; pass e.g. 10 to saturate). b is nonzero unless
    ``nonzero_bias=False`` (zeros, as the notes initialise it). Replay with :func:`make_parameters`.
    """
    d = _dims_arg("dims", dims)
    scale = _float_arg("init_scale", init_scale, positive=True)
    if not isinstance(nonzero_bias, bool):
        raise InvalidArgument(f"nonzero_bias={nonzero_bias!r} must be True or False")
    return seeds().map(lambda s: make_parameters(d, s, init_scale=scale, nonzero_bias=nonzero_bias))


def make_inputs(n0: int, m: int, seed: int, *, scale: float = 1.0) -> Arr:
    """X of shape (n0, m) with N(0, scale²) entries, as :func:`inputs` draws for ``seed``."""
    out: Arr = np.random.default_rng(seed).standard_normal((n0, m)) * scale
    return out


def inputs(n0: int, m: int, *, scale: float = 1.0) -> st.SearchStrategy[Arr]:
    """Inputs X of shape (n[0], m) with N(0, scale²) entries (no exact zeros or ties)."""
    n0 = _int_arg("n0", n0, 1)
    m = _int_arg("m", m, 1)
    s = _float_arg("scale", scale, positive=True)
    return seeds().map(lambda seed: make_inputs(n0, m, seed, scale=s))


def labels(m: int) -> st.SearchStrategy[Arr]:
    """Binary labels Y of shape (1, m), values 0.0 and 1.0 (drawn by Hypothesis; shrink to 0)."""
    m = _int_arg("m", m, 1)
    return st.lists(st.booleans(), min_size=m, max_size=m).map(
        lambda bits: np.array([bits], dtype=np.float64).reshape(1, m)
    )


def _uniform_magnitudes(shape: tuple[int, ...], lo: float, hi: float) -> Callable[[int], Arr]:
    def make(seed: int) -> Arr:
        rng = np.random.default_rng(seed)
        mag = rng.uniform(lo, hi, size=shape)
        sign = np.where(rng.random(size=shape) < 0.5, -1.0, 1.0)
        out: Arr = mag * sign
        return out

    return make


def probabilities(
    shape: tuple[int, ...], *, min_value: float = 1e-3, max_value: float = 1.0 - 1e-3
) -> st.SearchStrategy[Arr]:
    """Arrays of ``shape``, values uniform in ``[min_value, max_value]`` ⊂ (0, 1) (e.g. ŷ = AL)."""
    sh = _shape_arg("shape", shape)
    lo = _float_arg("min_value", min_value)
    hi = _float_arg("max_value", max_value)
    if not 0.0 < lo < 1.0:
        raise InvalidArgument(f"min_value={lo} must lie strictly inside (0, 1): log(0) is -inf")
    if not 0.0 < hi < 1.0:
        raise InvalidArgument(f"max_value={hi} must lie strictly inside (0, 1): log(1 − 1) is -inf")
    _ordered("min_value", lo, "max_value", hi)
    return seeds().map(lambda s: np.random.default_rng(s).uniform(lo, hi, size=sh))


def pre_activations(
    shape: tuple[int, ...], *, bound: float = 4.0, avoid_kinks: bool = True, margin: float = 1e-2
) -> st.SearchStrategy[Arr]:
    """Pre-activations Z of ``shape`` with |z| ≤ ``bound``.

    With ``avoid_kinks`` every |z| ≥ ``margin`` (ReLU and leaky ReLU are not differentiable at
    0, so finite differences there are meaningless); with ``avoid_kinks=False`` exact zeros are
    included on purpose (about one entry in eight).
    """
    sh = _shape_arg("shape", shape)
    b = _float_arg("bound", bound, positive=True)
    mg = _float_arg("margin", margin, minimum=0.0)
    if not isinstance(avoid_kinks, bool):
        raise InvalidArgument(f"avoid_kinks={avoid_kinks!r} must be True or False")
    if avoid_kinks:
        if mg >= b:
            raise InvalidArgument(f"margin={mg} must be smaller than bound={b}; lower margin")
        return seeds().map(_uniform_magnitudes(sh, mg, b))
    make = _uniform_magnitudes(sh, 0.0, b)

    def with_zeros(seed: int) -> Arr:
        z = make(seed)
        z[np.random.default_rng(seed + 1).random(size=sh) < 0.125] = 0.0
        return z

    return seeds().map(with_zeros)


def well_conditioned(
    shape: tuple[int, ...], *, bound: float = 3.0, min_magnitude: float = 0.1
) -> st.SearchStrategy[Arr]:
    """Values of ``shape`` with ``min_magnitude ≤ |x| ≤ bound``: σ and tanh are far from
    saturation (σ(3) ≈ 0.95) unless a large ``bound`` is asked for, no entry is 0 and ties have
    probability 0 — good points for finite differences."""
    sh = _shape_arg("shape", shape)
    b = _float_arg("bound", bound, positive=True)
    lo = _float_arg("min_magnitude", min_magnitude, minimum=0.0)
    _ordered("min_magnitude", lo, "bound", b)
    return seeds().map(_uniform_magnitudes(sh, lo, b))
