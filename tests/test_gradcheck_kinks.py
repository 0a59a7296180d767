"""Kinks and planted bugs: correct ReLU / leaky-ReLU nets never fail, even with pre-activations
exactly on the kink; every planted gradient bug fails, in full and in directional mode."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nncheck.numeric import check_gradients
from nncheck.reference import (
    LEAKY_SLOPE,
    model_cost,
    model_forward,
    model_gradients,
    sigmoid,
)

Params = dict[str, np.ndarray]


def kinked_net(seed: int) -> tuple[Params, np.ndarray, np.ndarray]:
    """Small-integer weights, biases and inputs with at least two hidden pre-activations exactly
    on the kink (drawn again until they are)."""
    rng = np.random.default_rng(seed)
    while True:
        dims = [int(rng.integers(2, 5)), int(rng.integers(2, 6)), int(rng.integers(2, 5)), 1]
        m = int(rng.integers(2, 7))
        params: Params = {}
        for l in range(1, len(dims)):
            params[f"W{l}"] = rng.integers(-2, 3, (dims[l], dims[l - 1])).astype(float)
            params[f"b{l}"] = rng.integers(-1, 2, (dims[l], 1)).astype(float)
        X = rng.integers(-2, 3, (dims[0], m)).astype(float)
        Y = (rng.random((1, m)) > 0.5).astype(float)
        _, caches = model_forward(X, params, "relu")
        if sum(int(np.sum(c.Z == 0)) for c in caches[:-1]) >= 2:
            return params, X, Y


def ordinary_net(seed: int, dims: list[int], m: int) -> tuple[Params, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params: Params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2 / dims[l - 1])
        params[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return params, X, Y


def course_check_fails(cost: Any, params: Params, grads: Params) -> bool:
    """The course's gradient_check_n: ε = 1e-7 central differences, one global threshold."""
    keys = list(params)
    theta = np.concatenate([params[k].ravel() for k in keys])
    g = np.concatenate([grads["d" + k].ravel() for k in keys])

    def unflat(t: np.ndarray) -> Params:
        out, i = {}, 0
        for k in keys:
            out[k] = t[i : i + params[k].size].reshape(params[k].shape)
            i += params[k].size
        return out

    approx = np.empty_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += 1e-7
        minus[i] -= 1e-7
        approx[i] = (cost(unflat(plus)) - cost(unflat(minus))) / 2e-7
    difference = np.linalg.norm(g - approx) / (np.linalg.norm(g) + np.linalg.norm(approx))
    return bool(difference > 2e-7)


@pytest.mark.parametrize("hidden", ["relu", "leaky_relu"])
def test_correct_kinked_nets_never_fail(hidden: str) -> None:
    failures, course_failures, undecided = [], 0, 0
    for seed in range(200):
        params, X, Y = kinked_net(seed)

        def cost(p: Params, X: np.ndarray = X, Y: np.ndarray = Y) -> float:
            return model_cost(p, X, Y, hidden)

        grads = model_gradients(params, X, Y, hidden)
        for mode in ("full", "directional"):
            report = check_gradients(cost, params, grads, mode=mode, seed=seed)
            if not report.ok:
                failures.append((seed, mode, str(report)))
            undecided += sum(p.inconclusive for p in report.parameters)
        if seed < 100:
            course_failures += course_check_fails(cost, params, grads)
    assert failures == []
    assert undecided > 0  # some elements are reported as undecidable rather than failed
    # the course's fixed-ε check cries wolf on most of these correct nets
    assert course_failures >= 50, course_failures


BUGS = ["missing_1_over_m", "wrong_mask", "wrong_derivative", "sign"]


def buggy_gradients(
    params: Params, X: np.ndarray, Y: np.ndarray, hidden: str, bug: str | None
) -> Params:
    """Backprop written out like a learner would, with one planted bug (or none)."""
    L = len(params) // 2
    m = X.shape[1]
    A, cache = X, []
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        cache.append((A, Z))
        if l == L:
            A = sigmoid(Z)
        elif hidden == "relu":
            A = np.maximum(Z, 0)
        elif hidden == "leaky_relu":
            A = np.where(Z > 0, Z, LEAKY_SLOPE * Z)
        else:
            A = np.tanh(Z)
    dZ = A - Y
    if bug == "sign":
        dZ = Y - A
    if bug == "wrong_derivative":
        dZ = (A - Y) * A * (1 - A)  # sigmoid' applied twice: dZ = AL − Y already contains it
    grads: Params = {}
    for l in range(L, 0, -1):
        A_prev, Z = cache[l - 1]
        scale = 1.0 if bug == "missing_1_over_m" else 1.0 / m
        grads[f"dW{l}"] = scale * dZ @ A_prev.T
        grads[f"db{l}"] = scale * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA = params[f"W{l}"].T @ dZ
            Zp = cache[l - 2][1]
            if hidden == "relu":
                mask = Zp <= 0 if bug == "wrong_mask" else Zp > 0
                dZ = dA * mask
            elif hidden == "leaky_relu":
                positive = Zp <= 0 if bug == "wrong_mask" else Zp > 0
                dZ = dA * np.where(positive, 1.0, LEAKY_SLOPE)
            else:
                t = np.tanh(Zp)
                dZ = dA * (1 - (Zp if bug == "wrong_mask" else t) ** 2)
    return grads


