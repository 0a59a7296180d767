"""check_layer / assert_layer: correct layers pass under many seeds and dtypes, subtly wrong
backward passes fail with a diagnosis, bad layers get errors that name the argument, and the
person's inputs are never modified."""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import nncheck
from nncheck import GradientInputError, check_gradients, check_layer

pytest_plugins = ["pytester"]

Array = np.ndarray[Any, Any]

# -- layers, written the way the courses write them -------------------------------------------


def affine_forward(x: Array, w: Array, b: Array) -> tuple[Array, Any]:
    return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)


def affine_backward(dout: Array, cache: Any) -> tuple[Array, Array, Array]:
    x, w, _ = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)


def relu_forward(x: Array) -> tuple[Array, Array]:
    return np.maximum(0, x), x


def relu_backward(dout: Array, x: Array) -> Array:
    dx = dout  # CS231n style: masks dout in place
    dx[x <= 0] = 0
    return dx


def batchnorm_forward(
    x: Array, gamma: Array, beta: Array, bn_param: dict[str, Any]
) -> tuple[Array, Any]:
    eps = bn_param.get("eps", 1e-5)
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    bn_param["running_mean"] = 0.9 * bn_param.get("running_mean", 0.0) + 0.1 * mu  # mutates
    return gamma * xhat + beta, (xhat, gamma, var, eps)


def batchnorm_backward(dout: Array, cache: Any, bug: str = "") -> tuple[Array, Array, Array]:
    xhat, gamma, var, eps = cache
    n = dout.shape[0]
    dxhat = dout * gamma
    mean_term = 0 if bug == "no_mean_term" else dxhat.sum(axis=0)
    proj_term = 0 if bug == "no_projection_term" else xhat * (dxhat * xhat).sum(axis=0)
    dx = (n * dxhat - mean_term - proj_term) / ((1 if bug == "no_1/N" else n) * np.sqrt(var + eps))
    dgamma, dbeta = (dout * xhat).sum(axis=0), dout.sum(axis=0)
    if bug == "swapped_gamma_beta":
        dgamma, dbeta = dbeta, dgamma
    return dx, dgamma, dbeta


def softmax_loss_forward(x: Array, y: Array) -> tuple[Any, Any]:
    shifted = x - x.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -logp[np.arange(x.shape[0]), y].mean(), (np.exp(logp), y)


def softmax_loss_backward(dout: Any, cache: Any, bug: str = "") -> Array:
    p, y = cache
    n = p.shape[0]
    dx = p.copy()
    if bug != "no_subtraction":
        dx[np.arange(n), y] -= 1
    return dout * dx / (1 if bug == "no_1/N" else n)


def conv_forward(x: Array, w: Array, b: Array, conv_param: dict[str, int]) -> tuple[Array, Any]:
    stride, pad = conv_param["stride"], conv_param["pad"]
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = 1 + (h + 2 * pad - hh) // stride, 1 + (wd + 2 * pad - ww) // stride
    out = np.zeros((n, f, ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride : i * stride + hh, j * stride : j * stride + ww]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, conv_param)


def conv_backward(dout: Array, cache: Any, bug: str = "") -> tuple[Array, Array, Array]:
    x, w, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(dout.shape[0]):
        for f in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows = slice(i * stride, i * stride + hh)
                    cols = slice(j * stride, j * stride + ww)
                    dw[f] += xp[n, :, rows, cols] * dout[n, f, i, j]
                    flipped = w[f, :, ::-1, ::-1] if bug == "flipped_kernel" else w[f]
                    dxp[n, :, rows, cols] += flipped * dout[n, f, i, j]
    h, wd = x.shape[2], x.shape[3]
    return dxp[:, :, pad : pad + h, pad : pad + wd], dw, dout.sum(axis=(0, 2, 3))


def linear_forward(A: Array, W: Array, b: Array) -> tuple[Array, Any]:
    return W @ A + b, (A, W, b)


def linear_backward(dZ: Array, cache: Any, bug: str = "") -> tuple[Array, Array, Array]:
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / (1 if bug == "no_1/m" else m)
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def relu_course(Z: Array) -> tuple[Array, Array]:
    return np.maximum(0, Z), Z


