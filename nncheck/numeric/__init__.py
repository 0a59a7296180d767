"""Finite differences with error bounds, and the gradient checker built on them.

- :func:`check_gradients` → :class:`GradReport`; :func:`assert_gradients` raises
  :class:`GradientMismatch`; bad arguments raise :class:`GradientInputError`.
- :func:`check_layer` / :func:`assert_layer`: a layer's ``backward(dout, cache)`` against
  finite differences of its ``forward(*inputs)``, input gradients included.
- :func:`central_difference`, :func:`richardson`, :func:`complex_step`: vectorised derivative
  estimators for elementwise functions, each returning an :class:`Estimate` with an error bound.

Importing this package imports numpy only (never sympy or hypothesis).
"""

from __future__ import annotations

from ._engine import assert_gradients, check_gradients
from ._errors import GradientInputError, GradientMismatch
from ._estimators import (
    Estimate,
    central_difference,
    central_step,
    complex_step,
    richardson,
    richardson_step,
)
from ._layer import assert_layer, check_layer
from ._report import GradReport, ParameterReport

__all__ = [
    "Estimate",
    "GradReport",
    "GradientInputError",
    "GradientMismatch",
    "ParameterReport",
    "assert_gradients",
    "assert_layer",
    "central_difference",
    "central_step",
    "check_gradients",
    "check_layer",
    "complex_step",
    "richardson",
    "richardson_step",
]
