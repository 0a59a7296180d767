"""Composite cases and their seeded makers: a network, one layer, logistic regression."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from nncheck.reference import HIDDEN_ACTIVATIONS, expected_shapes
from nncheck.strategies._args import (
    KINK_ACTIVATIONS,
    MAX_SEED,
    Arr,
    _dims_arg,
    _float_arg,
    _hidden_arg,
    _int_arg,
    _ordered,
    seeds,
)
from nncheck.strategies._shapes import _dims_config, _layer_dims, batch_sizes
from nncheck.strategies._values import make_parameters


@dataclass(frozen=True)
class NetworkCase:
    """One input to an L-layer network: widths, batch size, activation, parameters and data.

    ``params`` obey the dimension rules, ``X`` is (n[0], m), ``Y`` is (1, m) (or (n[L], m)).
    ``seed`` and the other fields rebuild the case with :func:`make_network_case`
    (``replay`` gives that call as text).
    """

    dims: tuple[int, ...]
    m: int
    hidden: str
    params: dict[str, Arr] = field(repr=False)
    X: Arr = field(repr=False)
    Y: Arr = field(repr=False)
    seed: int
    init_scale: float = 1.0
    nonzero_bias: bool = True
    avoid_kinks: bool = True

    @property
    def L(self) -> int:
        """The number of layers with parameters."""
        return len(self.dims) - 1

    def expected_shapes(self) -> dict[str, tuple[int, int]]:
        """Every array's shape by the dimension rules (W1, b1, Z1, A1, dW1, …, X, A0)."""
        return expected_shapes(list(self.dims), self.m)

    @property
    def replay(self) -> str:
        """Python that rebuilds this case exactly."""
        return (
            f"nncheck.strategies.make_network_case(dims={list(self.dims)}, m={self.m}, "
            f"hidden={self.hidden!r}, seed={self.seed}, init_scale={self.init_scale}, "
            f"nonzero_bias={self.nonzero_bias}, avoid_kinks={self.avoid_kinks})"
        )


def _kink_free(Z: Arr, margin: float) -> bool:
    return bool(np.all(np.abs(Z) >= margin))


def make_network_case(
    dims: Sequence[int],
    m: int,
    hidden: str,
    seed: int,
    *,
    init_scale: float = 1.0,
    nonzero_bias: bool = True,
    avoid_kinks: bool = True,
    kink_margin: float = 1e-3,
) -> NetworkCase:
    """Build the :class:`NetworkCase` that :func:`network_cases` draws for these arguments.

    With ``avoid_kinks`` and a ReLU/leaky-ReLU hidden activation, values are redrawn (from
    seeds derived deterministically from ``seed``, up to 100 times, keeping the best) until
    every hidden pre-activation satisfies |z| ≥ ``kink_margin`` · init_scale (scaled down by
    1000 / (number of hidden pre-activations) for wide layers), so finite differences never
    straddle a kink.
    """
    d = _dims_arg("dims", dims)
    m = _int_arg("m", m, 1)
    (h,) = _hidden_arg(hidden)
    check_kinks = avoid_kinks and h in KINK_ACTIVATIONS and len(d) > 2
    # wide layers have many pre-activations; shrink the margin so a kink-free draw stays likely
    # (a finite-difference step moves z by about 1e-5, so even 1e-5 keeps clear of the kink)
    entries = sum(d[1:-1]) * m
    margin = kink_margin * init_scale * min(1.0, 1000.0 / max(entries, 1))
    best: tuple[float, dict[str, Arr], Arr, Arr] | None = None
    for attempt in range(100):
        rng = np.random.default_rng([seed, attempt])
        sub = int(rng.integers(0, MAX_SEED))
        params = make_parameters(d, sub, init_scale=init_scale, nonzero_bias=nonzero_bias)
        X = rng.standard_normal((d[0], m))
        Y = (rng.random((d[-1], m)) < 0.5).astype(np.float64)
        gap = _hidden_kink_gap(params, X, h) if check_kinks else math.inf
        if best is None or gap > best[0]:
            best = (gap, params, X, Y)
        if gap >= margin:
            break
    assert best is not None
    _, params, X, Y = best
    return NetworkCase(tuple(d), m, h, params, X, Y, seed, init_scale, nonzero_bias, avoid_kinks)


