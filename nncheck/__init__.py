"""nncheck: is your hand-written neural-network math right, and if not, what exactly is wrong?

The public API is curated here and loaded lazily: ``import nncheck`` imports numpy only, never
sympy or hypothesis, so a test suite pays for what it uses.

- :func:`check_gradients` / :func:`assert_gradients` — error-bounded gradient checking.
- :func:`check_layer` / :func:`assert_layer` — a layer's ``backward(dout, cache)`` against its
  ``forward(*inputs)``, every floating input's gradient (``dx`` too).
- :func:`conform` — run a person's implementation against the reference, the specs and finite
  differences, with a plain-language diagnosis.
- :func:`check` — the same for the functions of a live namespace (a notebook); ``%load_ext
  nncheck`` then ``%nncheck`` in IPython or Jupyter.
- ``nncheck.strategies`` / ``nncheck.properties`` — Hypothesis strategies and property checks.
- ``nncheck.shapes`` — ``Array[R, C]`` annotations for mypy and the ``@shapecheck`` runtime twin.
- ``nncheck.reference`` / ``nncheck.specs`` — the typed numpy reference and the SymPy specs.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

__version__ = "0.1.0"

# public name -> module that defines it (imported on first attribute access)
_LAZY: dict[str, str] = {
    "check_gradients": "nncheck.numeric",
    "assert_gradients": "nncheck.numeric",
    "check_layer": "nncheck.numeric",
    "assert_layer": "nncheck.numeric",
    "GradReport": "nncheck.numeric",
    "ParameterReport": "nncheck.numeric",
    "GradientMismatch": "nncheck.numeric",
    "GradientInputError": "nncheck.numeric",
    "conform": "nncheck._api",
    "check": "nncheck._jupyter",
    # IPython's %load_ext hooks (not public names of the API)
    "load_ipython_extension": "nncheck.magic",
    "unload_ipython_extension": "nncheck.magic",
    "ConformanceReport": "nncheck.conformance",
    "Finding": "nncheck.conformance",
    "LoadError": "nncheck.loader",
    "ShapeError": "nncheck.reference",
}

__all__ = [
    "ConformanceReport",
    "Finding",
    "GradReport",
    "GradientInputError",
    "GradientMismatch",
    "LoadError",
    "ParameterReport",
    "ShapeError",
    "__version__",
    "assert_gradients",
    "assert_layer",
    "check",
    "check_gradients",
    "check_layer",
    "conform",
]

if _typing.TYPE_CHECKING:  # pragma: no cover - static view of the lazy attributes
    from nncheck._api import conform
    from nncheck._jupyter import check
    from nncheck.conformance import ConformanceReport, Finding
    from nncheck.loader import LoadError
    from nncheck.numeric import (
        GradientInputError,
        GradientMismatch,
        GradReport,
        ParameterReport,
        assert_gradients,
        assert_layer,
        check_gradients,
        check_layer,
    )
    from nncheck.reference import ShapeError


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nncheck' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The curated public names only (``dir(nncheck)``, tab completion)."""
    return sorted(__all__)
