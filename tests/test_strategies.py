"""Strategies keep their contracts, produce the bug-revealing cases often, and shrink failures."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from nncheck import properties as P
from nncheck import reference as R
from nncheck import strategies as S

T = TypeVar("T")
Arr = np.ndarray[Any, Any]
FAST = settings(max_examples=60, database=None, deadline=None, derandomize=True)


def sample(strategy: st.SearchStrategy[T], n: int = 300) -> list[T]:
    """``n`` examples as a test would see them (derandomized: the numbers below are stable)."""
    seen: list[T] = []

    @settings(
        max_examples=n,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(strategy)
    def collect(x: T) -> None:
        seen.append(x)

    collect()
    return seen


def test_public_names() -> None:
    assert sorted(S.__all__) == sorted(
        [
            "MAX_SEED",
            "Architecture",
            "Counterexample",
            "LayerCase",
            "LogisticCase",
            "NetworkCase",
            "architectures",
            "batch_sizes",
            "describe",
            "find_counterexample",
            "inputs",
            "labels",
            "layer_cases",
            "layer_dims",
            "logistic_cases",
            "make_inputs",
            "make_layer_case",
            "make_logistic_case",
            "make_network_case",
            "make_parameters",
            "network_cases",
            "parameters",
            "pre_activations",
            "probabilities",
            "seeds",
            "well_conditioned",
        ]
    )
    for name in set(S.__all__) - {"MAX_SEED"}:
        assert getattr(S, name).__doc__, name


# --- contracts ---------------------------------------------------------------------------------


@FAST
@given(st.data())
def test_layer_dims_contract(data: st.DataObject) -> None:
    lo_l = data.draw(st.integers(1, 3))
    hi_l = data.draw(st.integers(lo_l, 4))
    lo_w = data.draw(st.integers(1, 3))
    hi_w = data.draw(st.integers(lo_w, 7))
    n_x = data.draw(st.none() | st.integers(1, 9))
    n_y = data.draw(st.none() | st.integers(1, 3))
    dims = data.draw(
        S.layer_dims(
            min_layers=lo_l, max_layers=hi_l, min_width=lo_w, max_width=hi_w, n_x=n_x, n_y=n_y
        )
    )
    assert lo_l + 1 <= len(dims) <= hi_l + 1
    if n_x is not None:
        assert dims[0] == n_x
    if n_y is not None:
        assert dims[-1] == n_y
    inner = dims[1:-1] + ([dims[0]] if n_x is None else []) + ([dims[-1]] if n_y is None else [])
    for n in inner:
        assert n == 1 or lo_w <= n <= hi_w


@FAST
@given(S.architectures(hidden=("tanh", "relu")))
def test_architectures_contract(arch: S.Architecture) -> None:
    assert arch.hidden in ("tanh", "relu")
    assert arch.L == len(arch.dims) - 1 >= 1 and arch.dims[-1] == 1


@FAST
@given(st.data())
def test_batch_sizes_contract(data: st.DataObject) -> None:
    lo = data.draw(st.integers(1, 4))
    hi = data.draw(st.integers(lo, 9))
    prefer = data.draw(st.lists(st.integers(1, 12), max_size=4))
    m = data.draw(S.batch_sizes(min_size=lo, max_size=hi, prefer=prefer))
    assert lo <= m <= hi


@FAST
@given(S.layer_dims(max_layers=4).flatmap(lambda d: st.tuples(st.just(d), S.parameters(d))))
def test_parameters_follow_the_rules(case: tuple[list[int], dict[str, Arr]]) -> None:
    dims, params = case
    R.check_parameters(params, dims)  # raises ShapeError on a broken rule
    assert R.layer_dims_from_params(params) == dims
    assert sorted(params) == sorted(
        [f"W{l}" for l in range(1, len(dims))] + [f"b{l}" for l in range(1, len(dims))]
    )
    for key, value in params.items():
        assert value.dtype == np.float64 and np.all(np.isfinite(value))
        if key.startswith("b"):
            assert np.all(value != 0), "nonzero b: a missing bias must show"
    assert R.breaks_symmetry(params)


def test_parameters_options_and_replay() -> None:
    dims = [3, 4, 1]
    zero_b = sample(S.parameters(dims, nonzero_bias=False), 20)
    assert all(not np.any(p["b1"]) and not np.any(p["b2"]) for p in zero_b)
    p = S.make_parameters(dims, 7, init_scale=10.0)
    assert all(np.array_equal(p[k], S.make_parameters(dims, 7, init_scale=10.0)[k]) for k in p)
    # init_scale is the size of z for unit inputs: rms(W)·√n[l−1] ≈ init_scale
    big = S.make_parameters([400, 300, 1], 0, init_scale=10.0)
    gain = float(np.sqrt(np.mean(big["W1"] ** 2)) * np.sqrt(400))
    assert 9.5 < gain < 10.5
    assert P.check_init_scale(big, "tanh").status == "warn"
    assert P.check_init_scale(S.make_parameters([400, 300, 1], 0), "tanh").status == "pass"


@FAST
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_value_strategies_contract(n: int, m: int, data: st.DataObject) -> None:
    X = data.draw(S.inputs(n, m))
    assert X.shape == (n, m) and np.all(np.isfinite(X))
    Y = data.draw(S.labels(m))
    assert Y.shape == (1, m) and set(np.unique(Y)) <= {0.0, 1.0}
    p = data.draw(S.probabilities((n, m), min_value=1e-4))
    assert p.shape == (n, m) and np.all((p >= 1e-4) & (p <= 1 - 1e-3)) and np.all((p > 0) & (p < 1))
    Z = data.draw(S.pre_activations((n, m), bound=2.0, margin=0.05))
    assert Z.shape == (n, m) and np.all(np.abs(Z) >= 0.05) and np.all(np.abs(Z) <= 2.0)
    W = data.draw(S.well_conditioned((n, m)))
    assert np.all((np.abs(W) >= 0.1) & (np.abs(W) <= 3.0))
    s = R.sigmoid(W)
    assert np.all((s > 0.04) & (s < 0.96)), "well-conditioned values do not saturate σ"


def test_pre_activations_with_kinks_hit_zero_often() -> None:
    zs = sample(S.pre_activations((4, 4), avoid_kinks=False), 100)
    with_zero = sum(bool(np.any(z == 0)) for z in zs) / len(zs)
    assert with_zero > 0.5  # measured 0.88 (derandomized)
    kink_free = sample(S.pre_activations((4, 4)), 100)
    assert not any(np.any(np.abs(z) < 1e-2) for z in kink_free)


@FAST
@given(S.network_cases(max_layers=4))
def test_network_cases_contract(case: S.NetworkCase) -> None:
    R.check_parameters(case.params, case.dims)
    assert case.X.shape == (case.dims[0], case.m)
    assert case.Y.shape == (1, case.m) and set(np.unique(case.Y)) <= {0.0, 1.0}
    assert case.hidden in R.HIDDEN_ACTIVATIONS
    assert all(np.all(case.params[f"b{l}"] != 0) for l in range(1, case.L + 1))
    AL, caches = R.model_forward(case.X, case.params, case.hidden)
    assert AL.shape == case.expected_shapes()[f"A{case.L}"]
    if case.hidden in ("relu", "leaky_relu"):  # away from the kink of every hidden unit
        for cache in caches[:-1]:
            assert np.all(np.abs(cache.Z) >= 1e-3)
    again = S.make_network_case(case.dims, case.m, case.hidden, case.seed)
    assert again.replay == case.replay
    for key in case.params:
        assert np.array_equal(again.params[key], case.params[key])
    assert np.array_equal(again.X, case.X) and np.array_equal(again.Y, case.Y)


@FAST
@given(S.layer_cases())
def test_layer_cases_contract(case: S.LayerCase) -> None:
    assert case.A_prev.shape == (case.n_prev, case.m)
    assert case.W.shape == (case.n, case.n_prev) and case.b.shape == (case.n, 1)
    assert case.Z.shape == case.dA.shape == (case.n, case.m)
    np.testing.assert_allclose(case.Z, R.linear_forward(case.A_prev, case.W, case.b))
    if case.activation in ("relu", "leaky_relu"):
        assert np.all(np.abs(case.Z) >= 1e-2)
    again = S.make_layer_case(case.n, case.n_prev, case.m, case.activation, case.seed)
    assert np.array_equal(again.dA, case.dA) and np.array_equal(again.W, case.W)


@FAST
@given(S.logistic_cases())
def test_logistic_cases_contract(case: S.LogisticCase) -> None:
    assert case.w.shape == (case.n_x, 1) and isinstance(case.b, float) and case.b != 0.0
    assert case.X.shape == (case.n_x, case.m) and case.Y.shape == (1, case.m)
    again = S.make_logistic_case(case.n_x, case.m, case.seed)
    assert np.array_equal(again.X, case.X) and again.b == case.b
    assert S.describe(case)["replay"] == case.replay  # type: ignore[index]


def test_logistic_cases_frequencies_and_a_planted_bug() -> None:
    cases = sample(S.logistic_cases(), 200)
    assert sum(c.m == 1 for c in cases) / len(cases) > 0.15
    assert sum(c.n_x == c.m > 1 for c in cases) / len(cases) > 0.15
    assert all(c.b == 0.0 for c in sample(S.logistic_cases(nonzero_bias=False), 20))

    def db_is_mean(case: S.LogisticCase) -> bool:
        A = R.sigmoid(case.w.T @ case.X + case.b)
        db_buggy = float(np.sum(A - case.Y))  # planted: the 1/m is missing
        return bool(np.isclose(db_buggy, R.logistic_propagate(case.w, case.b, case.X, case.Y)[2]))

    ce = S.find_counterexample(db_is_mean, S.logistic_cases(), seed=0)
    assert ce is not None and (ce.example.n_x, ce.example.m) == (1, 2)


# --- frequencies of the bug-revealing cases ------------------------------------------------


def _features(case: S.NetworkCase) -> dict[str, bool]:
    d, m = case.dims, case.m
    pairs = list(itertools.pairwise(d))
    return {
        "m = 1": m == 1,
        "m > 1": m > 1,
        "m = n[l] > 1": any(m == n and n > 1 for n in d),
        "n[l] = 1 (l < L)": any(n == 1 for n in d[:-1]),
        "equal neighbours > 1 (square W)": any(a == b > 1 for a, b in pairs),
        "unequal neighbours": any(a != b for a, b in pairs),
        "hidden layers (L >= 2)": case.L >= 2,
        "nonzero b": all(np.all(v != 0) for k, v in case.params.items() if k.startswith("b")),
    }


# measured on 300 derandomized examples (see docs/readme/strategies.md); the floors leave room
FLOORS = {
    "m = 1": 0.15,
    "m > 1": 0.5,
    "m = n[l] > 1": 0.25,
    "n[l] = 1 (l < L)": 0.25,
    "equal neighbours > 1 (square W)": 0.1,
    "unequal neighbours": 0.5,
    "hidden layers (L >= 2)": 0.3,
    "nonzero b": 1.0,
}


def network_case_frequencies(n: int = 300) -> dict[str, float]:
    cases = sample(S.network_cases(), n)
    counts = dict.fromkeys(FLOORS, 0)
    for case in cases:
        for name, hit in _features(case).items():
            counts[name] += hit
    return {name: counts[name] / len(cases) for name in FLOORS}


def test_bug_revealing_cases_occur_often() -> None:
    freq = network_case_frequencies()
    low = {k: v for k, v in freq.items() if v < FLOORS[k]}
    assert not low, f"too rare: {low} (all: {freq})"


def test_every_hidden_activation_and_layer_shape_is_drawn() -> None:
    cases = sample(S.network_cases(), 200)
    assert {c.hidden for c in cases} == set(R.HIDDEN_ACTIVATIONS)
    assert {c.L for c in cases} == {1, 2, 3}
    layer = sample(S.layer_cases(), 200)
    assert sum(c.n == c.n_prev > 1 for c in layer) / len(layer) > 0.1  # square W: transpose hides
    assert sum(c.m == 1 for c in layer) / len(layer) > 0.1


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: S.layer_dims(min_layers=0), "min_layers=0"),
        (lambda: S.layer_dims(min_layers=3, max_layers=2), "min_layers=3"),
        (lambda: S.layer_dims(max_width=2.5), "max_width=2.5"),  # type: ignore[arg-type]
        (lambda: S.layer_dims(n_x=0), "n_x=0"),
        (lambda: S.layer_dims(min_width=True), "min_width=True"),
        (lambda: S.architectures(hidden="softmax"), "'softmax'"),
        (lambda: S.architectures(hidden=()), "hidden=()"),
        (lambda: S.batch_sizes(min_size=5, max_size=2), "min_size=5"),
        (lambda: S.batch_sizes(prefer=3), "prefer=3"),  # type: ignore[arg-type]
        (lambda: S.parameters([3]), "dims=[3]"),
        (lambda: S.parameters([3, 0]), "dims[1]=0"),
        (lambda: S.parameters("34"), "dims='34'"),  # type: ignore[arg-type]
        (lambda: S.parameters([3, 1], init_scale=0), "init_scale=0"),
        (lambda: S.parameters([3, 1], init_scale=float("nan")), "init_scale=nan"),
        (lambda: S.inputs(0, 3), "n0=0"),
        (lambda: S.labels(0), "m=0"),
        (lambda: S.probabilities((2, 2), min_value=0.0), "min_value=0.0"),
        (lambda: S.probabilities((2, 2), max_value=1.0), "max_value=1.0"),
        (lambda: S.probabilities((2, 2), min_value=0.9, max_value=0.1), "min_value=0.9"),
        (lambda: S.pre_activations((2, 0)), "shape[1]=0"),
        (lambda: S.pre_activations((2, 2), margin=5.0, bound=1.0), "margin=5.0"),
        (lambda: S.well_conditioned((2, 2), bound=-1), "bound=-1"),
        (lambda: S.network_cases(min_m=0), "min_m=0"),
        (lambda: S.network_cases(nonzero_bias=1), "nonzero_bias=1"),  # type: ignore[arg-type]
        (lambda: S.layer_cases(max_width=0), "max_width=0"),
        (lambda: S.find_counterexample(bool, st.just(1), max_examples=0), "max_examples=0"),
        (lambda: S.find_counterexample(bool, [1]), "strategy=[1]"),  # type: ignore[arg-type]
    ],
)
def test_invalid_arguments_are_named_eagerly(make: Callable[[], object], argument: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        make()  # raised when the strategy is built, not when it is drawn from
    assert argument in str(info.value)


# --- counterexamples -----------------------------------------------------------------------


def db_without_1_over_m(case: S.NetworkCase) -> P.PropertyResult:
    """Planted bug in the output layer: db = Σ dZ (the 1/m is missing; invisible at m = 1)."""
    AL, caches = R.model_forward(case.X, case.params, case.hidden)
    good = R.model_backward(AL, case.Y, caches)[f"db{case.L}"]
    bad = np.sum(AL - case.Y, axis=1, keepdims=True)
    changes = P.compare_values(good, bad, f"db{case.L}", rtol=1e-9)
    return P.PropertyResult("values", "fail" if changes else "pass", str(changes))


def forward_without_bias(case: S.NetworkCase) -> bool:
    """Planted bug: Z = W·A (b forgotten; invisible when b = 0)."""
    A = case.X
    for l in range(1, case.L + 1):
        Z = case.params[f"W{l}"] @ A
        A = R.activation_forward(Z, case.hidden if l < case.L else "sigmoid")
    return bool(np.allclose(A, R.model_forward(case.X, case.params, case.hidden)[0]))


def transposed_dW(case: S.LayerCase) -> bool:
    """Planted bug: dW = A_prev·dZᵀ/m — the shape is only right when W is square."""
    _, dW, _ = R.linear_backward(case.dA, case.A_prev, case.W)
    bad = case.A_prev @ case.dA.T / case.m
    return bad.shape == dW.shape and bool(np.allclose(bad, dW))


def test_counterexamples_shrink_to_the_smallest_revealing_case() -> None:
    ce = S.find_counterexample(db_without_1_over_m, S.network_cases(), seed=0, max_examples=100)
    assert ce is not None
    assert (ce.example.dims, ce.example.m, ce.example.seed) == ((1, 1), 2, 0)  # m = 1 hides it
    assert ce.result.status == "fail"
    assert "make_network_case(dims=[1, 1], m=2" in ce.message
    ce2 = S.find_counterexample(forward_without_bias, S.network_cases(), seed=0)
    assert ce2 is not None and ce2.example.dims == (1, 1) and ce2.example.m == 1
    assert S.find_counterexample(forward_without_bias, S.network_cases(nonzero_bias=False)) is None
    ce3 = S.find_counterexample(transposed_dW, S.layer_cases(), seed=0)
    # 1×1 products commute, so the smallest revealing case is a non-square W
    assert ce3 is not None and (ce3.example.n, ce3.example.n_prev, ce3.example.m) in {
        (2, 1, 1),
        (1, 2, 1),
    }
    assert ce3.result.check == "predicate"


def test_counterexample_is_deterministic_json_and_reports_crashes() -> None:
    a = S.find_counterexample(db_without_1_over_m, S.network_cases(), seed=3, max_examples=50)
    b = S.find_counterexample(db_without_1_over_m, S.network_cases(), seed=3, max_examples=50)
    assert a is not None and b is not None
    assert a.to_dict() == b.to_dict() and a.calls == b.calls > 0
    d = json.loads(json.dumps(a.to_dict()))
    assert d["example"]["dims"] == [1, 1] and d["example"]["X"]["shape"] == [1, 2]
    assert d["example"]["X"]["values"] == a.example.X.tolist()

    def crashes(case: S.NetworkCase) -> bool:
        return case.m < 3 or bool(np.linalg.inv(np.zeros((2, 2))).any())

    c = S.find_counterexample(crashes, S.network_cases(), seed=0)
    assert c is not None and c.example.m == 3
    assert c.result.check == "exception" and "LinAlgError" in c.result.message


def test_correct_code_has_no_counterexample() -> None:
    def reference_is_consistent(case: S.NetworkCase) -> P.PropertyResult:
        grads = R.model_gradients(case.params, case.X, case.Y, case.hidden)
        return P.check_output_shapes(
            grads, {k: v for k, v in case.expected_shapes().items() if k in grads}
        )

    assert (
        S.find_counterexample(
            reference_is_consistent, S.network_cases(max_layers=4), max_examples=80
        )
        is None
    )


def test_flaky_checks_still_report_their_failure() -> None:
    calls = iter(range(1000))

    def fails_once(x: int) -> bool:
        return next(calls) > 0  # only the very first call fails

    ce = S.find_counterexample(fails_once, st.integers(0, 100), seed=0)
    assert ce is not None and ce.details.get("flaky") is True
    assert ce.result.status == "fail"


def test_checks_get_copies_so_mutating_code_cannot_hide_its_bug() -> None:
    def mutating_check(case: S.LayerCase) -> P.PropertyResult:
        def relu_backward(dA: Arr, Z: Arr) -> Arr:
            dA[Z <= 0] = 0
            return dA

        return P.check_no_mutation(relu_backward, case.dA, case.Z)

    ce = S.find_counterexample(mutating_check, S.layer_cases(), seed=1)
    assert ce is not None and ce.result.status == "fail"
    # the reported example is the one the check failed on, unchanged by the buggy code
    assert mutating_check(ce.example).status == "fail"


if __name__ == "__main__":  # python tests/test_strategies.py: print the measured frequencies
    for name, share in network_case_frequencies().items():
        print(f"{name:34s} {share:6.1%}  (floor {FLOORS[name]:.0%})")


def test_wide_relu_cases_stay_off_the_kink() -> None:
    case = S.make_network_case([20, 100, 100, 1], 32, "relu", seed=0)
    _, caches = R.model_forward(case.X, case.params, case.hidden)
    gap = min(float(np.min(np.abs(c.Z))) for c in caches[:-1])
    assert gap >= 1e-3 * 1000 / (200 * 32)  # the documented margin for 6400 pre-activations
    assert gap > 1e-5  # far more than a finite-difference step moves z
