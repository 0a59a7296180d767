"""The checker of one problem: error-bounded central differences, Richardson refinement,
kink-aware verdicts and random directions (:func:`nncheck.numeric.check_gradients` runs it on
every array and summarises).

How an element is judged (full mode)
-------------------------------------
Stage 1 (2 cost evaluations per element, f(θ) shared): the central difference C(h) with
h = ε^(1/3)·max(1, |θ|). The element passes when |g − C| ≤ 2·ρ/h + tol, where ρ bounds the
rounding error of one cost evaluation and tol = rtol·|C| + a small absolute floor. Passing is
decisive: an analytic value within rounding of the finite difference is right.

Stage 2 (only for elements that fail stage 1; 4 more evaluations, plus 10 once per run that
measure the cost's rounding noise, see :meth:`Checker.noise`; ρ is at least that measured
noise from here on, and a difference still within the rounding of a cost computed from O(1)
terms, κ·ε·max(|f|, 1), is *unresolved* — inconclusive, never failed): steps h/2 and h/4 give a
Richardson estimate R = (4·C(h/4) − C(h/2))/3 with a truncation bound taken from the spread of
C(h), C(h/2), C(h/4). If |g − R| is within that bound plus tol the element passes. Otherwise the
one-sided slopes D±(h_k) = ±(f(θ ± h_k) − f(θ))/h_k decide whether the cost has a kink at θ: for a
smooth cost their gap shrinks like h_k·f''(θ); at a kink it does not shrink. At a kink the element
passes when g lies inside the convex hull of all six one-sided slopes (a valid one-sided
subgradient). A jump too small for that test (a few times its rounding bound, yet twice the
Richardson bound) still separates the one-sided derivatives f'(θ±) extrapolated from those slopes
(:func:`one_sided_limits`); g between them, within their error bound, passes too. When several
kinks are crossed at once backprop's convention (ReLU'(0) = 0) may pick a gradient that is
neither side's slope, which a line through θ cannot decide, so such an element is
*inconclusive* — reported, never failed. Only an element whose cost is smooth at the
finest step and whose g lies outside the Richardson bound is a mismatch — and, when the cost has
kinks at θ at all, only if radial probes around θ find no neighbouring piece whose slope differs
(see :meth:`Checker._probe`).

Directional mode checks g·d against the same estimators along random Gaussian directions d
(per array, scaled like the steps), which costs 2 evaluations per direction whatever the size,
then localises a failure with a few sampled coordinates.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._estimators import EPS64, NOISE_ULPS, three_point
from ._inputs import Cost, Evaluator, FloatArray, Problem, call_complex, parameter_name
from ._kinks import kink, levels, one_sided_limits
from ._lines import DirectionLine, ElementLine, Line

OK, MISMATCH, KINK_OK, INCONCLUSIVE, UNREFINED, UNRESOLVED = 0, 1, 2, 3, 4, 5
"""Element statuses. UNREFINED: failed stage 1 but was not refined (enough were confirmed).
UNRESOLVED: |g − g̃| is below what a cost computed from O(1) intermediates can resolve — it did
not change at all within the steps, or its rounding error may be ε·1 rather than ε·|f| (a
saturated cross-entropy: −log(1 − AL) with AL ≈ 0 is ~1e-10 but is rounded like 1)."""

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
class ArrayOutcome:
    """Per-element results of one array (full mode or sampled coordinates)."""

    indices: npt.NDArray[np.intp]
    analytic: FloatArray
    numeric: FloatArray
    bound: FloatArray
    status: npt.NDArray[np.int8]
    notes: list[str] = field(default_factory=list)


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
"""Random directions that look for a kink at θ itself (:meth:`Checker.theta_kinked`)."""


COMPLEX_STEP = 1e-20
"""Imaginary step of the complex-step method (relative to max(1, |θ|)): no subtraction, so any
tiny step is exact to rounding."""


class ComplexSide:
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


class Checker:
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
        self.complex: ComplexSide | None = None
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

    def evaluate(self, line: Line, t: float) -> tuple[float, float]:
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
            line = DirectionLine(self.p.work, direction)
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
        line: Line,
        level0: tuple[float, float, float, float],
        g: float,
        rho: float,
        tol_base: float,
    ) -> Refined:
        """Stage 2 for one element or direction: Richardson, then kink analysis (module doc)."""
        centrals, slopes, values, h = levels(lambda t: self.evaluate(line, t), self.f0, level0)
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
        if kink(slopes, rho, h, tol.rtol, tol_base):
            nearest = min(max(g, lo), hi)
            status = KINK_OK if lo - slack <= g <= hi + slack else INCONCLUSIVE
            return Refined(status, nearest, (hi - lo) / 2.0 + slack)
        # a jump too small for kink (a few times its rounding bound) can still be more than twice
        # the Richardson bound: g is right when it is a one-sided derivative at θ
        sides = one_sided_limits(slopes, rho, h, tol.rtol, tol_base)
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
                line = DirectionLine(work, direction)
                line.round32 = self.float32_cost
                fp, _ = self.evaluate(line, h)
                fm, _ = self.evaluate(line, -h)
                _, slopes, values, _ = levels(
                    functools.partial(self.evaluate, line), self.f0, (fp, fm, h, h)
                )
                coordinate_rounding = (
                    self.eps_f
                    * sum(float(np.sum(np.abs(base[n]))) for n in self.p.names)
                    * max(abs(s) for s in slopes)
                )
                rho = NOISE_ULPS * self.eps_f * max(abs(v) for v in values) + coordinate_rounding
                rho = max(rho, self.noise())
                if kink(slopes, rho, h, self.tol.rtol, 0.0):
                    self._theta_kinked = True
                    break
            self.ev.context = "at the given parameters"
        return self._theta_kinked

    def _probe(
        self, line: Line, h: float, richardson: float, g: float, rho: float, lo: float, hi: float
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
    ) -> ArrayOutcome:
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
                ElementLine(flat, i, self.float32_cost),
                (float(fp[k]), float(fm[k]), float(hp[k]), float(hm[k])),
                float(g[k]),
                float(rho[k]),
                tol_base,
            )
            ev.element = None
            status[k], numeric[k], bound[k] = r.status, r.numeric, r.bound
            confirmed += r.status == MISMATCH
        outcome = ArrayOutcome(idx, g, numeric, bound, status)
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
        line = DirectionLine(self.p.work, {name: base})
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
