"""Every property passes on correct code across many seeds and fails on a planted bug."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from nncheck import properties as P
from nncheck import reference as R

SEEDS = range(25)
Arr = np.ndarray[Any, Any]


def _case(seed: int) -> tuple[list[int], int, dict[str, Arr], Arr, Arr]:
    """A small random network case with unequal widths and nonzero b (no strategies needed)."""
    rng = np.random.default_rng(seed)
    L = int(rng.integers(1, 4))
    dims = [int(n) for n in rng.integers(1, 6, size=L + 1)]
    dims[-1] = 1
    m = int(rng.integers(1, 6))
    params: dict[str, Arr] = {}
    for l in range(1, L + 1):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        params[f"b{l}"] = rng.standard_normal((dims[l], 1))
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    return dims, m, params, X, Y


def test_importing_properties_does_not_import_hypothesis() -> None:
    code = "import sys, nncheck.properties; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_names() -> None:
    assert sorted(P.__all__) == sorted(
        [
            "EXTREME_Z",
            "Change",
            "PropertyResult",
            "Status",
            "check_deterministic",
            "check_dtype_preserved",
            "check_init_scale",
            "check_no_mutation",
            "check_no_mutation_call",
            "assert_ok",
            "check_no_rank1",
            "check_output_shapes",
            "check_scalar_cost",
            "check_stability",
            "check_symmetry_breaking",
            "check_symmetry_under_training",
            "check_update_direction",
            "compare_values",
            "symmetric_units",
        ]
    )
    for name in set(P.__all__) - {"Status", "EXTREME_Z"}:  # an alias and an array: no __doc__
        assert getattr(P, name).__doc__, name


def test_result_is_frozen_data_and_json() -> None:
    r = P.PropertyResult("x", "warn", "m", {"shape": (2, 1), "v": np.float64(np.nan)})
    assert r.ok
    assert not P.PropertyResult("x", "fail", "m").ok
    with pytest.raises(AttributeError):
        r.status = "pass"  # type: ignore[misc]
    assert hash(r) == hash(P.PropertyResult("x", "warn", "m", {"other": 1}))  # details aside
    d = json.loads(json.dumps(r.to_dict()))
    assert d == {
        "check": "x",
        "status": "warn",
        "message": "m",
        "details": {"shape": [2, 1], "v": "nan"},
    }


# --- shapes and rank-1 -----------------------------------------------------------------------


def _backward_outputs(dZ: Arr, A_prev: Arr, W: Arr, bug: str = "") -> dict[str, object]:
    m = A_prev.shape[1]
    dA_prev, dW, db = R.linear_backward(dZ, A_prev, W)
    if bug == "no_keepdims":
        db = np.sum(dZ, axis=1) / m
    elif bug == "transposed":
        dW = A_prev @ dZ.T / m
    elif bug == "wrong_axis":
        db = np.sum(dZ, axis=0, keepdims=True) / m
    elif bug == "no_sum":
        db = dZ / m
    return {"dA_prev": dA_prev, "dW": dW, "db": db}


@pytest.mark.parametrize("seed", SEEDS)
def test_shapes_pass_on_reference(seed: int) -> None:
    dims, m, params, X, Y = _case(seed)
    AL, caches = R.model_forward(X, params, "tanh")
    grads = R.model_backward(AL, Y, caches)
    expected = R.expected_shapes(dims, m)
    outputs = {**params, **grads, "AL": AL}
    want = {k: v for k, v in expected.items() if k in outputs}
    want["AL"] = (1, m)
    r = P.check_output_shapes(outputs, want)
    assert r.status == "pass", r.message
    assert P.check_no_rank1(outputs).status == "pass"


@pytest.mark.parametrize(
    ("bug", "kind", "words"),
    [
        ("no_keepdims", "rank1", ["rank-1", "keepdims=True", "db.reshape(3, 1)"]),
        ("transposed", "transposed", ["dW.T", "transpose"]),
        ("wrong_axis", "shape", ["(1, 5)", "(3, 1)"]),
        ("no_sum", "shape", ["axis=1, keepdims=True"]),
    ],
)
def test_shapes_fail_on_planted_bugs(bug: str, kind: str, words: list[str]) -> None:
    rng = np.random.default_rng(1)
    n, n_prev, m = 3, 4, 5  # unequal, so the bug changes the shape
    dZ, A_prev, W = (
        rng.standard_normal((n, m)),
        rng.standard_normal((n_prev, m)),
        rng.standard_normal((n, n_prev)),
    )
    out = _backward_outputs(dZ, A_prev, W, bug)
    r = P.check_output_shapes(out, {"dA_prev": (n_prev, m), "dW": (n, n_prev), "db": (n, 1)})
    assert r.status == "fail"
    problems = r.details["problems"]
    assert isinstance(problems, list) and len(problems) == 1
    assert problems[0]["kind"] == kind
    for w in words:
        assert w in r.message, (w, r.message)
    if kind == "rank1":
        assert r.details["rank1"] == ["db"]
        assert P.check_no_rank1(out).status == "fail"
        assert "db" in P.check_no_rank1(out).message
    else:
        assert P.check_no_rank1(out).status == "pass"


def test_shapes_missing_scalar_and_nested_rank1() -> None:
    r = P.check_output_shapes({"b": 0.0}, {"b": (), "w": (3, 1)})
    assert r.status == "fail" and "w is missing" in r.message
    assert P.check_output_shapes({"b": 0.0}, {"b": ()}).status == "pass"
    r = P.check_output_shapes({"b": [0.0, 1.0]}, {"b": (2, 1)})
    assert r.status == "fail" and "list" in r.message
    r = P.check_no_rank1({"cache": (np.zeros((2, 2)), {"b": np.zeros(2)})})
    assert r.status == "fail" and "cache[1]['b']" in r.message


# --- scalar cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_scalar_cost_passes_reference_costs(seed: int) -> None:
    _, _, params, X, Y = _case(seed)
    assert P.check_scalar_cost(R.model_cost(params, X, Y, "relu")).status == "pass"
    AL, _ = R.model_forward(X, params, "relu")
    course_style = np.squeeze(
        -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=1, keepdims=True) / Y.shape[1]
    )
    assert P.check_scalar_cost(course_style).status == "pass"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (np.array([[0.5]]), "np.squeeze"),
        (np.array([[0.5, 0.7, 0.1]]), "one value per example"),
        (-0.3, "sign"),
        (float("nan"), "nan"),
        ([0.5], "list"),
        (np.array("x"), "dtype"),
    ],
)
def test_scalar_cost_fails_on_planted_bugs(value: object, words: str) -> None:
    r = P.check_scalar_cost(value)
    assert r.status == "fail"
    assert words in r.message


# --- mutation ------------------------------------------------------------------------------------


def relu_backward_ok(dA: Arr, Z: Arr) -> Arr:
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def relu_backward_mutates(dA: Arr, Z: Arr) -> Arr:
    dZ = dA  # planted bug: aliases the input
    dZ[Z <= 0] = 0
    return dZ


def update_in_place(
    parameters: dict[str, Arr], grads: Mapping[str, Arr], learning_rate: float
) -> dict[str, Arr]:
    for key in list(parameters):
        parameters[key] = parameters[key] - learning_rate * grads["d" + key]
    return parameters


def backward_mutates_cache(dA: Arr, cache: tuple[Arr, Arr]) -> Arr:
    Z, W = cache
    W *= 2.0  # planted bug deep inside a tuple argument
    return dA * (Z > 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_mutation_passes_on_pure_functions(seed: int) -> None:
    _, _, params, X, Y = _case(seed)
    dA, Z = np.random.default_rng(seed).standard_normal((2, 3, 4))
    assert P.check_no_mutation(relu_backward_ok, dA, Z).status == "pass"
    assert P.check_no_mutation(R.model_forward, X, params, "relu").status == "pass"
    grads = R.model_gradients(params, X, Y)
    assert P.check_no_mutation(R.update_parameters, params, grads, 0.1).status == "pass"


@pytest.mark.parametrize("seed", SEEDS)
def test_mutation_fails_and_names_argument_key_and_index(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dA = rng.standard_normal((3, 4))
    Z = rng.standard_normal((3, 4))
    Z[0, 0] = -1.0  # at least one entry is zeroed
    r = P.check_no_mutation(relu_backward_mutates, dA, Z)
    assert r.status == "fail"
    assert r.details["argument"] == "dA"
    assert "dA" in r.message and "copy" in r.message
    _, _, params, X, Y = _case(seed)
    grads = R.model_gradients(params, X, Y)
    r = P.check_no_mutation(update_in_place, params, grads, learning_rate=0.1)
    assert r.status == "fail" and str(r.details["argument"]).startswith("parameters[")
    r = P.check_no_mutation(backward_mutates_cache, dA, (Z, rng.standard_normal((3, 3))))
    assert r.status == "fail" and r.details["argument"] == "cache[1]"


def test_mutation_crash_becomes_a_failure() -> None:
    def broken(x: Arr) -> Arr:
        return x @ np.ones((5, 5))

    r = P.check_no_mutation(broken, np.ones((2, 3)))
    assert (
        r.status == "fail" and "ValueError" in r.message and r.details["exception"] == "ValueError"
    )


def test_compare_values_reports_structure_changes() -> None:
    before = {"a": np.zeros((2, 2)), "b": [1, 2]}
    after = {"a": np.zeros((2, 3)), "b": [1], "c": 1}
    descriptions = {c.path: c.description for c in P.compare_values(before, after, "p")}
    assert descriptions == {
        "p['a']": "shape changed from (2, 2) to (2, 3)",
        "p['b']": "length changed from 2 to 1",
        "p['c']": "was added",
    }
    assert P.compare_values(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), "x") == []


# --- determinism -------------------------------------------------------------------------------


def init_unseeded(layer_dims: list[int]) -> dict[str, Arr]:
    return R.initialize_parameters(layer_dims, seed=None)  # planted bug: fresh randomness


@pytest.mark.parametrize("seed", SEEDS)
def test_determinism(seed: int) -> None:
    dims, _, params, X, _ = _case(seed)
    r = P.check_deterministic(R.initialize_parameters, dims, "he", seed=seed)
    assert r.status == "pass"
    assert P.check_deterministic(R.model_forward, X, params, "tanh").status == "pass"
    dims = [dims[0], 3, 1]  # at least one random weight beyond the first
    r = P.check_deterministic(init_unseeded, dims)
    assert r.status == "fail" and "seed" in r.message


def test_determinism_catches_hidden_state() -> None:
    calls: list[int] = []

    def counter(x: Arr) -> Arr:
        calls.append(1)
        return x * len(calls)

    r = P.check_deterministic(counter, np.ones((1, 2)))
    assert r.status == "fail"
    assert "output" in r.message


# --- dtype -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_dtype_passes_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dZ, A_prev, W = (
        rng.standard_normal((3, 4)),
        rng.standard_normal((2, 4)),
        rng.standard_normal((3, 2)),
    )
    assert P.check_dtype_preserved(R.linear_backward, dZ, A_prev, W).status == "pass"
    assert P.check_dtype_preserved(R.relu_derivative, dZ).status == "pass"
    # float32 in, float64 out is an upcast: fine unless forbidden
    assert P.check_dtype_preserved(R.sigmoid, dZ.astype(np.float32)).status == "pass"
    assert (
        P.check_dtype_preserved(R.sigmoid, dZ.astype(np.float32), allow_upcast=False).status
        == "fail"
    )


def test_dtype_fails_on_planted_bugs() -> None:
    Z = np.array([[-1.0, 2.0]])
    r = P.check_dtype_preserved(lambda z: z > 0, Z)  # bool derivative
    assert r.status == "fail" and "bool" in r.message
    r = P.check_dtype_preserved(lambda z: np.zeros(z.shape, dtype=int), Z)
    assert r.status == "fail" and "int64" in r.message
    r = P.check_dtype_preserved(lambda z: z.astype(np.float16), Z)
    assert r.status == "fail" and "loses precision" in r.message
    assert P.check_dtype_preserved(lambda n: n + 1, 3).status == "skip"


# --- stability ---------------------------------------------------------------------------------

EXTREME = np.array([[-1e4, -750.0, -40.0, 0.0, 40.0, 750.0, 1e4]])


def sigmoid_naive(z: Arr) -> Arr:
    return 1.0 / (1.0 + np.exp(-z))  # right formula, overflows for z << 0


def sigmoid_wrong(z: Arr) -> Arr:
    return 1.0 / (1.0 + np.exp(z))  # planted bug: sign


def tanh_by_exp(z: Arr) -> Arr:
    out: Arr = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))  # nan at ±1e4
    return out


def test_stability_pass_warn_fail() -> None:
    expected = R.sigmoid(EXTREME)
    r = P.check_stability(R.sigmoid, EXTREME, expected=expected)
    assert r.status == "pass", r.message
    r = P.check_stability(sigmoid_naive, EXTREME, expected=expected)
    assert r.status == "warn" and "overflow" in r.message and r.ok
    r = P.check_stability(tanh_by_exp, EXTREME, expected=np.tanh(EXTREME))
    assert r.status == "warn" and r.details["nonfinite"] == ["output"]
    r = P.check_stability(sigmoid_wrong, EXTREME, expected=expected)
    assert r.status == "fail" and "expected" in r.message
    r = P.check_stability(lambda z: float("inf"), 1e4)
    assert r.status == "warn"
    r = P.check_stability(lambda z: 2.0, 1e4, expected=1.0)
    assert r.status == "fail"


@pytest.mark.parametrize("seed", SEEDS)
def test_stability_of_reference_cost_across_seeds(seed: int) -> None:
    _, _, params, X, Y = _case(seed)
    big = {k: v * 1e3 for k, v in params.items()}  # saturating weights
    r = P.check_stability(R.model_cost, big, X, Y, "relu")
    assert r.status == "pass", r.message


def test_stability_does_not_change_global_error_state() -> None:
    before = np.geterr()
    P.check_stability(sigmoid_naive, EXTREME)
    assert np.geterr() == before


# --- symmetry ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_random_inits_break_symmetry(seed: int) -> None:
    dims, _, _, X, Y = _case(seed)
    for method in ("small", "he", "xavier"):
        params = R.initialize_parameters(dims, method, seed=seed)
        assert P.check_symmetry_breaking(params).status == "pass"
        r = P.check_symmetry_under_training(params, X, Y, hidden="tanh")
        assert r.status == "pass", r.message


@pytest.mark.parametrize("seed", SEEDS)
def test_symmetric_inits_fail_and_stay_symmetric(seed: int) -> None:
    dims, _, _, X, Y = _case(seed)
    dims = [dims[0], 2 + seed % 3, 1]  # a hidden layer with at least two units
    zeros = R.initialize_parameters(dims, "zeros")
    r = P.check_symmetry_breaking(zeros)
    assert r.status == "fail" and "all zero" in r.message and "W1" in r.message
    constant = {k: np.full_like(v, 0.5) for k, v in zeros.items()}
    r = P.check_symmetry_breaking(constant)
    assert r.status == "fail" and "constant" in r.message
    for hidden in R.HIDDEN_ACTIVATIONS:
        r = P.check_symmetry_under_training(constant, X, Y, hidden=hidden)
        assert r.status == "fail", (hidden, r.message)
        assert "still equal" in r.message
        if hidden in ("tanh", "sigmoid"):  # g' > 0: the weights really move, rows stay equal
            assert isinstance(r.details["max_change"], float) and r.details["max_change"] > 0
    r = P.check_symmetry_under_training(zeros, X, Y, hidden="tanh")
    assert r.status == "fail" and "did not move" in r.message


def test_symmetry_edge_cases() -> None:
    rng = np.random.default_rng(0)
    logistic = {"w": np.zeros((1, 4)), "b": 0.0}  # week 2 initialises w = 0: correct
    assert P.check_symmetry_breaking(logistic).status == "pass"
    broken_by_next = {
        "W1": np.zeros((3, 2)),
        "b1": np.zeros((3, 1)),
        "W2": rng.standard_normal((1, 3)),
        "b2": np.zeros((1, 1)),
    }
    r = P.check_symmetry_breaking(broken_by_next)
    assert r.status == "warn" and r.ok
    X, Y = rng.standard_normal((2, 5)), np.array([[0.0, 1, 1, 0, 1]])
    assert P.check_symmetry_under_training(broken_by_next, X, Y, hidden="tanh").status == "pass"
    unit2_differs_by_b = {
        "W1": np.ones((3, 2)),
        "b1": np.array([[0.0], [0.0], [1.0]]),
        "W2": np.ones((1, 3)),
    }
    assert P.symmetric_units(unit2_differs_by_b) == [(1, 0, 1)]
    assert P.check_symmetry_breaking({"x": 1}).status == "skip"
    bad_shapes = {
        "W1": np.zeros((3, 2)),
        "b1": np.zeros((3, 1)),
        "W2": np.zeros((1, 4)),
        "b2": np.zeros((1, 1)),
    }
    assert P.check_symmetry_under_training(bad_shapes, X, Y).status == "skip"


# --- init scale ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_init_scale(seed: int) -> None:
    dims, *_ = _case(seed)
    dims = [max(dims[0], 2), *dims[1:]]
    small = R.initialize_parameters(dims, "small", seed=seed)
    assert P.check_init_scale(small, "tanh").status == "pass"
    xavier = R.initialize_parameters(dims, "xavier", seed=seed)
    assert P.check_init_scale(xavier, "tanh").status == "pass"
    he = R.initialize_parameters(dims, "he", seed=seed)
    assert P.check_init_scale(he, "relu").status in ("pass", "skip")
    large = {k: v * 1000 if k.startswith("W") else v for k, v in small.items()}  # randn * 10
    r = P.check_init_scale(large, "tanh")
    assert r.status == "warn" and r.ok and "saturates" in r.message
    assert P.check_init_scale({"x": 1}).status == "skip"


def test_init_scale_relu_judges_only_the_sigmoid_output() -> None:
    params = {
        "W1": np.full((3, 2), 100.0),
        "b1": np.zeros((3, 1)),
        "W2": np.full((1, 3), 0.01),
        "b2": np.zeros((1, 1)),
    }
    assert P.check_init_scale(params, "relu").status == "pass"
    assert P.check_init_scale(params, "tanh").status == "warn"
    assert (
        P.check_init_scale({"W1": params["W1"]}, "relu", output_activation="relu").status == "skip"
    )


# --- update direction -----------------------------------------------------------------------


def update_sign_flip(
    parameters: Mapping[str, Arr], grads: Mapping[str, Arr], learning_rate: float
) -> dict[str, Arr]:
    return {k: v + learning_rate * grads["d" + k] for k, v in parameters.items()}


def update_noop(
    parameters: Mapping[str, Arr], grads: Mapping[str, Arr], learning_rate: float
) -> dict[str, Arr]:
    p = copy.deepcopy(dict(parameters))
    for k in p:
        _ = p[k] - learning_rate * grads["d" + k]  # planted bug: result never assigned
    return p


def update_returns_none(
    parameters: dict[str, Arr], grads: Mapping[str, Arr], learning_rate: float
) -> None:
    update_in_place(parameters, grads, learning_rate)


def update_double_lr(
    parameters: Mapping[str, Arr], grads: Mapping[str, Arr], learning_rate: float
) -> dict[str, Arr]:
    return {k: v - 2 * learning_rate * grads["d" + k] for k, v in parameters.items()}


@pytest.mark.parametrize("seed", SEEDS)
def test_update_direction_passes_reference_and_in_place(seed: int) -> None:
    _, _, params, X, Y = _case(seed)
    grads = R.model_gradients(params, X, Y, "tanh")

    def cost(p: Mapping[str, Arr]) -> float:
        return R.model_cost(p, X, Y, "tanh")

    r = P.check_update_direction(R.update_parameters, params, grads, cost, learning_rate=0.5)
    assert r.status == "pass", r.message
    r = P.check_update_direction(update_in_place, params, grads, cost)
    assert r.status == "pass", r.message


@pytest.mark.parametrize("seed", SEEDS)
def test_update_direction_fails_on_planted_bugs(seed: int) -> None:
    _, _, params, X, Y = _case(seed)
    grads = R.model_gradients(params, X, Y, "relu")

    def cost(p: Mapping[str, Arr]) -> float:
        return R.model_cost(p, X, Y, "relu")

    r = P.check_update_direction(update_sign_flip, params, grads, cost)
    assert r.status == "fail" and "sign flip" in r.message
    r = P.check_update_direction(update_noop, params, grads, cost)
    assert r.status == "fail" and "did not change" in r.message
    r = P.check_update_direction(update_returns_none, params, grads, cost)
    assert r.status == "fail" and "returned None" in r.message
    r = P.check_update_direction(update_double_lr, params, grads, cost)
    assert r.status == "fail" and "learning rate" in r.message
    assert (
        P.check_update_direction(update_double_lr, params, grads, cost, exact=False).status
        == "pass"
    )
    # the update is right but the gradients are not those of the cost: caught by the cost
    wrong = {k: -v for k, v in grads.items()}
    r = P.check_update_direction(R.update_parameters, params, wrong, cost)
    assert r.status == "fail" and "does not decrease the cost" in r.message


class Cache:
    """A learner's cache object without its own == (compared by attributes)."""

    def __init__(self, Z: Arr) -> None:
        self.Z = Z