def relu_backward_course(dA: Array, cache: Array) -> Array:
    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0
    return dZ


def pool_forward(x: Array, size: int, how: str) -> Array:
    """(N, C, H, W) → (N, C, H/size, W/size); an int and a str argument, no cache."""
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // size, size, w // size, size)
    return blocks.mean(axis=(3, 5)) if how == "avg" else blocks.max(axis=(3, 5))


def avg_pool_backward(dout: Array, cache: Any) -> Array:
    x, size, _ = cache  # forward returned out only: cache is the tuple of inputs
    return np.repeat(np.repeat(dout, size, axis=2), size, axis=3) / size**2 + 0 * x


def scaled_tanh_forward(x: Array, *, scale: float = 1.0) -> Array:
    return scale * np.tanh(x)


def tanh_backward(dout: Array, x: Array) -> Array:
    return dout * 2.5 * (1 - np.tanh(x) ** 2)


# -- the cases ---------------------------------------------------------------------------------

Case = tuple[
    Callable[..., Any], Callable[..., Any], Callable[[np.random.Generator, Any], tuple[Any, ...]]
]


def _relu_input(r: np.random.Generator, dt: Any) -> tuple[Any, ...]:
    x = r.standard_normal((5, 6)).astype(dt)
    x[r.random(x.shape) < 0.3] = 0.0  # kinks exactly at 0
    return (x,)


def _course_relu_input(r: np.random.Generator, dt: Any) -> tuple[Any, ...]:
    return _relu_input(r, dt)


