"""Hypothesis strategies for neural-network math, and a shrinking counterexample finder.

Shapes are drawn by Hypothesis (so a failure shrinks to the smallest layer widths and batch
size); array *values* come from a NumPy generator seeded by a drawn integer, so they are
well-conditioned (no exact zeros, ties or ReLU kinks by accident), fast to make, and replayable
from ``(shape, seed)`` alone — the ``make_*`` functions rebuild any example without Hypothesis.

The shapes deliberately include the cases that hide bugs: ``m = 1`` (a missing 1/m is invisible)
and ``m > 1``; ``m = n[l]`` (a sum over the wrong axis has the right shape); ``n[l] = 1``; equal
and unequal neighbouring widths (a transposed W fits when they are equal); nonzero ``b`` (a
missing bias is invisible when b = 0). ``tests/test_strategies.py`` measures how often.

Strategies (all arguments are validated when the strategy is built, raising
``hypothesis.errors.InvalidArgument`` that names the argument, its value and the fix):

- :func:`layer_dims` → ``list[int]`` ``[n[0], …, n[L]]``.
- :func:`architectures` → :class:`Architecture` (``dims``, ``hidden`` activation).
- :func:`batch_sizes` → ``int`` m, biased to 1 and to the widths in ``prefer``.
- :func:`parameters` → ``{"W1": (n[1], n[0]), "b1": (n[1], 1), …}``.
- :func:`inputs` → X ``(n[0], m)``; :func:`labels` → Y ``(1, m)`` of 0./1.
- :func:`probabilities` → values in the open interval (0, 1).
- :func:`pre_activations` → Z, away from the ReLU kink at 0 unless ``avoid_kinks=False``.
- :func:`well_conditioned` → bounded values (σ does not saturate unless a large bound is asked).
- :func:`network_cases` → :class:`NetworkCase` (dims, m, hidden, params, X, Y, seed), the
  composite the conformance suite uses; :func:`layer_cases` → :class:`LayerCase` for one layer;
  :func:`logistic_cases` → :class:`LogisticCase` (w, scalar b, X, Y) for week 2.
- :func:`find_counterexample` (check, strategy, seed, max_examples) → the smallest failing
  example as a :class:`Counterexample` (with the check's result and replay information), or None.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any, Generic, TypeVar, cast

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import find as _find
from hypothesis import strategies as st
from hypothesis.errors import Flaky, InvalidArgument, NoSuchExample

from nncheck._compare import clone  # one copying rule (arrays inside containers) for both
from nncheck.properties import PropertyResult
from nncheck.reference import HIDDEN_ACTIVATIONS, expected_shapes

__all__ = [
    "MAX_SEED",
    "Architecture",
    "Counterexample",
    "LayerCase",
    "LogisticCase",
    "NetworkCase",
    "architectures",
    "batch_sizes",
    "describe",
    "find_counterexample",
    "inputs",
    "labels",
    "layer_cases",
    "layer_dims",
    "logistic_cases",
    "make_inputs",
    "make_layer_case",
    "make_logistic_case",
    "make_network_case",
    "make_parameters",
    "network_cases",
    "parameters",
    "pre_activations",
    "probabilities",
    "seeds",
    "well_conditioned",
]

T = TypeVar("T")
Arr = np.ndarray[Any, np.dtype[np.float64]]

MAX_SEED = 2**32 - 1
"""Seeds are drawn from ``0 … MAX_SEED`` and shrink towards 0."""

KINK_ACTIVATIONS = ("relu", "leaky_relu")


# --------------------------------------------------------------------------------------------
# argument validation


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


# --------------------------------------------------------------------------------------------
# shapes


@st.composite
def _layer_dims(
    draw: st.DrawFn,
    min_layers: int,
    max_layers: int,
    min_width: int,
    max_width: int,
    n_x: int | None,
    n_y: int | None,
    match: int | None = None,
) -> list[int]:
    """Widths; each hidden width is any, equal to the previous, 1, or ``match`` (the batch size)."""
    L = draw(st.integers(min_layers, max_layers))
    width = st.integers(min_width, max_width)
    choices = ["any", "equal"]
    if min_width == 1:
        choices.append("one")
    if match is not None and min_width <= match <= max_width:
        choices.append("match")

    # "any" first, and every width is drawn whatever the choice, so that the choices and the
    # widths shrink independently (a choice switching to "any" does not shift later draws)
    def pick(allowed: list[str], previous: int | None) -> int:
        w = draw(width)
        how = draw(st.sampled_from(allowed))
        if how == "equal" and previous is not None and min_width <= previous <= max_width:
            return previous
        if how == "one":
            return 1
        if how == "match" and match is not None:
            return match
        return w

    dims = [n_x if n_x is not None else pick([c for c in choices if c in ("any", "match")], None)]
    for _ in range(1, L):
        dims.append(pick(choices, dims[-1]))
    dims.append(n_y if n_y is not None else pick(choices, dims[-1]))
    return dims


def _dims_config(
    min_layers: object,
    max_layers: object,
    min_width: object,
    max_width: object,
    n_x: object,
    n_y: object,
) -> tuple[int, int, int, int, int | None, int | None]:
    lo_l = _int_arg("min_layers", min_layers, 1)
    hi_l = _int_arg("max_layers", max_layers, 1)
    _ordered("min_layers", lo_l, "max_layers", hi_l)
    lo_w = _int_arg("min_width", min_width, 1)
    hi_w = _int_arg("max_width", max_width, 1)
    _ordered("min_width", lo_w, "max_width", hi_w)
    nx = None if n_x is None else _int_arg("n_x", n_x, 1)
    ny = None if n_y is None else _int_arg("n_y", n_y, 1)
    return lo_l, hi_l, lo_w, hi_w, nx, ny


def layer_dims(
    *,
    min_layers: int = 1,
    max_layers: int = 3,
    min_width: int = 1,
    max_width: int = 6,
    n_x: int | None = None,
    n_y: int | None = 1,
) -> st.SearchStrategy[list[int]]:
    """Layer widths ``[n[0], …, n[L]]`` with ``min_layers <= L <= max_layers``.

    ``n_x`` fixes n[0] and ``n_y`` fixes n[L] (1 by default, the course's binary output; pass
    None to draw it). Each hidden width is, with similar odds, any width, equal to the previous
    one, or 1 — so equal and unequal neighbours and one-unit layers all occur often. Shrinks
    towards fewer layers and smaller widths.
    """
    return _layer_dims(*_dims_config(min_layers, max_layers, min_width, max_width, n_x, n_y))


@dataclass(frozen=True)
class Architecture:
    """A network shape: widths ``dims = (n[0], …, n[L])`` and the hidden activation."""

    dims: tuple[int, ...]
    hidden: str

    @property
    def L(self) -> int:
        """The number of layers with parameters."""
        return len(self.dims) - 1


def architectures(
    *,
    hidden: str | Sequence[str] = HIDDEN_ACTIVATIONS,
    min_layers: int = 1,
    max_layers: int = 3,
    min_width: int = 1,
    max_width: int = 6,
    n_x: int | None = None,
    n_y: int | None = 1,
) -> st.SearchStrategy[Architecture]:
    """:class:`Architecture` values: :func:`layer_dims` plus a hidden activation from ``hidden``."""
    names = _hidden_arg(hidden)
    dims = layer_dims(
        min_layers=min_layers,
        max_layers=max_layers,
        min_width=min_width,
        max_width=max_width,
        n_x=n_x,
        n_y=n_y,
    )
    return st.builds(lambda d, h: Architecture(tuple(d), h), dims, st.sampled_from(names))


def batch_sizes(
    *, min_size: int = 1, max_size: int = 6, prefer: Sequence[int] = ()
) -> st.SearchStrategy[int]:
    """Batch sizes m in ``[min_size, max_size]``, often 1 and often one of ``prefer``.

    Pass the layer widths as ``prefer`` to make m = n[l] common (a ``db`` summed over the wrong
    axis has the right shape then). Shrinks towards 1.
    """
    min_size = _int_arg("min_size", min_size, 1)
    max_size = _int_arg("max_size", max_size, 1)
    _ordered("min_size", min_size, "max_size", max_size)
    if not isinstance(prefer, (tuple, list)):
        raise InvalidArgument(
            f"prefer={prefer!r} must be a sequence of ints (e.g. the layer widths)"
        )
    preferred = sorted(
        {_int_arg("prefer[]", p, 1) for p in prefer} & set(range(min_size, max_size + 1))
    )
    options: list[st.SearchStrategy[int]] = []
    if preferred:
        options.append(st.sampled_from(preferred))
    options.append(st.integers(min_size, max_size))
    return st.one_of(options)


# --------------------------------------------------------------------------------------------
# values (from a seeded generator)


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


# --------------------------------------------------------------------------------------------
# composite cases


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


# --------------------------------------------------------------------------------------------
# finding and shrinking counterexamples


def describe(value: object, *, max_values: int = 24) -> object:
    """A JSON-able description of an example: shapes, dtypes and (small) values, plus the replay
    call for a :class:`NetworkCase` or :class:`LayerCase`."""
    if isinstance(value, NetworkCase):
        return {
            "kind": "NetworkCase",
            "dims": list(value.dims),
            "m": value.m,
            "hidden": value.hidden,
            "seed": value.seed,
            "replay": value.replay,
            "params": describe(value.params, max_values=max_values),
            "X": describe(value.X, max_values=max_values),
            "Y": describe(value.Y, max_values=max_values),
        }
    if isinstance(value, LayerCase):
        return {
            "kind": "LayerCase",
            "n": value.n,
            "n_prev": value.n_prev,
            "m": value.m,
            "activation": value.activation,
            "seed": value.seed,
            "replay": value.replay,
            **{
                k: describe(getattr(value, k), max_values=max_values)
                for k in ("A_prev", "W", "b", "Z", "dA")
            },
        }
    if isinstance(value, LogisticCase):
        return {
            "kind": "LogisticCase",
            "n_x": value.n_x,
            "m": value.m,
            "b": value.b,
            "seed": value.seed,
            "replay": value.replay,
            **{k: describe(getattr(value, k), max_values=max_values) for k in ("w", "X", "Y")},
        }
    if isinstance(value, Architecture):
        return {"kind": "Architecture", "dims": list(value.dims), "hidden": value.hidden}
    if isinstance(value, np.ndarray):
        out: dict[str, object] = {"shape": list(value.shape), "dtype": str(value.dtype)}
        if value.size <= max_values:
            out["values"] = (
                np.asarray(value, dtype=np.float64).tolist()
                if value.dtype.kind in "biuf"
                else repr(value)
            )
        return out
    if isinstance(value, Mapping):
        return {str(k): describe(v, max_values=max_values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(v, max_values=max_values) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


@dataclass(frozen=True)
class Counterexample(Generic[T]):
    """The smallest failing example found by :func:`find_counterexample`.

    ``example`` is the shrunk value, ``result`` the check's verdict on it (a crash of the check
    becomes a ``"fail"`` result of check ``"exception"``), ``search_seed`` and ``max_examples``
    rerun the same search, ``calls`` counts how often the check ran, and ``details`` is a
    JSON-able description of the example (shapes, values, replay).
    """

    example: T
    result: PropertyResult
    search_seed: int
    max_examples: int
    calls: int
    details: dict[str, object]

    @property
    def message(self) -> str:
        """The check's message, followed by how to replay the example."""
        replay = self.details.get("example")
        where = ""
        if isinstance(replay, Mapping) and "replay" in replay:
            where = f" [smallest failing case: {replay['replay']}]"
        elif isinstance(replay, Mapping):
            where = f" [smallest failing case: {replay}]"
        return self.result.message + where

    def to_dict(self) -> dict[str, object]:
        """JSON-able form: the result plus the example description and search seed."""
        return {
            "result": self.result.to_dict(),
            "search_seed": self.search_seed,
            "max_examples": self.max_examples,
            "calls": self.calls,
            **self.details,
        }


