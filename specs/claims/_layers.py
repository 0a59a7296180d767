"""Claims about layers and arrays: linear activations collapse, dZ/dA shapes, rank-1 arrays."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from nncheck.reference import (
    HIDDEN_ACTIVATIONS,
    FloatArray,
    LayerCache,
    activation_backward,
    initialize_parameters,
    linear_forward,
    model_backward,
    model_forward,
    sigmoid,
)

from .._common import element_matrix, is_zero
from .._matrix import DIMENSIONS_SECTION
from .._scalar import ACTIVATION_SECTION, z
from ._model import Claim, Outcome

SEED = 0
"""Seed of the numeric demonstrations in this module."""

IDENTITY = sp.Lambda(z, z)
"""g(z) = z, the linear activation."""


def collapses(g: Any = IDENTITY, dims: Sequence[int] = (2, 3, 2, 1), m: int = 2) -> bool:
    """SymPy: with activation ``g`` in every layer, is the network the one linear layer
    W′ = W[L]⋯W[1], b′ = W[L](⋯(W[2]b[1] + b[2])⋯) + b[L]? Symbolic matrices of sizes ``dims``."""
    X = element_matrix("X", dims[0], m)
    A, W_total, b_total = X, sp.eye(dims[0]), sp.zeros(dims[0], 1)
    for l in range(1, len(dims)):
        W, b = element_matrix(f"W{l}", dims[l], dims[l - 1]), element_matrix(f"b{l}", dims[l], 1)
        A = (W * A + b * sp.ones(1, m)).applyfunc(g)
        W_total, b_total = W * W_total, W * b_total + b
    one_layer = W_total * X + b_total * sp.ones(1, m)
    # polynomial entries (g linear) expand to 0 exactly; others are evaluated (is_zero)
    return all(sp.expand(e) == 0 or is_zero(e, exact=False) for e in A - one_layer)


def deep_collapse_error(
    dims: Sequence[int] = (6, 8, 5, 7, 4, 3, 2), m: int = 10, seed: int = SEED
) -> float:
    """Largest relative difference between a random linear-activation network (forward through
    the reference's ``linear_forward``) and its collapsed W′, b′, on seeded inputs."""
    rng = np.random.default_rng(seed)
    params = initialize_parameters(dims, "xavier", seed=rng)
    for l in range(1, len(dims)):
        params[f"b{l}"] = rng.standard_normal((dims[l], 1))
    X = rng.standard_normal((dims[0], m))
    A, W_total, b_total = X, np.eye(dims[0]), np.zeros((dims[0], 1))
    for l in range(1, len(dims)):
        W, b = params[f"W{l}"], params[f"b{l}"]
        A = linear_forward(A, W, b)
        W_total, b_total = W @ W_total, W @ b_total + b
    one_layer = linear_forward(X, W_total, b_total)
    return float(np.max(np.abs(A - one_layer)) / np.max(np.abs(A)))


def _linear_collapse() -> Outcome:
    exact = collapses()
    error = deep_collapse_error()
    return Outcome(
        exact and error < 1e-12,
        {
            "symbolic_dims": [2, 3, 2, 1],
            "symbolic_m": 2,
            "symbolic_equal": exact,
            "seed": SEED,
            "numeric_dims": [6, 8, 5, 7, 4, 3, 2],
            "numeric_max_relative_difference": error,
        },
    )


# --- dZ and dA have the shapes of Z and A ------------------------------------------------------

Backward = Callable[[FloatArray, FloatArray, list[LayerCache]], dict[str, FloatArray]]


def shape_mismatches(
    dims: Sequence[int], m: int, hidden: str, seed: int, backward: Backward | None = None
) -> list[str]:
    """Where dZ[l] or dA[l] does not have the shape of Z[l] or A[l], for one network through the
    reference (``backward`` defaults to the reference's ``model_backward``)."""
    rng = np.random.default_rng(seed)
    params = initialize_parameters(dims, "he", seed=rng)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((dims[-1], m)) < 0.5).astype(np.float64)
    AL, caches = model_forward(X, params, hidden)
    grads = (backward or model_backward)(AL, Y, caches)
    L, bad = len(caches), []
    for l in range(L + 1):  # dA[l] against A[l] (A[0] = X, A[L] = AL)
        A = caches[l].A_prev if l < L else AL
        dA = grads.get(f"dA{l}")
        if dA is not None and np.shape(dA) != A.shape:
            bad.append(f"dA{l} {np.shape(dA)} vs A{l} {A.shape}")
    for l in range(1, L + 1):  # dZ[l] against Z[l]
        c = caches[l - 1]
        dZ = sigmoid(c.Z) - Y if l == L else activation_backward(grads[f"dA{l}"], c.Z, hidden)
        if dZ.shape != c.Z.shape:
            bad.append(f"dZ{l} {dZ.shape} vs Z{l} {c.Z.shape}")
    return bad


