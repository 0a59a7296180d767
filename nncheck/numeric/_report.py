"""Results of a gradient check as data: one :class:`ParameterReport` per array, one
:class:`GradReport` per check. Both are frozen; rendering (``str``) and ``to_dict`` are views."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["ok", "mismatch", "inconclusive"]
Mode = Literal["full", "directional"]


def _num(x: float) -> float | None:
    """A JSON-safe float (``None`` for nan/inf, which JSON cannot encode)."""
    return float(x) if math.isfinite(x) else None


def _fmt(x: float | None, digits: int = 4) -> str:
    """``digits`` significant digits (one fewer in scientific notation, for small or large x)."""
    if x is None or not math.isfinite(x):
        return "-"
    if x == 0.0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits}g}"
    return f"{x:.{digits - 2}e}"


def distinct_pair(
    a: float, b: float, fmt: Callable[[float, int], str], digits: int
) -> tuple[str, str]:
    """``a`` and ``b`` as ``fmt`` writes them with ``digits`` significant digits, or as many more
    (up to 17) as it takes for two different values to read differently: a mismatch is never
    quoted as "0.006692 vs 0.006692". The one rule for every report of two numbers."""
    pair = fmt(a, digits), fmt(b, digits)
    while pair[0] == pair[1] and a != b and math.isfinite(a) and math.isfinite(b) and digits < 17:
        digits += 1
        pair = fmt(a, digits), fmt(b, digits)
    return pair


def _fmt_pair(a: float, b: float) -> tuple[str, str]:
    return distinct_pair(a, b, _fmt, 4)


def _fmt_ratio(ratio: float) -> str:
    """A ratio that reads "1" only when it is exactly 1."""
    return _fmt_pair(ratio, 1.0)[0]


def factor_hint(ratio: float, sizes: tuple[tuple[str, int], ...] = ()) -> str:
    """Words for a constant ratio (yours ÷ finite difference): a sign flip, a factor of 2, or one
    of the named ``sizes`` (``("x.shape[0]", 8)``: a missing or extra 1/8); "" when none fits."""

    def near(target: float) -> bool:
        return abs(ratio - target) <= 1e-3 * abs(target)

    for label, n in sizes:
        if n > 2 and near(n):
            return f"that is {label} = {n}: is a 1/{n} (a mean over that axis) missing?"
        if n > 2 and near(1.0 / n):
            return f"that is 1/{label} = 1/{n}: is there an extra 1/{n}?"
        if n > 2 and near(-n):
            return f"that is −{label} = −{n}: the sign is flipped and a 1/{n} is missing"
    if near(-1.0):
        return "the sign is flipped"
    if near(2.0) or near(0.5):
        return "a factor of 2 too many or too few"
    if near(-2.0) or near(-0.5):
        return "the sign is flipped and a factor of 2 is off"
    return ""


def diagnosis(p: ParameterReport, sizes: tuple[tuple[str, int], ...] = ()) -> str:
    """One sentence on what a failing array's numbers say: a constant factor (named when it is a
    usual one) or a ratio that varies between elements (a wrong term, axis or index)."""
    unit = "direction" if p.mode == "directional" else "element"
    if p.ratio is not None and abs(p.ratio - 1.0) <= 1e-3:  # 1 within the test of a constant ratio
        return (
            f"yours is within 0.1 % of the finite difference at every checked {unit}, yet outside "
            "its error bound: a small term missing or extra, or a value rounded on the way?"
        )
    if p.ratio is not None and p.ratio != 0.0:
        hint = factor_hint(p.ratio, sizes)
        return f"yours is {_fmt_ratio(p.ratio)} × the finite difference at every checked {unit}" + (
            f": {hint}" if hint else ""
        )
    if p.ratio == 0.0:
        return "yours is 0 wherever the finite difference is not: a gradient that is never set?"
    return (
        f"the ratio yours ÷ finite difference varies from {unit} to {unit}, so no single factor "
        "explains it: look for a missing or extra term, a wrong axis or index, or a gradient "
        "that belongs to another input"
    )


@dataclass(frozen=True)
class ParameterReport:
    """The check of one parameter array (e.g. ``W1``).

    ``max_abs_error`` is max |g − g̃| over the checked elements (or directional derivatives);
    ``relative_difference`` the course's ‖g − g̃‖ / (‖g‖ + ‖g̃‖); ``bound`` the allowed error at
    the worst element (estimator error bound + dtype-aware tolerance); ``worst_index`` the index
    of the element with the largest error relative to its bound (``None`` when no single element
    was checked, e.g. a directional mismatch that sampled coordinates did not localise), with the
    ``analytic`` and ``numeric`` values there. ``nondifferentiable`` counts elements where the
    one-sided differences disagree (a kink); of those, ``inconclusive`` could not be decided and
    are never counted as failures. ``checked`` is the number of elements (full mode) or random
    directions (directional mode) that were checked, ``mismatched`` how many of them failed.
    """

    name: str
    shape: tuple[int, ...]
    verdict: Verdict
    max_abs_error: float
    relative_difference: float
    bound: float
    worst_index: tuple[int, ...] | None
    analytic: float | None
    numeric: float | None
    nondifferentiable: int = 0
    inconclusive: int = 0
    checked: int = 0
    mismatched: int = 0
    mode: Mode = "full"
    miss_probability: float | None = None
    """Directional mode: probability that a gradient error of 1 % of ‖g‖ in this array went
    unnoticed by every random direction (``None`` in full mode, where every element is checked)."""
    ratio: float | None = None
    """analytic ÷ numeric when it is the same (within 0.1 %) at every checked element or
    direction whose finite difference is clearly nonzero — the whole gradient is off by one
    factor; ``None`` when the ratio varies from element to element (or nothing was checked)."""

    @property
    def ok(self) -> bool:
        """True unless the verdict is ``"mismatch"`` (inconclusive kinks never fail)."""
        return self.verdict != "mismatch"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of every field."""
        return {
            "name": self.name,
            "shape": list(self.shape),
            "ok": self.ok,
            "verdict": self.verdict,
            "mode": self.mode,
            "max_abs_error": _num(self.max_abs_error),
            "relative_difference": _num(self.relative_difference),
            "bound": _num(self.bound),
            "worst_index": None if self.worst_index is None else list(self.worst_index),
            "analytic": None if self.analytic is None else _num(self.analytic),
            "numeric": None if self.numeric is None else _num(self.numeric),
            "nondifferentiable": self.nondifferentiable,
            "inconclusive": self.inconclusive,
            "checked": self.checked,
            "mismatched": self.mismatched,
            "miss_probability": (
                None if self.miss_probability is None else _num(self.miss_probability)
            ),
            "ratio": None if self.ratio is None else _num(self.ratio),
        }