def _hidden_kink_gap(params: Mapping[str, Arr], X: Arr, hidden: str) -> float:
    """The smallest |z| over the hidden layers' pre-activations (inf without hidden layers)."""
    A = X
    L = len(params) // 2
    gap = math.inf
    for l in range(1, L):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        gap = min(gap, float(np.min(np.abs(Z))))
        A = np.maximum(Z, 0.0) if hidden == "relu" else np.where(Z > 0, Z, 0.01 * Z)
    return gap


@st.composite
def _network_cases(
    draw: st.DrawFn,
    names: tuple[str, ...],
    dims_args: tuple[int, int, int, int, int | None, int | None],
    min_m: int,
    max_m: int,
    init_scale: float,
    nonzero_bias: bool,
    avoid_kinks: bool,
) -> NetworkCase:
    # m first, then widths that may equal m: each shrinks on its own
    m = draw(batch_sizes(min_size=min_m, max_size=max_m))
    dims = draw(_layer_dims(*dims_args, match=m))
    hidden = draw(st.sampled_from(names))
    seed = draw(seeds())
    return make_network_case(
        dims,
        m,
        hidden,
        seed,
        init_scale=init_scale,
        nonzero_bias=nonzero_bias,
        avoid_kinks=avoid_kinks,
    )


def network_cases(
    *,
    hidden: str | Sequence[str] = HIDDEN_ACTIVATIONS,
    min_layers: int = 1,
    max_layers: int = 3,
    min_width: int = 1,
    max_width: int = 6,
    n_x: int | None = None,
    n_y: int | None = 1,
    min_m: int = 1,
    max_m: int = 6,
    init_scale: float = 1.0,
    nonzero_bias: bool = True,
    avoid_kinks: bool = True,
) -> st.SearchStrategy[NetworkCase]:
    """:class:`NetworkCase` values: architecture, batch size (often 1 and often some n[l]),
    parameters (nonzero b by default), inputs X and labels Y, all replayable from the seed.

    Shrinks towards one layer, small widths, m = 1 and seed 0.
    """
    names = _hidden_arg(hidden)
    dims = _dims_config(min_layers, max_layers, min_width, max_width, n_x, n_y)
    min_m = _int_arg("min_m", min_m, 1)
    max_m = _int_arg("max_m", max_m, 1)
    _ordered("min_m", min_m, "max_m", max_m)
    scale = _float_arg("init_scale", init_scale, positive=True)
    for name, flag in (("nonzero_bias", nonzero_bias), ("avoid_kinks", avoid_kinks)):
        if not isinstance(flag, bool):
            raise InvalidArgument(f"{name}={flag!r} must be True or False")
    return _network_cases(names, dims, min_m, max_m, scale, nonzero_bias, avoid_kinks)


@dataclass(frozen=True)
class LayerCase:
    """One layer's forward and backward inputs: A_prev (n_prev, m), W (n, n_prev), b (n, 1),
    Z = W·A_prev + b (n, m), an upstream gradient dA (n, m) and the activation."""

    n: int
    n_prev: int
    m: int
    activation: str
    A_prev: Arr = field(repr=False)
    W: Arr = field(repr=False)
    b: Arr = field(repr=False)
    Z: Arr = field(repr=False)
    dA: Arr = field(repr=False)
    seed: int

    @property
    def replay(self) -> str:
        """Python that rebuilds this case exactly."""
        return (
            f"nncheck.strategies.make_layer_case(n={self.n}, n_prev={self.n_prev}, m={self.m}, "
            f"activation={self.activation!r}, seed={self.seed})"
        )


