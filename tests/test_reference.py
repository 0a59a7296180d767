"""The numpy reference on its own: stability, domain errors, shape errors, init and symmetry."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import nncheck.reference as R
import nncheck.specs as S


@pytest.fixture
def strict_numpy():
    """Every numpy warning and floating-point error becomes an exception."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


# --- sigmoid stability -------------------------------------------------------------------------


@pytest.mark.usefixtures("strict_numpy")
def test_sigmoid_is_stable_and_exact_in_the_limits():
    z = np.array([[-1e4, -1e3, -800.0, -40.0, 0.0, 40.0, 800.0, 1e3, 1e4]])
    s = R.sigmoid(z)
    assert s[0, 0] == 0.0 and s[0, -1] == 1.0
    assert s[0, 4] == 0.5
    assert np.all((s >= 0) & (s <= 1))
    # σ(−z) = 1 − σ(z) where both sides are representable
    mid = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(R.sigmoid(-mid), 1 - R.sigmoid(mid), rtol=1e-12, atol=1e-15)
    # tiny tail values keep their precision instead of rounding to 0: σ(−700) ≈ e^−700
    assert R.sigmoid(np.array(-700.0)) == pytest.approx(np.exp(-700.0), rel=1e-12)
    d = R.sigmoid_derivative(z)
    assert d[0, 0] == 0.0 and d[0, -1] == 0.0 and d[0, 4] == 0.25