def test_mutation_of_plain_objects_and_ignored_arguments() -> None:
    def pure(cache: Cache) -> Arr:
        return cache.Z * 2

    def mutates(cache: Cache) -> Arr:
        cache.Z[0, 0] = 5.0
        return cache.Z

    assert P.check_no_mutation(pure, Cache(np.ones((2, 2)))).status == "pass"
    r = P.check_no_mutation(mutates, Cache(np.ones((2, 2))))
    assert r.status == "fail" and r.details["argument"] == "cache['Z']"
    _, _, params, X, Y = _case(0)
    grads = R.model_gradients(params, X, Y)
    r = P.check_no_mutation_call(update_in_place, (params, grads, 0.1), ignore=("parameters",))
    assert r.status == "pass" and r.details["ignored"] == ["parameters"]
    r = P.check_no_mutation_call(update_in_place, (params, grads), {"learning_rate": 0.1})
    assert r.status == "fail"


def test_determinism_of_plain_objects() -> None:
    assert P.check_deterministic(lambda: Cache(np.ones(2))).status == "pass"
    flaky = iter(range(10))
    assert P.check_deterministic(lambda: Cache(np.full(2, next(flaky)))).status == "fail"
    assert P.check_deterministic(object).status == "pass"  # nothing to compare: no verdict