CORRECT: dict[str, Case] = {
    "affine (N, d1, d2)": (
        affine_forward,
        affine_backward,
        lambda r, dt: (
            r.standard_normal((4, 2, 3)).astype(dt),
            r.standard_normal((6, 5)).astype(dt),
            r.standard_normal(5).astype(dt),
        ),
    ),
    "relu with kinks at 0": (relu_forward, relu_backward, _relu_input),
    "batch norm": (
        batchnorm_forward,
        batchnorm_backward,
        lambda r, dt: (
            r.standard_normal((8, 5)).astype(dt),
            r.standard_normal(5).astype(dt),
            r.standard_normal(5).astype(dt),
            {"mode": "train"},
        ),
    ),
    "softmax cross-entropy (scalar output, int labels)": (
        softmax_loss_forward,
        softmax_loss_backward,
        lambda r, dt: (r.standard_normal((7, 4)).astype(dt), r.integers(0, 4, 7)),
    ),
    "loop convolution (N, C, H, W)": (
        conv_forward,
        conv_backward,
        lambda r, dt: (
            r.standard_normal((2, 2, 4, 4)).astype(dt),
            r.standard_normal((3, 2, 3, 3)).astype(dt),
            r.standard_normal(3).astype(dt),
            {"stride": 1, "pad": 1},
        ),
    ),
    "course linear_backward": (
        linear_forward,
        linear_backward,
        lambda r, dt: (
            r.standard_normal((4, 6)).astype(dt),
            r.standard_normal((3, 4)).astype(dt),
            r.standard_normal((3, 1)).astype(dt),
        ),
    ),
    "course relu_backward(dA, cache) -> dZ": (
        relu_course,
        relu_backward_course,
        _course_relu_input,
    ),
    "avg pool, no cache, int and str arguments": (
        pool_forward,
        avg_pool_backward,
        lambda r, dt: (r.standard_normal((2, 3, 4, 4)).astype(dt), 2, "avg"),
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(CORRECT))
def test_correct_layers_pass_under_many_seeds(name: str, dtype: Any) -> None:
    forward, backward, make = CORRECT[name]
    for seed in range(6 if "convolution" not in name else 2):
        inputs = make(np.random.default_rng(seed), dtype)
        report = check_layer(forward, backward, *inputs, seed=seed)
        assert report.ok, f"{name}, seed {seed}:\n{report}"


@pytest.mark.parametrize("name", ["batch norm", "affine (N, d1, d2)", "course linear_backward"])
def test_correct_layers_pass_in_directional_mode(name: str) -> None:
    forward, backward, make = CORRECT[name]
    for seed in range(6):
        report = check_layer(
            forward,
            backward,
            *make(np.random.default_rng(seed), np.float64),
            seed=seed,
            mode="directional",
        )
        assert report.ok and report.mode == "directional", str(report)


def test_float32_inputs_are_checked_with_float32_tolerances() -> None:
    forward, backward, make = CORRECT["batch norm"]
    report = check_layer(forward, backward, *make(np.random.default_rng(0), np.float32), seed=0)
    assert report.ok and any("float32" in n for n in report.notes)


# -- subtly wrong backward passes --------------------------------------------------------------


def _wrong_affine(bug: str) -> Callable[..., Any]:
    def backward(dout: Array, cache: Any) -> tuple[Array, Array, Array]:
        dx, dw, db = affine_backward(dout, cache)
        if bug == "transposed_dw":
            dw = dw.T
        if bug == "db_wrong_axis":
            db = dout.sum(axis=1)
        if bug == "sign_of_dx":
            dx = -dx
        if bug == "dw_for_x":
            dx = dw
        return dx, dw, db

    return backward


def _square_affine_inputs(r: np.random.Generator) -> tuple[Any, ...]:
    return r.standard_normal((5, 5)), r.standard_normal((5, 5)), r.standard_normal(5)


WRONG = {
    # name: (forward, backward, inputs, failing row, words in its diagnosis)
    "softmax missing 1/N": (
        softmax_loss_forward,
        lambda d, c: softmax_loss_backward(d, c, "no_1/N"),
        lambda r: (r.standard_normal((7, 4)), r.integers(0, 4, 7)),
        "x",
        "x.shape[0] = 7: is a 1/7",
    ),
    "softmax missing the subtraction": (
        softmax_loss_forward,
        lambda d, c: softmax_loss_backward(d, c, "no_subtraction"),
        lambda r: (r.standard_normal((7, 4)), r.integers(0, 4, 7)),
        "x",
        "varies",
    ),
    "batch norm dx missing the projection term": (
        batchnorm_forward,
        lambda d, c: batchnorm_backward(d, c, "no_projection_term"),
        lambda r: (r.standard_normal((8, 5)), r.standard_normal(5), r.standard_normal(5), {}),
        "x",
        "varies",
    ),
    "batch norm dx missing the mean term": (
        batchnorm_forward,
        lambda d, c: batchnorm_backward(d, c, "no_mean_term"),
        lambda r: (r.standard_normal((8, 5)), r.standard_normal(5), r.standard_normal(5), {}),
        "x",
        "varies",
    ),
    "batch norm dx missing 1/N": (
        batchnorm_forward,
        lambda d, c: batchnorm_backward(d, c, "no_1/N"),
        lambda r: (r.standard_normal((8, 5)), r.standard_normal(5), r.standard_normal(5), {}),
        "x",
        "x.shape[0] = 8: is a 1/8",
    ),
    "batch norm dgamma and dbeta swapped": (
        batchnorm_forward,
        lambda d, c: batchnorm_backward(d, c, "swapped_gamma_beta"),
        lambda r: (r.standard_normal((8, 5)), r.standard_normal(5), r.standard_normal(5), {}),
        "gamma",
        "another input",
    ),
    "affine transposed dw (square)": (
        affine_forward,
        _wrong_affine("transposed_dw"),
        _square_affine_inputs,
        "w",
        "varies",
    ),
    "affine db summed over the wrong axis (square)": (
        affine_forward,
        _wrong_affine("db_wrong_axis"),
        _square_affine_inputs,
        "b",
        "wrong axis",
    ),
    "affine sign flip in dx": (
        affine_forward,
        _wrong_affine("sign_of_dx"),
        _square_affine_inputs,
        "x",
        "the sign is flipped",
    ),
    "affine gradient of w returned for x": (
        affine_forward,
        _wrong_affine("dw_for_x"),
        _square_affine_inputs,
        "x",
        "another input",
    ),
    "course linear_backward missing 1/m": (
        linear_forward,
        lambda d, c: linear_backward(d, c, "no_1/m"),
        lambda r: (r.standard_normal((4, 6)), r.standard_normal((3, 4)), r.standard_normal((3, 1))),
        "W",
        "A.shape[1] = 6: is a 1/6",
    ),
    "course relu_backward without the mask": (
        relu_course,
        lambda dA, cache: np.array(dA, copy=True),
        lambda r: _relu_input(r, np.float64),
        "Z",
        "varies",
    ),
    "loop convolution with a flipped kernel in dx": (
        conv_forward,
        lambda d, c: conv_backward(d, c, "flipped_kernel"),
        lambda r: (
            r.standard_normal((2, 2, 4, 4)),
            r.standard_normal((3, 2, 3, 3)),
            r.standard_normal(3),
            {"stride": 1, "pad": 1},
        ),
        "x",
        "varies",
    ),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_subtly_wrong_backward_passes_fail_with_a_diagnosis(name: str) -> None:
    forward, backward, make, row, words = WRONG[name]
    for seed in range(1 if "convolution" in name else 3):
        report = check_layer(forward, backward, *make(np.random.default_rng(seed)), seed=seed)
        assert not report.ok, f"{name} passed with seed {seed}"
        assert row in [p.name for p in report.failures], str(report)
        diagnosis = [line for line in str(report).splitlines() if line.startswith("diagnosis")]
        assert any(line.startswith(f"diagnosis: {row}:") and words in line for line in diagnosis), (
            str(report)
        )


def test_wrong_layers_fail_in_directional_mode_too() -> None:
    forward, backward, make, row, _ = WRONG["batch norm dx missing the projection term"]
    report = check_layer(forward, backward, *make(np.random.default_rng(0)), mode="directional")
    assert not report.ok and [p.name for p in report.failures] == [row]


def test_a_square_course_layer_missing_1_over_m_is_diagnosed_in_the_courses_terms() -> None:
    # n_prev = n = 3: examples could be rows as well as columns; the (3, 1) bias says columns
    rng = np.random.default_rng(2)
    A, W, b = rng.standard_normal((3, 6)), rng.standard_normal((3, 3)), rng.standard_normal((3, 1))
    report = check_layer(linear_forward, lambda d, c: linear_backward(d, c, "no_1/m"), A, W, b)
    assert [p.name for p in report.failures] == ["W"]
    assert "diagnosis: W: yours is 6 ×" in str(report)


def test_a_plain_gradient_in_the_course_layout_passes_and_the_course_convention_is_said() -> None:
    # examples in columns but dW without 1/m: the plain vector-Jacobian product is also right
    A, W, b = (np.random.default_rng(1).standard_normal(s) for s in ((4, 6), (3, 4), (3, 1)))

    def plain(dZ: Array, cache: Any) -> tuple[Array, Array, Array]:
        return cache[1].T @ dZ, dZ @ cache[0].T, dZ.sum(axis=1, keepdims=True)

    report = check_layer(linear_forward, plain, A, W, b, seed=0)
    assert report.ok and not any("course" in n for n in report.notes)
    report = check_layer(linear_forward, linear_backward, A, W, b, seed=0)
    assert report.ok and any("course's convention" in n and "m = " in n for n in report.notes)


# -- conventions of forward and backward -------------------------------------------------------


def test_rows_are_named_after_forwards_parameters() -> None:
    forward, backward, make = CORRECT["batch norm"]
    report = check_layer(forward, backward, *make(np.random.default_rng(0), np.float64), seed=0)
    assert [p.name for p in report.parameters] == ["x", "gamma", "beta"]
    report = check_layer(relu_forward, relu_backward, np.array([[1.0, -2.0]]), seed=0)
    assert [p.name for p in report.parameters] == ["x"] and "params" not in str(report)
    assert report["dx"].ok  # looked up as dx too


def test_backward_may_return_a_dict_or_one_entry_per_positional_input() -> None:
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)

    def as_dict(dout: Array, cache: Any) -> dict[str, Array]:
        dx, dw, db = affine_backward(dout, cache)
        return {"dx": dx, "w": dw, "db": db}

    assert check_layer(affine_forward, as_dict, x, w, b, seed=0).ok

    def capitalised(dout: Array, cache: Any) -> dict[str, Array]:
        dx, dw, db = affine_backward(dout, cache)
        return {"dx": dx, "dW": dw, "db": db}  # forward's parameter is w

    assert check_layer(affine_forward, capitalised, x, w, b, seed=0).ok
    y = rng.integers(0, 4, 3)

    def with_none(dout: Any, cache: Any) -> tuple[Array, None]:
        return softmax_loss_backward(dout, cache), None

    report = check_layer(softmax_loss_forward, with_none, x, y, seed=0)
    assert report.ok and [p.name for p in report.parameters] == ["x"]


def test_non_array_arguments_and_keywords_are_left_alone() -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4))
    report = check_layer(pool_forward, avg_pool_backward, x, 2, "avg", seed=0)
    assert report.ok and any("size (int 2)" in n and "how (str 'avg')" in n for n in report.notes)
    report = check_layer(scaled_tanh_forward, tanh_backward, x, scale=2.5, seed=0)
    assert report.ok and any("scale (keyword, float 2.5)" in n for n in report.notes)
    wrong = check_layer(scaled_tanh_forward, tanh_backward, x, scale=1.0, seed=0)
    assert not wrong.ok and "2.5 × the finite difference" in str(wrong)


