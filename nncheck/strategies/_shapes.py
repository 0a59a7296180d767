"""Shape strategies: layer widths, architectures, batch sizes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from nncheck.reference import HIDDEN_ACTIVATIONS
from nncheck.strategies._args import _hidden_arg, _int_arg, _ordered


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
