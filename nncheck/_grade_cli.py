"""``nncheck grade``: its arguments and the command (the grading itself is :mod:`nncheck.grade`).

Importing this module imports only the standard library (``nncheck --help`` stays fast).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from nncheck._frontdoor import CONVENTIONS, add_limits, positive, seed
from nncheck.errors import EXIT_ERROR, EXIT_OK

__all__ = ["add_grade_parser"]

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


def add_grade_parser(sub: Any, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``grade`` to the subcommands ``sub`` of ``nncheck``."""
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
        type=positive,
        default=os.cpu_count() or 1,
        help="submissions checked at a time (default: CPU count)",
    )
    grade.add_argument(
        "--seed", type=seed, default=0, help="seed (default 0: a re-run gives the same verdicts)"
    )
    grade.add_argument(
        "--convention",
        choices=("auto", *CONVENTIONS),
        default="auto",
        help="the course convention of every submission (default: detect each)",
    )
    grade.add_argument(
        "--defs-only",
        action="store_true",
        help="run only imports and definitions of each file (skip training, plotting, ...)",
    )
    grade.add_argument(
        "--allow-missing",
        action="store_true",
        help="do not fail a submission for leaving out a function of its assignment (by default "
        "it fails, as with conform --require-all)",
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
    add_limits(grade)
    grade.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    """`nncheck grade`: grade the submissions, write their records, summarise the class."""
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
                require_all=not args.allow_missing,
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
