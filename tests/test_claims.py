"""The notes' claims: each one holds (a claim that stops holding fails here), and each checker
sees a false version of its claim as false, so these tests can fail."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

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