@pytest.mark.usefixtures("strict_numpy")
def test_other_activations_have_no_warnings_at_extremes():
    z = np.array([-1e4, -1.0, 0.0, 1.0, 1e4])
    np.testing.assert_array_equal(R.tanh(z)[[0, -1]], [-1.0, 1.0])
    np.testing.assert_array_equal(R.relu(z), [0, 0, 0, 1, 1e4])
    np.testing.assert_array_equal(R.leaky_relu(z), [-100.0, -0.01, 0, 1, 1e4])
    np.testing.assert_array_equal(R.relu_derivative(z), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(R.leaky_relu_derivative(z, 0.2), [0.2, 0.2, 0.2, 1, 1])


@pytest.mark.usefixtures("strict_numpy")
def test_costs_from_logits_stay_finite():
    Z = np.array([[-1e4, 1e4, 0.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    per_example = R.cross_entropy_from_logits(Z, Y)
    np.testing.assert_allclose(per_example, [[1e4, 1e4, np.log(2)]])
    w = np.array([[1e4], [0.0]])
    X = np.array([[-1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    J, dw, db = R.logistic_propagate(w, 0.0, X, Y)
    assert J == pytest.approx((1e4 + 1e4 + np.log(2)) / 3)
    assert np.all(np.isfinite(dw)) and np.isfinite(db)


# --- losses: domain ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, np.nan])
@pytest.mark.parametrize(
    "f", [R.cross_entropy_loss, R.cross_entropy_derivative], ids=["loss", "derivative"]
)
def test_cross_entropy_outside_open_unit_interval_raises(f, bad):
    y_hat = np.array([[0.3, bad, 0.7]])
    with pytest.raises(R.DomainError) as info:
        f(y_hat, np.array([[1.0, 0.0, 1.0]]))
    msg = str(info.value)
    assert "y_hat[0, 1]" in msg and "(0, 1)" in msg and repr(float(bad)) in msg


def test_cost_is_a_float_divided_by_m_examples():
    Y_hat = np.array([[0.2, 0.9, 0.5, 0.6]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    J = R.cost(Y_hat, Y)
    assert type(J) is float
    expected = -np.mean(Y * np.log(Y_hat) + (1 - Y) * np.log(1 - Y_hat))
    assert J == pytest.approx(expected, rel=1e-14)
    assert R.cost(Y_hat, Y, "squared") == pytest.approx(np.mean(0.5 * (Y_hat - Y) ** 2))
    # two output units: their losses add, the mean is over the m = 4 examples, not 8 entries
    two = np.vstack([Y_hat, Y_hat])
    assert R.cost(two, np.vstack([Y, Y])) == pytest.approx(2 * expected, rel=1e-14)


def test_cost_rejects_mismatched_shapes_and_no_examples():
    with pytest.raises(ValueError, match=r"y_hat has shape \(1, 3\) but y has shape \(3, 1\)"):
        R.cost(np.full((1, 3), 0.5), np.ones((3, 1)))
    with pytest.raises(ValueError, match="zero examples"):
        R.cost(np.ones((1, 0)), np.ones((1, 0)))
    with pytest.raises(ValueError, match="unknown loss"):
        R.loss(0.5, 1.0, "hinge")  # type: ignore[arg-type]


# --- shape errors ------------------------------------------------------------------------------


def _params(*shapes):
    p = {}
    for l, (w, b) in enumerate(shapes, start=1):
        p[f"W{l}"] = np.ones(w)
        p[f"b{l}"] = np.zeros(b)
    return p


def test_rank1_bias_message_names_array_rule_and_fix():
    params = _params(((4, 2), (4, 1)), ((3, 4), (3,)), ((1, 3), (1, 1)))
    with pytest.raises(R.ShapeError) as info:
        R.layer_dims_from_params(params)
    assert str(info.value) == (
        "b2 has shape (3,): a rank-1 array; the rule b[l]: (n[l], 1) needs (3, 1) — "
        "create it with np.zeros((3, 1)) or reshape with b2.reshape(3, 1)"
    )
    assert (info.value.name, info.value.shape, info.value.expected) == ("b2", (3,), (3, 1))


@pytest.mark.parametrize(
    ("shapes", "name", "got", "need"),
    [
        ((((2, 4), (4, 1)), ((1, 4), (1, 1))), "W1", (2, 4), (4, 2)),
        ((((4, 2), (4, 1)), ((4, 3), (3, 1)), ((1, 3), (1, 1))), "W2", (4, 3), (3, 4)),
        ((((4, 2), (4, 1)), ((4, 3), (3,)), ((1, 3), (1, 1))), "W2", (4, 3), (3, 4)),
    ],
)
def test_transposed_weight_is_named_as_transposed(shapes, name, got, need):
    with pytest.raises(R.ShapeError) as info:
        R.layer_dims_from_params(_params(*shapes))
    msg = str(info.value)
    assert msg.startswith(f"{name} has shape {got}: the transpose of what the rule needs")
    assert f"needs {need}" in msg and f"use {name}.T" in msg


def test_rank1_weight_fix_is_reshape_not_zeros():
    with pytest.raises(R.ShapeError) as info:
        R.layer_dims_from_params(_params(((4, 2), (4, 1)), ((4,), (1, 1))))
    msg = str(info.value)
    assert "W2 has shape (4,): a rank-1 array" in msg and "needs (1, 4)" in msg
    assert "W2.reshape(1, 4)" in msg and "np.zeros" not in msg


def test_parameter_key_errors():
    with pytest.raises(ValueError, match="no weight matrices"):
        R.layer_dims_from_params({"b1": np.zeros((1, 1))})
    with pytest.raises(ValueError, match="without gaps; got W1, W3"):
        gap = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
        R.layer_dims_from_params(gap | {"W3": np.ones((1, 2)), "b3": np.zeros((1, 1))})
    with pytest.raises(ValueError, match=r"missing bias keys \['b2'\]"):
        R.layer_dims_from_params(
            {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1)), "W2": np.ones((1, 2))}
        )
    with pytest.raises(TypeError, match="must be a numpy array"):
        R.check_shape("b1", [[0.0]], (1, 1), R.RULES["b"])


def test_gradient_shapes_are_checked_by_name():
    dims, m = [3, 2, 1], 4
    grads = {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1)), "dW2": np.ones((1, 2))}
    with pytest.raises(ValueError, match=r"grads are missing \['db2'\]"):
        R.check_gradients_shapes(grads, dims, m)
    grads["db2"] = np.ones((1, 1))
    R.check_gradients_shapes(grads, dims, m)
    with pytest.raises(R.ShapeError, match=r"dA1 has shape \(4, 2\): the transpose"):
        R.check_gradients_shapes(grads | {"dA1": np.ones((4, 2))}, dims, m)
    with pytest.raises(R.ShapeError, match=r"db1 has shape \(2,\): a rank-1 array"):
        R.check_gradients_shapes(grads | {"db1": np.ones(2)}, dims, m)


def test_layer_functions_refuse_shapes_numpy_would_broadcast():
    rng = np.random.default_rng(0)
    W, A = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    # a rank-1 b broadcasts along rows when n[l] = m: numpy gives a wrong Z without complaint
    with pytest.raises(R.ShapeError, match=r"b has shape \(3,\): a rank-1 array"):
        R.linear_forward(A, W, np.zeros(3))
    with pytest.raises(R.ShapeError, match=r"b has shape \(1, 3\): the transpose"):
        R.linear_forward(A, W, np.zeros((1, 3)))
    with pytest.raises(R.ShapeError, match=r"W has shape \(2, 4\): the transpose"):
        R.linear_forward(rng.standard_normal((2, 5)), np.ones((2, 4)), np.zeros((4, 1)))
    with pytest.raises(R.ShapeError, match=r"dZ has shape \(3, 2\)"):
        R.linear_backward(np.ones((3, 2)), A, W)
    with pytest.raises(R.ShapeError, match=r"dA has shape \(3, 2\)"):
        R.activation_backward(np.ones((3, 2)), np.ones((2, 3)), "relu")


def test_labels_must_match_the_output():
    params = R.initialize_parameters([2, 1], seed=0)
    X = np.ones((2, 4))
    with pytest.raises(R.ShapeError, match=r"Y has shape \(4, 1\): the transpose"):
        R.model_cost(params, X, np.ones((4, 1)))
    with pytest.raises(R.ShapeError, match=r"Y has shape \(1, 3\)"):
        R.model_gradients(params, X, np.ones((1, 3)))
    # rank-1 labels are accepted and mean the same examples
    Y = np.array([1.0, 0.0, 1.0, 1.0])
    assert R.model_cost(params, X, Y) == R.model_cost(params, X, Y.reshape(1, 4))
    with pytest.raises(ValueError, match="single bias b"):
        R.logistic_propagate(np.zeros((2, 1)), np.zeros((2, 1)), X, Y)
    assert R.logistic_propagate(np.zeros((2, 1)), np.zeros((1, 1)), X, Y)[0] == pytest.approx(
        np.log(2)
    )


# --- initialisation ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["small", "he", "xavier", "zeros"])
def test_initialisation_follows_the_rules(method):
    dims = [5, 4, 3, 1]
    p = R.initialize_parameters(dims, method, seed=3)
    assert R.layer_dims_from_params(p) == dims
    for l in range(1, 4):
        assert p[f"W{l}"].shape == (dims[l], dims[l - 1])
        np.testing.assert_array_equal(p[f"b{l}"], np.zeros((dims[l], 1)))
    assert R.breaks_symmetry(p) == (method != "zeros")
    again = R.initialize_parameters(dims, method, seed=3)
    for k in p:
        np.testing.assert_array_equal(p[k], again[k])


@pytest.mark.parametrize("method", ["small", "he", "xavier", "zeros"])
def test_initialisation_scales_match_the_spec(method):
    spec = S.get_spec("initialization")
    assert isinstance(spec, S.InitializationSpec)
    W = R.initialize_parameters([400, 300], method, seed=1)["W1"]
    # 120 000 standard normals: the sample std is within 1% of the scale with overwhelming odds
    assert W.std() == pytest.approx(spec.scale(method, 400), rel=0.01, abs=0.0)


def test_initialisation_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least"):
        R.initialize_parameters([3])
    with pytest.raises(ValueError, match="at least 1"):
        R.initialize_parameters([3, 0, 1])
    with pytest.raises(ValueError, match="unknown init method"):
        R.initialize_parameters([3, 1], "uniform")  # type: ignore[arg-type]


def test_symmetric_units_counts_the_bias_and_the_outgoing_weights():
    W, W2 = np.ones((3, 2)), np.ones((1, 3))
    zeros = np.zeros((3, 1))
    assert R.symmetric_units({"W1": W, "b1": zeros, "W2": W2}) == [(1, 0, 1), (1, 0, 2), (1, 1, 2)]
    assert R.breaks_symmetry({"W1": W, "b1": np.array([[0.0], [1.0], [2.0]]), "W2": W2})
    b1 = np.array([[0.0], [1.0], [0.0]])
    assert R.symmetric_units({"W1": W, "b1": b1, "W2": W2}) == [(1, 0, 2)]
    assert R.symmetric_units({"W1": W, "b1": zeros, "W2": np.array([[1.0, 2.0, 1.0]])}) == [
        (1, 0, 2)
    ]
    assert R.symmetric_units({"W1": W, "b1": zeros}) == []  # output units: different labels


# --- the symmetry argument of the notes, on the reference ---------------------------------------


def _train(params, X, Y, hidden, steps=8, lr=0.5):
    history = []
    for _ in range(steps):
        grads = R.model_gradients(params, X, Y, hidden)
        params = R.update_parameters(params, grads, lr)
        _, caches = R.model_forward(X, params, hidden)
        history.append(R.activation_forward(caches[0].Z, hidden))
    return params, history


@pytest.mark.parametrize("hidden", R.HIDDEN_ACTIVATIONS)
def test_equal_rows_stay_equal_through_gradient_descent(hidden):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    row = rng.standard_normal((1, 3))
    sym = {
        "W1": np.repeat(row, 4, axis=0),  # four hidden units with equal incoming weights
        "b1": np.full((4, 1), 0.1),
        "W2": np.full((1, 4), 0.3),  # and equal outgoing weights
        "b2": np.zeros((1, 1)),
    }
    assert not R.breaks_symmetry(sym)
    params, history = _train(sym, X, Y, hidden)
    moved = not np.allclose(params["W1"], sym["W1"])
    assert moved, "gradient descent did not change W1: the test would prove nothing"
    for A1 in history:
        np.testing.assert_array_equal(A1, np.repeat(A1[:1], 4, axis=0))
    assert not R.breaks_symmetry(params)

    rand = R.initialize_parameters([3, 4, 1], "he", seed=11)
    rand_params, rand_history = _train(rand, X, Y, hidden)
    assert R.breaks_symmetry(rand_params)
    A1 = rand_history[-1]
    assert all(not np.allclose(A1[i], A1[j]) for i in range(4) for j in range(i + 1, 4))


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("differs", ["b1", "W2"])
def test_equal_rows_that_differ_in_bias_or_outgoing_weights_drift_apart(hidden, differs):
    # The three copies of the symmetry rule disagreed on equal W rows with different b. The
    # derivation (reference.symmetric_units): a different b gives a different Z, a different
    # outgoing column a different dA, so dW's rows differ after one step — the units are not
    # interchangeable. The notes agree: b may be zero "so long as W is initialized randomly"
    # (course 1, week 3, "Random Initialization"). Shown here on the reference.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    params = {
        "W1": np.repeat(rng.standard_normal((1, 3)), 2, axis=0),  # equal rows
        "b1": np.array([[0.2], [-0.3]]) if differs == "b1" else np.full((2, 1), 0.1),
        "W2": np.array([[0.4, -0.5]]) if differs == "W2" else np.full((1, 2), 0.3),
        "b2": np.zeros((1, 1)),
    }
    assert R.breaks_symmetry(params)
    grads = R.model_gradients(params, X, Y, hidden)
    assert not np.allclose(grads["dW1"][0], grads["dW1"][1])
    trained, _ = _train(params, X, Y, hidden, steps=1)
    assert not np.allclose(trained["W1"][0], trained["W1"][1])


def test_zero_initialisation_never_breaks_symmetry():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((2, 5))
    Y = (rng.random((1, 5)) > 0.5).astype(float)
    params, history = _train(R.initialize_parameters([2, 3, 1], "zeros"), X, Y, "tanh")
    assert not R.breaks_symmetry(params)
    assert np.ptp(history[-1], axis=0).max() == 0.0


# --- purity and the rest -----------------------------------------------------------------------


def test_reference_never_mutates_its_inputs():
    rng = np.random.default_rng(5)
    params = R.initialize_parameters([3, 4, 2], "he", seed=5)
    X = rng.standard_normal((3, 4))
    Y = (rng.random((2, 4)) > 0.5).astype(float)
    before = {k: v.copy() for k, v in params.items()}
    X0, Y0 = X.copy(), Y.copy()
    grads = R.model_gradients(params, X, Y, "leaky_relu")
    g0 = {k: v.copy() for k, v in grads.items()}
    new = R.update_parameters(params, grads, 0.1)
    R.predict(params, X)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        np.testing.assert_array_equal(grads["d" + k], g0["d" + k])
        assert not np.shares_memory(new[k], params[k])
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_update_direction_and_missing_gradient():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    grads = {"dW1": np.array([[1.0, -1.0]]), "db1": np.array([[2.0]])}
    new = R.update_parameters(params, grads, 0.1)
    np.testing.assert_allclose(new["W1"], [[0.9, 2.1]])
    np.testing.assert_allclose(new["b1"], [[0.3]])
    with pytest.raises(KeyError, match=re.escape("grads has no 'db1'")):
        R.update_parameters(params, {"dW1": grads["dW1"]}, 0.1)


def test_predict_thresholds_at_one_half():
    params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    X = np.array([[-2.0, -1e-9, 1e-9, 2.0]])
    np.testing.assert_array_equal(R.predict(params, X), [[0, 0, 1, 1]])
    np.testing.assert_array_equal(R.logistic_predict(np.array([[1.0]]), 0.0, X), [[0, 0, 1, 1]])


def test_unknown_names_are_explained():
    with pytest.raises(ValueError, match="unknown activation 'softplus'; expected one of"):
        R.get_activation("softplus")
    with pytest.raises(ValueError, match="unknown hidden activation"):
        R.model_forward(np.ones((1, 1)), {"W1": np.ones((1, 1)), "b1": np.ones((1, 1))}, "elu")
    with pytest.raises(TypeError, match="real numeric array"):
        R.sigmoid(np.array(["a"]))


def test_public_names_are_the_ones_we_mean():
    expected = {
        # the formulas
        "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
        "leaky_relu", "leaky_relu_derivative", "get_activation", "squared_loss",
        "squared_loss_derivative", "cross_entropy_loss", "cross_entropy_derivative",
        "cross_entropy_from_logits", "loss", "loss_derivative", "cost", "num_examples",
        "linear_forward", "linear_backward", "activation_forward", "activation_backward",
        "logistic_forward", "logistic_cost", "logistic_propagate", "logistic_predict",
        "model_forward", "model_backward", "model_cost", "model_gradients", "output_gradient",
        "predict", "update_parameters", "gradient_descent_step", "initialize_parameters",
        "breaks_symmetry", "symmetric_units", "equal_row_pairs",
        # the dimension rules
        "RULES", "ShapeError", "check_shape", "check_parameters", "check_gradients_shapes",
        "expected_shapes", "layer_dims_from_params", "labels_like", "shape_message",
        # names and types
        "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "LEAKY_SLOPE", "Activation", "DomainError",
        "FloatArray", "Grads", "Params", "InitMethod", "LayerCache", "LossName",
    }  # fmt: skip
    assert set(R.__all__) == expected
    assert all(hasattr(R, name) for name in R.__all__)
    assert issubclass(R.ShapeError, ValueError) and issubclass(R.DomainError, ValueError)
