"""``%nncheck``: check the functions of a live IPython or Jupyter kernel.

``%load_ext nncheck`` registers the line magic::

    %nncheck                       # conform: every course function defined so far
    %nncheck linear_backward       # one function (or several names)
    %nncheck gradcheck             # gradients against finite differences of your own cost
    %nncheck --seed 0 --json       # the CLI's options: --seed, --convention, --rename, -v, --json,
                                   # --timeout; gradcheck also --dims, --m, --mode, --protocol

The report is shown as an HTML table in Jupyter and as the CLI's plain text in a terminal
IPython. The magic returns nothing, so it adds no ``_N`` output variable to the notebook; use
``report = nncheck.check()`` in a cell for the report object. IPython is never imported here:
the kernel that loads the extension has it already.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nncheck import _jupyter
from nncheck._frontdoor import Parser, UsageExit, dims, fresh_seed, positive, rename, seconds, seed

if TYPE_CHECKING:
    from nncheck.conformance import ConformanceReport

__all__ = ["load_ipython_extension", "nncheck_magic", "unload_ipython_extension"]

_USAGE_EXAMPLES = """\
examples:
  %nncheck
  %nncheck linear_backward
  %nncheck --seed 0 -v
  %nncheck gradcheck --dims 5,4,3,1 --m 16
  %nncheck --timeout 30

The checks of each function may take --timeout seconds (default {timeout:g}); your notebook
is left unchanged: no name added or rebound, numpy's random state as it was.
"""


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%nncheck`` (called by ``%load_ext nncheck``)."""
    ipython.register_magic_function(nncheck_magic, magic_kind="line", magic_name="nncheck")


def unload_ipython_extension(ipython: Any) -> None:
    """Remove ``%nncheck`` (called by ``%unload_ext nncheck``)."""
    ipython.magics_manager.magics["line"].pop("nncheck", None)


def _parser() -> argparse.ArgumentParser:
    from nncheck.conventions import PROTOCOLS

    parser = Parser(
        prog="%nncheck",
        description="Check the course functions defined in this notebook (conform), or their "
        "gradients (gradcheck), without changing anything in it.",
        epilog=_USAGE_EXAMPLES.format(timeout=_jupyter.DEFAULT_TIMEOUT),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="gradcheck | FUNCTION",
        help="'gradcheck' for the gradient check, or course function names (default: all)",
    )
    parser.add_argument(
        "--convention",
        choices=("auto", *_jupyter.convention_names()),
        default="auto",
        help="which course convention the notebook follows (default: detect from its names)",
    )
    parser.add_argument("--seed", type=seed, help="seed for the drawn examples")
    parser.add_argument(
        "--rename",
        type=rename,
        action="append",
        default=[],
        metavar="COURSE=YOURS",
        help="your name for a course function (repeatable)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show passes too")
    parser.add_argument("--json", action="store_true", help="print JSON (the CLI's schema)")
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=_jupyter.DEFAULT_TIMEOUT,
        help=f"seconds the checks of one function may take (default {_jupyter.DEFAULT_TIMEOUT:g})",
    )
    grad = parser.add_argument_group("gradcheck")
    grad.add_argument("--dims", type=dims, help="every layer width, e.g. 5,4,3,1")
    grad.add_argument("--m", type=positive, help="number of examples (default 8)")
    grad.add_argument("--mode", choices=("auto", "full", "directional"), default="auto")
    grad.add_argument("--protocol", choices=("auto", *PROTOCOLS), default="auto")
    return parser


def nncheck_magic(line: str) -> None:
    """``%nncheck [gradcheck | FUNCTION ...] [options]`` (``%nncheck --help`` lists them)."""
    parser = _parser()
    try:
        args = parser.parse_args(shlex.split(line))
    except (UsageExit, SystemExit):  # usage already printed; --help exits through here
        return
    except ValueError as exc:  # shlex: an unclosed quote
        print(f"%nncheck: error: {exc}", file=sys.stderr)
        return
    namespace = _jupyter.user_namespace()
    if args.words[:1] == ["gradcheck"]:
        if args.words[1:]:
            print("%nncheck: error: gradcheck takes no function names", file=sys.stderr)
            return
        _gradcheck(namespace, args)
    else:
        _conform(namespace, args)


def _conform(namespace: dict[str, Any], args: argparse.Namespace) -> None:
    from nncheck.loader import LoadError
    from nncheck.report import print_json

    convention: Any = args.convention
    if args.rename:
        convention = {"convention": args.convention, **dict(args.rename)}
    try:
        report = _jupyter.check(
            namespace,
            functions=args.words or None,
            convention=convention,
            seed=args.seed,
            timeout=args.timeout,
        )
    except (ValueError, LoadError) as exc:  # an unknown name or convention; a probe that hung
        print(f"%nncheck: {exc}", file=sys.stderr)
        return
    if report.convention == "none":  # nothing of the course's written yet
        print(f"%nncheck: {'; '.join(f.message for f in report.failures)}", file=sys.stderr)
        return
    if args.json:
        print_json(report.to_dict())
        return
    _show(_text(report, verbose=args.verbose), report._repr_html_())


def _text(report: ConformanceReport, *, verbose: bool) -> str:
    """The CLI's text, with the functions not written yet on one line instead of one each."""
    from nncheck.report import conformance_lines

    absent = [
        f.function
        for f in report.findings
        if f.check == "missing" and f.status == "skip" and "not defined yet" in f.message
    ]
    if verbose or not absent:
        return "\n".join(line for line, _ in conformance_lines(report, verbose=verbose))
    rest = tuple(f for f in report.findings if f.function not in absent)
    lines = [line for line, _ in conformance_lines(dataclasses.replace(report, findings=rest))]
    lines.insert(len(lines) - 2, f"  not defined yet: {', '.join(absent)}")
    return "\n".join(lines)


def _gradcheck(namespace: dict[str, Any], args: argparse.Namespace) -> None:
    _, text = _jupyter.run_gradcheck(
        namespace,
        seed=args.seed if args.seed is not None else fresh_seed(),
        dims=args.dims,
        m=args.m,
        mode=args.mode,
        protocol=args.protocol,
        renames=dict(args.rename),
        as_json=args.json,
        timeout=args.timeout,
    )
    if args.json:
        print(text)
        return
    _show(text, f'<pre style="white-space: pre-wrap">{html.escape(text)}</pre>')


def _show(text: str, rich_html: str) -> None:
    """Display text and HTML; the frontend picks (Jupyter: the HTML, a terminal: the text)."""
    from IPython.display import display

    show: Callable[..., None] = display  # IPython's display is untyped
    show({"text/plain": text, "text/html": rich_html}, raw=True)
