"""Error-bounded derivative estimators for elementwise functions, vectorised over points.

Each estimator takes ``f`` (an elementwise function of a float64 array, e.g. ``np.tanh`` or a
spec's ``numpy()``) and the points ``x`` and returns an :class:`Estimate`: the estimated f'(x)
at every point and a bound on its error (truncation + rounding). The gradient checker uses the
same step rules and the same error model one coordinate at a time.

Error model. A computed value f̂(x) = f(x) + δ with |δ| ≤ ρ = κ·ε·|f(x)| (κ = :data:`NOISE_ULPS`
ulps of the dtype's machine epsilon ε). A central difference with step h then has rounding error
≤ ρ/h and truncation error c·h² (c = f'''/6), which is estimated from the same difference at step
2h: C(2h) − C(h) ≈ 3c·h². Steps are made exactly representable (h := fl(x + h) − x) so the
rounding of x + h does not add an error of its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ElementwiseFunction = Callable[[FloatArray], npt.ArrayLike]

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)
NOISE_ULPS = 8.0
"""κ: how many ulps of |f| one evaluation of a numpy expression may be off (a few ulps per
elementary function, a few operations per formula)."""


@dataclass(frozen=True)
class Estimate:
    """Estimated derivatives ``value`` with ``error`` ≥ |value − f'(x)| (a bound from the
    estimator's own truncation and rounding model), elementwise; ``method`` names the estimator
    that produced them ("central", "richardson" or "complex")."""

    value: FloatArray
    error: FloatArray
    method: str


def central_step(x: npt.ArrayLike, eps: float = EPS64) -> FloatArray:
    """The central-difference step h = ε^(1/3)·max(1, |x|), which balances truncation (∝ h²)
    against rounding (∝ ε/h)."""
    return float(eps ** (1.0 / 3.0)) * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))


def richardson_step(x: npt.ArrayLike, levels: int = 3, eps: float = EPS64) -> FloatArray:
    """The base step of a ``levels``-level Richardson table, ε^(1/(2·levels+1))·max(1, |x|): its
    truncation error is O(h^(2·levels)), its rounding error O(ε/h)."""
    power = 1.0 / (2.0 * levels + 1.0)
    return float(eps**power) * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))


def _eval(f: ElementwiseFunction, x: FloatArray) -> FloatArray:
    with np.errstate(all="ignore"):
        y = np.asarray(f(x), dtype=np.float64)
    return np.broadcast_to(y, x.shape).astype(np.float64)


def three_point(
    f0: npt.ArrayLike, fp: npt.ArrayLike, fm: npt.ArrayLike, hp: npt.ArrayLike, hm: npt.ArrayLike
) -> FloatArray:
    """f'(x) from f(x − h⁻), f(x), f(x + h⁺): the derivative of the interpolating parabola.

    Steps are made exactly representable (h⁺ = fl(x + h) − x), which can leave h⁺ ≠ h⁻ by an ulp
    of x; this formula stays second-order accurate where (f⁺ − f⁻)/(h⁺ + h⁻) would not (its error
    f''·(h⁺ − h⁻)/2 is visible wherever f' ≈ 0). For h⁺ = h⁻ it is the central difference.
    """
    f0a, fpa, fma = (np.asarray(v, dtype=np.float64) for v in (f0, fp, fm))
    hpa, hma = np.asarray(hp, dtype=np.float64), np.asarray(hm, dtype=np.float64)
    value: FloatArray = (hma * hma * (fpa - f0a) + hpa * hpa * (f0a - fma)) / (
        hpa * hma * (hpa + hma)
    )
    return value


def _central(
    f: ElementwiseFunction, x: FloatArray, h: FloatArray, eps: float, f0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Central difference with exactly representable steps; returns (C, rounding bound)."""
    xp = x + h
    xm = x - h
    hp = xp - x
    hm = x - xm
    fp = _eval(f, xp)
    fm = _eval(f, xm)
    rho = NOISE_ULPS * eps * np.maximum(np.maximum(np.abs(fp), np.abs(fm)), np.abs(f0))
    return three_point(f0, fp, fm, hp, hm), 2.0 * rho / (hp + hm)


def central_difference(
    f: ElementwiseFunction, x: npt.ArrayLike, *, step: npt.ArrayLike | None = None
) -> Estimate:
    """f'(x) ≈ (f(x + h) − f(x − h)) / 2h with h from :func:`central_step`.

    The error bound is 2·|C(2h) − C(h)|/3 (twice the estimated truncation error) plus twice the
    rounding bound; it costs two extra evaluations per point to know how wrong the estimate can be.
    """
    xa = np.asarray(x, dtype=np.float64)
    h = (
        central_step(xa)
        if step is None
        else np.broadcast_to(np.asarray(step, np.float64), xa.shape)
    )
    f0 = _eval(f, xa)
    c1, r1 = _central(f, xa, h, EPS64, f0)
    c2, r2 = _central(f, xa, 2.0 * h, EPS64, f0)
    truncation = np.abs(c2 - c1) / 3.0
    error = 2.0 * truncation + 2.0 * r1 + r2
    return Estimate(c1, error, "central")


def richardson(
    f: ElementwiseFunction,
    x: npt.ArrayLike,
    *,
    levels: int = 3,
    step: npt.ArrayLike | None = None,
) -> Estimate:
    """Richardson extrapolation of central differences at steps h, h/2, …, h/2^(levels−1).

    Column j of the table removes the h^(2j) error term: R[k][j] = R[k][j−1] +
    (R[k][j−1] − R[k−1][j−1]) / (4^j − 1). The value is the last diagonal entry; its error bound
    is twice the distance to the entry one order lower at the same step (or a 4^-levels share of
    the distance to the previous diagonal entry if larger) plus the rounding errors of the table,
    propagated through the same weights.
    """
    if levels < 2:
        raise ValueError(f"levels={levels}: Richardson extrapolation needs at least 2 levels")
    xa = np.asarray(x, dtype=np.float64)
    h = (
        richardson_step(xa, levels)
        if step is None
        else np.broadcast_to(np.asarray(step, np.float64), xa.shape)
    )
    table: list[list[FloatArray]] = []
    rounding: list[list[FloatArray]] = []
    f0 = _eval(f, xa)
    for k in range(levels):
        c, r = _central(f, xa, h / 2.0**k, EPS64, f0)
        row, rrow = [c], [r]
        for j in range(1, k + 1):
            w = 4.0**j
            prev, prev_above = row[j - 1], table[k - 1][j - 1]
            row.append(prev + (prev - prev_above) / (w - 1.0))
            rrow.append((w * rrow[j - 1] + rounding[k - 1][j - 1]) / (w - 1.0))
        table.append(row)
        rounding.append(rrow)
    value = table[-1][-1]
    # the same step one order lower: its distance to the value bounds the value's error as long
    # as the table converges (it is an O(h^(2·levels − 2)) quantity, the error O(h^(2·levels)));
    # a non-converging table (step too large for the function's scale) shows up as a large
    # distance between the last two diagonal entries, which is added in at 1/4^levels weight
    lower = table[-1][-2]
    previous = table[-2][-2]
    drift = np.abs(value - previous) / 4.0**levels
    error = 2.0 * np.maximum(np.abs(value - lower), drift) + 2.0 * rounding[-1][-1]
    return Estimate(value, error, "richardson")


def complex_step(
    f: Callable[[npt.NDArray[np.complex128]], npt.ArrayLike],
    x: npt.ArrayLike,
    *,
    step: float = 1e-20,
    fallback: bool = True,
) -> Estimate:
    """f'(x) ≈ Im f(x + i·h) / h with a tiny h: no subtraction, so exact to rounding.

    Needs ``f`` to accept complex input and to be analytic (no ``abs``, ``max``, ``.real``, or
    casts to float). This is detected: when ``f`` raises on complex input, returns a real array,
    warns about discarding the imaginary part, or disagrees with a central difference beyond that
    estimate's error bound, the result falls back to :func:`richardson` (``method`` says which
    ran); with ``fallback=False`` a ``ValueError`` explains why instead.
    """
    xa = np.asarray(x, dtype=np.float64)
    h = step * np.maximum(1.0, np.abs(xa))
    reason = ""
    value: FloatArray | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            with np.errstate(all="ignore"):
                y = np.asarray(f(xa + 1j * h))
        if not np.iscomplexobj(y):
            reason = f"f returned a real {y.dtype} array for complex input"
        else:
            value = np.broadcast_to(y.imag / h, xa.shape).astype(np.float64)
            if not np.all(np.isfinite(value)):
                reason = "f returned non-finite values for complex input"
    except (TypeError, ValueError, np.exceptions.ComplexWarning, AttributeError) as exc:
        reason = f"f does not accept complex input ({type(exc).__name__}: {exc})"
    if value is not None and not reason:
        reference = central_difference(f, xa)  # type: ignore[arg-type]
        slack = reference.error + 1e-8 * np.abs(reference.value)
        if np.any(np.abs(value - reference.value) > slack):
            reason = "f is not analytic (complex step disagrees with central differences)"
    if reason:
        if not fallback:
            raise ValueError(f"complex step not applicable: {reason}")
        return richardson(f, xa)  # type: ignore[arg-type]
    assert value is not None
    error = NOISE_ULPS * EPS64 * np.abs(value) + 1e-300
    return Estimate(value, error, "complex")
