"""Rendering reports for the command line: plain text, rich tables on a terminal, and JSON.

The reports themselves are data (:class:`nncheck.numeric.GradReport`,
:class:`nncheck.conformance.ConformanceReport`); this module only draws them. rich is imported
only when stdout (or, for the progress bar, stderr) is a terminal, so piping to a file or to
``--json`` stays plain and fast.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from nncheck.errors import EXIT_ERROR

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from nncheck.conformance import ConformanceReport
    from nncheck.numeric import GradReport, ParameterReport

__all__ = [
    "DEFS_ONLY_OPTION",
    "PROGRESS_DELAY",
    "GradHeader",
    "ProgressTicker",
    "close_call_note",
    "conformance_lines",
    "cost_scale_note",
    "fail",
    "format_number",
    "format_pair",
    "gradcheck_text",
    "is_terminal",
    "json_line",
    "print_conformance",
    "print_gradcheck",
    "print_json",
    "progress",
    "quiet_user_output",
    "ratio_hint",
]

DEFS_ONLY_OPTION = "--defs-only"
"""How the command line asks for defs-only loading: the advice of a load error names it
(:meth:`nncheck.loader.LoadError.worded`)."""

PROGRESS_DELAY = 1.0
"""Seconds a check must run before the progress bar appears."""


class GradHeader(Protocol):
    """What the gradcheck header says about the checked model (a ``GradProblem`` fits)."""

    @property
    def protocol(self) -> str: ...

    @property
    def functions(self) -> tuple[str, ...]: ...

    @property
    def dims(self) -> tuple[int, ...]: ...

    @property
    def m(self) -> int: ...

    @property
    def notes(self) -> tuple[str, ...]: ...


def is_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is an interactive terminal that accepts colour and redraws."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def format_number(value: float | None) -> str:
    """A compact number for tables: 3 significant digits, scientific when small or large."""
    if value is None:
        return "-"
    value = float(value)
    if value != value:  # NaN
        return "nan"
    if value == 0.0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.2e}"


def format_pair(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` formatted like :func:`format_number`, with as many more significant
    digits (up to 17) as it takes for two different values to read differently: a mismatch
    must never be quoted as "yours -0.16, finite differences -0.16"."""
    from nncheck.numeric._report import distinct_pair  # numpy only once numbers are printed

    a, b = float(a), float(b)
    if a == b or a != a or b != b:
        return format_number(a), format_number(b)
    return distinct_pair(a, b, _significant, 3)


def _significant(value: float, digits: int) -> str:
    if value == 0.0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    return f"{value:.{digits - 1}e}"


def _index(index: Sequence[int] | None) -> str:
    if index is None:
        return "-"
    return (
        "(" + ", ".join(str(int(i)) for i in index) + ")" if len(index) != 1 else f"({index[0]},)"
    )


def _shape(shape: Sequence[int]) -> str:
    return _index(shape) if len(shape) else "()"


_COLUMNS = ("parameter", "shape", "max abs error", "rel. difference", "bound", "verdict", "worst")


def _verdict(p: ParameterReport) -> str:
    extra = []
    if p.nondifferentiable:
        extra.append(f"{p.nondifferentiable} at a kink")
    if p.inconclusive:
        extra.append(f"{p.inconclusive} undecided")
    if p.verdict == "mismatch" and p.mismatched:
        unit = "directions" if p.mode == "directional" else "elements"
        extra.append(f"{p.mismatched} of {p.checked} {unit}")
    if p.mode == "directional" and p.miss_probability is not None:
        # on a failing array too: how likely an error of 1 % of ‖g‖ would have gone unseen
        extra.append(f"miss chance {format_number(p.miss_probability)}")
    return str(p.verdict) + (f" ({', '.join(extra)})" if extra else "")


def _rows(report: GradReport) -> list[tuple[str, ...]]:
    return [
        (
            p.name,
            _shape(p.shape),
            format_number(p.max_abs_error),
            format_number(p.relative_difference),
            format_number(p.bound),
            _verdict(p),
            _index(p.worst_index),
        )
        for p in report.parameters
    ]


def _header_lines(report: GradReport, target: str, header: GradHeader) -> list[str]:
    mode: str = report.mode
    if report.requested_mode != report.mode:
        mode += f" (chosen by {report.requested_mode})"
    return [
        f"nncheck gradcheck {target}",
        f"protocol {header.protocol}: {', '.join(header.functions)}",
        f"dims {','.join(map(str, header.dims))} · m = {header.m} · seed {report.seed} · "
        f"mode {mode} · {report.evaluations} cost evaluations",
    ]


