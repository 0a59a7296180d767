"""Findings and the conformance report: results are data, rendering and asserting are separate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from nncheck.diagnose.catalogue import Mistake

Status = Literal["pass", "fail", "warn", "skip"]
"""The one status vocabulary of results (findings, and :class:`nncheck.properties.PropertyResult`):
``"fail"`` is a bug and makes a report not ok; ``"warn"`` is a risk correct code may also show;
``"skip"`` means not checked. (The finite-difference engine's per-parameter verdict —
``ok`` / ``mismatch`` / ``inconclusive`` — is a measurement, not a result: the gradient check
turns it into ``pass`` / ``fail`` / ``warn``.)"""

_MARK = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "skip": "skip"}


@dataclass(frozen=True)
class Finding:
    """The outcome of one check of one function.

    Attributes:
        function: the person's function as the convention names it (``"linear_backward"``).
        check: what was checked (``"values"``, ``"gradient"``, ``"shapes"``, ``"mutation"``…).
        status: ``"pass"``, ``"fail"``, ``"warn"`` or ``"skip"``.
        message: one plain-language sentence (or two) saying what was found.
        diagnosis: the known mistake that reproduces the person's numbers, in words, or None.
        mistake: the id of that mistake in the catalogue (:class:`nncheck.diagnose.Mistake`, a
            ``str``: ``"missing_1_over_m"``…), or None.
        expected: the right value at the worst element (or the right shape / type), JSON-safe.
        actual: the person's value there, JSON-safe.
        worst_index: ``[name, i, j]``-style location of the worst element, or None.
        example: the smallest failing example: ``{"dims": [...], "m": ..., "seed": ...}``.
        formula: the formula of the notes this check is about (quoted in the message).
    """

    function: str
    check: str
    status: Status
    message: str
    diagnosis: str | None = None
    mistake: Mistake | None = None
    expected: Any = None
    actual: Any = None
    worst_index: list[Any] | None = None
    example: Mapping[str, Any] | None = None
    formula: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the status is ``"fail"``."""
        return self.status != "fail"

    @property
    def nodeid(self) -> str:
        """``nncheck::function::check``, the name of the pytest item of this finding."""
        return f"nncheck::{self.function}::{self.check}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict with every field."""
        return {
            "function": self.function,
            "check": self.check,
            "status": self.status,
            "message": self.message,
            "diagnosis": self.diagnosis,
            "mistake": str(self.mistake) if self.mistake is not None else None,  # a plain str
            "expected": _json_safe(self.expected),
            "actual": _json_safe(self.actual),
            "worst_index": _json_safe(self.worst_index),
            "example": _json_safe(dict(self.example)) if self.example is not None else None,
            "formula": self.formula,
        }

    def __str__(self) -> str:
        lines = [f"[{_MARK[self.status]}] {self.function} · {self.check}: {self.message}"]
        if self.diagnosis:
            lines.append(f"       diagnosis: {self.diagnosis}")
        if self.status == "fail" and (self.expected is not None or self.actual is not None):
            where = f" at {self.worst_index}" if self.worst_index else ""
            lines.append(f"       expected {self.expected!r}, got {self.actual!r}{where}")
        if self.status == "fail" and self.formula:
            lines.append(f"       formula: {self.formula}")
        if self.status == "fail" and self.example:
            shown = ", ".join(f"{k}={v}" for k, v in self.example.items())
            label = "smallest failing example" if self.check in ("values", "shapes") else "example"
            lines.append(f"       {label}: {shown}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ConformanceReport:
    """Everything :func:`nncheck.conform` found about one implementation.

    Attributes:
        target: what was checked (a path or module name).
        convention: the convention used (``"week4"``, ``"week3"``, ``"week2"``, ``"course2"``,
            ``"generic"``).
        seed: the seed that reproduces every example (``conform(..., seed=seed)``).
        findings: one per function and check, in a stable order.
        notes: what loading the file skipped or stood in for (defs-only loading: imports of
            modules that are not installed, the course helpers nncheck served).
    """

    target: str
    convention: str
    seed: int
    findings: tuple[Finding, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no finding failed."""
        return all(f.ok for f in self.findings)

    @property
    def failures(self) -> tuple[Finding, ...]:
        """The failed findings."""
        return tuple(f for f in self.findings if f.status == "fail")

    def by_function(self) -> dict[str, list[Finding]]:
        """Findings grouped by function, in order of first appearance."""
        groups: dict[str, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.function, []).append(f)
        return groups

    def to_dict(self) -> dict[str, Any]:
        """``{"ok", "target", "convention", "seed", "summary", "findings": [...], "notes": [...]}``,
        JSON-safe."""
        counts = {s: 0 for s in ("pass", "fail", "warn", "skip")}
        for f in self.findings:
            counts[f.status] += 1
        return {
            "ok": self.ok,
            "target": self.target,
            "convention": self.convention,
            "seed": self.seed,
            "summary": counts,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        """An HTML table, one row per function, failures in full (Jupyter shows it)."""
        return _report_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text view: ``str(report)``."""
        printer.text(str(self))

    def __str__(self) -> str:
        verdict = "all checks pass" if self.ok else f"{len(self.failures)} check(s) failed"
        lines = [f"{self.target} (convention {self.convention}, seed {self.seed}): {verdict}"]
        lines += [f"note: {n}" for n in self.notes]
        for function, findings in self.by_function().items():
            lines.append("")
            lines.append(function)
            lines.extend("  " + str(f).replace("\n", "\n  ") for f in findings)
        return "\n".join(lines)


def _json_safe(value: Any) -> Any:
    """Convert numpy scalars/arrays and tuples into plain JSON types."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return _json_safe(tolist())
    return repr(value)


_COLOUR = {"pass": "#1a7f37", "fail": "#cf222e", "warn": "#9a6700", "skip": "#6e7781"}


def _report_html(report: ConformanceReport) -> str:
    """One row per function: its verdict, the checks that pass, and each failure or warning in
    full (message, diagnosis, expected and found values, formula, smallest example)."""
    from html import escape

    verdict = "all checks pass" if report.ok else f"{len(report.failures)} check(s) failed"
    rows = []
    absent = [
        (function, findings[0].message)
        for function, findings in report.by_function().items()
        if [f.check for f in findings] == ["missing"] and findings[0].status == "skip"
    ]
    for function, findings in report.by_function().items():
        if function in dict(absent):
            continue
        statuses = {f.status for f in findings}
        worst = next(s for s in ("fail", "warn", "pass", "skip") if s in statuses)
        passed = [f.check for f in findings if f.status == "pass"]
        details = []
        if statuses == {"skip"}:
            details.append(escape(findings[0].message))
        elif passed:
            details.append(f"passes: {escape(', '.join(passed))}")
        for f in findings:
            if f.status not in ("fail", "warn"):
                continue
            head, *rest = str(f).splitlines()
            message = head.split(": ", 1)[1] if ": " in head else head
            extra = "".join(f"<br>{escape(line.strip())}" for line in rest)
            details.append(
                f'<div style="color: {_COLOUR[f.status]}"><b>{escape(f.check)}</b>: '
                f"{escape(message)}</div>"
            )
            if extra:
                details.append(
                    f'<div style="margin-left: 1.5em">{extra.removeprefix("<br>")}</div>'
                )
        mark = _MARK[worst].strip()
        rows.append(
            f'<tr><td style="color: {_COLOUR[worst]}; font-weight: bold">{mark}</td>'
            f"<td><code>{escape(function)}</code></td>"
            f'<td style="text-align: left">{"".join(details)}</td></tr>'
        )
    if absent:  # one row for the functions not written (yet)
        label = "not defined yet" if all("yet" in m for _, m in absent) else "missing"
        names = ", ".join(f"<code>{escape(function)}</code>" for function, _ in absent)
        rows.append(
            f'<tr><td style="color: {_COLOUR["skip"]}; font-weight: bold">skip</td>'
            f'<td colspan="2" style="text-align: left">{label}: {names}</td></tr>'
        )
    colour = _COLOUR["pass" if report.ok else "fail"]
    return (
        f"<div><p><b>nncheck conform</b> {escape(report.target)} (convention "
        f"{escape(report.convention)}, seed {report.seed}): "
        f'<b style="color: {colour}">{verdict}</b></p>'
        '<table><thead><tr><th></th><th style="text-align: left">function</th>'
        '<th style="text-align: left">checks</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