@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "tanh"])
def test_learner_backprop_without_bug_passes(hidden: str) -> None:
    """Control for the planted bugs: the same hand-written backprop, bug-free, passes."""
    for seed in range(5):
        params, X, Y = ordinary_net(seed, [4, 5, 3, 1], 6)
        grads = buggy_gradients(params, X, Y, hidden, None)
        reference = model_gradients(params, X, Y, hidden)
        assert all(np.allclose(grads[k], reference[k]) for k in grads)

        def cost(p: Params, X: np.ndarray = X, Y: np.ndarray = Y) -> float:
            return model_cost(p, X, Y, hidden)

        for mode in ("full", "directional"):
            assert check_gradients(cost, params, grads, mode=mode, seed=seed).ok


@pytest.mark.parametrize("bug", BUGS)
@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "tanh"])
@pytest.mark.parametrize("mode", ["full", "directional"])
def test_planted_bugs_always_fail(bug: str, hidden: str, mode: str) -> None:
    for seed in range(8):
        dims = [[4, 5, 3, 1], [6, 3, 4, 1], [3, 8, 1]][seed % 3]
        params, X, Y = ordinary_net(seed, dims, 2 + seed)

        def cost(p: Params, X: np.ndarray = X, Y: np.ndarray = Y) -> float:
            return model_cost(p, X, Y, hidden)

        grads = buggy_gradients(params, X, Y, hidden, bug)
        report = check_gradients(cost, params, grads, mode=mode, seed=seed)
        assert not report.ok, f"{bug} in a {hidden} net not caught (seed {seed}):\n{report}"
        # and the failure is pinned to an element with both values when mode is full
        if mode == "full":
            worst = report.failures[0]
            assert worst.worst_index is not None and worst.analytic != worst.numeric


def test_wrong_relu_backward_fails_on_ordinary_inputs_only_where_it_matters() -> None:
    params, X, Y = ordinary_net(3, [5, 6, 1], 7)
    grads = buggy_gradients(params, X, Y, "relu", "wrong_mask")
    report = check_gradients(lambda p: model_cost(p, X, Y, "relu"), params, grads, seed=0)
    assert [p.name for p in report.failures] == ["W1", "b1"]  # layer 2 has no ReLU below it


def harder_kinked_net(seed: int) -> tuple[Params, np.ndarray, np.ndarray]:
    """1–3 hidden layers of 1–5 units, weights in ±1…±3 (sometimes halved), m = 1…9, at least
    one hidden pre-activation exactly 0."""
    rng = np.random.default_rng(seed)
    while True:
        L = int(rng.integers(2, 5))
        dims = [int(rng.integers(1, 6)) for _ in range(L)] + [1]
        m = int(rng.integers(1, 10))
        k = int(rng.integers(1, 4))
        params: Params = {}
        for l in range(1, len(dims)):
            W = rng.integers(-k, k + 1, (dims[l], dims[l - 1])).astype(float)
            params[f"W{l}"] = W * (0.5 if seed % 3 == 0 else 1.0)
            params[f"b{l}"] = rng.integers(-1, 2, (dims[l], 1)).astype(float)
        X = rng.integers(-k, k + 1, (dims[0], m)).astype(float)
        Y = (rng.random((1, m)) > 0.5).astype(float)
        _, caches = model_forward(X, params, "relu")
        if sum(int(np.sum(c.Z == 0)) for c in caches[:-1]) >= 1:
            return params, X, Y


# seeds on which earlier versions of the engine cried wolf: stacked kinks whose slopes agree along
# the line (1080, 1388, 1435), small leaky jumps below a conservative noise bound (1230, 1436),
# rounding noise of an all-zero gradient (1445), a cost saturated to exactly 0 (3728, 4690),
# kinks that cancel along a random direction (4009); plus 40 more seeds
REGRESSION_SEEDS = [1080, 1230, 1388, 1435, 1436, 1445, 1636, 2000, 2108, 2215, 2230, 2403]
REGRESSION_SEEDS += [2432, 2781, 2942, 3728, 4009, 4690, *range(9000, 9040)]
# stacked leaky-ReLU kinks whose backprop piece only 1 random probe in 8 enters (24 probes missed
# it: `python benchmarks/gradcheck.py --stress 40000 41500`, leaky_relu full / directional)
REGRESSION_SEEDS += [41107, 41197]