_RATIO_WORDS: dict[str, str] = {
    "m": "that is m = {m}: is the 1/m missing?",
    "1/m": "that is 1/m = 1/{m}: is there an extra 1/m?",
    "m²": "that is m² = {m2}: a missing 1/m, carried back through dA to this layer?",
    "1/m²": "that is 1/m² = 1/{m2}: an extra 1/m, carried back through dA to this layer?",
    "−m": "that is −m = −{m}: the sign is flipped and the 1/m is missing",
    "−1": "the sign is flipped",
    "2": "a factor of 2 too many or too few",
    "1/2": "a factor of 2 too many or too few",
}


def ratio_hint(ratio: float, m: int) -> str:
    """Words for a suspicious ratio (yours ÷ finite difference): m, 1/m, −1, −m, or 2; else "".

    The factors are the catalogue's (:func:`nncheck.diagnose.catalogue.factor_mistake`), at the
    tolerance of a ratio against finite differences (``GRADCHECK_RTOL``).
    """
    from nncheck.diagnose.catalogue import GRADCHECK_RTOL, factor_mistake

    known = factor_mistake(ratio, m, GRADCHECK_RTOL)
    return _RATIO_WORDS[known[0]].format(m=m, m2=m * m) if known else ""


def _failure_lines(report: GradReport, m: int = 1) -> list[str]:
    lines = []
    for p in report.parameters:
        if p.ok:
            continue
        if p.worst_index is None or p.analytic is None or p.numeric is None:
            lines.append(
                f"  d{p.name}: random directions disagree; the sampled elements did not "
                "localise it (rerun with --mode full)"
            )
            continue
        where = "[" + ", ".join(str(int(i)) for i in p.worst_index) + "]"
        ratio = ""
        if p.ratio is not None and p.ratio != 0:
            # one factor at every checked element: the factor itself is the diagnosis
            hint = ratio_hint(p.ratio, m)
            hint = f"; {hint}" if hint else ""
            ratio = f" (yours is {_ratio(p.ratio)} × the finite difference{hint})"
        elif p.numeric != 0 and p.analytic != 0:
            ratio = (
                f" (here yours is {_ratio(p.analytic / p.numeric)} × the finite "
                "difference, but the ratio varies between elements, so it is no single factor: "
                "`nncheck conform` names the mistake when it is a known one)"
            )
        yours, numeric = format_pair(p.analytic, p.numeric)
        lines.append(f"  d{p.name}{where}: yours {yours}, finite differences {numeric}{ratio}")
    return lines


def _ratio(ratio: float) -> str:
    """A ratio that reads "1" only when it is exactly 1 (1.00004 is not "1 ×")."""
    return format_pair(ratio, 1.0)[0]


def cost_scale_note(report: GradReport, m: int) -> str | None:
    """A caveat when the gradients look right up to one factor of m (or 1/m) shared by all.

    A cost written as a sum instead of a mean (no 1/m), or divided by m twice, scales every
    finite difference by m or 1/m while a correct backward pass is unchanged; the per-row "extra
    1/m?" would then send the person to break a correct backward pass. When every parameter —
    failing or not — shows the same factor, this says the cost is as likely the culprit. When
    every parameter fails with different factors, it says to check the cost as well.
    """
    failing = [p for p in report.parameters if not p.ok]
    if not failing:
        return None
    ratios = [
        p.analytic / p.numeric
        for p in failing
        if p.analytic is not None and p.numeric is not None and p.numeric != 0 and p.analytic
    ]
    if m > 1 and len(ratios) == len(failing):
        r = ratios[0]
        same = all(abs(x - r) <= 1e-3 * abs(r) for x in ratios)
        expected = abs(r - 1.0) / (abs(r) + 1.0)  # the relative difference of g and r·g
        everywhere = all(
            abs(p.relative_difference - expected) <= 0.05 * expected for p in report.parameters
        )
        if same and everywhere:
            if abs(r - 1.0 / m) <= 1e-3 / m:
                return (
                    f"the same ratio (1/m = 1/{m}) on every parameter: your cost may be a sum "
                    "instead of a mean (check the 1/m in the cost, e.g. compute_cost) — or every "
                    "gradient has an extra 1/m"
                )
            if abs(r - m) <= 1e-3 * m:
                return (
                    f"the same ratio (m = {m}) on every parameter: your cost may divide by m "
                    "twice (check the 1/m in the cost, e.g. compute_cost) — or every gradient "
                    "is missing its 1/m"
                )
    if len(report.parameters) > 1 and len(failing) == len(report.parameters):
        return (
            "every parameter disagrees: the finite differences are taken of your cost, so check "
            "the cost (e.g. compute_cost) as well as the first step of your backward pass"
        )
    return None


