"""Symmetric initialisation is never broken by gradient descent; random W with b = 0 is fine.

Hidden units i and j are interchangeable when they start identical: equal rows of W[1], equal
entries of b[1] and equal columns of W[2]. SymPy shows the gradients at such a start are
identical too, for any hidden activation g and any loss of the output (both undefined
functions), so one step keeps the units identical, and by induction every step does. The
numbers run gradient descent through the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from nncheck.reference import (
    FloatArray,
    Params,
    initialize_parameters,
    model_gradients,
    symmetric_units,
    update_parameters,
)

from .._common import element_matrix
from ._model import Claim, Outcome, Picture

SEED = 0
"""Seed of data and parameters in this module's demonstrations."""
SECTION = "Random initialization"
DIMS = (3, 4, 1)
"""Widths of the demonstration network: 3 inputs, 4 tanh units, 1 sigmoid output."""
STEPS, RATE, M = 50, 1.0, 12


def symmetric_gradients_are_equal(n0: int = 2, n1: int = 3, m: int = 2) -> bool:
    """SymPy: at a symmetric start of a one-hidden-layer network, every hidden unit gets the
    same gradient (rows of dW[1], entries of db[1], columns of dW[2]).

    J = (1/m) Σⱼ ℓ(W[2]·g(W[1]xⱼ + b[1]) + b[2], yⱼ) with g and ℓ undefined functions; the
    gradients are taken with free parameters, then evaluated at the symmetric point.
    """
    g, ell = sp.Function("g"), sp.Function("ell")
    W1, b1 = element_matrix("W1", n1, n0), element_matrix("b1", n1, 1)
    W2, b2 = element_matrix("W2", 1, n1), sp.Symbol("b2", real=True)
    X, Y = element_matrix("X", n0, m), element_matrix("Y", 1, m)
    A1 = (W1 * X + b1 * sp.ones(1, m)).applyfunc(g)
    Z2 = W2 * A1 + b2 * sp.ones(1, m)
    J = sum(ell(Z2[0, j], Y[0, j]) for j in range(m)) / m
    row = sp.symbols(f"r1:{n0 + 1}", real=True)
    c, v = sp.symbols("c v", real=True)
    point = {W1[i, k]: row[k] for i in range(n1) for k in range(n0)}
    point.update({b1[i]: c for i in range(n1)})
    point.update({W2[0, i]: v for i in range(n1)})

    def grads(symbols: Any) -> list[Any]:
        return [sp.diff(J, s).xreplace(point) for s in symbols]

    units = [grads([*W1[i, :], b1[i], W2[0, i]]) for i in range(n1)]
    return all(u == units[0] for u in units[1:])


def _data(seed: int = SEED) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((DIMS[0], M))
    return X, (X[:1] + X[1:2] > 0).astype(np.float64)


def symmetric_start(seed: int = SEED) -> Params:
    """Every hidden unit identical: one random row repeated in W1, b1 = 0, one weight in W2."""
    rng = np.random.default_rng(seed)
    params = initialize_parameters(DIMS, "zeros")
    params["W1"] = np.tile(rng.standard_normal((1, DIMS[0])) * 0.5, (DIMS[1], 1))
    params["W2"] = np.full((1, DIMS[1]), 0.5)
    return params


def random_start(seed: int = SEED) -> Params:
    """The notes' recipe: W random ×0.01, b = 0."""
    return initialize_parameters(DIMS, "small", seed=seed)


def unit_trajectory(
    params: Mapping[str, FloatArray], seed: int = SEED, steps: int = STEPS
) -> FloatArray:
    """Each hidden unit's parameters [W1 row | b1 | W2 column] after 0, 1, …, ``steps``
    gradient-descent steps (reference gradients, tanh hidden layer): shape
    (steps + 1, n[1], n[0] + 2)."""
    X, Y = _data(seed)
    p = dict(params)
    rows = [np.hstack([p["W1"], p["b1"], p["W2"].T])]
    for _ in range(steps):
        p = update_parameters(p, model_gradients(p, X, Y, "tanh"), RATE)
        rows.append(np.hstack([p["W1"], p["b1"], p["W2"].T]))
    return np.stack(rows)