@pytest.mark.parametrize("hidden", ["relu", "leaky_relu"])
def test_harder_kinked_nets_never_fail(hidden: str) -> None:
    failures = []
    for seed in REGRESSION_SEEDS:
        params, X, Y = harder_kinked_net(seed)

        def cost(p: Params, X: np.ndarray = X, Y: np.ndarray = Y) -> float:
            return model_cost(p, X, Y, hidden)

        grads = model_gradients(params, X, Y, hidden)
        for mode in ("full", "directional"):
            report = check_gradients(cost, params, grads, mode=mode, seed=seed)
            if not report.ok:
                failures.append((seed, mode, str(report)))
    assert failures == []


def test_a_small_slope_jump_is_a_kink_not_a_mismatch() -> None:
    """Stress seed 49452 (ReLU, full; `python benchmarks/gradcheck.py --stress 40000 52500`):
    W1[1, 0] moves Z2[0, 6], which sits exactly at 0, and the unit it switches on barely changes
    the cost — a slope jump of 1e-7 against a slope of 7e-3. The kink test does not call that a
    jump, yet half of it (5.1e-8) exceeds the Richardson bound (2.8e-8): backprop's left-hand
    derivative was reported as a mismatch. Both one-sided derivatives pass; a value one jump
    outside them on either side fails."""
    params, X, Y = harder_kinked_net(49452)

    def cost(p: Params) -> float:
        return model_cost(p, X, Y, "relu")

    left = model_gradients(params, X, Y, "relu")
    nudged = {k: v.copy() for k, v in params.items()}
    nudged["W1"][1, 0] += 1e-9  # switches the unit on: the gradient of the right-hand piece
    jump = model_gradients(nudged, X, Y, "relu")["dW1"][1, 0] - left["dW1"][1, 0]
    assert 5e-8 < jump < 2e-7  # tiny next to the slope
    assert abs(left["dW1"][1, 0]) > 5e-3
    for offset, passes in ((0.0, True), (jump, True), (-jump, False), (2 * jump, False)):
        grads = {k: v.copy() for k, v in left.items()}
        grads["dW1"][1, 0] += offset
        report = check_gradients(cost, params, grads, mode="full", seed=49452)
        assert report.ok == passes, (offset, str(report))
        W1 = report["W1"]
        if passes:
            assert W1.nondifferentiable == 1 and W1.inconclusive == 0
        else:
            assert W1.mismatched == 1 and W1.worst_index == (1, 0)


def course_cost(X: np.ndarray, Y: np.ndarray) -> Any:
    """The course's L_model_forward + compute_cost, written as learners write it: ReLU hidden
    layers, 1/(1 + exp(−Z)) at the output and −Σ(Y·log AL + (1 − Y)·log(1 − AL))/m — a formula
    whose log(1 − AL) loses digits when AL is near 1, and is ~1e-10 but rounded like 1 when a
    saturated AL is near 0."""

    def cost(p: Params) -> float:
        A = X
        L = len(p) // 2
        for l in range(1, L + 1):
            Z = p[f"W{l}"] @ A + p[f"b{l}"]
            A = np.maximum(0.0, Z) if l < L else 1.0 / (1.0 + np.exp(-Z))
        m = Y.shape[1]
        return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)

    return cost


def test_a_saturated_output_does_not_cry_wolf() -> None:
    """J ≈ 5.7e-10 (the sigmoid saturated at 0): −log(1 − AL) has an absolute rounding error of
    ~ε·1, far above ε·|J|. The correct gradient must not fail; a sign flip, an error well above
    that rounding, still does."""
    params: Params = {
        "W1": np.array([[2.8862955011695064]]),
        "b1": np.zeros((1, 1)),
        "W2": np.array([[-3.614256148167177]]),
        "b2": np.zeros((1, 1)),
    }
    X, Y = np.array([[2.0409191213851825]]), np.zeros((1, 1))
    cost = course_cost(X, Y)
    assert 1e-10 < cost(params) < 1e-9  # the saturated case
    grads = model_gradients(params, X, Y, "relu")
    for mode in ("full", "directional"):
        report = check_gradients(cost, params, grads, mode=mode, seed=3)
        assert report.ok, str(report)
    flipped = {k: -v for k, v in grads.items()}
    report = check_gradients(cost, params, flipped, mode="full", seed=3)
    assert not report.ok and report.failures