@dataclass(frozen=True)
class GradReport:
    """The result of :func:`check_gradients`.

    ``ok`` is true when no parameter array mismatches; ``mode`` is the mode that ran ("full" or
    "directional"), ``requested_mode`` the one asked for ("auto", "full", "directional");
    ``evaluations`` counts every call of the cost; ``seed`` reproduces the random choices;
    ``notes`` explains automatic decisions (mode, float32, complex step, kinks).
    """

    ok: bool
    mode: Mode
    requested_mode: str
    evaluations: int
    parameters: tuple[ParameterReport, ...]
    seed: int
    notes: tuple[str, ...] = field(default=())
    method: str = "central"
    sizes: tuple[tuple[str, int], ...] = field(default=())
    """Named sizes the diagnosis recognises as factors, e.g. ``(("x.shape[0]", 8),)``."""

    def __getitem__(self, name: str) -> ParameterReport:
        """The report of the array called ``name`` (``"W1"``; ``"dW1"`` also works)."""
        for p in self.parameters:
            if p.name == name or "d" + p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters)
        raise KeyError(f"no parameter {name!r} in this report; it has: {known}")

    @property
    def failures(self) -> tuple[ParameterReport, ...]:
        """The parameter reports whose verdict is ``"mismatch"``."""
        return tuple(p for p in self.parameters if not p.ok)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (``json.dumps(report.to_dict())`` works)."""
        return {
            "ok": self.ok,
            "mode": self.mode,
            "requested_mode": self.requested_mode,
            "method": self.method,
            "evaluations": self.evaluations,
            "seed": self.seed,
            "notes": list(self.notes),
            "parameters": [p.to_dict() for p in self.parameters],
        }

    def _repr_html_(self) -> str:
        """An HTML table, one row per parameter array (Jupyter shows it)."""
        from html import escape

        colour = {True: "#1a7f37", False: "#cf222e"}
        head = ("param", "shape", "max |g − g̃|", "rel. difference", "bound", "verdict", "worst")
        rows = []
        for p in self.parameters:
            worst = "-"
            if p.worst_index is not None and p.analytic is not None and p.numeric is not None:
                yours, numeric = _fmt_pair(p.analytic, p.numeric)
                worst = f"{list(p.worst_index)}: yours {yours}, numeric {numeric}"
            cells: tuple[str, ...] = (p.name, str(p.shape), _fmt(p.max_abs_error))
            cells += (_fmt(p.relative_difference), _fmt(p.bound), p.verdict, worst)
            rows.append(
                f'<tr style="color: {colour[p.ok]}">'
                + "".join(f"<td>{escape(c)}</td>" for c in cells)
                + "</tr>"
            )
        status = "OK" if self.ok else "MISMATCH"
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return (
            f'<div><p><b>gradient check</b>: <b style="color: {colour[self.ok]}">{status}</b> '
            f"(mode {self.mode}, {self.evaluations} cost evaluations, seed {self.seed})</p>"
            "<table><thead><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in head)
            + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text view: ``str(report)``."""
        printer.text(str(self))

    def __str__(self) -> str:
        status = "OK" if self.ok else "MISMATCH"
        lines = [
            f"gradient check: {status}  (mode {self.mode}, {self.evaluations} cost evaluations, "
            f"seed {self.seed})"
        ]
        # directional arrays state the chance that a 1 % error escaped their random directions
        directional = any(p.miss_probability is not None for p in self.parameters)
        header: tuple[str, ...] = ("param", "shape", "max|g-g~|", "rel.diff", "bound")
        if directional:
            header += ("p(miss)",)
        header += ("verdict", "worst element")
        rows: list[tuple[str, ...]] = [header]
        for p in self.parameters:
            worst = ""
            if p.worst_index is not None and p.analytic is not None and p.numeric is not None:
                analytic, numeric = _fmt_pair(p.analytic, p.numeric)
                worst = f"{list(p.worst_index)}: analytic {analytic} vs numeric {numeric}"
                if p.verdict == "mismatch" and p.numeric != 0.0 and p.analytic != 0.0:
                    worst += f" (ratio {_fmt_ratio(p.analytic / p.numeric)})"
            elif p.verdict == "mismatch" and p.mode == "directional":
                worst = "random directions disagree; sampled elements did not localise it"
            elif p.mode == "directional":
                worst = f"{p.checked} random directions agree"
            verdict: str = p.verdict
            extra = []
            if p.nondifferentiable:
                extra.append(f"{p.nondifferentiable} kink")
            if p.inconclusive:
                extra.append(f"{p.inconclusive} undecided")
            if p.mismatched and p.verdict == "mismatch":
                unit = "dir" if p.mode == "directional" else "el"
                extra.append(f"{p.mismatched}/{p.checked} {unit}")
            if extra:
                verdict += " (" + ", ".join(extra) + ")"
            row: tuple[str, ...] = (p.name, str(p.shape), _fmt(p.max_abs_error))
            row += (_fmt(p.relative_difference), _fmt(p.bound))
            if directional:
                miss = p.miss_probability
                row += ("-" if miss is None else f"{miss:.2e}",)
            rows.append((*row, verdict, worst))
        widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
        for r in rows:
            cells = [r[i].ljust(widths[i]) for i in range(len(widths))]
            lines.append(("  ".join(cells) + "  " + r[-1]).rstrip())
        lines.extend(f"diagnosis: {p.name}: {diagnosis(p, self.sizes)}" for p in self.failures)
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)