def make_layer_case(
    n: int, n_prev: int, m: int, activation: str, seed: int, *, kink_margin: float = 1e-2
) -> LayerCase:
    """Build the :class:`LayerCase` :func:`layer_cases` draws; Z avoids kinks (|z| ≥ margin)."""
    (act,) = _hidden_arg(activation)
    for attempt in range(1000):
        rng = np.random.default_rng([seed, attempt])
        A_prev = rng.standard_normal((n_prev, m))
        W = rng.standard_normal((n, n_prev)) / math.sqrt(n_prev)
        b = rng.standard_normal((n, 1)) / 2.0
        Z = W @ A_prev + b
        if act not in KINK_ACTIVATIONS or _kink_free(Z, kink_margin):
            break
    dA = rng.standard_normal((n, m))
    return LayerCase(n, n_prev, m, act, A_prev, W, b, Z, dA, seed)


@st.composite
def _layer_cases(draw: st.DrawFn, names: tuple[str, ...], max_width: int, max_m: int) -> LayerCase:
    m = draw(batch_sizes(max_size=max_m))
    n_prev, n = draw(_layer_dims(1, 1, 1, max_width, None, None, match=m))
    return make_layer_case(n, n_prev, m, draw(st.sampled_from(names)), draw(seeds()))


def layer_cases(
    *, activation: str | Sequence[str] = HIDDEN_ACTIVATIONS, max_width: int = 6, max_m: int = 6
) -> st.SearchStrategy[LayerCase]:
    """:class:`LayerCase` values for checking one layer's forward/backward functions; n, n_prev
    and m are often equal to each other and often 1."""
    names = _hidden_arg(activation)
    max_width = _int_arg("max_width", max_width, 1)
    max_m = _int_arg("max_m", max_m, 1)
    return _layer_cases(names, max_width, max_m)


@dataclass(frozen=True)
class LogisticCase:
    """An input to logistic regression (course week 2): w (n_x, 1), a scalar b, X (n_x, m),
    Y (1, m) of 0./1. b is a nonzero Python float unless ``nonzero_bias=False``."""

    n_x: int
    m: int
    w: Arr = field(repr=False)
    b: float
    X: Arr = field(repr=False)
    Y: Arr = field(repr=False)
    seed: int

    @property
    def replay(self) -> str:
        """Python that rebuilds this case exactly."""
        return (
            f"nncheck.strategies.make_logistic_case(n_x={self.n_x}, m={self.m}, "
            f"seed={self.seed}, nonzero_bias={self.b != 0.0})"
        )


def make_logistic_case(n_x: int, m: int, seed: int, *, nonzero_bias: bool = True) -> LogisticCase:
    """Build the :class:`LogisticCase` :func:`logistic_cases` draws for these arguments."""
    n_x = _int_arg("n_x", n_x, 1)
    m = _int_arg("m", m, 1)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n_x, 1)) / math.sqrt(n_x)
    b = float(rng.standard_normal()) / 2.0 if nonzero_bias else 0.0
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    return LogisticCase(n_x, m, w, b, X, Y, seed)


@st.composite
def _logistic_cases(
    draw: st.DrawFn, max_features: int, max_m: int, nonzero_bias: bool
) -> LogisticCase:
    m = draw(batch_sizes(max_size=max_m))
    n_x = draw(st.integers(1, max_features))
    if draw(st.booleans()) and m <= max_features:
        n_x = m  # w·X has the right shape for a transposed X when n_x = m
    return make_logistic_case(n_x, m, draw(seeds()), nonzero_bias=nonzero_bias)


def logistic_cases(
    *, max_features: int = 6, max_m: int = 6, nonzero_bias: bool = True
) -> st.SearchStrategy[LogisticCase]:
    """:class:`LogisticCase` values for week-2 functions (``propagate(w, b, X, Y)``); m = 1,
    m > 1 and n_x = m all occur often."""
    max_features = _int_arg("max_features", max_features, 1)
    max_m = _int_arg("max_m", max_m, 1)
    if not isinstance(nonzero_bias, bool):
        raise InvalidArgument(f"nonzero_bias={nonzero_bias!r} must be True or False")
    return _logistic_cases(max_features, max_m, nonzero_bias)
