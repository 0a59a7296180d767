"""Command line: ``nncheck gradcheck | conform | specs | demo`` (a thin layer over the library).

Exit codes: 0 all good, 1 problems found in the checked code, 2 usage or load error. Importing
this module imports only the standard library; numpy, rich and sympy are loaded by the command
that needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
import types
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, NoReturn, TextIO

HIDDEN_ACTIVATIONS = ("tanh", "relu")
"""The choices of ``conform --hidden-activation``: the ``VARIANTS`` of the conventions that have
them (kept here so that ``--help`` imports no numpy; tests/test_cli.py checks they agree)."""

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_PROBLEMS", "SATURATED_COST", "build_parser", "main"]

EXIT_OK = 0
"""Everything checked is right."""
EXIT_PROBLEMS = 1
"""Problems found in the checked code (wrong gradients, failed checks, a crash in it)."""
EXIT_ERROR = 2
"""Usage or load error: bad arguments, missing file, syntax error, no recognised protocol."""

SATURATED_COST = 1e-6
"""Below this cost the output is saturated and the report says so (a note, not a verdict)."""

_DESCRIPTION = """\
nncheck: is your hand-written neural-network math right, and if not, what exactly is wrong?

commands:
  gradcheck MODEL   compare your gradients with finite differences of your own cost
  conform TARGET    check every function against the reference, with diagnoses
  specs [NAME]      show the formulas (and derivatives) nncheck checks against
  claims [ID]       the course notes' claims, each proved (SymPy) or demonstrated (seeded)
  demo              run conform and gradcheck on a correct and a buggy bundled example
  grade SUBMISSION  conform a whole class of submissions into JSON Lines, with a summary
"""

_EPILOG = """\
examples:
  nncheck demo
  nncheck gradcheck my_assignment.py
  nncheck gradcheck my_assignment.py --dims 12,5,3,1 --m 16 --seed 0
  nncheck gradcheck model.py --params params.npz --data data.npz --json
  nncheck conform my_assignment.py --defs-only
  nncheck specs sigmoid --latex