def _units(rows: FloatArray) -> dict[str, FloatArray]:
    """W1, b1 and W2 back from the units' rows of :func:`unit_trajectory`."""
    return {"W1": rows[:, :-2], "b1": rows[:, -2:-1], "W2": rows[:, -1:].T}


def unit_spread(trajectory: FloatArray) -> FloatArray:
    """Per step, the largest difference between any hidden unit's parameters and unit 1's."""
    spread: FloatArray = np.max(np.abs(trajectory - trajectory[:, :1, :]), axis=(1, 2))
    return spread


def _symmetry() -> Outcome:
    proved = symmetric_gradients_are_equal()
    trajectory = unit_trajectory(symmetric_start())
    spread = unit_spread(trajectory)
    moved = float(np.max(np.abs(trajectory[-1] - trajectory[0])))
    end = trajectory[-1]
    still_symmetric = len(symmetric_units(_units(end)))
    pairs = DIMS[1] * (DIMS[1] - 1) // 2
    return Outcome(
        proved and float(spread.max()) == 0.0 and moved > 0.0 and still_symmetric == pairs,
        {
            "symbolic": "equal gradients at a symmetric start, any g and loss (n0=2, n1=3, m=2)",
            "symbolic_equal": proved,
            "seed": SEED,
            "dims": list(DIMS),
            "steps": STEPS,
            "learning_rate": RATE,
            "max_unit_difference": float(spread.max()),
            "weights_moved_by": moved,
            "identical_unit_pairs_at_end": still_symmetric,
            "unit_pairs": pairs,
        },
    )


def _bias_zero() -> Outcome:
    start = random_start()
    trajectory = unit_trajectory(start, steps=1)
    after = trajectory[1]
    b1 = after[:, -2]
    distinct_b = len(set(b1.tolist())) == len(b1)
    symmetric = symmetric_units(_units(after))
    spread = unit_spread(trajectory)
    return Outcome(
        not symmetric and distinct_b and float(spread[1]) > 0.0,
        {
            "seed": SEED,
            "dims": list(DIMS),
            "init": "W = randn·0.01, b = 0",
            "b1_after_one_step": [float(v) for v in b1],
            "identical_unit_pairs_after_one_step": len(symmetric),
            "unit_difference_after_one_step": float(spread[1]),
        },
    )


def two_units(seed: int = SEED) -> Picture:
    """W1[unit, 0] of hidden units 1 and 2 over the iterations, symmetric vs random start."""
    steps = np.arange(STEPS + 1, dtype=np.float64)
    sym = unit_trajectory(symmetric_start(seed), seed)
    rnd = unit_trajectory(random_start(seed), seed)
    return Picture(
        title=f"Two hidden units' first weight during gradient descent (seed {seed})",
        xlabel="iteration",
        ylabel="W1[unit, 0]",
        series={
            "symmetric start: unit 1": (steps, sym[:, 0, 0]),
            "symmetric start: unit 2": (steps, sym[:, 1, 0]),
            "random W, b = 0: unit 1": (steps, rnd[:, 0, 0]),
            "random W, b = 0: unit 2": (steps, rnd[:, 1, 0]),
        },
    )


CLAIMS = (
    Claim(
        id="symmetry-persists",
        section=SECTION,
        statement="Hidden units that start identical (equal rows of W[1] and entries of b[1], "
        "equal columns of W[2]; e.g. all zeros) get identical gradients, so gradient descent "
        "keeps them identical forever.",
        status="proved",
        method="SymPy: at a symmetric start the gradients of every hidden unit are equal, for "
        "any activation g and loss (undefined functions): one step keeps the symmetry, hence "
        "every step by induction; then 50 steps through the reference (seeded) leave the units "
        "exactly equal.",
        establish=_symmetry,
        picture=two_units,
    ),
    Claim(
        id="bias-zero-is-fine",
        section=SECTION,
        statement="With W[1] random and b[1] = 0 the hidden units already differ after the "
        "first step: b = 0 does not need breaking.",
        status="demonstrated",
        method="One gradient-descent step through the reference from W = randn·0.01, b = 0 "
        "(seeded): no two units are identical and the b[1] entries all differ.",
        establish=_bias_zero,
        picture=two_units,
    ),
)
