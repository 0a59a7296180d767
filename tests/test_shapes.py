"""nncheck.shapes at runtime: the public names, shaped(), the helpers and @shapecheck."""

from __future__ import annotations

import subprocess
import sys
from typing import TypeVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nncheck.reference
import nncheck.shapes
from nncheck.shapes import (
    Array,
    Dim,
    One,
    ShapeError,
    apply,
    mean_keepdims,
    shapecheck,
    shaped,
    sum_keepdims,
    sum_rows_keepdims,
)

N = TypeVar("N")
P = TypeVar("P")
M = TypeVar("M")


class N0(Dim): ...


class N1(Dim): ...


@shapecheck
def linear_forward(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
    return W @ A_prev + b


@shapecheck
def linear_backward(
    dZ: Array[N, M], A_prev: Array[P, M], W: Array[N, P]
) -> tuple[Array[P, M], Array[N, P], Array[N, One]]:
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, sum_keepdims(dZ) / m


@shapecheck
def dW_forgot_transpose(dZ: Array[N, M], A_prev: Array[P, M]) -> Array[N, P]:
    return dZ @ A_prev / A_prev.shape[1]  # type: ignore[operator, no-any-return]


@shapecheck
def dW_wrong_order(dZ: Array[N, M], A_prev: Array[P, M]) -> Array[N, P]:
    return A_prev @ dZ.T / A_prev.shape[1]  # type: ignore[return-value]


@shapecheck
def returns_transposed(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
    return (W @ A_prev + b).T  # type: ignore[return-value]


@shapecheck
def dA_prev_without_WT(dZ: Array[N, M], W: Array[N, P]) -> Array[P, M]:
    return W @ dZ  # type: ignore[operator, no-any-return]


@shapecheck
def nominal_layer(X: Array[N0, M], W1: Array[N1, N0]) -> Array[N1, M]:
    return W1 @ X


rng = np.random.default_rng(0)
A_prev = rng.standard_normal((3, 5))
W = rng.standard_normal((4, 3))
b = rng.standard_normal((4, 1))
dZ = rng.standard_normal((4, 5))


def test_public_names() -> None:
    assert set(nncheck.shapes.__all__) == {
        "ENV_VAR",
        "Array",
        "Dim",
        "One",
        "ShapeError",
        "apply",
        "mean_keepdims",
        "shapecheck",
        "shaped",
        "sum_keepdims",
        "sum_rows_keepdims",
    }
    assert issubclass(ShapeError, nncheck.reference.ShapeError)
    assert issubclass(ShapeError, ValueError)


def test_light_import() -> None:
    code = (
        "import sys, nncheck.shapes; "
        "bad = {'sympy', 'hypothesis', 'mypy'} & {m.split('.')[0] for m in sys.modules}; "
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_array_is_annotation_only() -> None:
    with pytest.raises(TypeError, match="annotation"):
        Array()


def test_shaped_returns_the_same_array() -> None:
    assert shaped(W) is W
    assert shaped([[1, 2]]).shape == (1, 2)
    assert shaped(b, (4, 1)) is b


def test_shaped_rejects_rank1_and_wrong_shape() -> None:
    with pytest.raises(ShapeError, match=r"rank-1.*reshape\(-1, 1\)"):
        shaped(np.zeros(4))
    with pytest.raises(ShapeError, match=r"\(4, 1\), but \(1, 4\) was asked for"):
        shaped(b, (1, 4))


def test_helpers_keep_2d() -> None:
    assert sum_keepdims(dZ).shape == (4, 1)
    np.testing.assert_allclose(sum_keepdims(dZ), dZ.sum(axis=1, keepdims=True))
    assert mean_keepdims(dZ).shape == (4, 1)
    assert sum_rows_keepdims(dZ).shape == (1, 5)
    np.testing.assert_allclose(apply(np.tanh, dZ), np.tanh(dZ))


def test_correct_code_passes() -> None:
    np.testing.assert_allclose(linear_forward(A_prev, W, b), W @ A_prev + b)
    dA_prev, dW, db = linear_backward(dZ, A_prev, W)
    assert (dA_prev.shape, dW.shape, db.shape) == ((3, 5), (4, 3), (4, 1))
    assert linear_forward(A_prev=A_prev, W=W, b=b).shape == (4, 5)
    assert nominal_layer(A_prev, W).shape == (4, 5)
    assert linear_forward(A_prev[:, :1], W, b).shape == (4, 1)  # m = 1 is fine


def test_W_transposed() -> None:
    with pytest.raises(ShapeError) as info:
        linear_forward(A_prev, W.T, b)
    assert str(info.value) == (
        "linear_forward: W has shape (3, 4), but P = 3 from A_prev (W: Array[N, P]); "
        "its transpose would fit: is W transposed?"
    )


def test_bias_as_row() -> None:
    with pytest.raises(
        ShapeError, match=r"^linear_forward: b has shape \(1, 4\), but N = 4 from W"
    ):
        linear_forward(A_prev, W, b.T)


def test_rank1_bias() -> None:
    with pytest.raises(ShapeError, match=r"b has shape \(4,\), a rank-1 array.*reshape\(-1, 1\)"):
        linear_forward(A_prev, W, b[:, 0])


def test_forgotten_A_prev_T_in_dW() -> None:
    # dZ @ A_prev needs m == n[l-1]; otherwise numpy itself refuses, and when it runs the result
    # has the right shape (n[l], m) == (n[l], n[l-1]): a shape check cannot see this mistake at
    # runtime. mypy can (tests/typing_cases/mistakes_layers.py); the values check of nncheck.conform
    # does too.
    with pytest.raises(ValueError, match="matmul"):
        dW_forgot_transpose(dZ, A_prev)
    square = rng.standard_normal((3, 3))
    assert dW_forgot_transpose(rng.standard_normal((4, 3)), square).shape == (4, 3)


def test_product_in_wrong_order() -> None:
    with pytest.raises(ShapeError) as info:
        dW_wrong_order(dZ, A_prev)
    assert str(info.value) == (
        "dW_wrong_order: the result has shape (3, 4), but N = 4 from dZ and P = 3 from A_prev "
        "(the result: Array[N, P]); its transpose would fit: is the result transposed?"
    )


def test_result_transposed() -> None:
    with pytest.raises(ShapeError) as info:
        returns_transposed(A_prev, W, b)
    assert str(info.value) == (
        "returns_transposed: the result has shape (5, 4), but N = 4 from W and M = 5 from A_prev "
        "(the result: Array[N, M]); its transpose would fit: is the result transposed?"
    )


def test_dA_prev_without_WT() -> None:
    # W @ dZ runs only when n[l] == n[l-1], and then its shape is right: as for dW, only mypy
    # (or a values check) sees it. With unequal widths numpy refuses before a result exists.
    with pytest.raises(ValueError, match="matmul"):
        dA_prev_without_WT(dZ, W)


def test_nominal_dims_and_tuple_results() -> None:
    with pytest.raises(ShapeError, match=r"W1 has shape \(3, 4\), but N0 = 3 from X"):
        nominal_layer(A_prev, W.T)

    @shapecheck
    def bad_backward(
        dZ: Array[N, M], A_prev: Array[P, M], W: Array[N, P]
    ) -> tuple[Array[P, M], Array[N, P], Array[N, One]]:
        m = A_prev.shape[1]
        return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1) / m  # type: ignore[return-value]

    with pytest.raises(ShapeError, match=r"result\[2\] has shape \(4,\), a rank-1 array"):
        bad_backward(dZ, A_prev, W)


def test_every_problem_is_reported() -> None:
    with pytest.raises(ShapeError) as info:
        linear_forward(A_prev, W.T, np.zeros(4))
    assert len(info.value.problems) == 2
    assert "also:" in str(info.value)


def test_non_array_argument() -> None:
    with pytest.raises(ShapeError, match="b is a float, not an array"):
        linear_forward(A_prev, W, 1.0)


@shapecheck
def _later(x: Array[Later, One]) -> Array[Later, One]:  # Later is defined below
    return x


class Later(Dim): ...


def test_forward_reference_resolved_at_first_call() -> None:
    assert _later(b) is b
    with pytest.raises(ShapeError, match=r"x has shape \(1, 4\)"):
        _later(b.T)


def test_env_var_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nncheck.shapes.ENV_VAR, "0")

    def f(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
        return A_prev

    assert shapecheck(f) is f
    assert f(A_prev, W.T, b) is A_prev
    monkeypatch.setenv(nncheck.shapes.ENV_VAR, "1")
    with pytest.raises(ShapeError):
        shapecheck(f)(A_prev, W.T, b)


def test_wrapper_keeps_metadata() -> None:
    assert linear_forward.__name__ == "linear_forward"
    assert linear_forward.__wrapped__ is not None  # type: ignore[attr-defined]


@shapecheck
def optional_bias(
    A_prev: Array[P, M], W: Array[N, P], b: Array[N, One] | None = None
) -> Array[N, M]:
    return W @ A_prev if b is None else W @ A_prev + b


def test_optional_and_defaults() -> None:
    assert optional_bias(A_prev, W).shape == (4, 5)
    assert optional_bias(A_prev, W, None).shape == (4, 5)
    with pytest.raises(ShapeError, match=r"b has shape \(1, 4\)"):
        optional_bias(A_prev, W, b=b.T)


@given(
    dims=st.tuples(*(st.integers(1, 5) for _ in range(3))),
    shapes=st.tuples(*(st.tuples(st.integers(1, 5), st.integers(1, 5)) for _ in range(3))),
)
def test_raises_exactly_when_the_rules_are_broken(
    dims: tuple[int, int, int], shapes: tuple[tuple[int, int], ...]
) -> None:
    # oracle: A_prev (p, m), W (n, p), b (n, 1) for some n, p, m — computed independently
    a, w, bias = shapes
    consistent = w[1] == a[0] and bias[0] == w[0] and bias[1] == 1
    arrays = [np.zeros(s) for s in shapes]
    if consistent:
        assert optional_bias(*arrays).shape == (w[0], a[1])
    else:
        with pytest.raises(ShapeError):
            optional_bias(*arrays)
    n, p, m = dims
    assert optional_bias(np.zeros((p, m)), np.zeros((n, p)), np.zeros((n, 1))).shape == (n, m)


def test_error_attributes() -> None:
    with pytest.raises(ShapeError) as info:
        linear_forward(A_prev, W.T, b)
    err = info.value
    assert (err.name, err.shape, err.rule) == ("W", (3, 4), "W: Array[N, P]")
    assert err.problems == (str(err),)


class _Layer:
    @shapecheck
    def forward(self, A_prev: Array[P, M], *, W: Array[N, P]) -> Array[N, M]:
        return W @ A_prev


def test_methods_and_keyword_only_parameters() -> None:
    import inspect

    assert _Layer().forward(A_prev, W=W).shape == (4, 5)
    with pytest.raises(ShapeError, match=r"^_Layer.forward: W has shape \(3, 4\), but P = 3"):
        _Layer().forward(A_prev, W=W.T)
    assert list(inspect.signature(_Layer.forward).parameters) == ["self", "A_prev", "W"]
