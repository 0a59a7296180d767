"""The one argument binder (nncheck._binding.bind_arguments) that conform's checks and the
gradient-check closures share: by name when every required parameter is recognised, else in the
course's order, as the course's own tests call the functions."""

from __future__ import annotations

from typing import Any

import pytest

from nncheck._binding import Unbindable, bind_arguments


def call(fn: Any, order: list[str], values: dict[str, Any], **kw: Any) -> Any:
    args, kwargs = bind_arguments(fn, order, values, **kw)
    return fn(*args, **kwargs)


def test_names_win_over_the_order() -> None:
    def backward(X, Y, caches, params):  # type: ignore[no-untyped-def]
        return (X, Y, caches, params)

    values = {"AL": "AL", "Y": "Y", "cache": "c", "parameters": "p", "X": "X"}
    # parameters and X are not in the course's order, but a required parameter may take them
    assert call(backward, ["AL", "Y", "cache"], values) == ("X", "Y", "c", "p")


def test_a_default_is_filled_only_for_a_value_the_course_passes() -> None:
    def cost(AL, Y, parameters=None, lambd=0.0):  # type: ignore[no-untyped-def]
        return parameters

    values = {"AL": 1, "Y": 2, "parameters": 3}
    assert call(cost, ["AL", "Y"], values) is None  # week 4's compute_cost(AL, Y)
    assert call(cost, ["AL", "Y", "parameters"], values) == 3  # week 3's older signature


def test_unknown_names_take_the_course_order_cut_to_the_function() -> None:
    def two(p, q):  # type: ignore[no-untyped-def]
        return (p, q)

    def star(*args):  # type: ignore[no-untyped-def]
        return args

    values = {"AL": 1, "Y": 2, "parameters": 3}
    assert call(two, ["AL", "Y", "parameters"], values) == (1, 2)
    assert call(star, ["AL", "Y", "parameters"], values) == (1, 2, 3)
    with pytest.raises(Unbindable, match=r"cannot call two\(p, q\): nncheck expects two\(AL, Y, "):
        bind_arguments(two, ["AL", "Y", "parameters"], values, minimum=3)


@pytest.mark.parametrize(
    "source",
    ["def f(a, b, c, d):\n    pass\n", "def f(a, *, key):\n    pass\n"],
)
def test_a_signature_no_call_fits_is_unbindable(source: str) -> None:
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    with pytest.raises(Unbindable, match=r"arguments are matched by name, else by this order"):
        bind_arguments(namespace["f"], ["X", "Y"], {"X": 1, "Y": 2})
