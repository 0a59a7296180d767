"""The finite-difference error of one gradient element against the step h: the V of truncation
error (∝ h², large steps) and rounding error (∝ ε/h, small steps), the data behind
``nncheck gradcheck FILE --plot FILE.png``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._estimators import central_step, three_point
from ._report import GradReport

FloatArray = npt.NDArray[np.float64]

COURSE_EPSILON = 1e-7
"""The step of the course's gradient-checking assignment."""
STEPS = np.logspace(-13.0, -1.0, 49)
"""The steps h of the curve, 4 per decade."""


@dataclass(frozen=True)
class StepCurve:
    """|C(h) − g| against h for one element (C: central difference of the cost, g: the analytic
    gradient), with the course's ε and nncheck's own step marked; log–log axes.

    ``series`` holds one (h, error) pair of arrays; a step whose cost could not be evaluated has
    error NaN. Drawn by :func:`nncheck.plots.figure`.
    """

    title: str
    series: Mapping[str, tuple[FloatArray, FloatArray]]
    marks: Mapping[str, float]
    xlabel: str = "step h"
    ylabel: str = "|finite difference − your gradient|"
    shaded: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    log: bool = True


def step_curve(
    cost: Callable[[Mapping[str, Any]], Any],
    params: Mapping[str, FloatArray],
    name: str,
    index: tuple[int, ...],
    analytic: float,
    steps: FloatArray = STEPS,
) -> StepCurve:
    """The error of the central difference of ``cost`` in ``params[name][index]`` against
    ``analytic``, at every step in ``steps`` (2 cost evaluations per step).

    The parameters are copied; the steps are made exactly representable (θ ± h rounded, then
    h recomputed), as in the checker. An exception or a non-finite cost at a step gives NaN.
    """
    work = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    theta = float(work[name][index])

    def at(value: float) -> float:
        work[name][index] = value
        try:
            with np.errstate(all="ignore"):
                out = float(np.asarray(cost(work), dtype=np.float64).reshape(()))
        except Exception:  # reason: a step the person's cost cannot take is a gap in the curve
            out = float("nan")
        finally:
            work[name][index] = theta
        return out

    f0 = at(theta)
    errors = np.empty(len(steps))
    for k, h in enumerate(steps):
        up, down = theta + float(h), theta - float(h)
        C = three_point(f0, at(up), at(down), up - theta, theta - down)
        errors[k] = abs(float(C) - analytic)
    where = f"{name}[{', '.join(str(i) for i in index)}]"
    return StepCurve(
        title=f"Finite-difference error at {where} (your gradient {analytic:.6g})",
        series={f"|C(h) − g| at {where}": (np.asarray(steps, dtype=np.float64), errors)},
        marks={
            f"course ε = {COURSE_EPSILON:g}": COURSE_EPSILON,
            f"nncheck's h = {float(central_step(theta)):.2g}": float(central_step(theta)),
        },
    )


def worst_element(report: GradReport) -> tuple[str, tuple[int, ...], float] | None:
    """(parameter name, index, analytic value) of the element furthest outside (or least inside)
    its bound; None when no element was checked on its own (e.g. directional mode that did not
    localise a failure)."""
    located = [
        (p.max_abs_error / p.bound if p.bound > 0 else np.inf, p.name, p.worst_index, p.analytic)
        for p in report.parameters
        if p.worst_index is not None and p.analytic is not None
    ]
    if not located:
        return None
    _, name, index, analytic = max(located, key=lambda row: row[0])
    return name, index, analytic