exit codes: 0 all good, 1 problems found in your code, 2 usage or load error.
"""

_GRADCHECK_EPILOG = """\
protocols (detected in this order; force one with --protocol):
  week4      L_model_forward(X, parameters) -> (AL, caches); compute_cost(AL, Y);
             L_model_backward(AL, Y, caches) -> {"dW1": ..., "db1": ...}. Parameters from
             --params, else your initialize_parameters_deep(dims), else He initialisation.
  canonical  the reference's names: model_forward(X, parameters) -> (AL, caches);
             cost(AL, Y); model_backward(AL, Y, caches) -> grads. Parameters from --params,
             else your initialize_parameters(dims), else He initialisation.
  course2    forward_propagation_n(X, Y, parameters) -> (cost, cache);
             backward_propagation_n(X, Y, cache) -> gradients (4 widths in --dims)
  course2_1d forward_propagation(x, theta) -> J; backward_propagation(x, theta) -> dtheta
             (course 2's one-dimensional warm-up; scalar x and theta)
  week3      forward_propagation(X, parameters) -> (A2, cache); compute_cost(A2, Y[, parameters]);
             backward_propagation(parameters, cache, X, Y) -> grads; also course 2's 3-layer
             forward_propagation / backward_propagation(X, Y, cache) (depth probed)
  week2      propagate(w, b, X, Y) -> ({"dw": ..., "db": ...}, cost)  (--dims N_X,1)
  generic    cost(params, X, Y) -> float and gradients(params, X, Y) -> dict, or
             cost_and_gradients(params, X, Y) -> (cost, dict); params is a dict of arrays
             (--params, else W1, b1, ... from --dims, else one layer n_x,n_y from the
             shapes of X and Y in --data); gradient keys "W1" or "dW1".
Arguments are matched by name, else by the order shown; --rename maps your own names. Your
forward's cache goes to your backward untouched.

data: X (n[0], m) standard normal and Y (n[L], m) in {0, 1} (both classes present when m >= 2;
with several outputs, n[L] > 1, each column of Y is one-hot, every class present when m >= n[L])
are drawn with numpy's default_rng(--seed): deterministic and cheap. --data reads arrays X and Y
from an .npz file instead; --params reads the parameters (W1, b1, ... or w, b). .npz files are
read with pickling disabled.

examples:
  nncheck gradcheck my_assignment.py
  nncheck gradcheck my_assignment.py --dims 12,5,3,1 --m 16 --seed 0 --mode full
  nncheck gradcheck my_layer.py --params params.npz --data data.npz --json

exit codes: 0 gradients right, 1 wrong gradients (or your code crashed), 2 usage or load error.
"""


class _UsageError(Exception):
    """Raised by the parser instead of exiting, so that ``main`` returns 2."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors print usage and the message, then return exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise _UsageError(message)


def _dims(text: str) -> tuple[int, ...]:
    from nncheck._arrays import parse_dims

    try:
        return parse_dims(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--dims {text!r}: ")) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nncheck`` (subcommands gradcheck, conform, specs, demo)."""
    from nncheck import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="nncheck", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"nncheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    grad = sub.add_parser(
        "gradcheck",
        help="compare your gradients with finite differences of your own cost",
        description="Check a model's gradients against finite differences of its own cost.",
        epilog=_GRADCHECK_EPILOG,
        formatter_class=fmt,
    )
    grad.add_argument(
        "model", metavar="MODEL", help="your .py file, .ipynb notebook or an importable module name"
    )
    grad.add_argument(
        "--dims",
        type=_dims,
        help="every layer width, input and output included: 4,1 (logistic regression), "
        "3,4,1 (one hidden layer), 5,4,3,1 (default for week 4)",
    )
    grad.add_argument(
        "--m", type=_positive, default=None, help="number of examples drawn (default 8)"
    )
    grad.add_argument(
        "--seed", type=_seed, help="seed for data, parameters and directions (default: fresh)"
    )
    grad.add_argument("--data", metavar="NPZ", help=".npz file with arrays X and Y")
    grad.add_argument("--params", metavar="NPZ", help=".npz file with the parameters")
    grad.add_argument(
        "--mode",
        choices=("auto", "full", "directional"),
        default="auto",
        help="full: every coordinate (2P cost evaluations); directional: random directions "
        "plus sampled coordinates, for large models; auto picks by size (default)",
    )
    grad.add_argument(
        "--protocol",
        choices=(
            "auto",
            "week4",
            "canonical",
            "course2",
            "course2_1d",
            "week3",
            "week2",
            "generic",
        ),
        default="auto",
        help="which functions to use (default: detect)",
    )
    grad.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the worst element's finite-difference error against the step h "
        "(needs matplotlib: pip install 'nncheck[plots]')",
    )
    _common(grad)
    grad.set_defaults(handler=_cmd_gradcheck)

    conf = sub.add_parser(
        "conform",
        help="check every function against the reference, with diagnoses",
        description="Run your implementation against the reference, the specs and finite "
        "differences; each finding comes with a diagnosis.",
        epilog="examples:\n  nncheck conform my_assignment.py\n"
        "  nncheck conform my_assignment.py --seed 0 --json > report.json\n\n"
        "exit codes: 0 all checks pass, 1 some check fails, 2 usage or load error.",
        formatter_class=fmt,
    )
    conf.add_argument(
        "target", metavar="TARGET", help="your .py file, .ipynb notebook or an importable module"
    )
    conf.add_argument(
        "--convention",
        choices=("auto", "week2", "week3", "week4", "course2", "generic"),
        default="auto",
        help="which course convention the file follows (default: detect from its names)",
    )
    conf.add_argument("--seed", type=_seed, help="seed for the drawn examples (default: fresh)")
    conf.add_argument(
        "--hidden-activation",
        choices=HIDDEN_ACTIVATIONS,
        help="the hidden activation of a week-3 network (default: detect from your "
        "forward_propagation; the course's is tanh)",
    )
    conf.add_argument(
        "-v", "--verbose", action="store_true", help="show every finding, passes included"
    )
    conf.add_argument(
        "--require-all",
        action="store_true",
        help="a course function the file does not define is a failure (default: reported as "
        "missing, not counted)",
    )
    _common(conf)
    conf.set_defaults(handler=_cmd_conform)

    specs = sub.add_parser(
        "specs",
        help="show the formulas nncheck checks against",
        description="Show each formula of the course notes and its derivative, from specs/.",
        epilog="examples:\n  nncheck specs\n  nncheck specs sigmoid\n  nncheck specs relu --latex",
        formatter_class=fmt,
    )
    specs.add_argument("name", nargs="?", metavar="NAME", help="one spec (default: list all)")
    specs.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    specs.add_argument("--json", action="store_true", help="print JSON")
    specs.set_defaults(handler=_cmd_specs)

    claims = sub.add_parser(
        "claims",
        help="the course notes' claims, each proved (SymPy) or demonstrated (seeded numbers)",
        description="The course notes' claims as executable theorems. Without ID: list them. "
        "With ID: prove or demonstrate that claim now and show the evidence.",
        epilog="examples:\n  nncheck claims\n  nncheck claims cross-entropy-convex\n"
        "  nncheck claims --json\n  nncheck claims saturation-slows-learning --plot sat.png\n\n"
        "exit codes: 0 every claim asked for holds, 1 one does not, 2 unknown id or usage error.",
        formatter_class=fmt,
    )
    claims.add_argument("id", nargs="?", metavar="ID", help="one claim (default: list all)")
    claims.add_argument(
        "--json", action="store_true", help="establish the claims and print them as JSON"
    )
    claims.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the claim ID (needs matplotlib: pip install 'nncheck[plots]')",
    )
    claims.set_defaults(handler=_cmd_claims)

    demo = sub.add_parser(
        "demo",
        help="run conform and gradcheck on a correct and a buggy bundled example",
        description="Run conform and gradcheck on two bundled week-4 implementations: a correct "
        "one, and one with a planted mistake (dW missing 1/m). Exits 0 when the correct one "
        "passes and the mistake is caught.",
        formatter_class=fmt,
    )
    demo.add_argument("--seed", type=_seed, default=0, help="seed (default 0)")
    demo.add_argument("--json", action="store_true", help="print JSON")
    demo.set_defaults(handler=_cmd_demo)
    _grade_parser(sub, fmt)
    return parser


