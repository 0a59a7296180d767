"""Bug fingerprints: each replayed mistake is recognised, and nothing is named for right numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nncheck import diagnose as dg
from nncheck.reference import linear_backward, model_gradients


@pytest.fixture
def layer() -> tuple[Any, Any, Any]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 7)), rng.standard_normal((4, 7)), rng.standard_normal((3, 4))


def test_explain_names_the_factor_m() -> None:
    e = np.arange(1.0, 7.0).reshape(2, 3)
    d = dg.explain("db", e, 7 * e, m=7)
    assert d is not None and d.mistake == "missing_1_over_m"
    assert "m = 7 times too large" in d.message
    d = dg.explain("db", e, e / 7, m=7)
    assert d is not None and d.mistake == "extra_1_over_m"
    d = dg.explain("dW", e, -e, m=7)
    assert d is not None and d.mistake == "sign_flip"
    d = dg.explain("dW", e, 2 * e, m=7)
    assert d is not None and d.mistake == "scaled" and "2 times" in d.message


def test_explain_shapes() -> None:
    e = np.arange(1.0, 7.0).reshape(3, 2)
    d = dg.explain("dW", e, e.T.copy(), m=5)
    assert d is not None and d.mistake == "transposed_product"
    d = dg.explain("db", e[:, :1], e[:, 0].copy(), m=5)
    assert d is not None and d.mistake == "lost_keepdims"


def test_explain_says_nothing_for_unrelated_or_equal_numbers() -> None:
    rng = np.random.default_rng(1)
    e = rng.standard_normal((3, 4))
    assert dg.explain("dW", e, rng.standard_normal((3, 4)), m=4) is None
    assert dg.explain("dW", e, e.copy(), m=4) is None


def test_every_linear_backward_mistake_is_recognised(layer: tuple[Any, Any, Any]) -> None:
    dZ, A_prev, W = layer
    expected = dict(zip(("dA_prev", "dW", "db"), linear_backward(dZ, A_prev, W), strict=True))
    mutants = dg.linear_backward_mutants(dZ, A_prev, W)
    assert len(mutants) >= 10
    replayed = 0
    for diagnosis, thunk in mutants:
        try:
            outputs = thunk()
        except ValueError:  # e.g. W·dZ instead of Wᵀ·dZ cannot run on a non-square W
            continue
        replayed += 1
        actual = {**expected, **outputs}
        found = dg.match_mistake(expected, actual, mutants)
        assert found is not None, diagnosis
        assert found.mistake == diagnosis.mistake, (diagnosis, found)
    assert replayed >= 10


def test_right_numbers_match_no_mistake(layer: tuple[Any, Any, Any]) -> None:
    dZ, A_prev, W = layer
    expected = dict(zip(("dA_prev", "dW", "db"), linear_backward(dZ, A_prev, W), strict=True))
    assert (
        dg.match_mistake(expected, dict(expected), dg.linear_backward_mutants(dZ, A_prev, W))
        is None
    )


def test_indistinguishable_mistake_is_not_named() -> None:
    # ReLU'(A) equals ReLU'(Z) (A > 0 exactly where Z > 0): "derivative at A" must not match
    rng = np.random.default_rng(2)
    Z, dA = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    right = {"dZ": dA * (Z > 0)}
    found = dg.match_mistake(right, dict(right), dg.activation_backward_mutants(dA, Z, "relu"))
    assert found is None


def test_tanh_one_minus_a_is_named() -> None:
    rng = np.random.default_rng(3)
    Z, dA = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    right = {"dZ": dA * (1 - np.tanh(Z) ** 2)}
    wrong = {"dZ": dA * (1 - np.tanh(Z))}
    found = dg.match_mistake(right, wrong, dg.activation_backward_mutants(dA, Z, "tanh"))
    assert found is not None and found.mistake == "wrong_activation_derivative"
    assert "1 − a²" in found.message


def test_model_backward_mistake_in_one_layer_is_named() -> None:
    rng = np.random.default_rng(4)
    dims = [4, 5, 3, 1]
    X = rng.standard_normal((4, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    params = {}
    for l in range(1, 4):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1]))
        params[f"b{l}"] = rng.standard_normal((dims[l], 1))
    right = {k: v for k, v in model_gradients(params, X, Y, "relu").items() if k[:2] != "dA"}
    mutants = dg.model_backward_mutants(X, Y, params, "relu")
    missing = next(
        t for d, t in mutants if d.mistake == "missing_1_over_m" and "dW and db" in d.message
    )
    wrong = {k: v for k, v in missing().items() if k in right}
    found = dg.match_mistake(right, wrong, mutants)
    assert found is not None and found.mistake == "missing_1_over_m"
    assert "m = 6" in found.message


def test_cost_mistakes() -> None:
    AL = np.array([[0.2, 0.7, 0.9, 0.4]])
    Y = np.array([[0.0, 1.0, 1.0, 1.0]])
    right = {"cost": float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))}
    mutants = dg.cost_mutants(AL, Y)
    assert (
        dg.match_mistake(right, {"cost": -np.mean(Y * np.log(AL))}, mutants).mistake
        == "missing_term"
    )  # type: ignore[union-attr]
    assert (
        dg.match_mistake(right, {"cost": 4 * right["cost"]}, mutants).mistake == "missing_1_over_m"
    )  # type: ignore[union-attr]


def test_update_mistakes() -> None:
    params = {
        "W1": np.ones((2, 2)),
        "b1": np.zeros((2, 1)),
        "W2": np.ones((1, 2)),
        "b2": np.zeros((1, 1)),
    }
    grads = {"d" + k: np.full_like(v, 0.5) for k, v in params.items()}
    right = {k: v - 0.1 * grads["d" + k] for k, v in params.items()}
    mutants = dg.update_mutants(params, grads, 0.1)
    plus = {k: v + 0.1 * grads["d" + k] for k, v in params.items()}
    assert dg.match_mistake(right, plus, mutants).mistake == "update_wrong_sign"  # type: ignore[union-attr]
    skipped = {**right, "W2": params["W2"], "b2": params["b2"]}
    found = dg.match_mistake(right, skipped, mutants)
    assert found is not None and found.mistake == "layer_skipped" and "layer 2" in found.message


def test_init_diagnosis() -> None:
    out = {"W2": np.full((1, 3), 0.5)}  # equal outgoing weights
    zero = dg.init_diagnosis({"W1": np.zeros((3, 2)), **out})
    assert zero is not None and zero.mistake == "zero_init" and "forever" in zero.message
    rows = np.ones((3, 1)) @ np.array([[0.1, -0.2]])
    same = dg.init_diagnosis({"W1": rows, **out})
    assert same is not None and same.mistake == "identical_rows" and "rows 0 and 1" in same.message
    assert "stay identical forever" in same.message
    random = np.random.default_rng(0).standard_normal((3, 2))
    assert dg.init_diagnosis({"W1": random, **out}) is None
    # equal rows with different b break the notes' rule but training separates the units: the
    # words must not say "forever" (the reference's rule, tests/test_reference.py trains it)
    b1 = np.array([[0.0], [1.0], [2.0]])
    apart = dg.init_diagnosis({"W1": rows, "b1": b1, **out})
    assert apart is not None and apart.mistake == "identical_rows"
    assert "forever" not in apart.message and "start identical" in apart.message
    # a single-row output layer cannot break symmetry and is not blamed
    assert dg.init_diagnosis({"W2": np.zeros((1, 3))}) is None


def test_diagnosis_quotes_a_formula() -> None:
    dZ = np.ones((2, 3))
    d, _ = dg.linear_backward_mutants(dZ, np.ones((4, 3)), np.ones((2, 4)))[0]
    assert d.formula is not None and "dW[l]" in d.formula
    assert d.formula in str(d)


def test_quoted_formulas_are_the_specs_formulas() -> None:
    specs = pytest.importorskip("nncheck.specs")
    for key, text in dg.SPEC_FORMULAS.items():
        name, _, part = key.partition(".")
        spec = specs.get_spec(name)
        assert (spec.derivative_formula if part == "derivative" else spec.formula) == text, key
    for op, text in dg.FORMULAS.items():
        assert dg.formula(op) == text
        assert any(t in text for t in dg.SPEC_FORMULAS.values()), op


def test_one_number_is_never_called_a_constant_factor() -> None:
    # any two numbers differ by "a factor": a size-1 output shows no constant factor
    assert dg.explain("db3", np.array([[0.4]]), np.array([[0.4 * 1.82]]), m=7) is None
    assert dg.explain("cost", 0.69, 0.69 * 4.54, m=5) is None
    # the factors that name a cause (m, 1/m, −1) are still named on one number
    d = dg.explain("db3", np.array([[0.4]]), np.array([[0.4 * 7]]), m=7)
    assert d is not None and d.mistake == "missing_1_over_m"


def test_a_cost_summed_over_an_outer_product_is_named() -> None:
    rng = np.random.default_rng(1)
    AL = rng.uniform(0.1, 0.9, (1, 5))
    Y = (rng.uniform(size=(1, 5)) > 0.5).astype(float)
    got = -float(np.sum(np.dot(Y.T, np.log(AL)) + np.dot((1 - Y).T, np.log(1 - AL)))) / 5
    right = -float(np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))
    d = dg.match_mistake({"cost": right}, {"cost": got}, dg.cost_mutants(AL, Y))
    assert d is not None and d.mistake == "outer_product", d


def test_leaky_relu_and_a_sigmoid_backward_taking_the_cache_for_s_are_named() -> None:
    Z = np.array([[-1.5, 0.5, 2.0], [0.3, -0.2, -3.0]])
    d = dg.match_mistake(
        {"A": np.maximum(Z, 0)},
        {"A": np.maximum(Z, 0.01 * Z)},
        dg.activation_forward_mutants(Z, "relu"),
    )
    assert d is not None and d.mistake == "wrong_activation" and "leaky" in d.message
    dA = np.ones_like(Z)
    s = 1 / (1 + np.exp(-Z))
    d = dg.match_mistake(
        {"dZ": dA * s * (1 - s)},
        {"dZ": dA * Z * (1 - Z)},
        dg.activation_backward_mutants(dA, Z, "sigmoid"),
    )
    assert d is not None and d.mistake == "wrong_activation_derivative" and "s = cache" in d.message


def test_a_mutant_with_the_persons_exact_shape_wins_over_a_value_only_match() -> None:
    # m = 1: np.sum(dZ, axis=0, keepdims=True) and np.sum(dZ) are the same number, but only the
    # second has the shape () the person's db has
    rng = np.random.default_rng(2)
    dZ, A_prev, W = (
        rng.standard_normal((3, 1)),
        rng.standard_normal((4, 1)),
        rng.standard_normal((3, 4)),
    )
    dA_prev, dW, db = linear_backward(dZ, A_prev, W)
    d = dg.match_mistake(
        {"dA_prev": dA_prev, "dW": dW, "db": db},
        {"dA_prev": dA_prev, "dW": dW, "db": np.sum(dZ) / 1},
        dg.linear_backward_mutants(dZ, A_prev, W),
    )
    assert d is not None and d.mistake == "wrong_sum_axis" and "no axis" in d.message, d
