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
from collections.abc import Sequence
from typing import Any, TextIO

from nncheck._frontdoor import (
    CONVENTIONS,
    HIDDEN_ACTIVATIONS,
    PROTOCOLS,
    Parser,
    UsageExit,
    add_limits,
    dims,
    fresh_seed,
    positive,
    rename,
    seed,
)
from nncheck.errors import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS
from nncheck.report import DEFS_ONLY_OPTION, fail, quiet_user_output

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_PROBLEMS", "build_parser", "main"]

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nncheck`` (subcommands gradcheck, conform, specs, claims, demo,
    grade)."""
    from nncheck import __version__
    from nncheck._grade_cli import add_grade_parser

    fmt = argparse.RawDescriptionHelpFormatter
    parser = Parser(prog="nncheck", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"nncheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

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
        type=dims,
        help="every layer width, input and output included: 4,1 (logistic regression), "
        "3,4,1 (one hidden layer), 5,4,3,1 (default for week 4)",
    )
    grad.add_argument(
        "--m", type=positive, default=None, help="number of examples drawn (default 8)"
    )
    grad.add_argument(
        "--seed", type=seed, help="seed for data, parameters and directions (default: fresh)"
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
        choices=("auto", *PROTOCOLS),
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
        choices=("auto", *CONVENTIONS),
        default="auto",
        help="which course convention the file follows (default: detect from its names)",
    )
    conf.add_argument("--seed", type=seed, help="seed for the drawn examples (default: fresh)")
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
    demo.add_argument("--seed", type=seed, default=0, help="seed (default 0)")
    demo.add_argument("--json", action="store_true", help="print JSON")
    demo.set_defaults(handler=_cmd_demo)
    add_grade_parser(sub, fmt)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rename",
        type=rename,
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
    add_limits(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    _tolerant_stdout()
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageExit:
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


# --------------------------------------------------------------------------------------------
# gradcheck


def _cmd_gradcheck(args: argparse.Namespace) -> int:
    from nncheck._gradcheck_report import stopped
    from nncheck.loader import LoadError
    from nncheck.runner import run_gradcheck

    seed = args.seed if args.seed is not None else fresh_seed()
    out = sys.stdout
    if args.plot:
        from nncheck import plots

        if not plots.available():
            return fail(plots.INSTALL_HINT, kind="usage", as_json=args.json, out=out)
        plots.warm()
    with quiet_user_output(args.json):
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
            return fail(
                exc.worded(DEFS_ONLY_OPTION),
                kind="load",
                as_json=args.json,
                out=out,
                load_kind=exc.kind,
            )
    if run.mistake is not None:
        error = {"kind": run.mistake, "message": run.message}
        return stopped(run.message, target=args.model, as_json=args.json, out=out, error=error)
    out.write(run.output)
    return run.code


# --------------------------------------------------------------------------------------------
# conform


def _cmd_conform(args: argparse.Namespace) -> int:
    from nncheck._frontdoor import check_renames
    from nncheck.runner import RunnerEvent, call

    convention: str | dict[str, str] = args.convention
    if args.rename:
        try:
            with quiet_user_output(args.json):
                # the names are checked where the file is loaded: in the runner's child, which
                # detects the convention once (the conform run then takes it as given)
                checked = call(
                    check_renames,
                    args.target,
                    args.defs_only,
                    args.convention,
                    dict(args.rename),
                    timeout=args.timeout,
                    memory_mb=args.memory,
                )
        except RunnerEvent as event:
            message = f"{args.target}: your file {event.detail} while it was being loaded"
            return fail(
                message, kind="load", as_json=args.json, out=sys.stdout, load_kind="runtime"
            )
        if not isinstance(checked, str):
            kind, message, load_kind = checked
            extra: dict[str, Any] = {"load_kind": load_kind} if load_kind else {}
            return fail(message, kind=kind, as_json=args.json, out=sys.stdout, **extra)
        convention = {"convention": checked, **dict(args.rename)}
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
        with quiet_user_output(as_json):
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
        message = exc.worded(DEFS_ONLY_OPTION)
        return fail(message, kind="load", as_json=as_json, out=out, load_kind=exc.kind)
    except ValueError as exc:  # an unknown convention, none that fits (UsageError), a bad option
        return fail(str(exc), kind="usage", as_json=as_json, out=out)
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
            return fail(
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
        return fail("--plot draws one claim: give its ID", kind="usage", as_json=args.json, out=out)
    if args.plot and not plots.available():
        return fail(plots.INSTALL_HINT, kind="usage", as_json=args.json, out=out)
    from nncheck.specs import claims

    chosen = list(claims.CLAIMS.values())
    if args.id is not None:
        wanted = args.id.strip().lower().replace("_", "-").replace(" ", "-")
        try:
            chosen = [claims.get_claim(wanted)]
        except KeyError as exc:
            return fail(exc.args[0], kind="usage", as_json=args.json, out=out)
    if args.plot:
        try:
            plots.save(claims.picture(chosen[0]), args.plot)
        except LookupError as exc:
            return fail(exc.args[0], kind="usage", as_json=args.json, out=out)
        except OSError as exc:
            return fail(
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
    from nncheck._gradcheck_report import check_and_report
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
            with quiet_user_output(as_json):
                if command == "conform":
                    code = _run_conform(out, str(path), seed=args.seed, emit=not as_json)
                else:
                    try:
                        module = load_target(path)
                    except LoadError as exc:
                        message = exc.worded(DEFS_ONLY_OPTION)
                        return fail(message, kind="load", as_json=as_json, out=out)
                    code = check_and_report(
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
