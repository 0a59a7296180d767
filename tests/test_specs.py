"""The SymPy specs on their own: registry, hand-derived identities, domains, kinks, derivations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
from sympy.calculus.util import continuous_domain

import nncheck.specs as S
from nncheck.specs import _matrix as M
from nncheck.specs._scalar import y, y_hat, z

EXPECTED_NAMES = {
    "sigmoid", "tanh", "relu", "leaky_relu", "squared_loss", "cross_entropy_loss",
    "sigmoid_cross_entropy", "cost", "logistic_regression", "gradient_descent_update",
    "linear_forward", "activation_forward", "linear_backward", "activation_backward",
    "dimension_rules", "initialization", "deep_network",
}  # fmt: skip
SCALARS = [n for n, s in S.SPECS.items() if isinstance(s, S.ScalarSpec)]
MATRICES = [n for n, s in S.SPECS.items() if isinstance(s, S.MatrixSpec)]


def sig(x):
    return 1 / (1 + sp.exp(-x))


# --- registry ----------------------------------------------------------------------------------


def test_registry_has_every_formula_of_the_notes():
    assert set(S.SPECS) == EXPECTED_NAMES
    assert set(SCALARS) | set(MATRICES) == EXPECTED_NAMES
    for name, spec in S.SPECS.items():
        assert S.get_spec(name) is spec and spec.name == name
    with pytest.raises(TypeError):
        S.SPECS["x"] = S.SPECS["relu"]  # type: ignore[index]


def test_unknown_spec_lists_known_names():
    with pytest.raises(KeyError) as info:
        S.get_spec("softmax")
    assert "no spec named 'softmax'" in str(info.value)
    assert "sigmoid" in str(info.value) and "linear_backward" in str(info.value)


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_every_spec_has_section_formula_latex_and_description(name):
    spec = S.get_spec(name)
    assert spec.section and spec.section[0].isupper()
    assert spec.formula.strip()
    latex = spec.latex()
    assert "=" in latex or ":" in latex
    text = S.describe(name)
    assert text == S.describe(spec)
    assert text.splitlines()[0] == f"{name} — {spec.section}"
    assert spec.formula in text
    assert f"  domain:     {spec.domain}" in text and spec.domain


def test_public_names():
    assert set(S.__all__) <= set(dir(S))
    for name in ("get_spec", "SPECS", "describe", "ScalarSpec", "MatrixSpec", "leaky_relu_spec"):
        assert name in S.__all__


# --- scalar specs: hand-derived identities -----------------------------------------------------


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    s = S.get_spec("sigmoid")
    assert isinstance(s, S.ScalarSpec)
    assert sp.simplify(s.derivative - sig(z) * (1 - sig(z))) == 0
    assert s.latex() == "\\sigma(z) = \\frac{1}{1 + e^{- z}}"


def test_tanh_is_the_exponential_formula_and_its_derivative_one_minus_square():
    s = S.get_spec("tanh")
    assert isinstance(s, S.ScalarSpec)
    exp_form = (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))
    assert sp.simplify(s.expr.rewrite(sp.exp) - exp_form) == 0
    assert sp.simplify(s.derivative - (1 - sp.tanh(z) ** 2)) == 0


@pytest.mark.parametrize(("name", "slope"), [("relu", 0), ("leaky_relu", sp.Rational(1, 100))])
def test_relu_family_pieces_and_convention_at_the_kink(name, slope):
    s = S.get_spec(name)
    assert isinstance(s, S.ScalarSpec)
    assert s.kinks == (0,)
    assert s.expr.subs(z, 3) == 3 and s.expr.subs(z, -2) == -2 * slope
    assert s.derivative.subs(z, 3) == 1 and s.derivative.subs(z, -2) == slope
    assert s.derivative.subs(z, 0) == slope  # the notes' convention: g'(0) = left slope
    assert isinstance(s.derivative, sp.Piecewise)


def test_leaky_relu_slope_is_configurable_and_validated():
    s = S.leaky_relu_spec(0.2)
    assert s.parameters == (("slope", sp.Rational(1, 5)),)
    assert s.derivative.subs(z, -1) == sp.Rational(1, 5) and s.kinks == (0,)
    assert "0.2" in s.formula
    np.testing.assert_array_equal(s.numpy()(np.array([-10.0, 10.0])), [-2.0, 10.0])
    assert S.activation_spec("leaky_relu", slope=0.2) == s
    for bad in (-0.1, 1, 2.0):
        with pytest.raises(ValueError, match="slope must be a number in"):
            S.leaky_relu_spec(bad)


def test_losses_and_their_derivatives():
    ce = S.get_spec("cross_entropy_loss")
    sq = S.get_spec("squared_loss")
    assert isinstance(ce, S.ScalarSpec) and isinstance(sq, S.ScalarSpec)
    assert ce.symbols == (y_hat, y) and ce.wrt == y_hat
    assert sp.simplify(ce.derivative - (-y / y_hat + (1 - y) / (1 - y_hat))) == 0
    assert sp.expand(sq.derivative - (y_hat - y)) == 0
    assert sq.expr.subs({y_hat: 3, y: 1}) == 2


def test_cross_entropy_through_sigmoid_gives_a_minus_y():
    s = S.get_spec("sigmoid_cross_entropy")
    assert isinstance(s, S.ScalarSpec)
    assert sp.simplify(s.derivative - (sig(z) - y)) == 0


@pytest.mark.parametrize("name", SCALARS)
def test_notes_derivative_equals_sympy_derivative(name):
    s = S.get_spec(name)
    assert isinstance(s, S.ScalarSpec)
    assert s.derivative == sp.diff(s.expr, s.wrt)
    assert S.is_zero(s.derivative - s.notes_derivative)


@pytest.mark.parametrize("name", SCALARS)
def test_domain_is_where_the_formula_is_continuous(name):
    s = S.get_spec(name)
    assert isinstance(s, S.ScalarSpec)
    if not isinstance(s.expr, sp.Piecewise):
        assert continuous_domain(s.expr, s.wrt, sp.S.Reals) == s.domain_set
        return
    # SymPy cannot take the domain of a Piecewise: each piece is continuous everywhere, and
    # the pieces meet at the kinks
    for piece, _ in s.expr.args:
        assert continuous_domain(piece, s.wrt, sp.S.Reals) == s.domain_set
    for k in s.kinks:
        assert len({piece.subs(s.wrt, k) for piece, _ in s.expr.args}) == 1


def test_smooth_specs_have_no_kinks():
    for name in ("sigmoid", "tanh", "squared_loss", "cross_entropy_loss"):
        spec = S.get_spec(name)
        assert isinstance(spec, S.ScalarSpec) and spec.kinks == ()


def test_is_zero_rejects_non_identities():
    assert S.is_zero(sp.sin(z) ** 2 + sp.cos(z) ** 2 - 1)
    assert not S.is_zero(sp.tanh(z) - z)
    assert not S.is_zero(sp.Piecewise((1, z > 0), (0, True)) - sp.Piecewise((1, z > 0), (1, True)))


def test_numpy_functions_are_elementwise_and_float():
    relu_d = S.get_spec("relu").numpy_derivative()  # type: ignore[union-attr]
    out = relu_d(np.array([[-1.0, 0.0, 2.0]]))
    assert out.dtype == np.float64 and out.shape == (1, 3)
    np.testing.assert_array_equal(out, [[0.0, 0.0, 1.0]])
    sq_d = S.get_spec("squared_loss").numpy_derivative()  # type: ignore[union-attr]
    np.testing.assert_array_equal(sq_d(np.ones((2, 2)), 0.5), np.full((2, 2), 0.5))
    with pytest.raises(TypeError, match=r"expected 2 argument\(s\) \(y_hat, y\)"):
        sq_d(np.ones(2))


# --- matrix specs: derived gradients equal the closed forms ------------------------------------


@pytest.mark.parametrize(
    "name", [n for n in MATRICES if n not in ("deep_network", "initialization")]
)
def test_matrix_derivation_holds(name):
    d = S.get_spec(name).derive()
    assert d.derived and set(d.derived) == set(d.closed)
    assert d.holds(), d.mismatches()


@pytest.mark.parametrize(("n_l", "n_prev", "m"), [(1, 1, 1), (2, 3, 1), (3, 2, 3), (2, 2, 2)])
def test_linear_backward_derivation_at_edge_sizes(n_l, n_prev, m):
    spec = S.get_spec("linear_backward")
    assert isinstance(spec, S.LinearBackwardSpec)
    d = spec.derive(n_l=n_l, n_prev=n_prev, m=m)
    assert d.holds(), d.mismatches()
    assert d.derived["dW"].shape == (n_l, n_prev) and d.derived["db"].shape == (n_l, 1)


@pytest.mark.parametrize(
    ("key", "wrong"),
    [
        ("dW", M.dZ * M.A_prev.T),  # missing 1/m
        ("db", M.dZ * sp.OneMatrix(M.m, 1)),  # missing 1/m
        ("dA_prev", M.W.T * M.dZ / M.m),  # extra 1/m
    ],
)
def test_linear_backward_derivation_catches_wrong_closed_forms(key, wrong):
    spec = S.get_spec("linear_backward")
    assert isinstance(spec, S.LinearBackwardSpec)
    mutant = dataclasses.replace(spec, outputs={**spec.outputs, key: wrong})
    assert mutant.derive().mismatches() == [key]


def test_activation_backward_derivation_catches_derivative_at_a():
    sigmoid = S.get_spec("sigmoid")
    assert isinstance(sigmoid, S.ScalarSpec)
    # the classic mistake: σ'(A) written as A(1 − A) with A = σ(Z) plugged in twice
    wrong = dataclasses.replace(sigmoid, notes_derivative=sig(sig(z)) * (1 - sig(sig(z))))
    assert not S.activation_backward_spec(wrong).derive().holds()
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        assert S.activation_backward_spec(name).derive().holds(), name


def test_logistic_derivation_catches_a_sign_flip():
    spec = S.get_spec("logistic_regression")
    assert isinstance(spec, S.LogisticRegressionSpec)
    assert spec.derive(n_x=1, m=1).holds()
    flipped = dataclasses.replace(
        spec, gradients={**spec.gradients, "dw": M.X_ * (M.Y_ - M.A_).T / M.m}
    )
    assert flipped.derive(n_x=2, m=2).mismatches() == ["dw"]
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((2, 1)), 0.3, rng.standard_normal((2, 4)), np.ones((1, 4)))
    np.testing.assert_allclose(flipped.numpy()(*args)["dw"], -spec.numpy()(*args)["dw"])


@pytest.mark.parametrize("loss", ["cross_entropy_loss", "squared_loss"])
def test_cost_derivation_for_each_loss(loss):
    assert S.cost_spec(loss).derive(m=2).holds()
    with pytest.raises(KeyError, match="unknown loss"):
        S.cost_spec("hinge")


@pytest.mark.parametrize(
    ("dims", "hidden"), [((2, 2, 1), "tanh"), ((2, 3, 1), "relu"), ((1, 2, 2), "sigmoid")]
)
def test_deep_network_backprop_equals_derived_gradient(dims, hidden):
    d = S.get_spec("deep_network").derive(layer_dims=dims, m=2, hidden=hidden)
    assert set(d.derived) == {f"d{p}{l}" for l in range(1, len(dims)) for p in "Wb"}
    assert d.holds(), d.mismatches()
    doubled = dataclasses.replace(d, closed={**d.closed, "dW1": 2 * d.closed["dW1"]})
    assert doubled.mismatches() == ["dW1"]


def test_symmetric_start_gives_equal_gradients():
    spec = S.get_spec("initialization")
    assert isinstance(spec, S.InitializationSpec)
    for hidden in ("tanh", "relu"):
        d = spec.derive(layer_dims=(2, 3, 1), m=2, hidden=hidden)
        assert d.holds(), (hidden, d.mismatches())
    assert spec.scale("small", 7) == 0.01
    assert spec.scale("he", 8) == pytest.approx(0.5)
    assert spec.scale("zeros", 3) == 0.0
    with pytest.raises(KeyError, match="unknown init method"):
        spec.scale("uniform", 3)


def test_gradient_descent_is_a_descent_direction():
    spec = S.get_spec("gradient_descent_update")
    d = spec.derive(p=2)
    assert d.holds()
    assert "Derivative" in str(d.derived["slope"][0, 0])  # derived for an arbitrary J


def test_dimension_rules_are_symbolic_shapes():
    spec = S.get_spec("dimension_rules")
    assert isinstance(spec, S.DimensionRulesSpec)
    assert spec.shapes["W"] == (S.n_l, S.n_prev)
    assert spec.shapes["b"] == (S.n_l, 1)
    for key in ("Z", "A", "dZ", "dA"):
        assert spec.shapes[key] == (S.n_l, S.m)
    assert spec.shapes["dW"] == spec.shapes["W"] and spec.shapes["db"] == spec.shapes["b"]
    assert spec.shapes_for([3, 2], 5)["W1"] == (2, 3)
    with pytest.raises(ValueError, match="layer_dims needs"):
        spec.shapes_for([3], 5)


def test_derivation_sizes_are_validated():
    with pytest.raises(ValueError, match="small concrete sizes"):
        S.get_spec("linear_backward").derive(n_l=0)
    with pytest.raises(ValueError, match="small sizes"):
        S.get_spec("deep_network").derive(layer_dims=(2, 9, 1))


def test_generic_activation_spec_needs_a_choice_to_evaluate():
    spec = S.get_spec("activation_forward")
    assert isinstance(spec, S.ActivationForwardSpec)
    assert spec.activation is None and "g(Z[l])" in spec.formula
    with pytest.raises(ValueError, match="choose one"):
        spec.numpy()
    out = spec.numpy(activation="relu")(np.array([[-1.0, 2.0]]))
    np.testing.assert_array_equal(out["A"], [[0.0, 2.0]])
    assert spec.with_activation("tanh").formula == "A[l] = tanh(Z[l])"
    back = S.get_spec("activation_backward")
    assert isinstance(back, S.ActivationBackwardSpec)
    assert back.derive().holds()  # for an arbitrary g: the chain rule itself
    assert back.with_activation("relu").activation is S.get_spec("relu")


def test_matrix_numpy_binds_dimensions_from_the_arrays():
    f = S.get_spec("linear_forward").numpy()  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="n_prev"):
        f(np.ones((3, 2)), np.ones((4, 2)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="needs 2-D"):
        f(np.ones((2, 2)), np.ones((4, 2)), np.ones(4))
    with pytest.raises(TypeError, match="takes 3 arrays"):
        f(np.ones((2, 2)))


def test_verify_reports_what_was_checked_and_catches_a_wrong_derivative():
    ok, account = S.verify("sigmoid")
    assert ok and "σ′(z) = σ(z)(1 − σ(z)) equals sympy.diff" in account
    tanh = S.get_spec("tanh")
    assert isinstance(tanh, S.ScalarSpec)
    wrong = dataclasses.replace(tanh, notes_derivative=1 - sp.tanh(z))
    ok, account = S.verify(wrong)
    assert not ok and "DIFFERS FROM" in account
    ok, account = S.verify("linear_backward")
    assert ok and "n_l=2, n_prev=3, m=2" in account and "exactly" in account
    spec = S.get_spec("linear_backward")
    mutant = dataclasses.replace(spec, outputs={**spec.outputs, "dW": M.dZ * M.A_prev.T})
    ok, account = S.verify(mutant)
    assert not ok and "dW differ" in account


def test_python_dash_m_prints_verified_specs(capsys):
    from nncheck.specs.__main__ import main

    assert main(["relu", "linear_forward"]) == 0
    out = capsys.readouterr().out
    assert out.count("verified:   yes") == 2 and "ReLU(z) = max(0, z)" in out
    assert main(["nope"]) == 2
    assert "no spec named 'nope'" in capsys.readouterr().err


def test_specs_modules_import_without_a_circle():
    """No module of specs/ imports (even lazily, inside a function) one that imports it back."""
    import ast
    import graphlib
    from pathlib import Path

    root = Path(S.__file__).parent
    graph = {
        p.stem: {
            n.module.split(".")[0]
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module
        }
        for p in root.rglob("*.py")
        if p.parent == root
    }
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a circle


@pytest.mark.parametrize("name", SCALARS)
def test_printed_derivative_is_short_and_equals_sympys(name):
    """`nncheck specs` prints the derivative simplified; read back, it is SymPy's own."""
    spec = S.get_spec(name)
    line = next(x for x in S.describe(spec).splitlines() if "(SymPy):" in x)
    printed = line.split("(SymPy): ", 1)[1]
    sigma = sp.Lambda(z, sig(z))
    back = sp.sympify(
        printed.replace("^", "**"), locals={"σ": sigma, "y_hat": y_hat, "y": y, "z": z}
    )
    assert S.is_zero(back - spec.derivative), printed
    assert len(printed) <= 45, printed
    assert len(printed) <= len(str(spec.derivative).replace("**", "^"))


def test_sigmoid_derivatives_print_in_terms_of_sigma():
    assert "(SymPy): σ(z) - y" in S.describe("sigmoid_cross_entropy")
    assert "(SymPy): σ(z)*(1 - σ(z))" in S.describe("sigmoid")
    assert "\\sigma(z)" in S.get_spec("sigmoid_cross_entropy").derivative_latex()

