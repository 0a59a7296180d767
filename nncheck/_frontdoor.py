"""What the front doors share: argument parsing and validation (the command line, ``%nncheck``).

Importing this module imports only the standard library (``nncheck --help`` stays fast).
"""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import NoReturn

__all__ = [
    "Parser",
    "UsageExit",
    "add_limits",
    "dims",
    "fresh_seed",
    "positive",
    "rename",
    "seconds",
    "seed",
]


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