def test_a_scalar_output_gets_dout_one() -> None:
    def loss(x: Array) -> tuple[float, Array]:
        return float(np.sum(x**2)), x

    def ignores_dout(dout: Any, x: Array) -> Array:  # a loss layer's backward may ignore dout
        return 2 * x

    report = check_layer(loss, ignores_dout, np.linspace(-1, 1, 6).reshape(2, 3), seed=0)
    assert report.ok and any("dout = 1.0" in n for n in report.notes)


def test_wrt_checks_only_the_named_inputs() -> None:
    def mse(pred: Array, target: Array) -> tuple[Any, Any]:
        return 0.5 * np.mean((pred - target) ** 2), (pred, target)

    def dpred_only(dout: Any, cache: Any) -> Array:
        pred, target = cache
        return dout * (pred - target) / pred.size

    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    report = check_layer(mse, dpred_only, pred, target, wrt=("pred",), seed=0)
    assert report.ok and [p.name for p in report.parameters] == ["pred"]
    assert any("target" in n and "left alone" in n for n in report.notes)


def test_the_persons_inputs_are_never_modified() -> None:
    forward, backward, make = CORRECT["batch norm"]
    inputs = make(np.random.default_rng(0), np.float64)
    before = copy.deepcopy(inputs)
    # batchnorm_forward writes running_mean into bn_param; relu_backward masks dout in place
    check_layer(forward, backward, *inputs, seed=0)
    x = _relu_input(np.random.default_rng(0), np.float64)[0]
    x_before = x.copy()
    check_layer(relu_forward, relu_backward, x, seed=0, mode="directional")
    for a, b in zip(inputs[:3], before[:3], strict=True):
        assert np.array_equal(a, b)
    assert inputs[3] == {"mode": "train"} and np.array_equal(x, x_before)


