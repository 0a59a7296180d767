"""check_gradients / assert_gradients: verdicts, reports and input errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from nncheck.numeric import (
    GradientInputError,
    GradientMismatch,
    GradReport,
    ParameterReport,
    assert_gradients,
    check_gradients,
)
from nncheck.reference import initialize_parameters, model_cost, model_gradients


def _net(dims: list[int], m: int, hidden: str = "tanh", seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    params = initialize_parameters(dims, method="he", seed=seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)

    def cost(p):  # type: ignore[no-untyped-def]
        return model_cost(p, X, Y, hidden)

    return cost, params, model_gradients(params, X, Y, hidden)


def test_correct_net_passes_with_2p_evaluations() -> None:
    cost, params, grads = _net([5, 4, 3, 1], 8)
    report = check_gradients(cost, params, grads, mode="full", seed=1)
    P = sum(v.size for v in params.values())
    assert report.ok and report.mode == "full"
    assert 2 * P <= report.evaluations <= 1.2 * 2 * P
    assert [p.name for p in report.parameters] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert all(
        p.verdict == "ok" and p.checked == p.shape[0] * p.shape[1] for p in report.parameters
    )
    assert max(p.relative_difference for p in report.parameters) < 1e-7


def test_wrong_db_is_localised_with_ratio() -> None:
    cost, params, grads = _net([5, 4, 3, 1], 8)
    bad = dict(grads)
    bad["db2"] = grads["db2"] * 8  # missing 1/m, m = 8
    report = check_gradients(cost, params, bad, mode="full", seed=1)
    assert not report.ok
    assert [p.name for p in report.failures] == ["b2"]
    b2 = report["b2"]
    assert b2.worst_index is not None and b2.analytic is not None and b2.numeric is not None
    assert b2.analytic == pytest.approx(8 * b2.numeric, rel=1e-6)
    assert "ratio 8" in str(report)


def test_assert_gradients_raises_readable_mismatch() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    bad = {k: -v for k, v in grads.items()}
    with pytest.raises(GradientMismatch) as info:
        assert_gradients(cost, params, bad, seed=0)
    assert isinstance(info.value, AssertionError)
    assert isinstance(info.value.report, GradReport)
    assert str(info.value) == str(info.value.report)
    assert "MISMATCH" in str(info.value) and "W1" in str(info.value)
    assert assert_gradients(cost, params, grads, seed=0).ok


def test_to_dict_is_json_with_contract_keys() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    report = check_gradients(cost, params, grads, seed=3)
    data = json.loads(json.dumps(report.to_dict()))
    assert {"ok", "mode", "evaluations", "seed", "parameters", "notes"} <= set(data)
    assert data["seed"] == 3 and data["ok"] is True
    keys = {
        "name",
        "shape",
        "max_abs_error",
        "relative_difference",
        "bound",
        "ok",
        "verdict",
        "worst_index",
        "analytic",
        "numeric",
        "nondifferentiable",
        "inconclusive",
    }
    assert keys <= set(data["parameters"][0])
    assert isinstance(report.parameters[0], ParameterReport)


def test_single_array_and_callable_gradients() -> None:
    A = np.array([[3.0, 1.0], [1.0, 2.0]])

    def cost(x):  # type: ignore[no-untyped-def]
        return 0.5 * x @ A @ x + np.sin(x).sum()

    x = np.array([0.3, -1.2])
    report = check_gradients(cost, x, lambda p: A @ p + np.cos(p), seed=0)
    assert report.ok and report.parameters[0].name == "x"  # named after cost's parameter
    report = check_gradients(cost, x, lambda p: A @ p, seed=0)
    assert not report.ok


def test_w_keys_and_extra_keys_are_accepted() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    plain = {k[1:]: v for k, v in grads.items() if k.startswith(("dW", "db"))}
    assert check_gradients(cost, params, plain, seed=0).ok
    assert "dA0" in grads  # course grads dicts carry dA/dZ, which are ignored
    assert check_gradients(cost, params, grads, seed=0).ok


def test_importing_numeric_does_not_import_sympy_or_hypothesis() -> None:
    code = (
        "import sys, nncheck.numeric; "
        "print(any(m.split('.')[0] in ('sympy', 'hypothesis') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_keys_are_listed() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    partial = {"dW1": grads["dW1"], "db1": grads["db1"]}
    with pytest.raises(GradientInputError, match=r"missing 2 of 4.*'dW2'.*'db2'"):
        check_gradients(cost, params, partial)


def test_shape_mismatch_names_the_array() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    bad = dict(grads)
    bad["db1"] = grads["db1"].reshape(-1)
    with pytest.raises(GradientInputError, match=r"gradients\['db1'\] has shape \(2,\).*\(2, 1\)"):
        check_gradients(cost, params, bad)


def test_non_finite_gradient_and_cost() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    bad = dict(grads)
    bad["dW2"] = grads["dW2"].copy()
    bad["dW2"][0, 1] = np.nan
    with pytest.raises(GradientInputError, match=r"gradients\['dW2'\].*\[0, 1\] = nan"):
        check_gradients(cost, params, bad)
    with pytest.raises(GradientInputError, match="finite"):
        check_gradients(lambda p: np.inf, params, grads)


def test_non_scalar_cost() -> None:
    _, params, grads = _net([3, 2, 1], 4)
    with pytest.raises(GradientInputError, match=r"shape \(1, 4\).*scalar"):
        check_gradients(lambda p: np.ones((1, 4)), params, grads)


def test_mutating_cost_is_reported() -> None:
    cost, params, grads = _net([3, 2, 1], 4)

    def mutating(p):  # type: ignore[no-untyped-def]
        p["W1"] *= 0.5
        return cost(p)

    with pytest.raises(GradientInputError, match=r"modified params\['W1'\] in place"):
        check_gradients(mutating, params, grads)


def test_nondeterministic_cost_is_reported() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    rng = np.random.default_rng(0)
    with pytest.raises(GradientInputError, match="not deterministic"):
        check_gradients(lambda p: cost(p) + rng.random(), params, grads)


def test_cost_exception_is_wrapped_with_context() -> None:
    def broken(p):  # type: ignore[no-untyped-def]
        raise KeyError("W9")

    with pytest.raises(GradientInputError, match=r"cost\(params\) raised KeyError"):
        check_gradients(broken, {"W1": np.ones((2, 2))}, {"dW1": np.ones((2, 2))})


def test_user_params_are_never_touched() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    before = {k: v.copy() for k, v in params.items()}
    check_gradients(cost, params, grads, seed=0)
    assert all(np.array_equal(before[k], params[k]) for k in params)


def test_float32_cost_widens_bounds_and_still_catches_bugs() -> None:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 3)).astype(np.float32)

    def cost(p):  # type: ignore[no-untyped-def]
        W = np.asarray(p["W"], dtype=np.float32)  # the learner's code works in float32
        return np.float32(0.5) * np.sum(np.tanh(A @ W) ** 2, dtype=np.float32)

    W = rng.standard_normal((3, 2)).astype(np.float32)
    T = np.tanh(A @ W)
    grad = A.T @ (T * (1 - T**2))
    report = check_gradients(cost, {"W": W}, {"dW": grad}, seed=0)
    assert report.ok, str(report)
    assert any("float32 cost" in n for n in report.notes)
    assert not check_gradients(cost, {"W": W}, {"dW": 1.5 * grad}, seed=0).ok


def test_float32_parameters_are_evaluated_in_float64() -> None:
    _, params, _ = _net([3, 2, 1], 4)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    g = model_gradients({k: v.astype(np.float64) for k, v in p32.items()}, *_data(3, 4))
    report = check_gradients(_cost(3, 4), p32, g, seed=0)
    assert report.ok
    assert any("float32 parameters" in n for n in report.notes)


def _data(n0: int, m: int):  # type: ignore[no-untyped-def]
    X = np.linspace(-1, 1, n0 * m).reshape(n0, m)
    Y = (np.arange(m) % 2).reshape(1, m).astype(float)
    return X, Y, "tanh"


def _cost(n0: int, m: int):  # type: ignore[no-untyped-def]
    X, Y, hidden = _data(n0, m)
    return lambda p: model_cost(p, X, Y, hidden)


def test_directional_mode_states_miss_probability_and_auto_says_why() -> None:
    cost, params, grads = _net([6, 5, 1], 7)
    report = check_gradients(cost, params, grads, full_threshold=10, seed=0)
    assert report.ok and report.mode == "directional" and report.requested_mode == "auto"
    assert any(n.startswith("auto chose directional") for n in report.notes)
    W1 = report["W1"]
    assert W1.mode == "directional" and W1.checked == 2
    assert W1.miss_probability is not None and W1.miss_probability < 1e-6
    P = sum(v.size for v in params.values())
    assert report.evaluations < P  # far fewer than a full check's 2P
    bad = dict(grads)
    bad["dW1"] = grads["dW1"].copy()
    bad["dW1"][2, 3] += 0.05  # one wrong element in 30 is still found and localised
    report = check_gradients(cost, params, bad, mode="directional", seed=0, coordinates=30)
    assert [p.name for p in report.failures] == ["W1"]
    assert report["W1"].worst_index == (2, 3)


def test_seed_makes_reports_reproducible() -> None:
    cost, params, grads = _net([4, 3, 1], 5)
    a = check_gradients(cost, params, grads, mode="directional", seed=7).to_dict()
    b = check_gradients(cost, params, grads, mode="directional", seed=7).to_dict()
    assert a == b
    drawn = check_gradients(cost, params, grads, mode="directional")
    assert isinstance(drawn.seed, int)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "fast"}, "mode='fast'"),
        ({"directions": 0}, "directions=0"),
        ({"rtol": -1.0}, "rtol=-1.0"),
        ({"seed": "x"}, "seed must be an int"),
    ],
)
def test_bad_options_are_named(options: dict[str, object], message: str) -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    with pytest.raises(GradientInputError, match=message.replace("(", r"\(")):
        check_gradients(cost, params, grads, **options)  # type: ignore[arg-type]


def test_gradients_callable_without_arguments_and_structure_errors() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    assert check_gradients(cost, params, lambda: grads, seed=0).ok
    with pytest.raises(GradientInputError, match="gradients is a ndarray"):
        check_gradients(cost, params, np.zeros(3))
    with pytest.raises(GradientInputError, match="single array but gradients is a dict"):
        check_gradients(lambda x: float(np.sum(x**2)), np.ones(3), {"dW": np.ones(3)})


def test_kink_in_one_dimension_is_reported_not_failed() -> None:
    x = np.array([0.0, 1.5])

    def cost(v):  # type: ignore[no-untyped-def]
        return float(np.abs(v[0]) + v[1] ** 2)

    report = check_gradients(cost, x, np.array([0.0, 3.0]), seed=0)
    assert report.ok  # 0 equals the central difference: no need to look closer
    for g0 in (0.7, -1.0, 1.0):  # any subgradient of |x| at 0 is valid
        report = check_gradients(cost, x, np.array([g0, 3.0]), seed=0)
        assert report.ok and report.parameters[0].nondifferentiable == 1
        assert "kink" in str(report)
    report = check_gradients(cost, x, np.array([0.0, 2.0]), seed=0)  # d/dx1 is 3, not 2
    assert not report.ok and report.parameters[0].worst_index == (1,)


def test_public_names() -> None:
    import nncheck.numeric as numeric

    assert set(numeric.__all__) == {
        "Estimate",
        "GradReport",
        "GradientInputError",
        "GradientMismatch",
        "ParameterReport",
        "assert_gradients",
        "assert_layer",
        "central_difference",
        "central_step",
        "check_gradients",
        "check_layer",
        "complex_step",
        "richardson",
        "richardson_step",
    }
    assert all(getattr(numeric, name).__doc__ for name in numeric.__all__)
    assert issubclass(GradientInputError, ValueError)
    assert issubclass(GradientMismatch, AssertionError)


def _tanh_layer():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    W, b = rng.standard_normal((5, 4)), rng.standard_normal((5, 1))

    def cost(p):  # type: ignore[no-untyped-def]
        Z = np.tanh(p["W"] @ x + p["b"])
        return 0.5 * np.sum((Z - y) ** 2) / 3

    Z = np.tanh(W @ x + b)
    dZ = (Z - y) * (1 - Z**2) / 3
    return cost, {"W": W, "b": b}, {"dW": dZ @ x.T, "db": dZ.sum(axis=1, keepdims=True)}, x


def test_complex_step_method_one_evaluation_per_element() -> None:
    cost, params, grads, _ = _tanh_layer()
    report = check_gradients(cost, params, grads, method="complex", seed=0)
    assert report.ok and report.method == "complex"
    assert report.evaluations <= 25 + 8  # P = 25, plus the detection evaluations
    assert max(p.max_abs_error for p in report.parameters) < 1e-14  # exact to rounding
    bad = dict(grads)
    bad["db"] = 2 * grads["db"]
    report = check_gradients(cost, params, bad, method="complex", seed=0)
    assert [p.name for p in report.failures] == ["b"]


def test_complex_step_method_falls_back_and_says_why() -> None:
    cost, params, grads, x = _tanh_layer()

    def real_only(p):  # type: ignore[no-untyped-def]
        return float(cost(p))  # float() of a complex number raises TypeError

    report = check_gradients(real_only, params, grads, method="complex", seed=0)
    assert report.ok and report.method == "central"
    assert any("does not accept complex" in n for n in report.notes)

    def not_analytic(p):  # type: ignore[no-untyped-def]
        return np.sum(np.abs(p["W"] @ x) ** 2) + np.sum(p["b"] ** 2)

    W, b = params["W"], params["b"]
    g = {"dW": 2 * (W @ x) @ x.T, "db": 2 * b}
    report = check_gradients(not_analytic, params, g, method="complex", seed=0)
    assert report.ok and report.method == "central"
    assert any("not analytic" in n for n in report.notes)


def test_a_transposed_gradient_is_called_the_transpose_not_a_reshape() -> None:
    cost, params, grads = _net([3, 2, 1], 4)
    wrong = dict(grads, dW1=grads["dW1"].T)  # (3, 2) for W1 of shape (2, 3): same size
    with pytest.raises(GradientInputError) as info:
        check_gradients(cost, params, wrong, seed=0)
    message = str(info.value)
    assert "it is the transpose: use .T" in message and "order of the factors" in message
    assert "reshape" not in message
    # a gradient of the right size that is not a transpose still gets the reshape advice
    flat = dict(grads, dW1=grads["dW1"].reshape(-1))
    with pytest.raises(GradientInputError, match=r"flattened: \.reshape\(2, 3\)"):
        check_gradients(cost, params, flat, seed=0)


def test_single_array_notes_use_the_row_label() -> None:
    A = np.arange(1.0, 31.0).reshape(5, 6) / 10.0

    def cost(x):  # type: ignore[no-untyped-def]
        return float(np.sum(np.tanh(A @ x)))

    x = np.linspace(-0.5, 0.5, 6)
    wrong = 2.0 * A.T @ (1.0 - np.tanh(A @ x) ** 2)  # every element twice the truth
    report = check_gradients(cost, x, wrong, mode="full", seed=0)
    assert not report.ok and [p.name for p in report.parameters] == ["x"]
    unrefined = [n for n in report.notes if "not refined" in n]
    assert unrefined and all(n.startswith("x:") for n in unrefined)
    assert "theta" not in str(report)


def test_directional_table_shows_each_arrays_miss_probability() -> None:
    rng = np.random.default_rng(5)
    A = rng.standard_normal((40, 40))
    x = rng.standard_normal(40)
    params = {"W": A.copy(), "v": x.copy()}

    def cost(p):  # type: ignore[no-untyped-def]
        return float(np.sum(np.tanh(p["W"] @ p["v"])))

    s = 1.0 - np.tanh(A @ x) ** 2
    good = {"dW": np.outer(s, x), "dv": A.T @ s}
    for grads in (good, dict(good, dW=3.0 * good["dW"])):  # an ok and a failing array
        report = check_gradients(cost, params, grads, mode="directional", seed=2)
        table = str(report)
        for p in report.parameters:
            assert p.mode == "directional" and p.miss_probability is not None
            row = next(line for line in table.splitlines() if line.startswith(p.name + " "))
            assert f"{p.miss_probability:.2e}" in row, (row, p.miss_probability)
        assert "p(miss)" in table and "given per array" in table
    assert not report.ok and report["W"].worst_index is not None