_GRADE_EPILOG = """\
Each submission runs in its own child process with --timeout per function and --memory; its
record holds exactly what `nncheck conform FILE --seed S --json` says, plus "submission",
"sha256", "status" (graded, load_error, usage_error) and "seconds". A class summary (pass rate
and most common diagnoses per function) goes to stderr at the end.

examples:
  nncheck grade submissions/ --out grades.jsonl
  nncheck grade submissions/ --out grades.jsonl --resume      # after an interruption
  nncheck grade submissions/ --out part3.jsonl --shard 3/8    # one job of an array of 8
  nncheck grade hw.ipynb --format gradescope --out /autograder/results/results.json

exit codes: 0 every submission got a record (whatever its verdict), 2 usage error.
"""


def _shard(text: str) -> tuple[int, int]:
    i, sep, k = text.partition("/")
    try:
        index, count = int(i), int(k)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write I/K, e.g. --shard 1/4") from None
    if not sep or count < 1 or not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"{text!r}: need 1 <= I <= K, e.g. --shard 1/4")
    return index, count


def _grade_parser(sub: Any, fmt: type[argparse.HelpFormatter]) -> None:
    grade = sub.add_parser(
        "grade",
        help="conform a whole class of submissions into JSON Lines, with a summary",
        description="Grade many submissions: .py files, .ipynb notebooks, or folders whose "
        "entries (file or sub-folder) are one submission each.",
        epilog=_GRADE_EPILOG,
        formatter_class=fmt,
    )
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    grade.add_argument("--out", metavar="FILE", help="write the records here (default stdout)")
    grade.add_argument(
        "--workers",
        type=_positive,
        default=os.cpu_count() or 1,
        help="submissions checked at a time (default: CPU count)",
    )
    grade.add_argument(
        "--seed", type=_seed, default=0, help="seed (default 0: a re-run gives the same verdicts)"
    )
    grade.add_argument(
        "--convention",
        choices=("auto", "week2", "week3", "week4", "course2", "generic"),
        default="auto",
        help="the course convention of every submission (default: detect each)",
    )
    grade.add_argument(
        "--defs-only",
        action="store_true",
        help="run only imports and definitions of each file (skip training, plotting, ...)",
    )
    grade.add_argument(
        "--require-all",
        action="store_true",
        help="a function of the assignment a file starts that it does not define fails it",
    )
    grade.add_argument(
        "--resume",
        action="store_true",
        help="skip submissions that already have a record (same path and content) in --out",
    )
    grade.add_argument(
        "--shard",
        type=_shard,
        metavar="I/K",
        help="grade only part I of K (stable and disjoint: by a hash of each path)",
    )
    grade.add_argument(
        "--format",
        choices=("jsonl", "csv", "gradescope"),
        default="jsonl",
        help="jsonl (default), csv (one row per submission), or gradescope (results.json of "
        "one submission)",
    )
    _limits(grade)
    grade.set_defaults(handler=_cmd_grade)