def test_assert_layer_returns_the_report_or_raises_the_public_mismatch() -> None:
    forward, backward, make = CORRECT["batch norm"]
    report = nncheck.assert_layer(forward, backward, *make(np.random.default_rng(0), np.float64))
    assert report.ok
    forward, backward, make, _, _ = WRONG["softmax missing 1/N"]
    with pytest.raises(nncheck.GradientMismatch) as info:
        nncheck.assert_layer(forward, backward, *make(np.random.default_rng(0)), seed=0)
    assert isinstance(info.value, AssertionError) and not info.value.report.ok
    assert "diagnosis: x:" in str(info.value)


# -- errors that name the argument, the value and the fix --------------------------------------


def _x() -> Array:
    return np.random.default_rng(0).standard_normal((3, 4))


NOISE = np.random.default_rng()  # a forward that draws from it is not deterministic

BAD = {
    "backward returns two of three": (
        lambda: (
            affine_forward,
            lambda d, c: affine_backward(d, c)[:2],
            (_x(), _x().T, _x()[0, :3]),
        ),
        ["backward returned 2 gradients", "3 floating-point input(s)", "(dx, dw, db)"],
    ),
    "gradients in the wrong order": (
        lambda: (
            affine_forward,
            lambda d, c: affine_backward(d, c)[::-1],
            (_x(), _x().T[:, :2], np.zeros(2)),
        ),
        ["dx has shape (2,)", "x has shape (3, 4)"],
    ),
    "dw of another shape with the same size": (
        lambda: (
            affine_forward,
            lambda d, c: (affine_backward(d, c)[0], affine_backward(d, c)[1].T, np.zeros(4)),
            (_x(), _x().T, np.zeros(3)),
        ),
        ["dw has shape (3, 4)", "w has shape (4, 3)", "transpose"],
    ),
    "db with keepdims": (
        lambda: (
            affine_forward,
            lambda d, c: (*affine_backward(d, c)[:2], d.sum(axis=0, keepdims=True)),
            (_x(), _x().T, np.zeros(3)),
        ),
        ["db has shape (1, 3)", "b has shape (3,)", "without keepdims=True", ".reshape(3,)"],
    ),
    "forward returns a list": (
        lambda: (lambda x: [1.0, 2.0], relu_backward, (_x(),)),
        ["returned a list", "np.asarray"],
    ),
    "forward returns None": (
        lambda: (lambda x: None, relu_backward, (_x(),)),
        ["returned a NoneType", "expected out"],
    ),
    "forward returns three things": (
        lambda: (lambda x: (x, x, x), relu_backward, (_x(),)),
        ["tuple of 3 items", "(out, cache)"],
    ),
    "forward returns an int array": (
        lambda: (lambda x: np.argmax(x, axis=1), relu_backward, (_x(),)),
        ["int64", "floating-point"],
    ),
    "forward raises": (
        lambda: (lambda x: x @ x, relu_backward, (_x(),)),
        ["raised ValueError", "called with your inputs"],
    ),
    "forward mutates its input": (
        lambda: (lambda x: (x.__isub__(1.0), None), relu_backward, (_x(),)),
        ["modified its input x in place", "copy"],
    ),
    "forward is not deterministic": (
        lambda: (lambda x: x * NOISE.random(x.shape), relu_backward, (_x(),)),
        ["not deterministic", "seed"],
    ),
    "backward returns None": (
        lambda: (relu_forward, lambda d, c: None, (_x(),)),
        ["backward returned None", "return statement"],
    ),
    "backward raises": (
        lambda: (relu_forward, lambda d, c: d @ c, (_x(),)),
        ["backward(dout, cache) raised ValueError"],
    ),
    "dict without a gradient": (
        lambda: (
            affine_forward,
            lambda d, c: {"dx": affine_backward(d, c)[0], "dW": affine_backward(d, c)[1]},
            (_x(), _x().T, np.zeros(3)),
        ),
        ["without a gradient for b", "expected keys 'db'", "found 'dx', 'dW'"],
    ),
    "no floating input": (
        lambda: (relu_forward, relu_backward, (np.arange(6).reshape(2, 3),)),
        ["no input is a floating-point array", "int64", "astype(float)"],
    ),
    "too many inputs": (
        lambda: (relu_forward, relu_backward, (_x(), _x())),
        ["cannot be called with", "too many positional arguments"],
    ),
    "backward is not callable": (
        lambda: (relu_forward, np.zeros(3), (_x(),)),
        ["backward must be a function", "array of shape (3,)"],
    ),
    "unknown wrt": (
        lambda: (relu_forward, relu_backward, (_x(),), {"wrt": ("z",)}),
        ["wrt=('z',)", "x"],
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_unusable_layers_get_errors_that_name_the_argument(name: str) -> None:
    make, words = BAD[name]
    forward, backward, inputs, *options = make()
    with pytest.raises(GradientInputError) as info:
        check_layer(forward, backward, *inputs, seed=0, **(options[0] if options else {}))
    message = str(info.value)
    for word in words:
        assert word in message, message


# -- check_gradients with an array-valued cost -------------------------------------------------


def test_check_gradients_projects_an_array_cost_and_says_so() -> None:
    w = np.random.default_rng(0).standard_normal((3, 2))

    def cost(w: Array) -> Array:
        return np.tanh(w)

    report = check_gradients(cost, w, lambda w, dout: dout * (1 - np.tanh(w) ** 2), seed=3)
    assert report.ok and report.parameters[0].name == "w"
    assert any("array of shape (3, 2)" in n and "seed 3" in n for n in report.notes)
    wrong = check_gradients(cost, w, lambda w, dout: dout * (1 - np.tanh(w)), seed=3)
    assert not wrong.ok
    with pytest.raises(GradientInputError, match=r"gradients\(params, dout\)"):
        check_gradients(cost, w, 1 - np.tanh(w) ** 2, seed=3)


# -- hints that are true in their direction ----------------------------------------------------


def test_shape_hints_point_the_right_way() -> None:
    w = np.ones(4)
    with pytest.raises(GradientInputError) as info:
        check_gradients(lambda w: float(w @ w), w, np.ones((1, 4)))
    assert "without keepdims=True" in str(info.value) and ".reshape(4,)" in str(info.value)
    b = np.ones((4, 1))
    with pytest.raises(GradientInputError) as info:
        check_gradients(lambda b: float(np.sum(b**2)), b, np.ones(4))
    assert "with keepdims=True" in str(info.value) and ".reshape(4, 1)" in str(info.value)


def _header(m: int) -> Any:
    return SimpleNamespace(protocol="week4", functions=("f",), dims=(2, 1), m=m, notes=())


def test_gradcheck_names_a_factor_only_when_the_ratio_is_constant() -> None:
    from nncheck.report import gradcheck_text

    x = np.linspace(-1.0, 1.0, 6)
    twice = check_gradients(lambda x: float(np.sum(x**2)), x, 4 * x, seed=0)
    assert "a factor of 2 too many or too few" in gradcheck_text(twice, "hw.py", _header(8))
    varies = 2 * x * np.array([2.0, 1.0, 1.0, 3.0, -1.0, 2.0])
    text = gradcheck_text(
        check_gradients(lambda x: float(np.sum(x**2)), x, varies), "hw", _header(8)
    )
    assert "factor of 2" not in text and "varies" in text and "nncheck conform" in text


# -- pytest shows the report, not nncheck's frames ---------------------------------------------


def test_pytest_failure_shows_the_table_not_nncheck_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mylayer="""
        import numpy as np
        import nncheck

        def forward(x, w):
            return x @ w, (x, w)

        def backward(dout, cache):
            x, w = cache
            return dout @ w.T, x.T @ dout / x.shape[0]   # an extra 1/N in dw

        def test_layer():
            rng = np.random.default_rng(0)
            nncheck.assert_layer(forward, backward, rng.standard_normal((5, 3)),
                                 rng.standard_normal((3, 2)), seed=0)

        def test_gradients():
            w = np.linspace(-1.0, 1.0, 4)
            nncheck.assert_gradients(lambda w: float(w @ w), w, -2 * w, seed=0)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "nncheck.GradientMismatch: gradient check: MISMATCH" in out
    assert "param  shape" in out and "diagnosis: w: yours is 0.2 ×" in out
    assert "1/x.shape[0] = 1/5" in out
    assert "diagnosis: w: yours is -1 × the finite difference at every checked element" in out
    for frame in ("_engine.py", "_layer.py", "numeric/_errors.py", "nncheck/numeric"):
        assert frame not in out, out


# -- the documented recipe runs as written ---------------------------------------------------


def test_the_layer_recipe_in_the_docs_runs() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "readme" / "gradcheck.md").read_text()
    section = doc.split("### Checking a layer", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 3
    namespace: dict[str, Any] = {}
    exec(compile(blocks[0], "gradcheck.md", "exec"), namespace)
    shown = section.split("```\ngradient check:", 1)[1].split("```", 1)[0].splitlines()
    printed = str(namespace["report"]).splitlines()
    for prefix in ("x ", "diagnosis", "note: layer", "note: left alone"):
        assert [line for line in shown if line.startswith(prefix)] == [
            line for line in printed if line.startswith(prefix)
        ]
    for block in blocks[1:]:
        exec(compile(block, "gradcheck.md", "exec"), namespace)
