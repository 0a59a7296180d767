"""What one-sided slopes at steps h, h/2 and h/4 say about θ: whether the cost has a kink there
(:func:`kink`) and the one-sided derivatives f'(θ±) (:func:`one_sided_limits`); :func:`levels`
evaluates them. Pure functions of the slopes and the error model of :mod:`._estimators`."""

from __future__ import annotations

from collections.abc import Callable

from ._estimators import three_point


def kink(slopes: tuple[float, ...], rho: float, h: float, rtol: float, tol_base: float) -> bool:
    """Whether one-sided slopes at steps h, h/2, h/4 (D+, D− per level) show a kink at θ.

    The gap D+(h_k) − D−(h_k) of a smooth cost is h_k·f''(θ) + O(h_k³): it halves with the step.
    At a kink it is J + h_k·f'' with J the jump of the slope. Two estimates of J from the three
    levels, 2·gap(h/4) − gap(h/2) and 2·gap(h/2) − gap(h), both cancel the curvature term; a kink
    is a J well above the rounding noise (≤ 4ρ/h_k per gap) that both estimates agree on; or a
    gap at h/4 above its noise that did not shrink at all; or three gaps of one sign above their
    noise whose ratios stay near 1.
    """
    gaps = (slopes[0] - slopes[1], slopes[2] - slopes[3], slopes[4] - slopes[5])
    noise = (4.0 * rho / h, 8.0 * rho / h, 16.0 * rho / h)
    tol2 = rtol * max(abs(s) for s in slopes) + tol_base
    if abs(gaps[2]) > noise[2] + tol2 and abs(gaps[2]) > 0.6 * abs(gaps[1]):
        return True
    jump_fine = 2.0 * gaps[2] - gaps[1]
    jump_coarse = 2.0 * gaps[1] - gaps[0]
    jump_noise = 2.0 * noise[2] + noise[1]
    agree = abs(jump_coarse - jump_fine) <= 0.5 * abs(jump_fine)
    if abs(jump_fine) > 3.0 * jump_noise + tol2 and agree:
        return True
    # a small jump with negligible curvature: three gaps of one sign, each above its noise,
    # ratios near 1 (noise-dominated gaps grow ×2 per level and flip sign at random)
    if not all(abs(gp) > nz for gp, nz in zip(gaps, noise, strict=True)):
        return False
    if not (gaps[0] > 0) == (gaps[1] > 0) == (gaps[2] > 0):
        return False
    return 0.7 <= gaps[2] / gaps[1] <= 1.4 and 0.7 <= gaps[1] / gaps[0] <= 1.4


def one_sided_limits(
    slopes: tuple[float, ...], rho: float, h: float, rtol: float, tol_base: float
) -> tuple[float, float, float] | None:
    """The one-sided derivatives f'(θ−), f'(θ+) (lower one first) and one error bound for both,
    or ``None`` when they differ by no more than their errors (nothing shows a kink).

    Whether or not the cost has a kink at θ, D±(h_k) = f'(θ±) ± h_k·f''(θ±)/2 + O(h_k²), so the
    linear extrapolation 2·D±(h/4) − D±(h/2) removes the curvature term, which hides a small jump
    from :func:`kink`. The error of each estimate has the terms of the Richardson bound, from the
    same model: the truncation, O(h²), is a third of its change from the coarser
    2·D±(h/2) − D±(h); the rounding is at most 20ρ/h (each D±(h_k) is within 2ρ/h_k); both doubled,
    plus the tolerance. Two estimates of one smooth f'(θ) differ by at most the sum of their
    undoubled errors, so a larger difference is a kink at θ, however small next to f'.
    """
    limits = []
    truncation = 0.0
    for side in (slopes[0::2], slopes[1::2]):  # D+ at h, h/2, h/4; then D−
        fine = 2.0 * side[2] - side[1]
        coarse = 2.0 * side[1] - side[0]
        limits.append(fine)
        truncation = max(truncation, abs(fine - coarse) / 3.0)
    below, above = min(limits), max(limits)
    error = 2.0 * truncation + 40.0 * rho / h
    if above - below <= error:
        return None  # within their own error of each other: no sign of a kink
    return below, above, error + rtol * max(abs(below), abs(above)) + tol_base


def levels(
    evaluate: Callable[[float], tuple[float, float]],
    f0: float,
    level0: tuple[float, float, float, float],
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], float]:
    """Evaluate at ±h/2 and ±h/4; return central differences, one-sided slopes, values, h."""
    fp0, fm0, hp0, hm0 = level0
    h = 0.5 * (hp0 + hm0)
    fp1, hp1 = evaluate(0.5 * h)
    fm1, tm1 = evaluate(-0.5 * h)
    fp2, hp2 = evaluate(0.25 * h)
    fm2, tm2 = evaluate(-0.25 * h)
    hm1, hm2 = -tm1, -tm2
    centrals = (
        float(three_point(f0, fp0, fm0, hp0, hm0)),
        float(three_point(f0, fp1, fm1, hp1, hm1)),
        float(three_point(f0, fp2, fm2, hp2, hm2)),
    )
    slopes = (
        (fp0 - f0) / hp0,
        (f0 - fm0) / hm0,
        (fp1 - f0) / hp1,
        (f0 - fm1) / hm1,
        (fp2 - f0) / hp2,
        (f0 - fm2) / hm2,
    )
    return centrals, slopes, (f0, fp0, fm0, fp1, fm1, fp2, fm2), h
