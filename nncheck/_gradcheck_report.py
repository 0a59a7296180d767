"""``nncheck gradcheck`` of one target: load it, check its gradients, write the report.

The runner's child runs :func:`gradcheck_output` (the person's code is loaded there); the command
line's demo and the notebook's ``%nncheck gradcheck`` call :func:`check_and_report` on a module
they have. Everything is written to a stream and summed up in an exit code
(:data:`nncheck.errors.EXIT_OK` …), so the front doors only pass it on.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import types
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TextIO

from nncheck.errors import EXIT_OK, EXIT_PROBLEMS
from nncheck.report import (
    DEFS_ONLY_OPTION,
    close_call_note,
    cost_scale_note,
    fail,
    is_terminal,
    print_gradcheck,
    print_json,
    progress,
    quiet_user_output,
)

__all__ = [
    "SATURATED_COST",
    "check_and_report",
    "gradcheck_output",
    "stopped",
]

SATURATED_COST = 1e-6
"""Below this cost the output is saturated and the report says so (a note, not a verdict)."""


def gradcheck_output(
    out: TextIO,
    target: str,
    *,
    seed: int,
    renames: Mapping[str, str] | None = None,
    defs_only: bool = False,
    as_json: bool = False,
    module: types.ModuleType | None = None,
    **options: Any,
) -> int:
    """Load ``target`` (unless the runner's child has loaded it already: ``module``), check its
    gradients, write the report to ``out``; return the exit code.

    Runs in the runner's child process (the person's code is loaded there); ``options`` are
    those of :func:`check_and_report` (dims, m, data, params, mode, protocol).
    """
    from nncheck.conventions import rename
    from nncheck.errors import ProtocolError
    from nncheck.loader import LoadError, load_target

    with quiet_user_output(as_json):
        try:
            if module is None:
                module = load_target(target, defs_only=defs_only)
        except LoadError as exc:
            message = exc.worded(DEFS_ONLY_OPTION)
            return fail(message, kind="load", as_json=as_json, out=out, load_kind=exc.kind)
        try:
            module = rename(module, dict(renames or {}))
        except ProtocolError as exc:
            return fail(str(exc), kind="usage", as_json=as_json, out=out)
        return check_and_report(out, module, target=target, seed=seed, as_json=as_json, **options)


def check_and_report(
    out: TextIO,
    module: Any,
    *,
    target: str,
    seed: int,
    dims: Sequence[int] | None = None,
    m: int | None = None,
    data: str | None = None,
    params: str | None = None,
    mode: Literal["auto", "full", "directional"] = "auto",
    protocol: str = "auto",
    as_json: bool = False,
    emit: bool = True,
    plot: str | None = None,
) -> int:
    """Build and check the gradient problem of ``module``; print the report; return the code.

    ``plot``: also draw the worst element's step-size curve to that file (see :func:`_plot_steps`).
    """
    from nncheck._arrays import load_arrays
    from nncheck.conventions import DEFAULT_M
    from nncheck.errors import ProtocolError, UserCodeError
    from nncheck.gradcheck import build_problem, check_problem
    from nncheck.numeric import GradientInputError

    try:
        problem = build_problem(
            module,
            protocol=protocol,
            dims=dims,
            m=m if m is not None else DEFAULT_M,
            seed=seed,
            data=load_arrays(data, what="--data") if data else None,
            params=load_arrays(params, what="--params") if params else None,
        )
        if m is not None and problem.m != m:
            raise ProtocolError(f"--m {m} disagrees with --data, which has m = {problem.m}")
        enabled = not as_json and emit and is_terminal(sys.stderr)
        total = 2 * problem.size if mode == "full" else None
        with (
            progress("checking gradients", total=total, enabled=enabled) as tick,
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            report = check_problem(problem, mode=mode, seed=seed, on_evaluation=tick)
            start = float(abs(problem.cost(problem.params)))
        from nncheck.loader import load_notes

        notes = load_notes(module) + _warning_notes(caught)
        if problem.m == 1 and problem.protocol != "course2_1d":
            notes += ("with m = 1 example a missing or extra 1/m cannot show: use --m 2 or more",)
        if start < SATURATED_COST:
            notes += (
                f"the cost at the checked parameters is only {start:.2g} (with a sigmoid "
                "output: the output is saturated, AL next to Y); finite differences are least "
                "precise there, so a check at other parameters (another --seed, other "
                "--params) is more telling",
            )
        problem = dataclasses.replace(problem, notes=problem.notes + notes)
    except ProtocolError as exc:
        return fail(str(exc), kind="usage", as_json=as_json, out=out)
    except UserCodeError as exc:
        if not emit:
            return EXIT_PROBLEMS
        return _user_code_failure(exc, target=target, as_json=as_json, out=out)
    except GradientInputError as exc:  # e.g. a cost that is not deterministic
        if not emit:
            return EXIT_PROBLEMS
        error = {"kind": "gradient_input", "message": str(exc)}
        return stopped(str(exc), target=target, as_json=as_json, out=out, error=error)
    code = EXIT_OK if report.ok else EXIT_PROBLEMS
    if plot:
        _plot_steps(problem, report, plot)
    if not emit:
        return code
    if as_json:
        data_out: dict[str, Any] = dict(report.to_dict())
        data_out.update(
            {
                "target": str(target),
                "protocol": problem.protocol,
                "functions": list(problem.functions),
                "dims": list(problem.dims),
                "m": problem.m,
                "notes": [
                    *([close] if (close := close_call_note(report)) else []),
                    *([scale] if (scale := cost_scale_note(report, problem.m)) else []),
                    *data_out.get("notes", report.notes),
                    *problem.notes,
                ],
            }
        )
        print_json(data_out, out)
    else:
        print_gradcheck(report, str(target), problem, out)
    return code


def _plot_steps(problem: Any, report: Any, path: str) -> None:
    """Draw |C(h) − g| against h for the report's worst element to ``path`` (a note on stderr)."""
    from nncheck.numeric._stepcurve import step_curve, worst_element
    from nncheck.plots import save

    worst = worst_element(report)
    if worst is None:
        print("nncheck: --plot: no single element was checked, nothing to draw", file=sys.stderr)
        return
    curve = step_curve(problem.cost, problem.params, *worst)
    try:
        save(curve, path)
    except OSError as exc:
        print(f"nncheck: --plot: cannot write {path}: {exc}", file=sys.stderr)
        return
    print(f"nncheck: drew the step-size curve of {worst[0]} to {path}", file=sys.stderr)