def _rename(text: str) -> tuple[str, str]:
    course, sep, yours = text.partition("=")
    if not sep or not course.strip().isidentifier() or not yours.strip().isidentifier():
        raise argparse.ArgumentTypeError(
            f"{text!r}: write COURSE_NAME=YOUR_NAME, e.g. --rename L_model_forward=forward"
        )
    return course.strip(), yours.strip()


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rename",
        type=_rename,
        action="append",
        default=[],
        metavar="COURSE=YOURS",
        help="your name for a course function, e.g. --rename L_model_forward=forward (repeatable)",
    )
    parser.add_argument(
        "--defs-only",
        action="store_true",
        help="run only imports and definitions of the file (skip training, plotting, ...)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON (schema in the README)")
    _limits(parser)


def _limits(parser: argparse.ArgumentParser) -> None:
    """--timeout and --memory: the limits of the child process that runs the person's code."""
    from nncheck.runner import DEFAULT_TIMEOUT

    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time each of your functions' checks may take (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--memory",
        type=_positive,
        default=None,
        metavar="MB",
        help="memory your code may use, in MB (address-space limit; Linux only)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    _tolerant_stdout()
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError:
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version exit 0 through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("nncheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nncheck specs | head`: the reader has gone, stop quietly
        with contextlib.suppress(Exception):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # like a process ended by SIGPIPE
    return code


def _tolerant_stdout() -> None:
    """Never crash on a terminal that cannot show σ or ✓: replace such characters instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding != "utf8":
            with contextlib.suppress(Exception):
                reconfigure(errors="replace")


@contextlib.contextmanager
def _quiet_user_output(active: bool) -> Iterator[None]:
    """With --json, whatever the person's code prints goes to stderr, keeping stdout JSON."""
    if not active:
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


def _fail(
    message: str,
    *,
    kind: str,
    as_json: bool,
    out: TextIO,
    code: int = EXIT_ERROR,
    **extra: Any,
) -> int:
    """Report an error without a traceback: message on stderr, JSON error object with --json."""
    print(f"nncheck: {message}", file=sys.stderr)
    if as_json:
        from nncheck.report import print_json

        print_json({"ok": False, "error": {"kind": kind, "message": message, **extra}}, out)
    return code


def _fresh_seed() -> int:
    import secrets

    return secrets.randbelow(2**32)


# --------------------------------------------------------------------------------------------
# gradcheck


def _cmd_gradcheck(args: argparse.Namespace) -> int:
    from nncheck.loader import LoadError
    from nncheck.runner import run_gradcheck

    seed = args.seed if args.seed is not None else _fresh_seed()
    out = sys.stdout
    if args.plot:
        from nncheck import plots

        if not plots.available():
            return _fail(plots.INSTALL_HINT, kind="usage", as_json=args.json, out=out)
        plots.warm()
    with _quiet_user_output(args.json):
        try:
            run = run_gradcheck(
                args.model,
                timeout=args.timeout,
                memory_mb=args.memory,
                seed=seed,
                dims=args.dims,
                m=args.m,
                data=args.data,
                params=args.params,
                mode=args.mode,
                protocol=args.protocol,
                renames=dict(args.rename),
                defs_only=args.defs_only,
                as_json=args.json,
                plot=args.plot,
            )
        except LoadError as exc:
            return _fail(str(exc), kind="load", as_json=args.json, out=out, load_kind=exc.kind)
    if run.mistake is not None:
        error = {"kind": run.mistake, "message": run.message}
        return _finding(run.message, target=args.model, as_json=args.json, out=out, error=error)
    out.write(run.output)
    return run.code


def _gradcheck_output(
    out: TextIO,
    target: str,
    *,
    seed: int | None = None,
    renames: Mapping[str, str] | None = None,
    defs_only: bool = False,
    as_json: bool = False,
    module: types.ModuleType | None = None,
    **options: Any,
) -> int:
    """Load ``target`` (unless the runner's child has loaded it already: ``module``), check its
    gradients, write the report to ``out``; return the exit code.

    Runs in the runner's child process (the person's code is loaded there); ``options`` are
    those of ``_run_gradcheck`` (dims, m, data, params, mode, protocol).
    """
    from nncheck.conventions import rename
    from nncheck.errors import ProtocolError
    from nncheck.loader import LoadError, load_target

    with _quiet_user_output(as_json):
        try:
            if module is None:
                module = load_target(target, defs_only=defs_only)
        except LoadError as exc:
            return _fail(str(exc), kind="load", as_json=as_json, out=out, load_kind=exc.kind)
        try:
            module = rename(module, dict(renames or {}))
        except ProtocolError as exc:
            return _fail(str(exc), kind="usage", as_json=as_json, out=out)
        seed = _fresh_seed() if seed is None else seed
        return _run_gradcheck(out, module, target=target, seed=seed, as_json=as_json, **options)


def _run_gradcheck(
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
    from nncheck.report import (
        close_call_note,
        cost_scale_note,
        is_terminal,
        print_gradcheck,
        print_json,
        progress,
    )

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
        return _fail(str(exc), kind="usage", as_json=as_json, out=out)
    except UserCodeError as exc:
        if not emit:
            return EXIT_PROBLEMS
        return _user_code_failure(exc, target=target, as_json=as_json, out=out)
    except GradientInputError as exc:  # e.g. a cost that is not deterministic
        if not emit:
            return EXIT_PROBLEMS
        error = {"kind": "gradient_input", "message": str(exc)}
        return _finding(str(exc), target=target, as_json=as_json, out=out, error=error)
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
    return _finding(
        f"{exc.function} {exc.message}",
        target=target,
        as_json=as_json,
        out=out,
        error=exc.to_dict(),
        traceback=exc.traceback,
    )


def _finding(
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
        from nncheck.report import print_json

        print(f"nncheck: {message}", file=sys.stderr)
        print_json({"ok": False, "target": str(target), "error": error}, out)
        return EXIT_PROBLEMS
    lines = [f"nncheck gradcheck {target}", "", f"FAIL: {message}"]
    if traceback:
        lines += ["", "your traceback (trimmed to your file):", traceback]
    print("\n".join(lines), file=out)
    return EXIT_PROBLEMS


# --------------------------------------------------------------------------------------------
# conform


def _detect_with_renames(module: Any, renames: Mapping[str, str]) -> str:
    """The convention detected with the usable renames applied ("auto" when none fits)."""
    from nncheck import conventions

    every = {n for c in conventions.CONVENTIONS for n in conventions.convention_module(c).FUNCTIONS}
    valid = {k: v for k, v in renames.items() if k in every}
    return conventions.detect_convention(module, valid) or "auto"


def _rename_problem(module: Any, convention: str, renames: Mapping[str, str]) -> str | None:
    """Why ``--rename`` cannot be used with ``module`` (None when every pair is usable).

    Each COURSE must be a function of ``convention`` (given, or detected with the renames
    applied; "auto" when none was found) and each YOURS a function the file defines —
    otherwise conform would silently check nothing under that name.
    """
    import difflib

    from nncheck import conventions

    every = {n for c in conventions.CONVENTIONS for n in conventions.convention_module(c).FUNCTIONS}
    if convention in conventions.CONVENTIONS:
        names: Sequence[str] = conventions.convention_module(convention).FUNCTIONS
        which = f"the {convention} convention"
    else:
        names = sorted(every)
        which = "any convention"
    for course, yours in renames.items():
        if course not in names:
            close = difflib.get_close_matches(course, names, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            return (
                f"--rename {course}={yours}: {course!r} is not a function of {which}; {guess}"
                f"the course names are: {', '.join(names)}"
            )
    for course, yours in renames.items():
        if not callable(getattr(module, yours, None)):
            known = sorted(k for k, v in vars(module).items() if callable(v) and k[:1] != "_")
            close = difflib.get_close_matches(yours, known, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            return (
                f"--rename {course}={yours}: the file defines no function {yours!r}; {guess}"
                f"it defines {', '.join(known) or 'no functions'}"
            )
    return None


def _cmd_conform(args: argparse.Namespace) -> int:
    from nncheck.runner import RunnerEvent, call

    convention: str | dict[str, str] = args.convention
    if args.rename:
        convention = {"convention": args.convention, **dict(args.rename)}
        try:
            with _quiet_user_output(args.json):
                # the names are checked where the file is loaded: in the runner's child
                problem = call(
                    _rename_check,
                    args.target,
                    args.defs_only,
                    args.convention,
                    dict(args.rename),
                    timeout=args.timeout,
                    memory_mb=args.memory,
                )
        except RunnerEvent as event:
            message = f"{args.target}: your file {event.detail} while it was being loaded"
            return _fail(
                message, kind="load", as_json=args.json, out=sys.stdout, load_kind="runtime"
            )
        if problem is not None:
            kind, message, load_kind = problem
            extra: dict[str, Any] = {"load_kind": load_kind} if load_kind else {}
            return _fail(message, kind=kind, as_json=args.json, out=sys.stdout, **extra)
    return _run_conform(
        sys.stdout,
        args.target,
        convention=convention,
        seed=args.seed,
        defs_only=args.defs_only,
        hidden_activation=args.hidden_activation,
        as_json=args.json,
        verbose=args.verbose,
        limits=(args.timeout, args.memory),
        require_all=args.require_all,
    )


def _rename_check(
    target: str, defs_only: bool, convention: str, renames: Mapping[str, str]
) -> tuple[str, str, str | None] | None:
    """In the runner's child: why the file cannot be loaded or ``--rename`` used, or None."""
    from nncheck.loader import LoadError, load_target

    try:
        module = load_target(target, defs_only=defs_only)
    except LoadError as exc:
        return "load", str(exc), exc.kind
    chosen = convention if convention != "auto" else _detect_with_renames(module, renames)
    problem = _rename_problem(module, chosen, renames)
    return None if problem is None else ("usage", problem, None)


def _run_conform(
    out: TextIO,
    target: Any,
    *,
    shown: str | None = None,
    convention: str | dict[str, str] = "auto",
    seed: int | None,
    defs_only: bool = False,
    hidden_activation: str | None = None,
    as_json: bool = False,
    emit: bool = True,
    verbose: bool = False,
    limits: tuple[float, int | None] | None = None,
    require_all: bool = False,
) -> int:
    """Conform ``target`` and print the report; ``limits`` (timeout, memory MB) isolates the
    person's code in the runner's child (the bundled demo runs in-process)."""
    from nncheck.conformance import conform
    from nncheck.loader import LoadError
    from nncheck.report import print_conformance, print_json
    from nncheck.runner import run_conform

    hint = "or rename them with --rename COURSE=YOURS"
    try:
        with _quiet_user_output(as_json):
            if limits is None:
                report = conform(
                    target,
                    convention=convention,
                    seed=seed,
                    defs_only=defs_only,
                    rename_hint=hint,
                    require_all=require_all,
                    hidden_activation=hidden_activation,
                )
            else:
                report = run_conform(
                    target,
                    convention=convention,
                    seed=seed,
                    defs_only=defs_only,
                    rename_hint=hint,
                    timeout=limits[0],
                    memory_mb=limits[1],
                    require_all=require_all,
                    hidden_activation=hidden_activation,
                )
    except LoadError as exc:
        return _fail(str(exc), kind="load", as_json=as_json, out=out, load_kind=exc.kind)
    except ValueError as exc:  # an unknown convention, none that fits (UsageError), a bad option
        return _fail(str(exc), kind="usage", as_json=as_json, out=out)
    if shown is not None:
        report = dataclasses.replace(report, target=shown)
    code = EXIT_OK if report.ok else EXIT_PROBLEMS
    if not emit:
        return code
    if as_json:
        data = dict(report.to_dict())
        data.setdefault("target", str(target))
        print_json(data, out)
    else:
        print_conformance(report, out, verbose=verbose)
    return code


# --------------------------------------------------------------------------------------------
# grade


def _cmd_grade(args: argparse.Namespace) -> int:
    from nncheck import grade
    from nncheck.report import is_terminal, json_line

    def usage(message: str) -> int:
        print(f"nncheck grade: error: {message}", file=sys.stderr)
        return EXIT_ERROR

    try:
        found = grade.find_submissions(args.submissions)
    except FileNotFoundError as exc:
        return usage(str(exc))
    submissions = [s for s in found if grade.in_shard(s, args.shard)]
    if not found:
        return usage(f"no .py or .ipynb submissions in {' '.join(args.submissions)}")
    if args.format == "gradescope" and len(submissions) != 1:
        return usage(f"--format gradescope writes one submission's results; got {len(submissions)}")
    if args.resume and (args.out is None or args.format != "jsonl"):
        return usage("--resume needs --out FILE in the jsonl format")
    kept = grade.read_records(args.out) if args.resume else []
    done = {(r.get("submission"), r.get("sha256")) for r in kept}
    todo = [s for s in submissions if (s.path, s.sha256) not in done]
    stream = sys.stdout
    streaming = args.format == "jsonl"
    sink: TextIO | None = None
    if streaming and args.out is not None:
        sink = open(args.out, "a" if args.resume else "w", encoding="utf-8")
    records: list[dict[str, Any]] = []

    def write(record: dict[str, Any]) -> None:
        if streaming:
            target = sink or stream
            target.write(json_line(record))
            target.flush()

    bar = _GradeProgress(len(todo), enabled=is_terminal(sys.stderr))
    try:
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet), bar:
            # the submissions' own prints go nowhere (the children inherit this stdout)
            records = grade.grade(
                todo,
                write=write,
                workers=args.workers,
                seed=args.seed,
                convention=args.convention,
                defs_only=args.defs_only,
                timeout=args.timeout,
                memory_mb=args.memory,
                on_done=bar.advance,
                require_all=args.require_all,
            )
    except KeyboardInterrupt:
        print("nncheck grade: interrupted; every finished record is kept", file=sys.stderr)
        return 130
    finally:
        if sink is not None:
            sink.close()
    if not streaming:
        text = grade.render(records, args.format)
        if args.out is not None:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            stream.write(text)
    if len(todo) < len(submissions):
        print(
            f"resumed: {len(submissions) - len(todo)} submission(s) already graded", file=sys.stderr
        )
    print(grade.class_summary([*kept, *records] if args.resume else records), file=sys.stderr)
    return EXIT_OK


class _GradeProgress:
    """A progress bar with a total on stderr (a terminal only)."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _GradeProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                "grading",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("grading", total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, record: Mapping[str, Any]) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)


# --------------------------------------------------------------------------------------------
# specs


def _cmd_specs(args: argparse.Namespace) -> int:
    from nncheck import specs

    if args.name is not None:
        wanted = args.name.strip().lower().replace("-", "_").replace(" ", "_")
        name = next((n for n in specs.SPECS if n.lower() == wanted), args.name)
        try:
            chosen = [specs.get_spec(name)]
        except (KeyError, ValueError, LookupError):
            names = ", ".join(sorted(specs.SPECS))
            return _fail(
                f"no spec named {args.name!r}; available: {names}",
                kind="usage",
                as_json=args.json,
                out=sys.stdout,
            )
    else:
        chosen = list(specs.SPECS.values())
    if args.json:
        from nncheck.report import print_json

        print_json(
            {
                "specs": [
                    {
                        "name": s.name,
                        "section": s.section,
                        "formula": s.formula,
                        "text": specs.describe(s),
                        "latex": _latex(s),
                    }
                    for s in chosen
                ]
            }
        )
        return EXIT_OK
    blocks = [f"% {s.name}\n{_latex(s)}" if args.latex else specs.describe(s) for s in chosen]
    print("\n\n".join(blocks))
    return EXIT_OK


def _latex(spec: Any) -> str:
    """The spec's LaTeX, with its derivative for elementwise (scalar) specs."""
    text = str(spec.latex())
    derivative = getattr(spec, "derivative_latex", None)
    return f"{text}\n{derivative()}" if callable(derivative) else text


# --------------------------------------------------------------------------------------------
# claims


def _cmd_claims(args: argparse.Namespace) -> int:
    from nncheck import plots

    out = sys.stdout
    if args.plot and args.id is None:
        return _fail(
            "--plot draws one claim: give its ID", kind="usage", as_json=args.json, out=out
        )
    if args.plot and not plots.available():
        return _fail(plots.INSTALL_HINT, kind="usage", as_json=args.json, out=out)
    from nncheck.specs import claims

    chosen = list(claims.CLAIMS.values())
    if args.id is not None:
        wanted = args.id.strip().lower().replace("_", "-").replace(" ", "-")
        try:
            chosen = [claims.get_claim(wanted)]
        except KeyError as exc:
            return _fail(exc.args[0], kind="usage", as_json=args.json, out=out)
    if args.plot:
        try:
            plots.save(claims.picture(chosen[0]), args.plot)
        except LookupError as exc:
            return _fail(exc.args[0], kind="usage", as_json=args.json, out=out)
        except OSError as exc:
            return _fail(
                f"cannot write {args.plot}: {exc}", kind="usage", as_json=args.json, out=out
            )
    if args.id is None and not args.json:
        width = max(len(c.id) for c in chosen)
        for c in chosen:
            print(f"{c.id:<{width}}  {c.status:<12}  {c.statement}", file=out)
        print(
            "\n`nncheck claims ID` proves or demonstrates one now and shows its evidence; "
            "--json does all.",
            file=out,
        )
        return EXIT_OK
    results = [(c, claims.establish(c)) for c in chosen]
    if args.json:  # a list, as the schema says; evidence is JSON-safe by construction
        import json

        print(json.dumps([c.to_dict(o) for c, o in results], indent=2, allow_nan=False), file=out)
    else:
        for c, o in results:
            print(_claim_text(c, o), file=out)
    if args.plot:
        print(f"nncheck: drew {chosen[0].id} to {args.plot}", file=sys.stderr)
    return EXIT_OK if all(o.holds for _, o in results) else EXIT_PROBLEMS


def _claim_text(claim: Any, outcome: Any) -> str:
    """One claim for people: statement, verdict, method and evidence, one fact per line."""
    import textwrap

    verdict = claim.status if outcome.holds else f"DOES NOT HOLD (expected {claim.status})"
    lines = [
        f"{claim.id} — {claim.section}",
        *textwrap.wrap(claim.statement, 96, initial_indent="  ", subsequent_indent="  "),
    ]
    lines += [f"  status:   {verdict}"]
    lines += textwrap.wrap(
        claim.method, 96, initial_indent="  method:   ", subsequent_indent=" " * 12
    )
    lines.append("  evidence:")
    for key, value in outcome.evidence.items():
        lines.append(f"    {key}: {value}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# demo


def _cmd_demo(args: argparse.Namespace) -> int:
    from nncheck import examples
    from nncheck.loader import LoadError, load_target

    out = sys.stdout
    runs: list[dict[str, Any]] = []
    as_json = bool(args.json)
    for label, path, expect_ok in (
        ("correct", examples.CORRECT, True),
        ("buggy", examples.BUGGY, False),
    ):
        for command in ("conform", "gradcheck"):
            if not as_json:
                what = "correct" if expect_ok else f"planted mistake: {examples.BUGGY_MISTAKE}"
                print(f"\n=== nncheck {command} {path.name}  ({what}) ===\n", flush=True)
            with _quiet_user_output(as_json):
                if command == "conform":
                    code = _run_conform(out, str(path), seed=args.seed, emit=not as_json)
                else:
                    try:
                        module = load_target(path)
                    except LoadError as exc:
                        return _fail(str(exc), kind="load", as_json=as_json, out=out)
                    code = _run_gradcheck(
                        out, module, target=str(path), seed=args.seed, emit=not as_json
                    )
            if code == EXIT_ERROR:
                return EXIT_ERROR
            ok = code == EXIT_OK
            runs.append(
                {
                    "example": label,
                    "command": command,
                    "ok": ok,
                    "expected_ok": expect_ok,
                    "as_intended": ok == expect_ok,
                }
            )
    intended = all(run["as_intended"] for run in runs)
    if as_json:
        from nncheck.report import print_json

        print_json({"ok": intended, "seed": args.seed, "runs": runs}, out)
    else:
        print()
        for run in runs:
            outcome = "passed" if run["ok"] else "caught problems"
            mark = "as intended" if run["as_intended"] else "NOT as intended"
            print(f"demo: {run['command']} on the {run['example']} example {outcome} ({mark})")
        lines = examples.BUGGY.read_text(encoding="utf-8").splitlines()
        line = next((i for i, text in enumerate(lines, 1) if "planted mistake" in text), None)
        where = f"{examples.BUGGY}:{line}" if line else str(examples.BUGGY)
        print(f"demo: the planted mistake ({examples.BUGGY_MISTAKE}) is at {where}")
        if intended:
            print(
                "demo: done. The correct file passed and the planted mistake was caught; now "
                "try `nncheck conform your_file.py` and `nncheck gradcheck your_file.py`."
            )
        else:
            print("demo: something did not go as intended; please report it.")
    return EXIT_OK if intended else EXIT_PROBLEMS
