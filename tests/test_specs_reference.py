"""The numpy reference held against the SymPy specs (lambdified) and finite differences.

Shapes follow the dimension rules and are drawn by Hypothesis with the cases that hide bugs
pinned by ``@example``: unequal widths, one example (m = 1), and n[l] = m (where a transposed
or rank-1 array can broadcast silently).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nncheck.reference as R
import nncheck.specs as S

SETTINGS = settings(max_examples=30, deadline=None)
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu"]
DERIVATIVES = {
    "sigmoid": R.sigmoid_derivative,
    "tanh": R.tanh_derivative,
    "relu": R.relu_derivative,
    "leaky_relu": R.leaky_relu_derivative,
}
FORWARD = {"sigmoid": R.sigmoid, "tanh": R.tanh, "relu": R.relu, "leaky_relu": R.leaky_relu}

width = st.integers(1, 5)
examples_ = st.integers(1, 6)


@st.composite
def layer(draw):
    """(n_l, n_prev, m), sometimes forced to n_l = m or m = 1."""
    n_l, n_prev, m = draw(width), draw(width), draw(examples_)
    kind = draw(st.sampled_from(["free", "m=1", "n_l=m", "n_prev=m"]))
    if kind == "m=1":
        m = 1
    elif kind == "n_l=m":
        m = n_l
    elif kind == "n_prev=m":
        m = n_prev
    return n_l, n_prev, m


def values(shape, lo=-4.0, hi=4.0):
    return hnp.arrays(
        np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_subnormal=False)
    )


@st.composite
def layer_arrays(draw):
    n_l, n_prev, m = draw(layer())
    return (
        draw(values((n_prev, m))),
        draw(values((n_l, n_prev), -2, 2)),
        draw(values((n_l, 1), -2, 2)),
        draw(values((n_l, m))),
    )


def close(a, b, rtol=1e-12, atol=1e-14):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# --- elementwise: activations ------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTS)
@SETTINGS
@given(data=st.data())
def test_activation_equals_lambdified_spec(name, data):
    n_l, _, m = data.draw(layer())
    Z = data.draw(values((n_l, m), -30, 30))
    spec = S.get_spec(name)
    assert isinstance(spec, S.ScalarSpec)
    close(FORWARD[name](Z), spec.numpy()(Z))
    close(DERIVATIVES[name](Z), spec.numpy_derivative()(Z))


@pytest.mark.parametrize("name", ACTS)
def test_activation_at_the_kink_follows_the_spec(name):
    spec = S.get_spec(name)
    assert isinstance(spec, S.ScalarSpec)
    Z = np.array([[0.0, -0.0, 1e-300, -1e-300]])
    close(DERIVATIVES[name](Z), spec.numpy_derivative()(Z))
    assert float(spec.derivative.subs(spec.wrt, 0)) == DERIVATIVES[name](np.array(0.0))


@pytest.mark.parametrize("name", ACTS)
@SETTINGS
@given(z=st.floats(-8, 8).filter(lambda v: abs(v) > 1e-3))
@example(z=1.0).via("unit input")
@example(z=-1.0).via("negative side of the kink")
def test_activation_derivative_equals_central_difference(name, z):
    h = 1e-6
    g, dg = FORWARD[name], DERIVATIVES[name]
    numeric = (g(np.array(z + h)) - g(np.array(z - h))) / (2 * h)
    # truncation h²·|g‴|/6 ≤ 1e-12·O(1); rounding ε·|g|/h ≤ 2e-16·8/1e-6 ≈ 2e-9
    np.testing.assert_allclose(dg(np.array(z)), numeric, rtol=1e-7, atol=1e-8)
    sym = S.get_spec(name)
    assert isinstance(sym, S.ScalarSpec)
    exact = float(sym.derivative.subs(sym.wrt, sp.Rational(z)))
    assert float(dg(np.array(z))) == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_reference_kinks_and_slope_agree_with_the_specs():
    for name, act in R.ACTIVATIONS.items():
        spec = S.get_spec(name)
        assert isinstance(spec, S.ScalarSpec)
        assert act.kinks == tuple(float(k) for k in spec.kinks), name
    assert float(S.DEFAULT_LEAKY_SLOPE) == R.LEAKY_SLOPE


def test_leaky_slope_flows_through_spec_and_reference():
    spec = S.leaky_relu_spec(0.3)
    Z = np.array([[-2.0, -0.5, 0.0, 0.5]])
    close(R.leaky_relu(Z, 0.3), spec.numpy()(Z))
    close(R.leaky_relu_derivative(Z, 0.3), spec.numpy_derivative()(Z))
    close(R.get_activation("leaky_relu", slope=0.3).derivative(Z), spec.numpy_derivative()(Z))


# --- elementwise: losses and cost --------------------------------------------------------------

probs = st.floats(0.01, 0.99)
labels = st.sampled_from([0.0, 1.0]) | st.floats(0, 1)


@st.composite
def predictions(draw):
    m = draw(examples_)
    return (
        draw(hnp.arrays(np.float64, (1, m), elements=probs)),
        draw(hnp.arrays(np.float64, (1, m), elements=labels)),
    )


LOSSES = {
    "cross_entropy_loss": (R.cross_entropy_loss, R.cross_entropy_derivative, "cross_entropy"),
    "squared_loss": (R.squared_loss, R.squared_loss_derivative, "squared"),
}


@pytest.mark.parametrize("name", list(LOSSES))
@SETTINGS
@given(pair=predictions())
def test_loss_equals_spec_and_finite_differences(name, pair):
    Y_hat, Y = pair
    loss, dloss, kind = LOSSES[name]
    spec = S.get_spec(name)
    assert isinstance(spec, S.ScalarSpec)
    close(loss(Y_hat, Y), spec.numpy()(Y_hat, Y))
    close(R.loss(Y_hat, Y, kind), spec.numpy()(Y_hat, Y))
    close(dloss(Y_hat, Y), spec.numpy_derivative()(Y_hat, Y), rtol=1e-11)
    close(R.loss_derivative(Y_hat, Y, kind), spec.numpy_derivative()(Y_hat, Y), rtol=1e-11)
    h = 1e-7
    numeric = (loss(Y_hat + h, Y) - loss(Y_hat - h, Y)) / (2 * h)
    np.testing.assert_allclose(dloss(Y_hat, Y), numeric, rtol=1e-6, atol=1e-7)
    # cost J = (1/m) Σ L and its gradient (1/m) L′ (the spec's dY_hat)
    cost = S.cost_spec(name).numpy()(Y_hat, Y)
    assert R.cost(Y_hat, Y, kind) == pytest.approx(float(cost["J"]), rel=1e-12)
    m = Y.shape[1]
    for j in range(m):
        e = np.zeros_like(Y_hat)
        e[0, j] = h
        fd = (R.cost(Y_hat + e, Y, kind) - R.cost(Y_hat - e, Y, kind)) / (2 * h)
        assert cost["dY_hat"][0, j] == pytest.approx(fd, rel=1e-6, abs=1e-7)


@SETTINGS
@given(z=st.floats(-30, 30), y=labels)
def test_logit_loss_derivative_is_a_minus_y(z, y):
    spec = S.get_spec("sigmoid_cross_entropy")
    assert isinstance(spec, S.ScalarSpec)
    Z, Y = np.array([[z]]), np.array([[y]])
    # the notes' literal formula computes 1 − σ(z) by cancellation: it loses about e^|z|·ε
    # absolute (the reason the reference works from the logit); the bound says so
    atol = 1e-15 * np.exp(abs(z)) + 1e-15
    close(R.cross_entropy_from_logits(Z, Y), spec.numpy()(Z, Y), rtol=1e-12, atol=atol)
    close(R.sigmoid(Z) - Y, spec.numpy_derivative()(Z, Y), rtol=1e-12, atol=atol)


# --- one layer, forward and backward -----------------------------------------------------------


@SETTINGS
@given(arrays=layer_arrays())
@example(arrays=(np.ones((2, 1)), np.arange(6.0).reshape(3, 2), np.ones((3, 1)), np.ones((3, 1))))
def test_linear_forward_and_backward_equal_spec(arrays):
    A_prev, W, b, dZ = arrays
    Z = S.get_spec("linear_forward").numpy()(A_prev, W, b)["Z"]  # type: ignore[union-attr]
    close(R.linear_forward(A_prev, W, b), Z)
    spec = S.get_spec("linear_backward").numpy()(dZ, A_prev, W)  # type: ignore[union-attr]
    dA_prev, dW, db = R.linear_backward(dZ, A_prev, W)
    close(dA_prev, spec["dA_prev"])
    close(dW, spec["dW"])
    close(db, spec["db"])
    rules = S.get_spec("linear_backward").shapes
    n_l, n_prev, m = W.shape[0], W.shape[1], A_prev.shape[1]
    binding = {S.n_l: n_l, S.n_prev: n_prev, S.m: m}
    for key, arr in (("dW", dW), ("db", db), ("dA_prev", dA_prev)):
        assert arr.shape == tuple(int(sp.sympify(d).subs(binding)) for d in rules[key])


@pytest.mark.parametrize("name", ACTS)
@SETTINGS
@given(arrays=layer_arrays())
def test_activation_forward_and_backward_equal_spec(name, arrays):
    _, _, _, Z = arrays
    dA = Z[::-1].copy() + 0.5
    fwd = S.activation_forward_spec(name).numpy()(Z)["A"]
    close(R.activation_forward(Z, name), fwd)
    bwd = S.activation_backward_spec(name).numpy()(dA, Z)["dZ"]
    close(R.activation_backward(dA, Z, name), bwd)


# --- logistic regression and the update --------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_logistic_regression_equals_spec(data):
    n_x, m = data.draw(width), data.draw(examples_)
    # |z| ≤ 5·1·2 + 1 = 11 keeps σ(z) < 1 in float64, so the spec's literal L(σ(z), y) is
    # finite; it is accurate to about e^|z|·ε ≈ 1e-11 absolute (the tolerance below)
    w = data.draw(values((n_x, 1), -1, 1))
    b = data.draw(st.floats(-1, 1))
    X = data.draw(values((n_x, m), -2, 2))
    Y = data.draw(hnp.arrays(np.float64, (1, m), elements=st.sampled_from([0.0, 1.0])))
    spec = S.get_spec("logistic_regression").numpy()(w, b, X, Y)  # type: ignore[union-attr]
    J, dw, db = R.logistic_propagate(w, b, X, Y)
    close(R.logistic_forward(w, b, X), spec["A"])
    assert J == pytest.approx(float(spec["J"]), rel=1e-9, abs=1e-10)
    assert R.logistic_cost(w, b, X, Y) == pytest.approx(float(spec["J"]), rel=1e-9, abs=1e-10)
    close(dw, spec["dw"])
    assert db == pytest.approx(float(spec["db"][0, 0]), rel=1e-12, abs=1e-14)
    h = 1e-6
    fd_b = (R.logistic_cost(w, b + h, X, Y) - R.logistic_cost(w, b - h, X, Y)) / (2 * h)
    assert db == pytest.approx(fd_b, rel=1e-6, abs=1e-8)


@SETTINGS
@given(arrays=layer_arrays(), lr=st.floats(1e-4, 2))
def test_gradient_descent_update_equals_spec(arrays, lr):
    _, W, b, _ = arrays
    dW, db = W[::-1] * 0.5 + 0.1, b + 1.0
    f = S.get_spec("gradient_descent_update").numpy()  # type: ignore[union-attr]
    close(R.gradient_descent_step(W, dW, lr), f(W, dW, lr)["theta"])
    new = R.update_parameters({"W1": W, "b1": b}, {"dW1": dW, "db1": db}, lr)
    close(new["W1"], f(W, dW, lr)["theta"])
    close(new["b1"], f(b, db, lr)["theta"])


# --- whole networks: dimension rules and gradients ---------------------------------------------


@st.composite
def architecture(draw):
    L = draw(st.integers(1, 3))
    dims = [draw(width) for _ in range(L + 1)]
    m = draw(st.sampled_from([1, dims[1], draw(examples_)]))
    return dims, m


@SETTINGS
@given(arch=architecture(), hidden=st.sampled_from(R.HIDDEN_ACTIVATIONS), seed=st.integers(0, 99))
def test_dimension_rules_hold_for_random_architectures(arch, hidden, seed):
    dims, m = arch
    rules = S.get_spec("dimension_rules")
    assert isinstance(rules, S.DimensionRulesSpec)
    expected = rules.shapes_for(dims, m)
    reference_rules = R.expected_shapes(dims, m)
    for key, shape in expected.items():
        assert reference_rules[key] == shape, key
    rng = np.random.default_rng(seed)
    params = R.initialize_parameters(dims, "he", seed=rng)
    assert R.layer_dims_from_params(params) == dims
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((dims[-1], m)) > 0.5).astype(float)
    AL, caches = R.model_forward(X, params, hidden)
    assert AL.shape == expected[f"A{len(dims) - 1}"]
    for l, cache in enumerate(caches, start=1):
        assert cache.Z.shape == expected[f"Z{l}"]
        assert cache.A_prev.shape == expected[f"A{l - 1}"]
    grads = R.model_backward(AL, Y, caches)
    R.check_gradients_shapes(grads, dims, m)
    for key, g in grads.items():
        assert g.shape == reference_rules[key], key


@settings(max_examples=20, deadline=None)
@given(arch=architecture(), hidden=st.sampled_from(R.HIDDEN_ACTIVATIONS), seed=st.integers(0, 99))
def test_model_gradients_equal_central_differences(arch, hidden, seed):
    dims, m = arch
    rng = np.random.default_rng(seed)
    params = R.initialize_parameters(dims, "he", seed=rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((dims[-1], m)) > 0.5).astype(float)
    _, caches = R.model_forward(X, params, hidden)
    h = 1e-6
    if hidden in ("relu", "leaky_relu"):  # keep every Z[l] off the kink by more than the step
        assume(all(np.min(np.abs(c.Z)) > 1e-3 for c in caches[:-1]))
    grads = R.model_gradients(params, X, Y, hidden)
    for key, theta in params.items():
        for idx in np.ndindex(theta.shape):
            plus, minus = dict(params), dict(params)
            tp, tm = theta.copy(), theta.copy()
            tp[idx] += h
            tm[idx] -= h
            plus[key], minus[key] = tp, tm
            fd = (R.model_cost(plus, X, Y, hidden) - R.model_cost(minus, X, Y, hidden)) / (2 * h)
            assert grads["d" + key][idx] == pytest.approx(fd, rel=1e-5, abs=1e-8), (key, idx)


@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_model_gradients_equal_the_sympy_derivation(hidden):
    """The reference's backprop against SymPy's derivative of the whole cost, lambdified."""
    dims, m = (2, 3, 2), 2
    d = S.get_spec("deep_network").derive(layer_dims=dims, m=m, hidden=hidden)
    rng = np.random.default_rng(3)
    params = R.initialize_parameters(dims, "he", seed=rng)
    symbols = [sp.Symbol(f"{k}_{i + 1}_{j + 1}", real=True)
               for k, v in [*params.items(), ("X", np.empty((dims[0], m))),
                            ("Y", np.empty((dims[-1], m)))]
               for i, j in np.ndindex(v.shape)]  # fmt: skip
    functions = {k: sp.lambdify(symbols, e, modules="numpy") for k, e in d.derived.items()}
    for _ in range(3):
        params = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in params.items()}
        X = rng.standard_normal((dims[0], m))
        Y = (rng.random((dims[-1], m)) > 0.5).astype(float)
        point = [v for a in [*params.values(), X, Y] for v in a.ravel()]
        grads = R.model_gradients(params, X, Y, hidden)
        for key, f in functions.items():
            close(grads[key], np.asarray(f(*point), dtype=float), rtol=1e-10)