def close_call_note(report: GradReport) -> str | None:
    """A caveat when every failing gradient agrees with its finite difference to within 5 %.

    Such small disagreements are usually real (a slightly wrong formula), but they can also be
    rounding in a cost computed from a saturated sigmoid (log of a value next to 1); the
    verdict stands, and this says how to tell the two apart.
    """
    failing = [p for p in report.parameters if not p.ok]
    if not failing:
        return None
    for p in failing:
        if p.analytic is None or p.numeric is None or p.numeric == 0:
            return None
        if abs(p.analytic / p.numeric - 1.0) > 0.05:
            return None
    return (
        "every failing gradient is within 5% of its finite difference: a real mistake persists "
        "under another --seed or --m, while rounding in a saturated cost (AL next to 0 or 1) "
        "does not"
    )


def _summary(report: GradReport) -> str:
    total = len(report.parameters)
    failed = [p.name for p in report.parameters if not p.ok]
    if total == 1:
        name = report.parameters[0].name
        if failed:
            return f"FAIL: the gradient of {name} disagrees with finite differences of your cost"
        return f"OK: the gradient of {name} matches finite differences"
    if not failed:
        return f"OK: the gradients of all {total} parameters match finite differences"
    return (
        f"FAIL: {len(failed)} of {total} parameters have gradients that disagree with finite "
        f"differences of your cost: {', '.join(failed)}"
    )


def gradcheck_text(report: GradReport, target: str, header: GradHeader) -> str:
    """The plain-text gradcheck report: header, one row per parameter, summary and notes."""
    rows = [_COLUMNS, *_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    table = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines = [*_header_lines(report, target, header), "", *table, ""]
    failures = _failure_lines(report, header.m)
    if failures:
        lines += ["worst element of each failing gradient:", *failures, ""]
    lines.append(_summary(report))
    lines += [f"note: {n}" for n in _notes(report, header)]
    return "\n".join(lines)


def _notes(report: GradReport, header: GradHeader) -> list[str]:
    close = close_call_note(report)
    scale = cost_scale_note(report, header.m)
    return [*([close] if close else []), *([scale] if scale else []), *header.notes, *report.notes]


def _console(stream: TextIO) -> Console:
    from rich.console import Console

    return Console(file=stream, highlight=False)


def print_gradcheck(
    report: GradReport, target: str, header: GradHeader, stream: TextIO | None = None
) -> None:
    """Print the gradcheck report to ``stream``: a rich table on a terminal, else plain text."""
    out = stream if stream is not None else sys.stdout
    if not is_terminal(out):
        print(gradcheck_text(report, target, header), file=out)
        return
    from rich.table import Table
    from rich.text import Text

    console = _console(out)
    head = _header_lines(report, target, header)
    console.print(head[0], style="bold", markup=False)  # a path may contain [brackets]
    for line in head[1:]:
        console.print(line, style="dim", markup=False)
    table = Table(show_edge=False, header_style="bold")
    for i, column in enumerate(_COLUMNS):
        table.add_column(column, justify="right" if 1 < i < 5 else "left")
    for p, row in zip(report.parameters, _rows(report), strict=True):
        table.add_row(*(Text(cell) for cell in row), style=None if p.ok else "red")
    console.print(table)
    failures = _failure_lines(report, header.m)
    if failures:
        console.print("worst element of each failing gradient:", markup=False)
        for line in failures:
            console.print(line, style="red", markup=False)
    console.print(_summary(report), style="bold green" if report.ok else "bold red", markup=False)
    for note in _notes(report, header):
        console.print(f"note: {note}", style="dim", markup=False)


_STATUS_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "skip": "dim"}