def _verdict(check: Callable[[T], PropertyResult | bool], value: T) -> PropertyResult:
    try:
        r = check(value)
    except Exception as exc:  # reason: a crash is a failure of the example, reported as data
        return PropertyResult(
            "exception",
            "fail",
            f"{type(exc).__name__}: {exc}",
            {"exception": type(exc).__name__, "error": str(exc)},
        )
    if isinstance(r, PropertyResult):
        return r
    if r:
        return PropertyResult("predicate", "pass", "the check returned True")
    return PropertyResult("predicate", "fail", "the check returned False")


def find_counterexample(
    check: Callable[[T], PropertyResult | bool],
    strategy: st.SearchStrategy[T],
    *,
    seed: int = 0,
    max_examples: int = 100,
) -> Counterexample[T] | None:
    """Search ``strategy`` for an example where ``check`` fails and shrink it to the smallest.

    ``check`` returns a :class:`~nncheck.properties.PropertyResult` (``"fail"`` is a failure) or a
    bool (False is a failure); an exception raised by ``check`` is a failure too. The search is
    deterministic for a given ``seed`` (no example database, no health checks, no deadline, no
    output). Returns None when ``max_examples`` examples pass. A check that fails and then
    passes on the same example (unseeded randomness) still yields its last failure, with
    ``details["flaky"] = True``.
    """
    seed = _int_arg("seed", seed, 0)
    max_examples = _int_arg("max_examples", max_examples, 1)
    if not isinstance(strategy, st.SearchStrategy):
        raise InvalidArgument(
            f"strategy={strategy!r} must be a Hypothesis strategy such as network_cases()"
        )
    if not callable(check):
        raise InvalidArgument(f"check={check!r} must be callable: example -> PropertyResult | bool")
    calls = 0
    last_failure: list[tuple[T, PropertyResult]] = []

    def fails(value: T) -> bool:
        nonlocal calls
        calls += 1
        # the check gets a copy: a function that mutates its inputs must not alter the example
        verdict = _verdict(check, cast(T, clone(value)))
        if verdict.status == "fail":
            last_failure[:] = [(value, verdict)]
        return verdict.status == "fail"

    config = settings(
        database=None,
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    flaky = False
    try:
        _find(strategy, fails, settings=config, random=Random(seed))
    except NoSuchExample:
        return None
    except Flaky:
        # the check failed, then passed on the same example (e.g. it uses unseeded randomness):
        # report the last failure seen rather than nothing
        flaky = True
    if not last_failure:  # pragma: no cover - find only returns after a failing call
        return None
    example, result = last_failure[0]
    details: dict[str, object] = {"example": describe(example)}
    if flaky:
        details["flaky"] = True
    return Counterexample(
        example=example,
        result=result,
        search_seed=seed,
        max_examples=max_examples,
        calls=calls,
        details=details,
    )
