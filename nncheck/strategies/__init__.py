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

from nncheck.strategies._args import MAX_SEED, seeds
from nncheck.strategies._cases import (
    LayerCase,
    LogisticCase,
    NetworkCase,
    layer_cases,
    logistic_cases,
    make_layer_case,
    make_logistic_case,
    make_network_case,
    network_cases,
)
from nncheck.strategies._search import Counterexample, describe, find_counterexample
from nncheck.strategies._shapes import Architecture, architectures, batch_sizes, layer_dims
from nncheck.strategies._values import (
    inputs,
    labels,
    make_inputs,
    make_parameters,
    parameters,
    pre_activations,
    probabilities,
    well_conditioned,
)

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