def test_assert_ok_raises_only_for_failures() -> None:
    ok = P.PropertyResult("a", "pass", "fine")
    warn = P.PropertyResult("b", "warn", "risky")
    bad = P.PropertyResult("c", "fail", "broken: db is missing 1/m")
    P.assert_ok(ok, warn)
    with pytest.raises(AssertionError, match=r"\[c\] broken: db is missing 1/m"):
        P.assert_ok(ok, bad)


def course_cost(Z: Arr, Y: Arr) -> float:
    """The notes' cost from AL = σ(Z): right, but log(0) once σ rounds to 0 or 1."""
    AL = 1.0 / (1.0 + np.exp(-Z))
    return float(np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / Z.shape[1]))


def logit_cost(Z: Arr, Y: Arr) -> float:
    return float(np.mean(R.cross_entropy_from_logits(Z, Y)))


@pytest.mark.parametrize("seed", SEEDS)
def test_stability_never_fails_the_notes_cost(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 6))
    Z = rng.choice([-1e4, -40.0, -30.0, -5.0, 5.0, 30.0, 40.0, 1e4], size=(1, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    r = P.check_stability(course_cost, Z, Y, expected=logit_cost(Z, Y))
    assert r.status in ("pass", "warn"), r.message
    if r.status == "warn" and "inaccurate" in r.message:
        assert "inexact" in r.details  # log(1 − σ(30)) loses digits: a warning, not a failure
    wrong = P.check_stability(
        lambda Z, Y: 2 * course_cost(Z, Y) + 1, Z, Y, expected=logit_cost(Z, Y)
    )
    assert wrong.status in ("fail", "warn")  # wrong where finite; only non-finite hides it
    with np.errstate(all="ignore"):
        finite = np.isfinite(course_cost(Z, Y))
    if finite:
        assert wrong.status == "fail"


def test_stability_skips_when_the_structure_differs() -> None:
    def sigmoid_with_cache(Z: Arr) -> tuple[Arr, Arr]:
        return R.sigmoid(Z), Z

    r = P.check_stability(sigmoid_with_cache, EXTREME, expected=R.sigmoid(EXTREME))
    assert r.status == "skip" and "structure" in r.message
    r = P.check_stability(sigmoid_with_cache, EXTREME, expected=(R.sigmoid(EXTREME), EXTREME))
    assert r.status == "pass"
    r = P.check_stability(lambda z: z[:, :2], EXTREME, expected=EXTREME)
    assert r.status == "fail" and "shape" in r.message


def test_user_data_of_the_wrong_type_is_a_finding_not_a_crash() -> None:
    returned = (np.zeros((2, 1)), np.zeros((2, 1)))  # e.g. an init that returns a tuple
    assert P.check_output_shapes(returned, {"W1": (2, 1)}).status == "fail"  # type: ignore[arg-type]
    assert P.check_no_rank1(returned).status == "fail"  # type: ignore[arg-type]
    r = P.check_symmetry_breaking(returned)  # type: ignore[arg-type]
    assert r.status == "fail" and "tuple" in r.message
    X, Y = np.ones((1, 2)), np.ones((1, 2))
    assert P.check_symmetry_under_training(returned, X, Y).status == "skip"  # type: ignore[arg-type]
    assert P.check_init_scale(returned).status == "skip"  # type: ignore[arg-type]
    r = P.check_update_direction(R.update_parameters, {"W1": np.ones((1, 1))}, returned)  # type: ignore[arg-type]
    assert r.status == "skip"


def test_rank1_fix_only_suggests_a_reshape_that_works() -> None:
    r = P.check_output_shapes({"b1": np.zeros(4)}, {"b1": (4, 1)})
    assert "b1.reshape(4, 1)" in r.message
    r = P.check_output_shapes({"b1": np.zeros(5)}, {"b1": (4, 1)})
    assert (
        "reshape" not in r.message.split("(the notes' tip")[0]
        and "5 values but needs 4" in r.message
    )


def test_extreme_z_is_read_only_and_checks_use_copies() -> None:
    assert not P.EXTREME_Z.flags.writeable

    def sigmoid_in_place(z: Arr) -> Arr:
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)
        return z

    r = P.check_stability(sigmoid_in_place, P.EXTREME_Z, expected=R.sigmoid(P.EXTREME_Z))
    assert r.status == "warn" and r.ok  # right values, overflow on the way; the input is copied


def test_symmetry_ignores_output_units_and_caps_pairs() -> None:
    rng = np.random.default_rng(0)
    multi_output = {
        "W1": rng.standard_normal((3, 2)),
        "b1": np.zeros((3, 1)),
        "W2": np.zeros((2, 3)),
        "b2": np.zeros((2, 1)),
    }
    assert P.symmetric_units(multi_output) == []  # output units see different labels
    assert P.check_symmetry_breaking(multi_output).status == "warn"
    wide = R.initialize_parameters([3, 60, 1], "zeros")
    assert (
        len(P.symmetric_units(wide)) == 1000
        and len(P.symmetric_units(wide, limit=None)) == 60 * 59 // 2
    )


def test_update_direction_near_a_minimum_is_not_judged_by_rounding() -> None:
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}
    grads = {"dW1": np.array([[1e-12, -1e-12]]), "db1": np.array([[1e-12]])}

    def flat_cost(p: Mapping[str, Arr]) -> float:
        return 0.7  # a cost that rounding cannot move

    r = P.check_update_direction(R.update_parameters, params, grads, flat_cost, learning_rate=0.01)
    assert r.status == "pass" and "below the rounding" in r.message
    r = P.check_update_direction(update_sign_flip, params, grads, flat_cost, learning_rate=0.01)
    assert r.status == "fail" and "sign flip" in r.message


def test_symmetry_breaking_failure_is_explained_by_training_when_data_is_given() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 4)), np.array([[0.0, 1.0, 1.0, 0.0]])
    constant = {k: np.full_like(v, 0.2) for k, v in R.initialize_parameters([3, 4, 1]).items()}
    r = P.check_symmetry_breaking(constant, X, Y, hidden="tanh")
    assert (
        r.status == "fail" and "shown on the reference: after 5 gradient-descent steps" in r.message
    )
    trained = r.details["under_training"]
    assert isinstance(trained, dict) and trained["status"] == "fail"
    assert "shown on the reference" not in P.check_symmetry_breaking(constant).message
    ok = R.initialize_parameters([3, 4, 1], seed=0)
    assert P.check_symmetry_breaking(ok, X, Y).status == "pass"
