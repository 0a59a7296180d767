"""The gradient checker: error-bounded central differences, Richardson refinement, kink-aware
verdicts and random directions.

How an element is judged (full mode)
-------------------------------------
Stage 1 (2 cost evaluations per element, f(θ) shared): the central difference C(h) with
h = ε^(1/3)·max(1, |θ|). The element passes when |g − C| ≤ 2·ρ/h + tol, where ρ bounds the
rounding error of one cost evaluation and tol = rtol·|C| + a small absolute floor. Passing is
decisive: an analytic value within rounding of the finite difference is right.

Stage 2 (only for elements that fail stage 1; 4 more evaluations, plus 10 once per run that
measure the cost's rounding noise, see :meth:`_Checker.noise`; ρ is at least that measured
noise from here on, and a difference still within the rounding of a cost computed from O(1)
terms, κ·ε·max(|f|, 1), is *unresolved* — inconclusive, never failed): steps h/2 and h/4 give a
Richardson estimate R = (4·C(h/4) − C(h/2))/3 with a truncation bound taken from the spread of
C(h), C(h/2), C(h/4). If |g − R| is within that bound plus tol the element passes. Otherwise the
one-sided slopes D±(h_k) = ±(f(θ ± h_k) − f(θ))/h_k decide whether the cost has a kink at θ: for a
smooth cost their gap shrinks like h_k·f''(θ); at a kink it does not shrink. At a kink the element
passes when g lies inside the convex hull of all six one-sided slopes (a valid one-sided
subgradient). A jump too small for that test (a few times its rounding bound, yet twice the
Richardson bound) still separates the one-sided derivatives f'(θ±) extrapolated from those slopes
(:func:`_one_sided_limits`); g between them, within their error bound, passes too. When several
kinks are crossed at once backprop's convention (ReLU'(0) = 0) may pick a gradient that is
neither side's slope, which a line through θ cannot decide, so such an element is
*inconclusive* — reported, never failed. Only an element whose cost is smooth at the
finest step and whose g lies outside the Richardson bound is a mismatch — and, when the cost has
kinks at θ at all, only if radial probes around θ find no neighbouring piece whose slope differs
(see :meth:`_Checker._probe`).

Directional mode checks g·d against the same estimators along random Gaussian directions d
(per array, scaled like the steps), which costs 2 evaluations per direction whatever the size,
then localises a failure with a few sampled coordinates.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._errors import GradientInputError, GradientMismatch
from ._estimators import EPS32, EPS64, NOISE_ULPS, three_point
from ._inputs import (
    Cost,
    Evaluator,
    Problem,
    call_complex,
    parameter_name,
    prepare,
    project_array_cost,
)
from ._report import GradReport, Mode, ParameterReport, Verdict

FloatArray = npt.NDArray[np.float64]

OK, MISMATCH, KINK_OK, INCONCLUSIVE, UNREFINED, UNRESOLVED = 0, 1, 2, 3, 4, 5
"""Element statuses. UNREFINED: failed stage 1 but was not refined (enough were confirmed).
UNRESOLVED: |g − g̃| is below what a cost computed from O(1) intermediates can resolve — it did
not change at all within the steps, or its rounding error may be ε·1 rather than ε·|f| (a
saturated cross-entropy: −log(1 − AL) with AL ≈ 0 is ~1e-10 but is rounded like 1)."""

FULL_THRESHOLD = 4096
"""``mode="auto"`` checks every element up to this many parameters, random directions above."""
DIRECTIONS = 2
"""Random directions per parameter array in directional mode."""
COORDINATES = 8
"""Sampled coordinates per failing array in directional mode (localisation)."""
CONFIRM = 2
"""Mismatches confirmed by Richardson per array before the remaining failures are left unrefined."""


@dataclass(frozen=True)
class Tolerance:
    """tol = rtol·|numeric| + floor·rtol·scale + atol (scale: the array's largest |numeric|)."""

    rtol: float
    floor: float
    atol: float

    def base(self, scale: float) -> float:
        return self.floor * self.rtol * scale + self.atol


@dataclass
class Refined:
    status: int
    numeric: float
    bound: float


@dataclass
class _ArrayOutcome:
    """Per-element results of one array (full mode or sampled coordinates)."""

    indices: npt.NDArray[np.intp]
    analytic: FloatArray
    numeric: FloatArray
    bound: FloatArray
    status: npt.NDArray[np.int8]
    notes: list[str] = field(default_factory=list)


class _Line:
    """θ_base + t·direction, applied in place to the working copy and undone exactly.

    θ_base is whatever the working copy holds when :meth:`set` is called (the parameters, or a
    probe point near them), so the same line serves the point and its neighbourhood.
    """

    def set(self, t: float) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def rebase(self) -> None:
        """Take the working copy's current state as θ_base (after a probe moved it)."""

    def reset(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class _ElementLine(_Line):
    def __init__(self, flat: FloatArray, index: int, round32: bool) -> None:
        self.flat, self.index, self.round32 = flat, index, round32
        self.base = 0.0

    def set(self, t: float) -> float:
        self.base = float(self.flat[self.index])
        v = self.base + t
        if self.round32:
            v = float(np.float32(v))
        self.flat[self.index] = v
        return v - self.base

    def reset(self) -> None:
        self.flat[self.index] = self.base


class _DirectionLine(_Line):
    """θ_base + t·d over one or more arrays. θ_base is snapshotted on construction and again by
    :meth:`rebase` (after a probe moved the working copy), so set/reset cost three passes over
    the arrays and no allocation."""

    def __init__(self, work: dict[str, FloatArray], direction: dict[str, FloatArray]) -> None:
        self.work, self.direction = work, direction
        self.base = {n: work[n].copy() for n in direction}
        self.tmp = {n: np.empty_like(work[n]) for n in direction}
        self.round32 = False

    def rebase(self) -> None:
        for n in self.direction:
            np.copyto(self.base[n], self.work[n])

    def set(self, t: float) -> float:
        for n, d in self.direction.items():
            w, tmp = self.work[n], self.tmp[n]
            np.multiply(d, t, out=tmp)
            np.add(self.base[n], tmp, out=w)
            if self.round32:
                w[...] = w.astype(np.float32)
        return t

    def reset(self) -> None:
        for n in self.direction:
            np.copyto(self.work[n], self.base[n])


def _kink(slopes: tuple[float, ...], rho: float, h: float, tol: Tolerance, tol_base: float) -> bool:
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
    tol2 = tol.rtol * max(abs(s) for s in slopes) + tol_base
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


def _one_sided_limits(
    slopes: tuple[float, ...], rho: float, h: float, tol: Tolerance, tol_base: float
) -> tuple[float, float, float] | None:
    """The one-sided derivatives f'(θ−), f'(θ+) (lower one first) and one error bound for both,
    or ``None`` when they differ by no more than their errors (nothing shows a kink).

    Whether or not the cost has a kink at θ, D±(h_k) = f'(θ±) ± h_k·f''(θ±)/2 + O(h_k²), so the
    linear extrapolation 2·D±(h/4) − D±(h/2) removes the curvature term, which hides a small jump
    from :func:`_kink`. The error of each estimate has the terms of the Richardson bound, from the
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
    return below, above, error + tol.rtol * max(abs(below), abs(above)) + tol_base


def _levels(
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


NOISE_SCALE = 1000.0
"""The cost's noise is measured on steps this much finer than h/32 (float64 costs): rounding
noise does not shrink with the step, but the chance that the probe crosses a ReLU kink does — a
crossed kink read as noise once widened every bound until gradients 8 times too small passed."""
PROBES = 64
"""Radial probes that must all look smooth before a mismatch at a kinked point is reported.
Stacked kinks (a unit at 0 feeding units at 0) let backprop's convention pick the piece where
several pre-activations sit on their negative side together: a cone that a random probe enters
with probability about 2^−K for K coupled sign conditions. 24 probes missed K = 3 (stress seeds
41107 and 41197: about 1 probe in 8 enters it, and (7/8)^24 ≈ 4%); 64 miss it with probability
≈ 0.02%. Costs evaluations only for an element that looks wrong at a kinked θ."""
KINK_DIRECTIONS = 4
"""Random directions that look for a kink at θ itself (:meth:`_Checker.theta_kinked`)."""


COMPLEX_STEP = 1e-20
"""Imaginary step of the complex-step method (relative to max(1, |θ|)): no subtraction, so any
tiny step is exact to rounding."""


class _ComplexSide:
    """A complex128 copy of the parameters for the complex-step method, made once."""

    def __init__(self, cost: Cost, problem: Problem, ev: Evaluator) -> None:
        self.cost, self.problem, self.ev = cost, problem, ev
        self.work = {n: problem.pristine[n].astype(np.complex128) for n in problem.names}
        self.arg: Any = (
            self.work["theta"] if problem.single else {n: self.work[n] for n in problem.names}
        )

    def call(self) -> complex | None:
        self.ev.count += 1
        return call_complex(self.cost, self.arg)

    def reset(self) -> None:
        for n in self.problem.names:
            np.copyto(self.work[n], self.problem.pristine[n])


class _Checker:
    def __init__(
        self,
        ev: Evaluator,
        problem: Problem,
        tol: Tolerance,
        eps_f: float,
        float32_cost: bool,
        rng: np.random.Generator,
        f0: float,
    ) -> None:
        self.ev = ev
        self.p = problem
        self.tol = tol
        self.eps_f = eps_f
        self.float32_cost = float32_cost
        self.rng = rng
        self.f0 = f0
        self.complex: _ComplexSide | None = None
        self._theta_kinked: bool | None = None
        self._noise: float | None = None
        # the gradient's overall scale: the absolute tolerance floor is relative to it, so an
        # array whose true gradient is ~0 is not judged on the rounding noise of its zeros
        self.gscale = max(
            (max(float(np.max(g)), -float(np.min(g))) for g in problem.grads.values() if g.size),
            default=0.0,
        )

    def _label(self, name: str) -> str:
        return self._row(name) if self.p.single else f"params[{name!r}]"

    def _row(self, name: str) -> str:
        """The array's name as its report row shows it (a single array: the cost's parameter
        name, else "params")."""
        return parameter_name(self.ev.cost, "params") if self.p.single else name

    def _steps(self, x: FloatArray) -> FloatArray:
        steps: FloatArray = self.eps_f ** (1.0 / 3.0) * np.maximum(1.0, np.abs(x))
        return steps

    def evaluate(self, line: _Line, t: float) -> tuple[float, float]:
        actual = line.set(t)
        try:
            return self.ev(), actual
        finally:
            line.reset()

    def noise(self) -> float:
        """The cost's rounding noise near θ, measured (once per run, 10 evaluations).

        The model ρ = κ·ε·|f| assumes the cost is computed without cancellation. The course's
        cross-entropy is not: log(1 − AL) with AL ≈ 0.9993 has an absolute error ε/(1 − AL),
        a hundred ulps of J, and a saturated sigmoid makes J ≈ 1e-10 whose error is ε·1. So the
        noise is measured: f at θ ± j·τ·d (j = 1…5, τ = h/32 000 in float64 so that no kink is
        likely within reach, h/32 for float32 costs; d a random direction scaled like
        the steps) on each side separately (a kink at θ lies between the sides, not inside
        one), a quadratic fitted per side (its truncation at these steps is far below ε·|f|);
        the largest residual, doubled, bounds one evaluation's rounding error.
        """
        if self._noise is None:
            self._noise = 0.0
            base = self.p.pristine
            direction = {
                n: self.rng.standard_normal(base[n].shape) * np.maximum(1.0, np.abs(base[n]))
                for n in self.p.names
            }
            line = _DirectionLine(self.p.work, direction)
            line.round32 = self.float32_cost
            scale = 1.0 if self.float32_cost else NOISE_SCALE  # float32 steps are ulp-bound
            tau = self.eps_f ** (1.0 / 3.0) / 32.0 / scale
            context = self.ev.context
            self.ev.context = "with all parameters moved along a random direction"
            try:
                for side in (1.0, -1.0):
                    ts = side * tau * np.arange(1.0, 6.0)
                    fs = np.array([self.evaluate(line, float(t))[0] for t in ts])
                    x = ts / tau
                    coef = np.polyfit(x, fs - fs[0], 2)
                    resid = fs - fs[0] - np.polyval(coef, x)
                    self._noise = max(self._noise, 2.0 * float(np.max(np.abs(resid))))
            finally:
                self.ev.context = context
        return self._noise

    # -- stage 2 ------------------------------------------------------------------------------
    def refine(
        self,
        line: _Line,
        level0: tuple[float, float, float, float],
        g: float,
        rho: float,
        tol_base: float,
    ) -> Refined:
        """Stage 2 for one element or direction: Richardson, then kink analysis (module doc)."""
        centrals, slopes, values, h = _levels(lambda t: self.evaluate(line, t), self.f0, level0)
        rho = max(rho, NOISE_ULPS * self.eps_f * max(abs(v) for v in values), self.noise())
        c0, c1, c2 = centrals
        richardson = (4.0 * c2 - c1) / 3.0
        truncation = max(abs(c2 - c1) / 3.0, abs(c1 - c0) / 12.0)
        tol = self.tol
        bound = 2.0 * truncation + 12.0 * rho / h + tol.rtol * abs(richardson) + tol_base
        if abs(g - richardson) <= bound:
            return Refined(OK, richardson, bound)
        resolution = NOISE_ULPS * self.eps_f * max(abs(self.f0), 1.0)
        if all(v == self.f0 for v in values) and abs(g) * h <= resolution:
            return Refined(UNRESOLVED, richardson, resolution / h)
        # within the rounding error of a cost computed from O(1) terms (ε·1, not ε·|f|: a
        # saturated cross-entropy)? cancellation may explain the difference: undecidable here
        wide = bound + 12.0 * max(resolution - rho, 0.0) / h
        if abs(g - richardson) <= wide:
            return Refined(UNRESOLVED, richardson, wide)
        lo, hi = min(slopes), max(slopes)
        slack = 2.0 * (2.0 * rho / (0.25 * h)) + tol.rtol * max(abs(lo), abs(hi)) + tol_base
        if _kink(slopes, rho, h, tol, tol_base):
            nearest = min(max(g, lo), hi)
            status = KINK_OK if lo - slack <= g <= hi + slack else INCONCLUSIVE
            return Refined(status, nearest, (hi - lo) / 2.0 + slack)
        # a jump too small for _kink (a few times its rounding bound) can still be more than twice
        # the Richardson bound: g is right when it is a one-sided derivative at θ
        sides = _one_sided_limits(slopes, rho, h, tol, tol_base)
        if sides is not None and sides[0] - sides[2] <= g <= sides[1] + sides[2]:
            below, above, error = sides
            nearest = min(max(g, below), above)
            return Refined(KINK_OK, nearest, (above - below) / 2.0 + error)
        # smooth along the line and g is off: a mismatch, unless θ sits on kinks of the cost
        # that the line crosses with equal slopes on both sides (see _probe)
        status, lo, hi = self._probe(line, h, richardson, g, rho, lo, hi)
        if status == MISMATCH:
            return Refined(MISMATCH, richardson, bound)
        nearest = min(max(g, lo), hi)
        return Refined(status, nearest, max(bound, (hi - lo) / 2.0 + slack))

    def theta_kinked(self) -> bool:
        """Whether the cost has a kink at θ itself, seen along up to :data:`KINK_DIRECTIONS`
        random directions (6 evaluations each, stopping at the first kink). Several, because
        kinks can cancel along a line (relu(t) − relu(−t) = t) for a fraction of directions."""
        if self._theta_kinked is None:
            self._theta_kinked = False
            work, base = self.p.work, self.p.pristine
            h = self.eps_f ** (1.0 / 3.0)
            self.ev.context = "with all parameters moved along a random direction"
            for _ in range(KINK_DIRECTIONS):
                direction = {
                    n: self.rng.standard_normal(base[n].shape) * np.maximum(1.0, np.abs(base[n]))
                    for n in self.p.names
                }
                line = _DirectionLine(work, direction)
                line.round32 = self.float32_cost
                fp, _ = self.evaluate(line, h)
                fm, _ = self.evaluate(line, -h)
                _, slopes, values, _ = _levels(
                    functools.partial(self.evaluate, line), self.f0, (fp, fm, h, h)
                )
                coordinate_rounding = (
                    self.eps_f
                    * sum(float(np.sum(np.abs(base[n]))) for n in self.p.names)
                    * max(abs(s) for s in slopes)
                )
                rho = NOISE_ULPS * self.eps_f * max(abs(v) for v in values) + coordinate_rounding
                rho = max(rho, self.noise())
                if _kink(slopes, rho, h, self.tol, 0.0):
                    self._theta_kinked = True
                    break
            self.ev.context = "at the given parameters"
        return self._theta_kinked

    def _probe(
        self, line: _Line, h: float, richardson: float, g: float, rho: float, lo: float, hi: float
    ) -> tuple[int, float, float]:
        """Decide a smooth-looking mismatch when θ sits on kinks of the cost.

        When several kinks pass through θ (ReLU pre-activations exactly 0), the line through θ
        can have equal slopes on both sides — e.g. two examples whose units switch on for t > 0
        and for t < 0 respectively and contribute equally — while backprop's convention
        (ReLU'(0) = 0) picks the gradient of a neighbouring piece where both are off. Such a g
        is a valid limiting gradient, not a bug, and no line through θ can tell.

        Radial probes can: near θ the cost is a fan of smooth pieces meeting at θ, so the slope
        along the line at θ + δ and at θ + 2δ (δ random, a few steps long) is the slope of
        the piece that δ points into — the same at both points — whereas for a smooth cost it
        changes linearly: p(2δ) − R ≈ 2·(p(δ) − R). The curvature statistic q = p(2δ) − 2p(δ) + R
        is O(δ²) for a smooth cost and R − p(δ) in a piece whose slope differs from R. A probe
        with |q| above a quarter of |g − R| shows neighbouring pieces with other slopes: the
        element is a kink (valid if some piece has slope g), never a failure. Only when
        :data:`PROBES` probes all look smooth is it a mismatch. Costs nothing when θ is not on a
        kink (checked once per run by :meth:`theta_kinked`).
        """
        if not self.theta_kinked():
            return MISMATCH, lo, hi
        p = self.p
        gap = abs(g - richardson)
        threshold = 0.25 * gap + 12.0 * rho / h
        steps = {n: 4.0 * self._steps(p.pristine[n]) for n in p.names}
        context = self.ev.context
        try:
            for k in range(PROBES):
                # odd probes move a random subset of the arrays only: kinks whose pre-activations
                # move together under a dense δ move independently under a sparse one
                chosen = list(p.names)
                if k % 2 and len(chosen) > 1:
                    keep = self.rng.random(len(chosen)) < 0.5
                    keep[self.rng.integers(len(chosen))] = True
                    chosen = [n for n, kept in zip(chosen, keep, strict=True) if kept]
                delta = {
                    n: self.rng.standard_normal(s.shape) * s if n in chosen else np.zeros_like(s)
                    for n, s in steps.items()
                }
                slopes = []
                for factor in (1.0, 2.0):
                    for n in p.names:
                        np.add(p.pristine[n], factor * delta[n], out=p.work[n])
                        if self.float32_cost:
                            p.work[n][...] = p.work[n].astype(np.float32)
                    line.rebase()
                    self.ev.context = context + " near a kink (probe)"
                    fp, tp = self.evaluate(line, h)
                    fm, tm = self.evaluate(line, -h)
                    slopes.append((fp - fm) / (tp - tm))
                near, far = slopes
                curvature = far - 2.0 * near + richardson
                if abs(curvature) > threshold:
                    lo, hi = min(lo, near, far), max(hi, near, far)
                    piece_is_g = abs(near - g) <= threshold and abs(far - g) <= threshold
                    inside = lo - threshold <= g <= hi + threshold
                    return (KINK_OK if piece_is_g or inside else INCONCLUSIVE), lo, hi
        finally:
            p.restore()
            line.rebase()
            self.ev.context = context
        return MISMATCH, lo, hi

    # -- elements -----------------------------------------------------------------------------
    def elements(
        self, name: str, indices: npt.NDArray[np.intp] | None = None, confirm: int = CONFIRM
    ) -> _ArrayOutcome:
        """Check the given flat indices of array ``name`` (all of them when ``None``)."""
        flat = self.p.work[name].reshape(-1)
        base_all = self.p.pristine[name].reshape(-1)
        g_all = self.p.grads[name].reshape(-1)
        shape = self.p.work[name].shape
        idx = np.arange(flat.size, dtype=np.intp) if indices is None else indices
        base = base_all[idx]
        g = g_all[idx]
        h = self._steps(base)
        tp = base + h
        tm = base - h
        if self.float32_cost:
            tp = tp.astype(np.float32).astype(np.float64)
            tm = tm.astype(np.float32).astype(np.float64)
        hp = tp - base
        hm = base - tm
        n = idx.size
        fp = np.full(n, np.nan)
        fm = np.full(n, np.nan)
        ev = self.ev
        label = self._label(name)
        f0 = self.f0
        if self.complex is not None:
            # complex step: one evaluation per element, exact to rounding; the real differences
            # are computed only for the elements that fail (stage 2 needs them)
            cflat = self.complex.work[name].reshape(-1)
            hc = COMPLEX_STEP * np.maximum(1.0, np.abs(base))
            numeric = np.full(n, np.nan)
            for k in range(n):
                i = idx[k]
                ev.element = (label, int(i), shape)
                cflat[i] = complex(base[k], hc[k])
                value = self.complex.call()
                cflat[i] = base[k]
                if value is not None:
                    numeric[k] = value.imag / hc[k]
            ev.element = None
            rho = NOISE_ULPS * self.eps_f * np.full(n, abs(f0))
            finite = np.isfinite(numeric)
            scale = max(float(np.max(np.abs(numeric[finite]), initial=0.0)), self.gscale)
            tol_base = self.tol.base(scale)
            bound = 2.0 * NOISE_ULPS * EPS64 * np.abs(numeric) + self.tol.rtol * np.abs(numeric)
            bound += tol_base
            numeric[~finite] = np.inf
        else:
            for k in range(n):
                i = idx[k]
                ev.element = (label, int(i), shape)
                flat[i] = tp[k]
                fp[k] = ev()
                flat[i] = tm[k]
                fm[k] = ev()
                flat[i] = base[k]
            ev.element = None
            numeric = three_point(f0, fp, fm, hp, hm)
            rho = NOISE_ULPS * self.eps_f * np.maximum(np.maximum(np.abs(fp), np.abs(fm)), abs(f0))
            scale = max(float(np.max(np.abs(numeric))) if n else 0.0, self.gscale)
            tol_base = self.tol.base(scale)
            bound = 2.0 * (2.0 * rho / (hp + hm)) + self.tol.rtol * np.abs(numeric) + tol_base
        err = np.abs(g - numeric)
        status = np.zeros(n, dtype=np.int8)
        flagged = np.flatnonzero(err > bound)
        order = flagged[np.argsort(-(err[flagged] / bound[flagged]), kind="stable")]
        confirmed = 0
        for k in order:
            if confirmed >= confirm:
                status[k] = UNREFINED
                continue
            i = int(idx[k])
            ev.element = (label, i, shape)
            if np.isnan(fp[k]):  # complex-step stage 1: the real differences come now
                flat[i] = tp[k]
                fp[k] = ev()
                flat[i] = tm[k]
                fm[k] = ev()
                flat[i] = base[k]
                rho[k] = NOISE_ULPS * self.eps_f * max(abs(fp[k]), abs(fm[k]), abs(f0))
            r = self.refine(
                _ElementLine(flat, i, self.float32_cost),
                (float(fp[k]), float(fm[k]), float(hp[k]), float(hm[k])),
                float(g[k]),
                float(rho[k]),
                tol_base,
            )
            ev.element = None
            status[k], numeric[k], bound[k] = r.status, r.numeric, r.bound
            confirmed += r.status == MISMATCH
        outcome = _ArrayOutcome(idx, g, numeric, bound, status)
        unrefined = int(np.sum(status == UNREFINED))
        if unrefined:
            outcome.notes.append(
                f"{self._row(name)}: {confirmed} mismatch{'es' if confirmed != 1 else ''} "
                "confirmed by "
                f"Richardson extrapolation; {unrefined} more element"
                f"{' exceeds' if unrefined == 1 else 's exceed'} the central-difference bound "
                "(not refined)"
            )
        return outcome

    # -- directions ---------------------------------------------------------------------------
    def directions(
        self, name: str, count: int
    ) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8], float]:
        """Check ``count`` random Gaussian directions of array ``name``.

        Returns analytic g·d, numeric, bound, status per direction, and the probability that an
        error of 1 % of ‖g‖ (in step-scaled coordinates) escapes every direction.

        θ + t·d is rounded coordinate by coordinate; the rounding errors add to the cost like a
        random walk, ε·‖g ⊙ θ‖₂, which joins the rounding bound ρ.
        """
        base = self.p.pristine[name]
        g = self.p.grads[name].reshape(-1)
        scale = np.maximum(1.0, np.abs(base)).reshape(-1)
        abs_g_scale = np.abs(g) * scale
        ev = self.ev
        h = self.eps_f ** (1.0 / 3.0)
        # first look with a 16× shorter step in float64: a direction moves every coordinate of
        # the array, so within ±h it often crosses a ReLU kink of some unit, which would cost a
        # refinement; at h/16 that is 16× rarer and the rounding error (16·ρ/h) stays far below
        # the tolerance. A direction that fails this look is refined from the full step h.
        h_first = h / 16.0 if self.eps_f == EPS64 else h
        analytic = np.empty(count)
        numeric = np.empty(count)
        bound = np.empty(count)
        status = np.zeros(count, dtype=np.int8)
        miss = 1.0
        gb = g * base.reshape(-1)
        coordinate_rounding = self.eps_f * float(np.sqrt(np.dot(gb, gb)))
        sigma = 0.01 * float(np.linalg.norm(abs_g_scale))
        label = self._label(name)
        unit_scale = bool(np.all(scale == 1.0))
        # the per-element floor summed over a direction: E Σ|g_j d_j| = √(2/π)·Σ|g_j|·scale_j,
        # or ‖d‖·gscale when the array's gradient is ~0 and its analytic values are noise
        expected_abs = math.sqrt(2.0 / math.pi)
        floor_g = expected_abs * float(np.sum(abs_g_scale))
        floor_d = self.gscale * math.sqrt(float(np.dot(scale, scale)))
        tol_base = self.tol.floor * self.tol.rtol * max(floor_g, floor_d)
        tol_base += self.tol.atol * expected_abs * float(np.sum(scale))
        line = _DirectionLine(self.p.work, {name: base})
        line.round32 = self.float32_cost
        for k in range(count):
            z = self.rng.standard_normal(g.size)
            if not unit_scale:
                z *= scale
            line.direction[name] = z.reshape(base.shape)
            ev.context = f"with {label} moved along random direction {k + 1}"
            fp, _ = self.evaluate(line, h_first)
            fm, _ = self.evaluate(line, -h_first)
            c = (fp - fm) / (2.0 * h_first)
            a = float(np.dot(g, z))
            rho = NOISE_ULPS * self.eps_f * max(abs(fp), abs(fm), abs(self.f0))
            rho += coordinate_rounding
            b = 2.0 * rho / h_first + self.tol.rtol * abs(c) + tol_base
            st = OK
            if abs(a - c) > b and np.any(status[:k] == MISMATCH):
                st = UNREFINED  # this array already has a confirmed mismatch
            elif abs(a - c) > b:
                if h_first != h:
                    fp, _ = self.evaluate(line, h)
                    fm, _ = self.evaluate(line, -h)
                r = self.refine(line, (fp, fm, h, h), a, rho, tol_base)
                st, c, b = r.status, r.numeric, r.bound
            ev.context = "at the given parameters"
            analytic[k], numeric[k], bound[k], status[k] = a, c, b, st
            miss *= min(1.0, 0.8 * b / sigma) if sigma > 0 else 1.0
        return analytic, numeric, bound, status, miss


def _summarise(
    name: str,
    shape: tuple[int, ...],
    analytic: FloatArray,
    numeric: FloatArray,
    bound: FloatArray,
    status: npt.NDArray[np.int8],
    indices: npt.NDArray[np.intp] | None,
    mode: Mode,
    miss: float | None = None,
    localised: _ArrayOutcome | None = None,
) -> ParameterReport:
    decided = (status == OK) | (status == MISMATCH) | (status == UNREFINED)
    bad = (status == MISMATCH) | (status == UNREFINED)
    err = np.abs(analytic - numeric)
    if np.any(decided):
        a, nm = analytic[decided], numeric[decided]
        norm = float(np.linalg.norm(a) + np.linalg.norm(nm))
        rel = float(np.linalg.norm(a - nm)) / norm if norm > 0 else 0.0
        max_err = float(np.max(err[decided]))
    else:
        rel, max_err = 0.0, 0.0
    pool = np.flatnonzero(bad) if np.any(bad) else np.flatnonzero(decided)
    worst_index: tuple[int, ...] | None = None
    worst_a: float | None = None
    worst_n: float | None = None
    worst_bound = 0.0
    if pool.size:
        k = int(pool[np.argmax(err[pool] / np.maximum(bound[pool], 1e-300))])
        worst_bound = float(bound[k])
        if indices is not None:
            worst_index = tuple(int(i) for i in np.unravel_index(int(indices[k]), shape))
            worst_a, worst_n = float(analytic[k]), float(numeric[k])
    if localised is not None:
        lbad = np.flatnonzero((localised.status == MISMATCH) | (localised.status == UNREFINED))
        if lbad.size:
            le = np.abs(localised.analytic - localised.numeric)
            k = int(lbad[np.argmax(le[lbad] / np.maximum(localised.bound[lbad], 1e-300))])
            worst_index = tuple(int(i) for i in np.unravel_index(int(localised.indices[k]), shape))
            worst_a, worst_n = float(localised.analytic[k]), float(localised.numeric[k])
    nondiff = int(np.sum((status == KINK_OK) | (status == INCONCLUSIVE)))
    inconclusive = int(np.sum((status == INCONCLUSIVE) | (status == UNRESOLVED)))
    ratio = _constant_ratio(analytic[decided], numeric[decided], bound[decided])
    verdict: Verdict
    if np.any(bad):
        verdict = "mismatch"
    elif status.size and inconclusive == status.size:
        verdict = "inconclusive"
    else:
        verdict = "ok"
    return ParameterReport(
        name=name,
        shape=shape,
        verdict=verdict,
        max_abs_error=max_err,
        relative_difference=rel,
        bound=worst_bound,
        worst_index=worst_index,
        analytic=worst_a,
        numeric=worst_n,
        nondifferentiable=nondiff,
        inconclusive=inconclusive,
        checked=int(status.size),
        mismatched=int(np.sum(bad)),
        mode=mode,
        miss_probability=miss,
        ratio=ratio,
    )


def _constant_ratio(analytic: FloatArray, numeric: FloatArray, bound: FloatArray) -> float | None:
    """analytic ÷ numeric if one factor r explains every element (within 0.1 % where the
    finite difference is clearly nonzero, within the bound elsewhere); else ``None``."""
    clear = np.abs(numeric) > bound
    if not np.any(clear):
        return None
    ratios = analytic[clear] / numeric[clear]
    r = float(np.median(ratios))
    if np.any(np.abs(ratios - r) > 1e-3 * abs(r) + 1e-12):
        return None
    rest = ~clear
    if np.any(np.abs(analytic[rest] - r * numeric[rest]) > (1.0 + abs(r)) * bound[rest]):
        return None
    return r


def _significant_bits(x: float) -> int:
    if x == 0.0 or not math.isfinite(x):
        return 0
    mantissa = int(abs(math.frexp(x)[0]) * 2.0**53)
    return 53 - ((mantissa & -mantissa).bit_length() - 1)


def _detect_float32(ev: Evaluator, problem: Problem, f0: float, rng: np.random.Generator) -> bool:
    """Whether the cost computes in float32 although it is given float64 parameters."""
    if ev.float32_result:
        return True
    bits = _significant_bits(f0)
    if 12 <= bits <= 24 and f0 != round(f0):
        return True
    if bits > 24:
        return False
    # f0 is a "round" number (0.5, 3.0, ...): look at one perturbed value too
    for n in problem.names:
        w = problem.work[n]
        w += 1e-3 * rng.standard_normal(w.shape) * np.maximum(1.0, np.abs(w))
    try:
        f1 = ev()
    finally:
        problem.restore()
    bits1 = _significant_bits(f1)
    return 12 <= bits1 <= 24 and f1 != round(f1)


def _complex_applicable(checker: _Checker, cost: Cost) -> str:
    """Set up the complex-step method on ``checker``; return why it cannot be used, or ""."""
    if checker.float32_cost:
        return "the cost computes in float32"
    side = _ComplexSide(cost, checker.p, checker.ev)
    at_theta = side.call()
    f0 = checker.f0
    if at_theta is None:
        return "the cost does not accept complex parameters"
    if abs(at_theta.real - f0) > 8 * EPS64 * max(abs(f0), 1e-300) or at_theta.imag != 0.0:
        return "its value at complex parameters with zero imaginary part differs"
    # analytic? the complex-step directional derivative must match central differences
    p = checker.p
    direction = {
        n: checker.rng.standard_normal(p.pristine[n].shape) * np.maximum(1.0, np.abs(p.pristine[n]))
        for n in p.names
    }
    for n in p.names:
        side.work[n] += 1j * COMPLEX_STEP * direction[n]
    along = side.call()
    side.reset()
    if along is None:
        return "the cost does not accept complex parameters"
    exact = along.imag / COMPLEX_STEP
    h = EPS64 ** (1.0 / 3.0)
    line = _DirectionLine(p.work, direction)
    fp, _ = checker.evaluate(line, h)
    fm, _ = checker.evaluate(line, -h)
    central = (fp - fm) / (2.0 * h)
    rho = NOISE_ULPS * EPS64 * max(abs(fp), abs(fm), abs(f0))
    if abs(exact - central) > 4.0 * rho / h + 1e-5 * max(abs(central), abs(exact)):
        return "the cost is not analytic: complex step and central differences disagree"
    checker.complex = side
    return ""


def _seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.default_rng().integers(2**32))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise GradientInputError(f"seed must be an int or None, found {seed!r}")
    return int(seed)


def check_gradients(
    cost: Cost,
    params: Any,
    gradients: Any,
    *,
    mode: Literal["auto", "full", "directional"] = "auto",
    seed: int | None = None,
    directions: int = DIRECTIONS,
    coordinates: int = COORDINATES,
    full_threshold: int = FULL_THRESHOLD,
    rtol: float | None = None,
    atol: float = 0.0,
    method: Literal["central", "complex"] = "central",
) -> GradReport:
    """Check analytic gradients against error-bounded finite differences of ``cost``.

    Parameters
    ----------
    cost:
        ``cost(params) -> scalar`` (a float, 0-d or size-1 array). It receives a private float64
        copy of ``params`` (perturbed in place, restored after every evaluation) and must not
        mutate it; it must be deterministic. A cost that returns an array is checked through
        ``sum(cost(params) * dout)`` for a seeded standard-normal ``dout``; ``gradients`` must
        then be ``gradients(params, dout)`` (your backward pass from ``dout``), and the report's
        notes say so. For a layer, :func:`check_layer` does this with ``forward``/``backward``.
    params:
        One ndarray, or the course's ``{"W1": ..., "b1": ...}`` dict.
    gradients:
        The analytic gradient with the same structure (dict keys ``"dW1"`` or ``"W1"``; extra keys
        such as ``"dA0"`` are ignored), or a callable returning it — called as
        ``gradients(params)`` if it takes an argument, else ``gradients()``.
    mode:
        ``"full"`` checks every element (2 cost evaluations each, plus refinement of the few
        that fail the first test); ``"directional"`` checks ``directions`` random Gaussian
        directions per array (2 evaluations each) and localises failures with ``coordinates``
        sampled elements; ``"auto"`` (default) is full up to ``full_threshold`` parameters.
    seed:
        Seeds the random directions and samples; ``None`` draws one, reported in ``.seed``.
    rtol, atol:
        Tolerance added to the estimator's own error bound: ``rtol·|numeric| + atol`` plus a
        floor of ``rtol`` × 1e-2 (float64) or × 0.1 (float32) of the largest gradient element
        (so 1e-8 of it in float64: the rounding noise of backprop's sums stays below it).
        ``rtol`` defaults to 1e-6 for float64 and 1e-4 when float32 is involved.

    method:
        ``"central"`` (default): central differences, 2 evaluations per element. ``"complex"``:
        the complex step Im f(θ + i·h)/h, exact to rounding and 1 evaluation per element, when
        ``cost`` accepts complex parameters and is analytic — detected with one evaluation at θ
        and one along a random direction compared with central differences; otherwise the check
        falls back to central differences and says so in ``notes``. Complex arithmetic costs ~4×
        a real matrix product, so it pays for cheap costs only; elements that fail the first
        look are refined with real differences either way (kinks need one-sided slopes).

    Returns a :class:`GradReport`; it never raises for a wrong gradient (see
    :func:`assert_gradients`), only :class:`GradientInputError` for unusable input.
    """
    if method not in ("central", "complex"):
        raise GradientInputError(f"method={method!r}; expected 'central' or 'complex'")
    if mode not in ("auto", "full", "directional"):
        raise GradientInputError(f"mode={mode!r}; expected 'auto', 'full' or 'directional'")
    for arg, value, low in (("directions", directions, 1), ("coordinates", coordinates, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise GradientInputError(f"{arg}={value!r}; expected an int ≥ {low}")
    if rtol is not None and not (math.isfinite(rtol) and rtol > 0):
        raise GradientInputError(f"rtol={rtol!r}; expected a positive finite number")
    if not (math.isfinite(atol) and atol >= 0):
        raise GradientInputError(f"atol={atol!r}; expected a non-negative finite number")
    seed_value = _seed(seed)
    projection = project_array_cost(cost, params, gradients, seed_value) if callable(cost) else None
    if projection is not None:
        cost, gradients = projection[0], projection[1]
    problem = prepare(params, gradients)
    ev = Evaluator(cost, problem)
    # finite differences probe the cost near domain edges; numpy warnings there are expected
    with np.errstate(all="ignore"):
        report = _run(
            ev,
            problem,
            mode,
            seed_value,
            directions,
            coordinates,
            full_threshold,
            rtol,
            atol,
            method,
            cost,
        )
    if projection is not None:
        report = replace(report, notes=(projection[2], *report.notes))
    return report


def _run(
    ev: Evaluator,
    problem: Problem,
    mode: str,
    seed_value: int,
    directions: int,
    coordinates: int,
    full_threshold: int,
    rtol: float | None,
    atol: float,
    method: str = "central",
    cost: Cost | None = None,
) -> GradReport:
    rng = np.random.default_rng(seed_value)
    notes: list[str] = []

    f_first = ev()
    ev.check_untouched()
    f_second = ev()
    ev.check_untouched()
    if f_first != f_second and abs(f_first - f_second) > 4 * EPS64 * abs(f_first):
        raise GradientInputError(
            f"cost is not deterministic: two calls with the same params returned {f_first!r} "
            f"and {f_second!r}. Fix the random seed inside the cost, switch off dropout, or "
            "use the same mini-batch for every call."
        )
    float32_cost = _detect_float32(ev, problem, f_first, rng)
    low_precision = float32_cost or any(
        dt.itemsize < 8 and dt.kind == "f"
        for dt in (*problem.param_dtypes.values(), *problem.grad_dtypes.values())
    )
    if float32_cost:
        notes.append("float32 cost: it computes in float32 even given float64; bounds widened")
        for n in problem.names:
            np.copyto(problem.pristine[n], problem.pristine[n].astype(np.float32))
        problem.restore()
    elif any(dt == np.float32 for dt in problem.param_dtypes.values()):
        notes.append("float32 parameters: the cost was evaluated in float64")
    if low_precision and not float32_cost:
        notes.append("float32 gradients: tolerance widened to rtol 1e-4")
    tol = Tolerance(
        rtol=rtol if rtol is not None else (1e-4 if low_precision else 1e-6),
        floor=0.1 if low_precision else 1e-2,
        atol=atol,
    )
    eps_f = EPS32 if float32_cost else EPS64
    f0 = ev() if float32_cost else f_first
    checker = _Checker(ev, problem, tol, eps_f, float32_cost, rng, f0)
    used_method = "central"
    if method == "complex" and cost is not None:
        reason = _complex_applicable(checker, cost)
        if reason:
            notes.append(f"complex step not used ({reason}); central differences instead")
        else:
            used_method = "complex"
            notes.append("complex step: one cost evaluation per element, exact to rounding")

    size = problem.size
    chosen: Mode
    if mode == "auto":
        chosen = "full" if size <= full_threshold else "directional"
        notes.append(
            f"auto chose {chosen}: {size:,} parameters "
            f"({'≤' if chosen == 'full' else '>'} {full_threshold:,})"
        )
    else:
        chosen = "full" if mode == "full" else "directional"
    reports: list[ParameterReport] = []
    unresolved = 0
    for name, shape in zip(problem.names, problem.shapes, strict=True):
        n_el = int(np.prod(shape))
        if chosen == "full" or n_el <= directions:
            out = checker.elements(name)
            notes.extend(out.notes)
            unresolved += int(np.sum(out.status == UNRESOLVED))
            reports.append(
                _summarise(
                    name,
                    shape,
                    out.analytic,
                    out.numeric,
                    out.bound,
                    out.status,
                    out.indices,
                    "full",
                )
            )
            continue
        a, nm, b, st, miss = checker.directions(name, directions)
        unresolved += int(np.sum(st == UNRESOLVED))
        localised = None
        if np.any(st == MISMATCH) and coordinates:
            flat_g = np.abs(problem.grads[name].reshape(-1))
            top = np.argsort(-flat_g, kind="stable")[: (coordinates + 1) // 2]
            rest = np.setdiff1d(np.arange(n_el), top)
            extra = rng.choice(rest, size=min(coordinates - top.size, rest.size), replace=False)
            sample = np.sort(np.concatenate([top, extra]).astype(np.intp))
            localised = checker.elements(name, sample, confirm=1)
        reports.append(_summarise(name, shape, a, nm, b, st, None, "directional", miss, localised))
    ev.check_untouched()
    if chosen == "directional":
        notes.append(
            f"directional: {directions} random Gaussian directions per array; the chance that a "
            "gradient error of 1% of ‖g‖ escaped all of them is given per array (p(miss))"
        )
    nondiff = sum(r.nondifferentiable for r in reports)
    if nondiff:
        undecided = sum(r.inconclusive for r in reports) - unresolved
        notes.append(
            f"{nondiff} element(s) or direction(s) sit on a kink (one-sided slopes disagree); "
            f"{nondiff - undecided} have a valid one-sided subgradient, {undecided} are "
            "undecidable here and are not counted as failures"
        )
    if unresolved:
        notes.append(
            f"{unresolved} element(s) or direction(s) differ from the finite difference by less "
            "than the rounding error of a cost computed from O(1) terms (cancellation, e.g. "
            "log(1 − AL) with AL near 0 or 1, a saturated output): undecidable here, not counted "
            "as failures"
        )
    single_name = "theta"
    if problem.single:
        label = parameter_name(ev.cost, "params")
        reports = [
            ParameterReport(**{**r.__dict__, "name": label}) if r.name == single_name else r
            for r in reports
        ]
    return GradReport(
        ok=all(r.ok for r in reports),
        mode=chosen,
        requested_mode=mode,
        evaluations=ev.count,
        parameters=tuple(reports),
        seed=seed_value,
        notes=tuple(notes),
        method=used_method,
    )


def assert_gradients(
    cost: Cost,
    params: Any,
    gradients: Any,
    *,
    mode: Literal["auto", "full", "directional"] = "auto",
    seed: int | None = None,
    directions: int = DIRECTIONS,
    coordinates: int = COORDINATES,
    full_threshold: int = FULL_THRESHOLD,
    rtol: float | None = None,
    atol: float = 0.0,
    method: Literal["central", "complex"] = "central",
) -> GradReport:
    """Like :func:`check_gradients` (same arguments), but raise :class:`GradientMismatch` (an
    ``AssertionError`` whose message is the report's table and diagnosis) when any array
    mismatches; returns the report otherwise. In pytest the failure shows your test's line and
    the report, not nncheck's frames."""
    __tracebackhide__ = True  # pytest shows the caller's line and the report, not this frame
    report = check_gradients(
        cost,
        params,
        gradients,
        mode=mode,
        seed=seed,
        directions=directions,
        coordinates=coordinates,
        full_threshold=full_threshold,
        rtol=rtol,
        atol=atol,
        method=method,
    )
    if not report.ok:
        raise GradientMismatch(report)
    return report
