"""What the front doors share: argument parsing and validation (the command line, ``%nncheck``).

Importing this module imports only the standard library (``nncheck --help`` stays fast).
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

__all__ = [
    "CONVENTIONS",
    "HIDDEN_ACTIVATIONS",
    "PROTOCOLS",
    "Parser",
    "UsageExit",
    "add_limits",
    "check_renames",
    "dims",
    "fresh_seed",
    "positive",
    "rename",
    "seconds",
    "seed",
]


CONVENTIONS = ("week4", "week3", "week2", "course2", "generic")
"""The choices of ``--convention`` after ``auto``: the registry's conventions, spelled out so
that ``nncheck --help`` imports no numpy (tests/test_conventions_registry.py checks they agree)."""

PROTOCOLS = ("week4", "canonical", "course2", "course2_1d", "week3", "week2", "generic")
"""The choices of ``gradcheck --protocol`` after ``auto``, in detection order (checked the same
way against :data:`nncheck.conventions.PROTOCOLS`)."""

HIDDEN_ACTIVATIONS = ("tanh", "relu")
"""The choices of ``conform --hidden-activation``: the ``VARIANTS`` of the conventions that have
them (checked the same way)."""


class UsageExit(Exception):
    """Raised by :class:`Parser` instead of exiting: the usage and the message are printed."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors print usage and the message, then raise
    :class:`UsageExit` (the command line returns exit 2; ``%nncheck`` returns)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise UsageExit(message)


def dims(text: str) -> tuple[int, ...]:
    """``--dims 5,4,3,1``: every layer width."""
    from nncheck._arrays import parse_dims

    try:
        return parse_dims(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--dims {text!r}: ")) from None


def positive(text: str) -> int:
    """A whole number of at least 1 (``--m``, ``--memory``, ``--workers``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed(text: str) -> int:
    """``--seed``: a whole number of 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def seconds(text: str) -> float:
    """``--timeout``: a finite number of seconds, more than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def rename(text: str) -> tuple[str, str]:
    """``--rename COURSE=YOURS``: the person's name for a course function."""
    course, sep, yours = text.partition("=")
    if not sep or not course.strip().isidentifier() or not yours.strip().isidentifier():
        raise argparse.ArgumentTypeError(
            f"{text!r}: write COURSE_NAME=YOUR_NAME, e.g. --rename L_model_forward=forward"
        )
    return course.strip(), yours.strip()


def check_renames(
    target: str, defs_only: bool, convention: str, renames: Mapping[str, str]
) -> str | tuple[str, str, str | None]:
    """``--rename``, checked in the runner's child (where the file is loaded): the convention
    (given, or detected with the renames applied; "auto" when none fits), or why the file
    cannot be loaded or ``--rename`` used (kind, message, load kind)."""
    from nncheck.loader import LoadError, load_target
    from nncheck.report import DEFS_ONLY_OPTION

    try:
        module = load_target(target, defs_only=defs_only)
    except LoadError as exc:
        return "load", exc.worded(DEFS_ONLY_OPTION), exc.kind
    chosen = convention if convention != "auto" else _detect_with_renames(module, renames)
    problem = _rename_problem(module, chosen, renames)
    return chosen if problem is None else ("usage", problem, None)


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


def add_limits(parser: argparse.ArgumentParser) -> None:
    """--timeout and --memory: the limits of the child process that runs the person's code."""
    from nncheck.runner import DEFAULT_TIMEOUT

    parser.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time each of your functions' checks may take (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--memory",
        type=positive,
        default=None,
        metavar="MB",
        help="memory your code may use, in MB (address-space limit; Linux only)",
    )


def fresh_seed() -> int:
    """A seed for a run without ``--seed`` (recorded in its report)."""
    return secrets.randbelow(2**32)