def search_shape_counterexample(
    seed: int = SEED, examples: int = 60, backward: Backward | None = None, shrink: bool = True
) -> tuple[dict[str, Any] | None, int]:
    """Hypothesis draws networks (2–5 widths in 1..6, m in 1..6, each hidden activation) and
    looks for one where :func:`shape_mismatches` is non-empty; returns (counterexample — the
    smallest found unless ``shrink`` is false — or None, networks tried). Deterministic for a
    given ``seed``."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    cases = st.fixed_dictionaries(
        {
            "dims": st.lists(st.integers(1, 6), min_size=2, max_size=5),
            "m": st.integers(1, 6),
            "hidden": st.sampled_from(HIDDEN_ACTIVATIONS),
            "seed": st.integers(0, 2**32 - 1),
        }
    )
    tried = 0

    def mismatches(case: dict[str, Any]) -> list[str]:
        return shape_mismatches(case["dims"], case["m"], case["hidden"], case["seed"], backward)

    def fails(case: dict[str, Any]) -> bool:
        nonlocal tried
        tried += 1
        return bool(mismatches(case))

    config = settings(
        max_examples=examples, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, *([Phase.shrink] if shrink else [])],
    )  # fmt: skip
    try:
        found = find(cases, fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return None, tried
    return {**found, "mismatches": mismatches(found)}, tried


def _shapes() -> Outcome:
    counterexample, tried = search_shape_counterexample()
    return Outcome(
        counterexample is None,
        {"seed": SEED, "networks_checked": tried, "counterexample": counterexample},
    )


# --- rank-1 arrays -------------------------------------------------------------------------------


def rank_one_facts(n: int = 5, seed: int = SEED) -> dict[str, Any]:
    """The notes' numpy tip on real arrays: shapes of a, a.T, a + a column, and the fix."""
    a = np.random.default_rng(seed).standard_normal(n)
    col = a.reshape(n, 1)
    return {
        "a_shape": list(a.shape),
        "a_T_shape": list(a.T.shape),
        "a_T_equals_a": bool(np.array_equal(a.T, a)),
        "a_plus_column_shape": list((a + col).shape),
        "column_shape": list(col.shape),
        "column_T_shape": list(col.T.shape),
    }


def _rank_one() -> Outcome:
    facts = rank_one_facts()
    holds = (
        facts["a_T_shape"] == facts["a_shape"] == [5]
        and facts["a_T_equals_a"]
        and facts["a_plus_column_shape"] == [5, 5]
        and facts["column_T_shape"] == [1, 5]
    )
    return Outcome(holds, {"seed": SEED, "n": 5, **facts})


CLAIMS_LINEAR = (
    Claim(
        id="linear-activations-collapse",
        section=ACTIVATION_SECTION,
        statement="With g(z) = z in every layer, an L-layer network is one linear layer: "
        "W′ = W[L]⋯W[1], b′ composed accordingly.",
        status="proved",
        method="SymPy: the forward pass of symbolic matrices (widths 2, 3, 2, 1; m = 2) with "
        "g(z) = z expands to W′X + b′ exactly; plus a numeric check on a seeded 6-layer network "
        "through the reference's linear_forward.",
        establish=_linear_collapse,
    ),
)

CLAIMS_ARRAYS = (
    Claim(
        id="dz-da-shapes",
        section=DIMENSIONS_SECTION,
        statement="dZ[l] and dA[l] have the shapes of Z[l] and A[l], (n[l], m).",
        status="demonstrated",
        method="A property over Hypothesis-drawn networks (widths, m, hidden activation; "
        "seeded search): forward and backward through the reference, every dZ and dA compared "
        "with its Z and A.",
        establish=_shapes,
    ),
    Claim(
        id="rank-one-transpose",
        section="Python and vectorization: a note on numpy vectors",
        statement="On a rank-1 array (n,), .T does nothing, and adding an (n, 1) array "
        "broadcasts to (n, n): use (n, 1) column vectors.",
        status="demonstrated",
        method="Real numpy arrays (seeded): the shapes of a, a.T, a + a.reshape(n, 1) and of "
        "the column vector's transpose.",
        establish=_rank_one,
    ),
)
