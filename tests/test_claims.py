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


@pytest.fixture(scope="module")
def outcomes() -> dict[str, C.Outcome]:
    """Every claim established once for this module (the CLI tests reuse them)."""
    return {claim_id: C.establish(claim_id) for claim_id in IDS}


@pytest.mark.parametrize("claim_id", IDS)
def test_every_claim_holds_with_json_safe_evidence(
    claim_id: str, outcomes: dict[str, C.Outcome]
) -> None:
    claim = C.get_claim(claim_id)
    outcome = outcomes[claim_id]
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
    trajectory = Sy.unit_trajectory(start, steps=2)
    incoming = trajectory[:, :, :-1]  # [W1 | b1]: equal at the start, apart after one step
    assert np.ptp(incoming[0], axis=0).max() == 0 and np.ptp(incoming[1], axis=0).max() > 0
    assert not Sy.symmetric_units(Sy._units(trajectory[0]))  # the reference's rule agrees


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

    found, _ = Ly.search_shape_counterexample(seed=1, examples=30, backward=summed, shrink=False)
    assert found is not None and found["m"] > 1 and found["mismatches"]
    assert Ly.search_shape_counterexample(seed=1, examples=30)[0] is None


def test_rank_one_facts_differ_for_a_column_vector() -> None:
    from nncheck.specs.claims import _layers as Ly

    facts = Ly.rank_one_facts(n=3, seed=2)
    assert facts["a_T_shape"] == facts["a_shape"] == [3] and facts["a_plus_column_shape"] == [3, 3]
    assert facts["column_T_shape"] != facts["column_shape"]  # on (n, 1), .T does transpose


# --- the command line -------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from nncheck.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback (most recent call last)" not in out + err
    return code, out, err


def test_cli_lists_every_claim_with_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "claims")
    assert code == 0
    rows = [line.split() for line in out.splitlines()[: len(IDS)]]
    assert [r[0] for r in rows] == IDS
    assert all(r[1] in ("proved", "demonstrated") for r in rows)


def test_cli_one_claim_readably_and_all_as_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    outcomes: dict[str, C.Outcome],
) -> None:
    monkeypatch.setattr(C, "establish", lambda claim: outcomes[claim.id])  # established above
    code, out, _ = _run(capsys, "claims", "squared_loss_nonconvex")  # forgiving spelling
    assert code == 0
    assert out.startswith("squared-loss-nonconvex — ") and "  status:   proved" in out
    assert "    d2L_dw2: -" in out and "    seed: 0" in out
    code, out, _ = _run(capsys, "claims", "--json")
    assert code == 0
    data = json.loads(out)
    assert [c["id"] for c in data] == IDS and all(c["holds"] for c in data)
    point = next(c for c in data if c["id"] == "squared-loss-nonconvex")["evidence"]
    assert {"w", "b", "x", "y", "d2L_dw2"} <= set(point) and point["d2L_dw2"] < 0


def test_cli_exits_1_when_a_claim_does_not_hold(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from nncheck.specs.claims import _layers

    broken = dataclasses.replace(
        C.get_claim("rank-one-transpose"), establish=lambda: C.Outcome(False, {"seed": 0})
    )
    monkeypatch.setattr(C, "CLAIMS", {**C.CLAIMS, broken.id: broken})
    code, out, _ = _run(capsys, "claims", "rank-one-transpose")
    assert code == 1 and "DOES NOT HOLD (expected demonstrated)" in out
    assert _layers.rank_one_facts()["a_T_equals_a"]


def test_cli_unknown_id_exits_2_with_ids_and_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "claims", "symetry-persists")
    assert code == 2 and out == ""
    assert "did you mean 'symmetry-persists'?" in err and all(i in err for i in IDS)
    code, out, _ = _run(capsys, "claims", "nope", "--json")
    assert code == 2 and json.loads(out)["error"]["kind"] == "usage"