def conformance_lines(report: ConformanceReport, *, verbose: bool = False) -> list[tuple[str, str]]:
    """The conformance report as (line, status) pairs, grouped by function.

    ``verbose`` shows every finding. Otherwise a function whose checks all pass takes one line
    naming its checks, and only failed and warned findings are shown in full (with their
    diagnoses). The status ("pass", "fail", "warn", "skip" or "" for neutral) drives colour.
    """
    if verbose:
        return [(line, "") for line in str(report).splitlines()]
    failed = len(report.failures)
    verdict = "all checks pass" if report.ok else f"{failed} check(s) failed"
    lines: list[tuple[str, str]] = [
        (f"{report.target} (convention {report.convention}, seed {report.seed}): {verdict}", ""),
        *((f"note: {note}", "") for note in report.notes),
        ("", ""),
    ]
    groups = report.by_function()
    width = max((len(name) for name in groups), default=0)
    for function, findings in groups.items():
        statuses = {f.status for f in findings}
        passed = [f.check for f in findings if f.status == "pass"]
        if statuses <= {"pass"}:
            lines.append((f"  ok    {function.ljust(width)}  {', '.join(passed)}", "pass"))
            continue
        if statuses == {"skip"}:
            lines.append((f"  skip  {function.ljust(width)}  {findings[0].message}", "skip"))
            continue
        worst = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
        mark = {"fail": "FAIL", "warn": "warn", "pass": "ok  "}[worst]
        tail = f"passes: {', '.join(passed)}" if passed else ""
        lines.append((f"  {mark}  {function.ljust(width)}  {tail}".rstrip(), worst))
        for finding in findings:
            if finding.status in ("fail", "warn"):
                for line in str(finding).splitlines():
                    lines.append(("        " + line, finding.status))
    lines.append(("", ""))
    if report.ok:
        lines.append(("OK: every check passes", "pass"))
    else:
        names = ", ".join(dict.fromkeys(f.function for f in report.failures))
        lines.append((f"FAIL: {failed} check(s) failed in {names}", "fail"))
    return lines


def print_conformance(
    report: ConformanceReport, stream: TextIO | None = None, *, verbose: bool = False
) -> None:
    """Print a conformance report grouped by function; coloured on a terminal."""
    out = stream if stream is not None else sys.stdout
    lines = conformance_lines(report, verbose=verbose)
    if not is_terminal(out):
        print("\n".join(line for line, _ in lines), file=out)
        return
    console = _console(out)
    for line, status in lines:
        style = _STATUS_STYLE.get(status)
        if verbose:
            lowered = line.strip()
            for key, mark in (
                ("pass", "[ok"),
                ("fail", "[FAIL"),
                ("warn", "[warn"),
                ("skip", "[skip"),
            ):
                if lowered.startswith(mark):
                    style = _STATUS_STYLE[key]
        console.print(line, style=style, markup=False)


def print_json(data: Mapping[str, Any], stream: TextIO | None = None) -> None:
    """Print ``data`` as indented JSON (NaN and infinities become null, keeping it valid JSON)."""
    out = stream if stream is not None else sys.stdout
    print(json.dumps(_finite(data), indent=2, sort_keys=False), file=out)


def fail(
    message: str,
    *,
    kind: str,
    as_json: bool,
    out: TextIO,
    code: int = EXIT_ERROR,
    **extra: Any,
) -> int:
    """Report an error without a traceback: message on stderr, JSON error object with --json;
    return the exit code (``code``: usage or load error by default)."""
    print(f"nncheck: {message}", file=sys.stderr)
    if as_json:
        print_json({"ok": False, "error": {"kind": kind, "message": message, **extra}}, out)
    return code


@contextmanager
def quiet_user_output(active: bool) -> Iterator[None]:
    """With --json, whatever the person's code prints goes to stderr, keeping stdout JSON."""
    if not active:
        yield
        return
    with redirect_stdout(sys.stderr):
        yield


def json_line(data: Mapping[str, Any]) -> str:
    """``data`` as one JSON Lines record: one line, newline-terminated, NaN as null."""
    return json.dumps(_finite(data), allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _finite(value.tolist())
    return value


class ProgressTicker:
    """Counts cost evaluations; shows a transient progress bar on stderr after a delay.

    Call the ticker once per evaluation. Nothing is drawn unless ``enabled`` (stderr is a
    terminal and output is not JSON) and the check has run for :data:`PROGRESS_DELAY` seconds.
    """

    def __init__(self, description: str, *, total: int | None, enabled: bool) -> None:
        self.description = description
        self.total = total
        self.enabled = enabled
        self.count = 0
        self._start = time.monotonic()
        self._progress: Progress | None = None
        self._task: Any = None

    def __call__(self) -> None:
        self.count += 1
        if not self.enabled:
            return
        if self._progress is None:
            if time.monotonic() - self._start < PROGRESS_DELAY:
                return
            self._open()
        assert self._progress is not None
        total = None if self.total is None else max(self.total, self.count)
        self._progress.update(self._task, completed=self.count, total=total)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("cost evaluations"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=self.total)

    def close(self) -> None:
        """Remove the bar (if one was drawn)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def progress(description: str, *, total: int | None, enabled: bool) -> Iterator[ProgressTicker]:
    """A :class:`ProgressTicker` that is closed when the block ends, however it ends."""
    ticker = ProgressTicker(description, total=total, enabled=enabled)
    try:
        yield ticker
    finally:
        ticker.close()
