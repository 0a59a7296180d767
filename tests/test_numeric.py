"""The derivative estimators against the exact SymPy derivatives of the specs.

The exact derivative is evaluated with mpmath at 40 significant digits, so the measured error is
the estimator's alone (the float64 derivative formula has rounding errors of its own).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import numpy.typing as npt
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nncheck.numeric import (
    Estimate,
    central_difference,
    complex_step,
    richardson,
)
from nncheck.specs import get_spec

FloatArray = npt.NDArray[np.float64]

# spec name -> (domain of the differentiated argument, smooth?, fixed value of the other symbol)
DOMAINS: dict[str, tuple[float, float]] = {
    "sigmoid": (-30.0, 30.0),
    "tanh": (-20.0, 20.0),
    "relu": (-50.0, 50.0),
    "leaky_relu": (-50.0, 50.0),
    "squared_loss": (-20.0, 20.0),
    "cross_entropy_loss": (0.02, 0.98),
}
SMOOTH = ("sigmoid", "tanh", "squared_loss", "cross_entropy_loss")
mpmath.mp.dps = 40


@functools.cache
def _bind(name: str, other: float, modules: Any = "numpy") -> tuple[Callable[..., Any], Any]:
    """f(x) and the exact derivative expression of spec ``name`` in its ``wrt`` symbol, with the
    other symbol (the label y of a loss) fixed to ``other``."""
    spec = get_spec(name)
    expr, derivative = spec.expr, spec.derivative
    subs = {s: sp.Rational(int(other), 1) for s in spec.symbols if s != spec.wrt}
    expr, derivative = expr.subs(subs), derivative.subs(subs)
    return sp.lambdify(spec.wrt, expr, modules=modules), derivative.subs({})


@functools.cache
def _exact_function(name: str, other: float) -> Callable[[Any], Any]:
    spec = get_spec(name)
    subs = {s: sp.Rational(int(other), 1) for s in spec.symbols if s != spec.wrt}
    return sp.lambdify(spec.wrt, spec.derivative.subs(subs), modules="mpmath")  # type: ignore[no-any-return]


def _exact(name: str, x: FloatArray, other: float) -> FloatArray:
    exact = _exact_function(name, other)
    return np.array([float(exact(mpmath.mpf(float(v)))) for v in x])


@functools.cache
def _spec_function(name: str, other: float) -> Callable[[FloatArray], FloatArray]:
    spec = get_spec(name)
    f = spec.numpy()
    if len(spec.symbols) == 1:
        return lambda x: f(x)
    wrt_first = spec.symbols[0] == spec.wrt
    return lambda x: f(x, other) if wrt_first else f(other, x)


@st.composite
def cases(
    draw: st.DrawFn, names: tuple[str, ...] = tuple(DOMAINS)
) -> tuple[str, FloatArray, float]:
    name = draw(st.sampled_from(names))
    lo, hi = DOMAINS[name]
    points = draw(
        st.lists(st.floats(lo, hi, allow_nan=False, allow_infinity=False), min_size=1, max_size=16)
    )
    x = np.array(points)
    if get_spec(name).kinks:
        # off the kink by more than the largest step (estimators assume smoothness)
        x = np.where(np.abs(x) < 0.05, np.copysign(0.05, x) + x, x)
    other = float(draw(st.sampled_from([0, 1])))
    return name, x, other


def _inside(est: Estimate, exact: FloatArray) -> None:
    err = np.abs(est.value - exact)
    worst = int(np.argmax(err - est.error))
    assert np.all(err <= est.error), (
        f"{est.method}: |error| {err[worst]:.3e} > bound {est.error[worst]:.3e} at index {worst}"
    )


FAST = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases())
def test_central_difference_error_within_its_bound(case: tuple[str, FloatArray, float]) -> None:
    name, x, other = case
    _inside(central_difference(_spec_function(name, other), x), _exact(name, x, other))


@FAST
@given(cases())
def test_richardson_error_within_its_bound(case: tuple[str, FloatArray, float]) -> None:
    name, x, other = case
    _inside(richardson(_spec_function(name, other), x), _exact(name, x, other))


@FAST
@given(cases(SMOOTH))
def test_complex_step_error_within_its_bound(case: tuple[str, FloatArray, float]) -> None:
    name, x, other = case
    f, _ = _bind(name, other)  # lambdified without the float64 cast: accepts complex input
    est = complex_step(f, x)
    assert est.method == "complex"
    _inside(est, _exact(name, x, other))


WELL_SCALED = {
    "sigmoid": (-3.0, 3.0),
    "tanh": (-2.0, 2.0),
    "squared_loss": (-5.0, 5.0),
    "cross_entropy_loss": (0.2, 0.8),  # steps are scaled for functions of unit length scale
}


@pytest.mark.parametrize("name", sorted(WELL_SCALED))
@pytest.mark.parametrize("other", [0.0, 1.0])
def test_richardson_and_complex_step_reach_1e_10(name: str, other: float) -> None:
    lo, hi = WELL_SCALED[name]
    x = np.linspace(lo, hi, 401)
    x = x[np.abs(x - other) > 1e-3] if name == "squared_loss" else x  # f' = x − y vanishes at y
    exact = _exact(name, x, other)
    f, _ = _bind(name, other)
    for est in (richardson(_spec_function(name, other), x), complex_step(f, x)):
        relative = np.abs(est.value - exact) / np.abs(exact)
        assert relative.max() <= 1e-10, (est.method, float(relative.max()))
    # a plain central difference is six orders of magnitude short of that
    central = central_difference(_spec_function(name, other), x)
    assert (np.abs(central.value - exact) / np.abs(exact)).max() > 1e-12


def test_complex_step_falls_back_when_not_applicable() -> None:
    x = np.linspace(-2.0, 2.0, 9)
    spec_f = get_spec("tanh").numpy()  # casts its input to float64: imaginary part discarded
    assert complex_step(spec_f, x).method == "richardson"
    assert complex_step(lambda z: np.abs(z) ** 3, x).method == "richardson"  # not analytic
    assert complex_step(lambda z: np.sin(np.real(z)), x).method == "richardson"
    with pytest.raises(ValueError, match="not applicable"):
        complex_step(spec_f, x, fallback=False)
    fallback = complex_step(lambda z: np.abs(z) ** 3, x)
    assert np.allclose(fallback.value, 3 * x * np.abs(x), atol=1e-9)


def test_richardson_needs_two_levels() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        richardson(np.tanh, np.zeros(3), levels=1)


def test_bounds_are_not_vacuous() -> None:
    """The bound is informative: within a few orders of magnitude of the achievable accuracy."""
    x = np.linspace(-3.0, 3.0, 101)
    exact = _exact("tanh", x, 0.0)
    f = _spec_function("tanh", 0.0)
    assert central_difference(f, x).error.max() < 1e-8
    assert richardson(f, x).error.max() < 1e-7
    assert complex_step(_bind("tanh", 0.0)[0], x).error.max() < 1e-14
    assert np.abs(central_difference(f, x).value - exact).max() > 0  # a real estimate
