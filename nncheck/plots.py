"""Pictures of the claims and of the step-size curve, drawn with matplotlib (optional).

The data come from functions that return arrays (``nncheck.specs.claims.picture(id)``,
``nncheck.numeric._stepcurve.step_curve``); this module only draws them. matplotlib is an optional
extra: ``pip install 'nncheck[plots]'``. Importing this module does not import matplotlib.

In Jupyter, ``figure(data)`` as the last expression of a cell shows the picture inline (the
notebook's inline backend renders matplotlib ``Figure`` objects; if a setup prints
``<Figure size …>`` instead, run ``%matplotlib inline`` once)::

    from nncheck.plots import figure
    from nncheck.specs.claims import picture
    figure(picture("saturation-slows-learning"))
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["INSTALL_HINT", "MatplotlibMissing", "PlotData", "available", "figure", "save"]

INSTALL_HINT = (
    "drawing pictures needs matplotlib, which is not installed: "
    "pip install 'nncheck[plots]' (or pip install matplotlib)"
)


class MatplotlibMissing(ImportError):
    """matplotlib is not installed; the message says how to install it."""


class PlotData(Protocol):
    """What a picture is made of (``Picture`` of the claims, ``StepCurve`` of gradcheck)."""

    @property
    def title(self) -> str: ...
    @property
    def xlabel(self) -> str: ...
    @property
    def ylabel(self) -> str: ...
    @property
    def series(self) -> Mapping[str, tuple[Any, Any]]: ...
    @property
    def marks(self) -> Mapping[str, float]: ...
    @property
    def shaded(self) -> Mapping[str, tuple[float, float]]: ...
    @property
    def log(self) -> bool: ...


def available() -> bool:
    """True when matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def warm() -> None:
    """Import what drawing needs now (before the runner forks its child), so that drawing in the
    child spends none of the person's time limit on importing matplotlib."""
    with contextlib.suppress(ImportError):
        import matplotlib.backends.backend_agg
        import matplotlib.figure  # noqa: F401


def figure(data: PlotData) -> Figure:
    """A matplotlib ``Figure`` of ``data``: its curves, vertical marks and shaded intervals.

    Built without pyplot (no global state, no window). Raises :class:`MatplotlibMissing`.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MatplotlibMissing(INSTALL_HINT) from exc
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for label, (x, y) in data.series.items():
        ax.plot(x, y, label=label, linestyle="--" if "unit 2" in label else "-")
    for k, (label, (lo, hi)) in enumerate(data.shaded.items()):
        ax.axvspan(lo, hi, color="grey", alpha=0.15, label=label if k == 0 else None)
    styles = (":", "-.", "--")
    for k, (label, x) in enumerate(data.marks.items()):
        ax.axvline(x, color="black", linestyle=styles[k % len(styles)], label=label)
    if data.log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set(title=data.title, xlabel=data.xlabel, ylabel=data.ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def save(data: PlotData, path: str | os.PathLike[str]) -> None:
    """Draw ``data`` and write it to ``path`` (PNG for a .png name)."""
    figure(data).savefig(path, dpi=120)