def test_a_smooth_parameter_is_not_mistaken_for_a_kink() -> None:
    """dW missing 1/m (m = 2): dW3[0, 0] is 9.35 instead of 4.67. W3 feeds the sigmoid, the
    cost is smooth in it, but log(1 − AL) with AL = 0.9993 makes f(θ) ~100 ulps noisy, which
    once looked like a kink and left the element undecided. It must fail."""
    params: Params = {
        "W1": np.array(
            [
                [1.6664034845610203, -2.0866917600645793, 0.3413762788414238],
                [-0.46358194215813636, -0.3695865993675346, -0.1760343465205112],
                [-1.6493117679701625, -0.18937199335291888, -0.7064435185524497],
            ]
        ),
        "b1": np.zeros((3, 1)),
        "W2": np.array(
            [
                [2.713217743765033, 0.184353997719849, -0.28792183790974074],
                [-0.22967021517856517, -0.5454575574992181, -0.8615268174229871],
                [-0.31908766173530967, 0.39350676190967526, -0.1947782041351318],
            ]
        ),
        "b2": np.zeros((3, 1)),
        "W3": np.array([[0.7820067063204209, -0.16313775524494278, 0.019807851939890334]]),
        "b3": np.zeros((1, 1)),
    }
    X = np.array(
        [
            [0.3826778866523825, -0.15702841896628855],
            [-1.2993161348233924, 0.9312383073910108],
            [0.23518692061331095, -0.3522392388593937],
        ]
    )
    Y = np.array([[0.0, 1.0]])
    cost = course_cost(X, Y)
    truth = model_gradients(params, X, Y, "relu")
    buggy = {k: (2.0 * v if k.startswith("dW") else v) for k, v in truth.items()}
    assert abs(truth["dW3"][0, 0]) > 1  # a large, clearly visible gradient
    report = check_gradients(cost, params, buggy, mode="full", seed=602)
    assert {p.name for p in report.failures} == {"W1", "W2", "W3"}, str(report)
    W3 = report["W3"]
    assert W3.worst_index == (0, 0) and W3.inconclusive == 0
    assert W3.analytic == pytest.approx(2.0 * truth["dW3"][0, 0])
    assert check_gradients(cost, params, truth, mode="full", seed=602).ok


def test_a_noisy_cost_near_a_kink_does_not_cry_wolf() -> None:
    """A correct ReLU net (Z1 has an entry 0.0022 from the kink) whose course-formula cost has
    log(1 − AL) terms with AL near 1: dW1 and db1 agree with the finite differences to 2.5e-5
    relative, which the ε·|J| rounding model once called a mismatch. The measured noise of the
    cost covers it; the same net with dW missing 1/m still fails."""
    params: Params = {
        "W1": np.array(
            [
                [1.6664034845610203, -2.0866917600645793, 0.3413762788414238],
                [-0.46358194215813636, -0.3695865993675346, -0.1760343465205112],
                [-1.6493117679701625, -0.18937199335291888, -0.7064435185524497],
            ]
        ),
        "b1": np.zeros((3, 1)),
        "W2": np.array([[2.713217743765033, 0.184353997719849, -0.28792183790974074]]),
        "b2": np.zeros((1, 1)),
    }
    X = np.array(
        [
            [0.40725992332394856, 0.5899749257847523, 0.39672903520118485],
            [-1.4189043549529383, -1.851577931880631, -0.8410509589890529],
            [1.3769544638258697, -2.3177396279361218, 0.37826848914640926],
        ]
    )
    X = np.hstack(
        [
            X,
            np.array(
                [
                    [-0.21031913480671632, -0.7958611215759223, -0.5458246940595524],
                    [-0.8780669993188169, -0.2182846006879318, 1.1848481494172234],
                    [-1.6826801127912172, -1.2992611360180668, -1.0628943665330048],
                ]
            ),
        ]
    )
    Y = np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 1.0]])
    cost = course_cost(X, Y)
    assert 2.0 < cost(params) < 4.0  # not saturated
    truth = model_gradients(params, X, Y, "relu")
    for mode in ("full", "directional"):
        report = check_gradients(cost, params, truth, mode=mode, seed=54499)
        assert report.ok, str(report)
    buggy = {k: (6.0 * v if k.startswith("dW") else v) for k, v in truth.items()}
    report = check_gradients(cost, params, buggy, mode="full", seed=54499)
    assert {p.name for p in report.failures} == {"W1", "W2"}, str(report)
