"""The notes' claims: each one holds (a claim that stops holding fails here), and each checker
sees a false version of its claim as false, so these tests can fail."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy as sp

from nncheck.specs import claims as C
from nncheck.specs._scalar import CROSS_ENTROPY_LOSS, SQUARED_LOSS

IDS = list(C.CLAIMS)


@pytest.mark.parametrize("claim_id", IDS)
def test_every_claim_holds_with_json_safe_evidence(claim_id: str) -> None:
    claim = C.get_claim(claim_id)
    outcome = C.establish(claim)
    assert outcome.holds, outcome.evidence
    data = claim.to_dict(outcome)
    assert set(data) == {"id", "section", "statement", "status", "method", "holds", "evidence"}
    assert data["status"] in ("proved", "demonstrated")
    text = json.dumps(data, allow_nan=False)  # JSON-safe: no NaN, no numpy scalars
    assert json.loads(text) == data
    if claim.status == "demonstrated":
        assert "seed" in outcome.evidence


def test_unknown_claim_names_the_ids_and_a_close_match() -> None:
    with pytest.raises(KeyError) as info:
        C.get_claim("cross-entropy-convx")
    message = str(info.value)
    assert "did you mean 'cross-entropy-convex'?" in message
    assert all(i in message for i in IDS)


# --- cross-entropy-convex / squared-loss-nonconvex --------------------------------------------


def test_convexity_checker_does_not_prove_the_squared_loss_convex() -> None:
    from nncheck.specs.claims import _convexity as V

    assert V.curvature_nonnegative(CROSS_ENTROPY_LOSS)[0]
    assert not V.curvature_nonnegative(SQUARED_LOSS)[0]
    assert V.hessian_is_gram(n_x=1, m=3)


def test_negative_curvature_is_found_for_squared_loss_only() -> None:
    from nncheck.specs.claims import _convexity as V

    point = V.negative_curvature_point(SQUARED_LOSS)
    assert point is not None and point["d2L_dw2"] < 0
    d2, (w, b, x) = V.second_derivative_in_w(SQUARED_LOSS)
    value = float(d2.subs({w: point["w"], b: 0, x: 1, V.y: point["y"]}))
    assert math.isclose(value, point["d2L_dw2"])
    assert V.negative_curvature_point(CROSS_ENTROPY_LOSS) is None


def test_loss_line_picture_one_curve_convex_one_not() -> None:
    pic = C.picture("cross-entropy-convex")
    (w, ce), (w2, sq) = pic.series.values()
    assert np.array_equal(w, w2) and len(w) > 100
    assert np.all(np.diff(ce, 2) >= -1e-12)  # convex: second differences never negative
    assert np.min(np.diff(sq, 2)) < -1e-4  # the squared loss bends the wrong way somewhere


# --- linear-activations-collapse ---------------------------------------------------------------


def test_collapse_holds_for_the_identity_and_not_for_tanh() -> None:

    from nncheck.specs.claims import _layers as Ly

    assert Ly.collapses(Ly.IDENTITY)
    assert not Ly.collapses(sp.Lambda(Ly.z, sp.tanh(Ly.z)), dims=(2, 2, 1), m=1)
    assert Ly.deep_collapse_error(seed=3) < 1e-12


# --- symmetry-persists / bias-zero-is-fine ------------------------------------------------------


def test_symmetry_checker_sees_random_units_diverge() -> None:
    from nncheck.specs.claims import _symmetry as Sy

    assert Sy.symmetric_gradients_are_equal(n0=1, n1=2, m=1)
    assert np.all(Sy.unit_spread(Sy.unit_trajectory(Sy.symmetric_start(seed=5), seed=5)) == 0)
    spread = Sy.unit_spread(Sy.unit_trajectory(Sy.random_start(seed=5), seed=5))
    assert np.all(spread > 0)  # the checker's false version: random units are not identical


def test_equal_rows_with_different_outgoing_weights_break_symmetry() -> None:
    """The claim needs equal W[2] columns too: with them unequal the units part at step 1."""
    from nncheck.specs.claims import _symmetry as Sy

    start = Sy.symmetric_start()
    start["W2"] = np.array([[0.5, -0.3, 0.2, 0.1]])
    spread = Sy.unit_spread(Sy.unit_trajectory(start, steps=2))
    assert spread[0] == 0 and spread[1] > 0


def test_two_units_picture_overlaps_only_for_the_symmetric_start() -> None:
    series = C.picture("symmetry-persists").series
    (x, s1), (_, s2), (_, r1), (_, r2) = series.values()
    assert len(x) == len(s1) and np.array_equal(s1, s2) and s1[0] != s1[-1]
    assert np.min(np.abs(r1 - r2)) > 0


# --- saturation, ReLU, tanh's mean ---------------------------------------------------------------


def test_saturation_checker_sees_relu_does_not_saturate() -> None:
    from nncheck.specs._scalar import RELU, SIGMOID, TANH
    from nncheck.specs.claims import _activations as Ac

    assert Ac.saturates(SIGMOID) and Ac.saturates(TANH)
    assert not Ac.saturates(RELU)
    assert Ac.derivative_profile(SIGMOID)["peak"] == sp.Rational(1, 4)
    small, large = Ac.gradient_through_tanh(0.01, seed=4), Ac.gradient_through_tanh(1.0, seed=4)
    assert small["passed_fraction"] > 0.9 > 0.5 > large["passed_fraction"]


def test_saturation_picture_shades_where_both_derivatives_are_small() -> None:
    pic = C.picture("saturation-slows-learning")
    (z, s), (_, t) = pic.series.values()
    assert s[np.argmin(np.abs(z))] == pytest.approx(0.25) and t.max() == pytest.approx(1.0)
    for lo, hi in pic.shaded.values():
        inside = (z >= lo) & (z <= hi)
        assert inside.any() and np.all(s[inside] < 0.025) and np.all(t[inside] < 0.1)


def test_positive_slope_checker_sees_sigmoid_is_not_one() -> None:
    from nncheck.specs._scalar import SIGMOID
    from nncheck.specs.claims import _activations as Ac

    assert Ac.slope_on(SIGMOID, "positive") != 1


def test_symmetric_mean_is_zero_for_tanh_only() -> None:
    from nncheck.specs._scalar import RELU, SIGMOID, TANH
    from nncheck.specs.claims import _activations as Ac

    assert Ac.symmetric_mean(TANH) == 0
    assert Ac.symmetric_mean(SIGMOID) == sp.Rational(1, 2)
    assert Ac.symmetric_mean(RELU) != 0


# --- dz-da-shapes / rank-one-transpose ------------------------------------------------------------


def test_shape_search_finds_a_backward_that_sums_over_examples() -> None:
    from nncheck.reference import model_backward
    from nncheck.specs.claims import _layers as Ly

    def summed(AL, Y, caches):  # a planted bug: dA summed over the m examples
        grads = model_backward(AL, Y, caches)
        return {k: v.sum(axis=1, keepdims=True) if k.startswith("dA") else v
                for k, v in grads.items()}  # fmt: skip

    found, _ = Ly.search_shape_counterexample(seed=1, examples=30, backward=summed)
    assert found is not None and found["m"] > 1 and found["mismatches"]
    assert Ly.search_shape_counterexample(seed=1, examples=30)[0] is None


def test_rank_one_facts_differ_for_a_column_vector() -> None:
    from nncheck.specs.claims import _layers as Ly

    facts = Ly.rank_one_facts(n=3, seed=2)
    assert facts["a_T_shape"] == facts["a_shape"] == [3] and facts["a_plus_column_shape"] == [3, 3]
    assert facts["column_T_shape"] != facts["column_shape"]  # on (n, 1), .T does transpose