def test_cli_plot_needs_an_id_a_picture_and_matplotlib(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from nncheck import plots

    code, _, err = _run(capsys, "claims", "--plot", str(tmp_path / "a.png"))
    assert code == 2 and "give its ID" in err
    monkeypatch.setattr(plots, "available", lambda: True)
    code, _, err = _run(capsys, "claims", "rank-one-transpose", "--plot", str(tmp_path / "a.png"))
    assert code == 2 and "has no picture" in err and "saturation-slows-learning" in err
    monkeypatch.setattr(plots, "available", lambda: False)
    for argv in (
        ("claims", "saturation-slows-learning", "--plot", str(tmp_path / "a.png")),
        ("gradcheck", "x.py", "--plot", str(tmp_path / "a.png")),
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2 and "pip install 'nncheck[plots]'" in err
    assert not (tmp_path / "a.png").exists()


def test_figure_without_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from nncheck import plots

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if missing
    with pytest.raises(plots.MatplotlibMissing, match=r"pip install 'nncheck\[plots\]'"):
        plots.figure(C.picture("saturation-slows-learning"))


def test_cli_draws_one_png(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "saturation.png"
    code, _, err = _run(capsys, "claims", "saturation-slows-learning", "--plot", str(path))
    assert code == 0 and f"drew saturation-slows-learning to {path}" in err
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


# --- gradcheck's step-size curve -----------------------------------------------------------------


def _tanh_cost(p):
    return float(np.sum(np.tanh(p["W"])))


def test_step_curve_is_a_v_for_a_right_gradient_and_flat_for_a_wrong_one() -> None:
    from nncheck.numeric._stepcurve import COURSE_EPSILON, step_curve

    W = np.array([[0.3, -1.2], [0.7, 2.0]])
    g = float(1 - np.tanh(W[1, 0]) ** 2)
    curve = step_curve(_tanh_cost, {"W": W}, "W", (1, 0), g)
    ((h, err),) = curve.series.values()
    best = int(np.argmin(err))
    assert 0 < best < len(h) - 1 and err[best] < 1e-10
    assert err[0] > 100 * err[best] and err[-1] > 100 * err[best]  # rounding ↔ truncation
    assert COURSE_EPSILON in curve.marks.values() and curve.log
    assert W[1, 0] == 0.7  # the parameters are not touched
    wrong = step_curve(_tanh_cost, {"W": W}, "W", (1, 0), g + 0.1)
    ((_, err_w),) = wrong.series.values()
    middle = err_w[(h > 1e-9) & (h < 1e-3)]
    assert np.allclose(middle, 0.1, rtol=1e-3)  # no step fixes a wrong gradient


def test_gradcheck_plot_draws_the_worst_element(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    pytest.importorskip("matplotlib")
    from nncheck import examples

    path = tmp_path / "steps.png"
    code, _, err = _run(
        capsys, "gradcheck", str(examples.BUGGY), "--seed", "0", "--plot", str(path)
    )
    assert code == 1 and "drew the step-size curve of" in err and path.stat().st_size > 10_000


def test_the_docs_table_lists_every_claim_with_its_status() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "readme" / "claims.md").read_text("utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (proved|demonstrated) \|", doc, flags=re.M)
    assert rows == [(c.id, c.status) for c in C.CLAIMS.values()]


# --- checks that rest on a claim cite it ---------------------------------------------------


def test_every_claim_cited_by_a_message_exists() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).parents[1] / "nncheck"
    cited = {
        m.group(1)
        for path in root.rglob("*.py")
        for m in re.finditer(r"nncheck claims ([a-z0-9-]+)`", path.read_text("utf-8"))
    }
    assert cited >= {"symmetry-persists", "saturation-slows-learning", "rank-one-transpose"}
    assert cited <= set(C.CLAIMS), cited - set(C.CLAIMS)


def test_symmetry_init_scale_and_rank1_messages_end_with_their_claim() -> None:
    from nncheck import properties

    zeros = {"W1": np.zeros((3, 2)), "b1": np.zeros((3, 1)), "W2": np.zeros((1, 3))}
    zeros["b2"] = np.zeros((1, 1))
    sym = properties.check_symmetry_breaking(zeros)
    assert sym.status == "fail" and sym.message.endswith("see `nncheck claims symmetry-persists`")
    big = {"W1": np.random.default_rng(0).standard_normal((4, 50)) * 10, "b1": np.zeros((4, 1))}
    scale = properties.check_init_scale(big, "tanh")
    assert scale.status == "warn"
    assert scale.message.endswith("see `nncheck claims saturation-slows-learning`")
    rank1 = properties.check_no_rank1({"db": np.zeros(3), "dW": np.zeros(2)})
    assert rank1.message.endswith("see `nncheck claims rank-one-transpose`")
