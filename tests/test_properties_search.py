"""Every property, run by Hypothesis over many drawn cases: correct code never fails, a planted
bug is found and shrunk to the smallest case that shows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

from nncheck import properties as P
from nncheck import reference as R
from nncheck import strategies as S

Arr = np.ndarray[Any, Any]
N = 60  # examples per search: enough to find every planted bug below, cheap enough for CI


def none_found(check: Any, strategy: st.SearchStrategy[Any], n: int = N) -> None:
    ce = S.find_counterexample(check, strategy, seed=0, max_examples=n)
    assert ce is None, ce.message


def found(check: Any, strategy: st.SearchStrategy[Any], n: int = N) -> S.Counterexample[Any]:
    ce = S.find_counterexample(check, strategy, seed=0, max_examples=n)
    assert ce is not None, "the planted bug was not found"
    assert ce.result.status == "fail"
    return ce


# --- shapes --------------------------------------------------------------------------------


def backward_shapes(bug: str) -> Any:
    def check(c: S.LayerCase) -> P.PropertyResult:
        dZ = R.activation_backward(c.dA, c.Z, c.activation)
        dA_prev, dW, db = R.linear_backward(dZ, c.A_prev, c.W)
        if bug == "no_keepdims":
            db = np.sum(dZ, axis=1) / c.m
        elif bug == "wrong_axis":
            db = np.sum(dZ, axis=0, keepdims=True) / c.m
        elif bug == "transposed":
            dW = c.A_prev @ dZ.T / c.m
        out = {"dA_prev": dA_prev, "dW": dW, "db": db}
        want = {"dA_prev": (c.n_prev, c.m), "dW": (c.n, c.n_prev), "db": (c.n, 1)}
        return P.check_output_shapes(out, want)

    return check


def test_shapes_search() -> None:
    none_found(backward_shapes(""), S.layer_cases())
    ce = found(backward_shapes("no_keepdims"), S.layer_cases())
    assert (ce.example.n, ce.example.n_prev, ce.example.m) == (1, 1, 1)
    assert "rank-1" in ce.result.message
    # (1, m) vs (n, 1): same shape when n = m = 1, so the smallest case has n or m = 2
    ce = found(backward_shapes("wrong_axis"), S.layer_cases())
    assert (ce.example.n, ce.example.m) != (1, 1) and ce.example.n * ce.example.m <= 4
    ce = found(backward_shapes("transposed"), S.layer_cases())
    assert ce.example.n != ce.example.n_prev and ce.example.n * ce.example.n_prev == 2


def test_rank1_search() -> None:
    def gradients(c: S.NetworkCase) -> P.PropertyResult:
        return P.check_no_rank1(R.model_gradients(c.params, c.X, c.Y, c.hidden))

    none_found(gradients, S.network_cases())

    def squeezed(c: S.NetworkCase) -> P.PropertyResult:
        g = R.model_gradients(c.params, c.X, c.Y, c.hidden)
        return P.check_no_rank1({k: np.squeeze(v) if v.shape[1] == 1 else v for k, v in g.items()})

    ce = found(squeezed, S.network_cases())
    assert ce.example.dims == (2, 1)  # a (1, 1) db squeezes to shape (): not rank-1


# --- scalar cost ------------------------------------------------------------------------------


def test_scalar_cost_search() -> None:
    none_found(
        lambda c: P.check_scalar_cost(R.model_cost(c.params, c.X, c.Y, c.hidden)), S.network_cases()
    )

    def keepdims_cost(c: S.NetworkCase) -> P.PropertyResult:
        AL, _ = R.model_forward(c.X, c.params, c.hidden)
        losses = -(c.Y * np.log(AL) + (1 - c.Y) * np.log(1 - AL))
        return P.check_scalar_cost(np.sum(losses, axis=1, keepdims=True) / c.m)

    ce = found(keepdims_cost, S.network_cases())
    assert ce.example.dims == (1, 1) and ce.example.m == 1 and "np.squeeze" in ce.result.message


# --- calling functions -----------------------------------------------------------------------


def relu_backward_mutates(dA: Arr, Z: Arr) -> Arr:
    dA[Z <= 0] = 0  # planted bug
    return dA


def test_mutation_search() -> None:
    none_found(
        lambda c: P.check_no_mutation(R.model_forward, c.X, c.params, c.hidden), S.network_cases()
    )

    def backward(c: S.NetworkCase) -> P.PropertyResult:
        AL, caches = R.model_forward(c.X, c.params, c.hidden)
        return P.check_no_mutation(R.model_backward, AL, c.Y, caches)

    none_found(backward, S.network_cases())
    ce = found(lambda c: P.check_no_mutation(relu_backward_mutates, c.dA, c.Z), S.layer_cases())
    assert ce.example.n * ce.example.m <= 2 and np.any(ce.example.Z < 0)
    assert ce.result.details["argument"] == "dA"


def test_determinism_search() -> None:
    arch = S.architectures(min_layers=2)
    none_found(lambda a: P.check_deterministic(R.initialize_parameters, list(a.dims), seed=1), arch)

    def unseeded(dims: list[int]) -> dict[str, Arr]:
        return R.initialize_parameters(dims)

    ce = found(lambda a: P.check_deterministic(unseeded, list(a.dims)), arch)
    assert ce.example.dims == (1, 1, 1)


def test_dtype_search() -> None:
    def ok(c: S.LayerCase) -> P.PropertyResult:
        return P.check_dtype_preserved(R.activation_backward, c.dA, c.Z, c.activation)

    none_found(ok, S.layer_cases())

    def bool_derivative(c: S.LayerCase) -> P.PropertyResult:
        def relu_grad(Z: Arr) -> Arr:
            return Z > 0  # planted bug: a boolean "derivative"

        return P.check_dtype_preserved(relu_grad, c.Z)

    ce = found(bool_derivative, S.layer_cases())
    assert ce.example.n == ce.example.m == 1


def test_stability_search_never_fails_correct_formulas() -> None:
    extreme = S.pre_activations((2, 3), bound=1e4, margin=30.0)

    def naive(z: Arr) -> Arr:
        out: Arr = 1.0 / (1.0 + np.exp(-z))
        return out

    def wrong(z: Arr) -> Arr:
        out: Arr = 1.0 / (1.0 + np.exp(z))
        return out

    none_found(lambda z: P.check_stability(R.sigmoid, z, expected=R.sigmoid(z)), extreme)
    # the textbook formula overflows: a warning, never a failure
    none_found(lambda z: P.check_stability(naive, z, expected=R.sigmoid(z)), extreme)
    warned = [
        P.check_stability(naive, z, expected=R.sigmoid(z)).status for z in (np.array([[-1e4]]),)
    ]
    assert warned == ["warn"]
    found(lambda z: P.check_stability(wrong, z, expected=R.sigmoid(z)), extreme)


# --- initialisation and training --------------------------------------------------------------


def test_symmetry_search() -> None:
    arch = S.architectures(min_layers=2)
    none_found(lambda a: P.check_symmetry_breaking(R.initialize_parameters(a.dims, seed=0)), arch)
    ce = found(lambda a: P.check_symmetry_breaking(R.initialize_parameters(a.dims, "zeros")), arch)
    assert ce.example.dims[1] == 2 and sum(ce.example.dims) <= 5  # a layer with two units

    def trained(c: S.NetworkCase) -> P.PropertyResult:
        init = R.initialize_parameters(c.dims, "small", seed=c.seed)
        return P.check_symmetry_under_training(init, c.X, c.Y, hidden=c.hidden)

    none_found(trained, S.network_cases(min_layers=2), n=30)

    def constant_init(c: S.NetworkCase) -> P.PropertyResult:
        init = {k: np.full_like(v, 0.3) for k, v in c.params.items()}
        return P.check_symmetry_under_training(init, c.X, c.Y, hidden=c.hidden)

    ce = found(constant_init, S.network_cases(min_layers=2), n=30)
    # shrinks towards (1, 2, 1); widths tied by "equal neighbours" may stop it one step short
    assert ce.example.L == 2 and ce.example.dims[1] == 2 and sum(ce.example.dims) <= 5


def test_init_scale_search() -> None:
    arch = S.architectures(hidden=("tanh", "sigmoid"))

    def small(a: S.Architecture) -> bool:
        return (
            P.check_init_scale(R.initialize_parameters(a.dims, seed=0), a.hidden).status == "pass"
        )

    none_found(small, arch)

    def large_warns(a: S.Architecture) -> bool:
        params = {k: np.full_like(v, 10.0) for k, v in R.initialize_parameters(a.dims).items()}
        return P.check_init_scale(params, a.hidden).status == "warn"

    none_found(large_warns, arch)


def update_sign_flip(
    params: Mapping[str, Arr], grads: Mapping[str, Arr], lr: float
) -> dict[str, Arr]:
    return {k: v + lr * grads["d" + k] for k, v in params.items()}


def test_update_direction_search() -> None:
    def check(update: Any) -> Any:
        def run(c: S.NetworkCase) -> P.PropertyResult:
            grads = R.model_gradients(c.params, c.X, c.Y, c.hidden)
            return P.check_update_direction(
                update,
                c.params,
                grads,
                lambda p: R.model_cost(p, c.X, c.Y, c.hidden),
                learning_rate=0.1,
            )

        return run

    none_found(check(R.update_parameters), S.network_cases())
    ce = found(check(update_sign_flip), S.network_cases())
    assert ce.example.dims == (1, 1) and ce.example.m == 1 and "sign flip" in ce.result.message


def every_property_on_the_reference(c: S.NetworkCase) -> P.PropertyResult:
    """All checks at once on correct code; the first failure (there must be none) is returned."""
    AL, caches = R.model_forward(c.X, c.params, c.hidden)
    grads = R.model_backward(AL, c.Y, caches)
    shapes = {k: v for k, v in c.expected_shapes().items() if k in grads or k in c.params}
    init = R.initialize_parameters(c.dims, "he" if "relu" in c.hidden else "small", seed=c.seed)
    results = [
        P.check_output_shapes({**grads, **c.params}, shapes),
        P.check_no_rank1(grads),
        P.check_scalar_cost(R.model_cost(c.params, c.X, c.Y, c.hidden)),
        P.check_no_mutation(R.model_backward, AL, c.Y, caches),
        P.check_deterministic(R.model_gradients, c.params, c.X, c.Y, c.hidden),
        P.check_dtype_preserved(R.model_gradients, c.params, c.X, c.Y, c.hidden),
        P.check_stability(
            R.model_cost, {k: v * 1e3 for k, v in c.params.items()}, c.X, c.Y, c.hidden
        ),
        P.check_symmetry_breaking(init),
        P.check_symmetry_under_training(init, c.X, c.Y, hidden=c.hidden),
        P.check_init_scale(init, c.hidden),
        P.check_update_direction(
            R.update_parameters, c.params, grads, lambda p: R.model_cost(p, c.X, c.Y, c.hidden)
        ),
    ]
    failed = [r for r in results if not r.ok]
    return failed[0] if failed else P.PropertyResult("all", "pass", "every property holds")


@pytest.mark.parametrize("init_scale", [0.01, 1.0, 100.0])
def test_no_property_ever_fails_the_reference(init_scale: float) -> None:
    # tiny, ordinary and saturating weights; zero and nonzero b; up to 4 layers of width 8
    for nonzero_bias in (True, False):
        strategy = S.network_cases(
            init_scale=init_scale, nonzero_bias=nonzero_bias, max_layers=4, max_width=8, max_m=8
        )
        none_found(every_property_on_the_reference, strategy, n=40)
