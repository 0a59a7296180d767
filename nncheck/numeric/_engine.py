"""The gradient checker's entry points: :func:`check_gradients` and :func:`assert_gradients`.

They validate the arguments, detect a float32 cost and whether the complex step applies, run
the checker (:mod:`._checker`, whose doc says how an element is judged) on every array in
full or directional mode, and summarise its per-element statuses into a :class:`GradReport`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._checker import (
    COMPLEX_STEP,
    INCONCLUSIVE,
    KINK_OK,
    MISMATCH,
    OK,
    UNREFINED,
    UNRESOLVED,
    ArrayOutcome,
    Checker,
    ComplexSide,
    Tolerance,
)
from ._errors import GradientInputError, GradientMismatch
from ._estimators import EPS32, EPS64, NOISE_ULPS
from ._inputs import (
    Cost,
    Evaluator,
    FloatArray,
    Problem,
    parameter_name,
    prepare,
    project_array_cost,
)
from ._lines import DirectionLine
from ._report import GradReport, Mode, ParameterReport, Verdict

FULL_THRESHOLD = 4096
"""``mode="auto"`` checks every element up to this many parameters, random directions above."""
DIRECTIONS = 2
"""Random directions per parameter array in directional mode."""
COORDINATES = 8
"""Sampled coordinates per failing array in directional mode (localisation)."""


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
    localised: ArrayOutcome | None = None,
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


def _complex_applicable(checker: Checker, cost: Cost) -> str:
    """Set up the complex-step method on ``checker``; return why it cannot be used, or ""."""
    if checker.float32_cost:
        return "the cost computes in float32"
    side = ComplexSide(cost, checker.p, checker.ev)
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
    line = DirectionLine(p.work, direction)
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
    checker = Checker(ev, problem, tol, eps_f, float32_cost, rng, f0)
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