def _warning_notes(caught: Sequence[warnings.WarningMessage], limit: int = 3) -> tuple[str, ...]:
    """One note per distinct warning raised while checking (your code's overflow, log(0), …)."""
    counts: dict[str, int] = {}
    for w in caught:
        where = f"{os.path.basename(w.filename)}:{w.lineno}"
        key = f"{where}: {w.category.__name__}: {w.message}"
        counts[key] = counts.get(key, 0) + 1
    notes = [f"warning during the check, {n}×: {key}" for key, n in list(counts.items())[:limit]]
    if len(counts) > limit:
        notes.append(f"{len(counts) - limit} more distinct warnings not shown")
    return tuple(notes)


def _user_code_failure(exc: Any, *, target: str, as_json: bool, out: TextIO) -> int:
    """A crash or unusable return value in the person's code: a finding, exit 1."""
    return stopped(
        f"{exc.function} {exc.message}",
        target=target,
        as_json=as_json,
        out=out,
        error=exc.to_dict(),
        traceback=exc.traceback,
    )


def stopped(
    message: str,
    *,
    target: str,
    as_json: bool,
    out: TextIO,
    error: dict[str, str],
    traceback: str = "",
) -> int:
    """Report a problem in the person's code that stopped the check: exit 1."""
    if as_json:
        print(f"nncheck: {message}", file=sys.stderr)
        print_json({"ok": False, "target": str(target), "error": error}, out)
        return EXIT_PROBLEMS
    lines = [f"nncheck gradcheck {target}", "", f"FAIL: {message}"]
    if traceback:
        lines += ["", "your traceback (trimmed to your file):", traceback]
    print("\n".join(lines), file=out)
    return EXIT_PROBLEMS
