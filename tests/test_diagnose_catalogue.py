"""The catalogue of mistakes: every id has one entry, the docs are generated from it, the priority
decides between two matching mutants, and gradcheck's hints and diagnose name factors alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck.diagnose import _faulty
from nncheck.diagnose.catalogue import (
    CATALOGUE,
    GRADCHECK_RTOL,
    REPLAY_RTOL,
    Mistake,
    factor_mistake,
    render_markdown,
)
from nncheck.report import ratio_hint

DOC = Path(__file__).parents[1] / "docs" / "readme" / "diagnoses.md"


def test_the_docs_list_of_diagnoses_is_current() -> None:
    # regenerate with: python -m nncheck.diagnose > docs/readme/diagnoses.md
    assert DOC.read_text() == render_markdown()
    for mistake in Mistake:
        assert f"| `{mistake.value}` |" in DOC.read_text()


def test_the_documented_command_prints_the_docs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nncheck.diagnose"], capture_output=True, text=True, check=True
    )
    assert out.stdout == render_markdown()


def test_every_mistake_has_one_entry_and_a_distinct_priority() -> None:
    assert set(CATALOGUE) == set(Mistake)
    priorities = [e.priority for e in CATALOGUE.values()]
    assert len(set(priorities)) == len(priorities)
    assert CATALOGUE[Mistake.MISSING_1_OVER_M].formula == dg.FORMULAS["linear_backward"]


def test_ids_are_the_json_strings() -> None:
    import json

    assert json.dumps({"mistake": Mistake.WRONG_DAL}) == '{"mistake": "wrong_dAL"}'
    assert f"{Mistake.SIGN_FLIP}" == str(Mistake.SIGN_FLIP) == "sign_flip"
    assert Mistake("missing_1_over_m") is Mistake.MISSING_1_OVER_M


def _mutants_by_step() -> dict[str, list[dg.Mutant]]:
    """Every ``<step>_mutants`` builder of nncheck.diagnose, run on small inputs."""
    rng = np.random.default_rng(0)
    params = ref.initialize_parameters([3, 4, 4, 1], method="he", seed=1)
    X, Y = rng.standard_normal((3, 5)), (rng.random((1, 5)) > 0.5).astype(float)
    W, b, A_prev = params["W1"], params["b1"], X
    dZ = rng.standard_normal((4, 5))
    AL = rng.uniform(0.1, 0.9, (1, 5))
    grads = {k: v for k, v in ref.model_gradients(params, X, Y).items() if k[1] in "Wb"}
    acts, hidden = ("sigmoid", "relu", "tanh"), ("relu", "tanh")
    return {
        "activation_forward": [m for g in acts for m in dg.activation_forward_mutants(dZ, g)],
        "activation_backward": [m for g in acts for m in dg.activation_backward_mutants(dZ, dZ, g)],
        "linear_activation_backward": [
            m for g in acts for m in dg.linear_activation_backward_mutants(dZ, A_prev, W, b, g)
        ],
        "linear_activation_forward": [
            m for g in acts for m in dg.linear_activation_forward_mutants(A_prev, W, b, g)
        ],
        "linear_backward": dg.linear_backward_mutants(dZ, A_prev, W),
        "linear_forward": dg.linear_forward_mutants(A_prev, W, b),
        "model_forward": [m for g in hidden for m in dg.model_forward_mutants(X, params, g)],
        "model_forward_skip": dg.model_forward_skip_mutants(X, params),
        "model_backward": [m for g in hidden for m in dg.model_backward_mutants(X, Y, params, g)],
        "cost": dg.cost_mutants(AL, Y),
        "update": dg.update_mutants(params, grads, 0.1),
        "logistic_propagate": dg.logistic_propagate_mutants(rng.standard_normal((3, 1)), 0.5, X, Y),
        "checker": dg.checker_mutants(
            np.arange(1.0, 5.0),
            {"right": np.arange(1.0, 5.0), "doubled": np.arange(2.0, 10.0, 2)},
            0.3,
        ),
    }


def test_every_builder_is_run_here() -> None:
    builders = {n.removesuffix("_mutants") for n in dg.__all__ if n.endswith("_mutants")}
    assert builders == set(_mutants_by_step())


def test_the_catalogue_says_where_each_mistake_is_injected() -> None:
    injected: dict[Mistake, set[str]] = {}
    for step, mutants in _mutants_by_step().items():
        for diagnosis, thunk in mutants:
            assert isinstance(diagnosis.mistake, Mistake)
            injected.setdefault(diagnosis.mistake, set()).add(step)
            try:
                outs = thunk()
            except ValueError:  # W for Wᵀ cannot run on a non-square W: no match, as in matching
                continue
            assert outs and all(np.all(np.isfinite(np.asarray(v))) for v in outs.values())
    for mistake, entry in CATALOGUE.items():
        assert set(entry.injected_in) == injected.get(mistake, set()), mistake


def test_the_faulty_reference_without_a_fault_is_the_reference() -> None:
    rng = np.random.default_rng(3)
    params = ref.initialize_parameters([3, 5, 2, 1], method="he", seed=4)
    X, Y = rng.standard_normal((3, 7)), (rng.random((1, 7)) > 0.5).astype(float)
    for hidden in ("relu", "tanh"):
        mine = _faulty.model_backward(X, Y, params, hidden)
        right = ref.model_gradients(params, X, Y, hidden)
        for key, value in mine.items():
            np.testing.assert_allclose(value, right[key], rtol=1e-12, atol=1e-15)
        AL, _ = _faulty.forward(X, params, [hidden, hidden, "sigmoid"])
        np.testing.assert_allclose(AL, ref.model_forward(X, params, hidden)[0], rtol=1e-12)


def _constant(outputs: dict[str, Any]) -> Any:
    return lambda: outputs


def test_priority_decides_between_two_matching_mutants_not_list_order() -> None:
    expected = {"db": np.array([[1.0], [2.0]])}
    actual = {"db": np.array([[-1.0], [-2.0]])}
    late_but_preferred = (dg.Diagnosis(Mistake.SIGN_FLIP, "sign"), _constant(actual))
    early = (dg.Diagnosis(Mistake.WRONG_ACTIVATION_DERIVATIVE, "derivative"), _constant(actual))
    assert CATALOGUE[Mistake.SIGN_FLIP].priority < CATALOGUE[Mistake.WRONG_ACTIVATION].priority
    for order in ([early, late_but_preferred], [late_but_preferred, early]):
        found = dg.match_mistake(expected, actual, order)
        assert found is not None and found.mistake is Mistake.SIGN_FLIP


def test_exact_shapes_still_win_over_priority() -> None:
    expected = {"db": np.array([[3.0]])}
    actual = {"db": np.float64(-3.0)}
    value_only = (dg.Diagnosis(Mistake.SIGN_FLIP, "sign"), _constant({"db": np.array([[-3.0]])}))
    exact = (dg.Diagnosis(Mistake.WRONG_SUM_AXIS, "axis"), _constant({"db": np.float64(-3.0)}))
    found = dg.match_mistake(expected, actual, [value_only, exact])
    assert found is not None and found.mistake is Mistake.WRONG_SUM_AXIS


@pytest.mark.parametrize(
    ("factor", "mistake"),
    [
        (5.0, Mistake.MISSING_1_OVER_M),
        (0.2, Mistake.EXTRA_1_OVER_M),
        (-5.0, Mistake.SIGN_FLIP),
        (-1.0, Mistake.SIGN_FLIP),
    ],
)
def test_gradcheck_hints_and_diagnose_name_a_factor_alike(factor: float, mistake: Mistake) -> None:
    m = 5
    right = np.arange(1.0, 7.0).reshape(2, 3)
    found = dg.explain("dW", right, factor * right, m=m)
    assert found is not None and found.mistake is mistake
    assert ratio_hint(factor, m)  # gradcheck words the same factor
    assert factor_mistake(factor, m, GRADCHECK_RTOL) == factor_mistake(factor, m, REPLAY_RTOL)


def test_the_tolerances_differ_only_where_finite_differences_need_it() -> None:
    m = 4
    noisy = m * (1 + 1e-4)  # a finite difference's error, not a different factor
    assert factor_mistake(noisy, m, GRADCHECK_RTOL) == ("m", Mistake.MISSING_1_OVER_M)
    assert factor_mistake(noisy, m, REPLAY_RTOL) is None
    assert ratio_hint(noisy, m) == "that is m = 4: is the 1/m missing?"
    assert factor_mistake(1.0, m, GRADCHECK_RTOL) is None
    assert ratio_hint(3.0, m) == ""


def test_a_findings_json_carries_the_plain_string() -> None:
    # plain str, not the enum: pytest-xdist's execnet serialises only builtin types
    from nncheck.conformance import Finding

    data = Finding("f", "values", "fail", "m", mistake=Mistake.WRONG_M).to_dict()
    assert type(data["mistake"]) is str and data["mistake"] == "wrong_m"
