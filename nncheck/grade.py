"""``nncheck grade``: conform a whole class of submissions, each isolated, into JSON Lines.

A submission is a ``.py`` file, a ``.ipynb`` notebook, or a folder holding one (the notebook,
else the ``.py`` file that defines the most of the course's function names). Each submission is
checked by :func:`nncheck.runner.run_conform` in its own fresh warm child, ``workers`` at a
time; its record holds exactly what ``nncheck conform FILE --seed S --json`` reports.

Records are written one line at a time and flushed, so an interrupted run leaves valid JSON
Lines and ``resume`` picks up where it stopped (a record is skipped when one with the same
submission path and content hash exists). ``shard=(i, k)`` keeps the submissions whose path
hashes to part ``i`` of ``k`` (1-based), so a scheduler's job array spreads a class.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = [
    "Submission",
    "class_summary",
    "find_submissions",
    "grade",
    "gradescope_results",
    "in_shard",
    "read_records",
    "render",
    "to_csv",
]

_SOURCES = (".py", ".ipynb")


@dataclass(frozen=True)
class Submission:
    """One learner's work: the path given (file or folder) and the file that gets checked."""

    path: str
    file: str | None
    sha256: str
    problem: str | None = None


def _digest(paths: Iterable[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _markers() -> tuple[str, ...]:
    from nncheck import conventions

    return tuple(
        name for c in conventions.CONVENTIONS for name in conventions.convention_module(c).FUNCTIONS
    )


def _pick(folder: Path) -> tuple[str | None, str | None]:
    """The file of a folder submission, or why there is none (never imports anything)."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if len(notebooks) == 1:
        return str(notebooks[0]), None
    sources = sorted(folder.rglob("*.py")) or notebooks
    if not sources:
        return None, f"{folder} holds no .py or .ipynb file"
    names = "|".join(map(re.escape, _markers()))
    pattern = re.compile(rf"^\s*def\s+({names})\s*\(", re.M)

    def score(p: Path) -> int:
        try:
            return len(set(pattern.findall(p.read_text(encoding="utf-8", errors="replace"))))
        except OSError:
            return 0

    best = max(sources, key=score)
    return str(best), None


def find_submissions(paths: Sequence[str]) -> list[Submission]:
    """Files are one submission each; a folder's entries (files or sub-folders) are each one."""
    found: list[Submission] = []
    for given in paths:
        p = Path(given)
        if p.is_file():
            found.append(Submission(given, given, _digest([p], p.parent)))
        elif p.is_dir():
            for entry in sorted(p.iterdir()):
                if entry.name.startswith("."):
                    continue
                if entry.is_file() and entry.suffix in _SOURCES:
                    found.append(Submission(str(entry), str(entry), _digest([entry], p)))
                elif entry.is_dir():
                    files = [f for f in entry.rglob("*") if f.is_file()]
                    chosen, problem = _pick(entry)
                    found.append(Submission(str(entry), chosen, _digest(files, entry), problem))
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")
    return found


def in_shard(submission: Submission, shard: tuple[int, int] | None) -> bool:
    """Whether ``submission`` belongs to part ``i`` of ``k`` (by a hash of its path: stable,
    disjoint, covering)."""
    if shard is None:
        return True
    i, k = shard
    digest = hashlib.sha256(submission.path.encode()).digest()
    return int.from_bytes(digest[:8], "big") % k == i - 1


def read_records(path: str) -> list[dict[str, Any]]:
    """The complete records of a JSON Lines file; a torn last line (a killed run) is cut off."""
    if not os.path.exists(path):
        return []
    records: list[dict[str, Any]] = []
    with open(path, "rb+") as fh:
        data = fh.read()
        keep = len(data)
        for line in data.splitlines(keepends=True):
            try:
                records.append(json.loads(line))
            except ValueError:
                keep = data.index(line)
                break
        if keep < len(data):
            fh.truncate(keep)
    return records


def _record(
    submission: Submission,
    *,
    seed: int,
    convention: str,
    defs_only: bool,
    timeout: float,
    memory_mb: int | None,
    require_all: bool = True,
) -> dict[str, Any]:
    """What ``nncheck conform FILE --seed S --json`` says, plus the submission's identity."""
    from nncheck.loader import LoadError
    from nncheck.report import DEFS_ONLY_OPTION, json_line
    from nncheck.runner import run_conform

    start = time.monotonic()
    head: dict[str, Any] = {"submission": submission.path, "sha256": submission.sha256}
    if submission.file is not None and submission.file != submission.path:
        head["file"] = submission.file

    def failed(status: str, kind: str, message: str) -> dict[str, Any]:
        error = {"kind": kind, "message": message}
        return {**head, "status": status, "ok": False, "error": error, "seconds": _since(start)}

    if submission.file is None:
        return failed("load_error", "not_found", submission.problem or "no file to check")
    try:
        report = run_conform(
            submission.file,
            convention=convention,
            seed=seed,
            defs_only=defs_only,
            timeout=timeout,
            memory_mb=memory_mb,
            rename_hint="or rename them with --rename COURSE=YOURS",
            require_all=require_all,
        )
    except LoadError as exc:
        return failed("load_error", "load", exc.worded(DEFS_ONLY_OPTION))
    except ValueError as exc:
        return failed("usage_error", "usage", str(exc))
    data = report.to_dict()
    data["target"] = submission.file
    if report.convention == "none":
        message = "; ".join(f.message for f in report.failures)
        return failed("usage_error", "usage", f"{submission.file}: {message}")
    record = {**head, "status": "graded", **data, "seconds": _since(start)}
    return dict(json.loads(json_line(record)))  # JSON-safe: NaN as null, like conform --json


def _since(start: float) -> float:
    return round(time.monotonic() - start, 3)


def grade(
    submissions: Sequence[Submission],
    *,
    write: Callable[[dict[str, Any]], None],
    workers: int = 1,
    seed: int = 0,
    convention: str = "auto",
    defs_only: bool = False,
    timeout: float,
    memory_mb: int | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    require_all: bool = True,
) -> list[dict[str, Any]]:
    """Grade ``submissions`` with ``workers`` children at a time; ``write`` each record as it
    is done (in the calling thread); return the records. ``require_all`` (the default): a function
    of the assignment a file starts that it does not define fails it (``conform
    --require-all``)."""
    from nncheck import runner

    runner._warm()  # before any thread starts: the children fork from a warm, quiet parent
    queue: Iterator[Submission] = iter(list(submissions))
    lock = threading.Lock()
    done: list[dict[str, Any]] = []
    finished = threading.Condition()
    pending: list[dict[str, Any]] = []

    def lane() -> None:
        while True:
            with lock:
                submission = next(queue, None)
            if submission is None:
                return
            record = _record(
                submission,
                seed=seed,
                convention=convention,
                defs_only=defs_only,
                timeout=timeout,
                memory_mb=memory_mb,
                require_all=require_all,
            )
            with finished:
                pending.append(record)
                finished.notify()

    lanes = [
        threading.Thread(target=lane, name=f"nncheck-grade-{i}", daemon=True)
        for i in range(max(1, min(workers, len(submissions))))
    ]
    for t in lanes:
        t.start()
    while len(done) < len(submissions):
        with finished:
            while not pending:
                finished.wait(0.2)
            batch, pending[:] = list(pending), []
        for record in batch:
            write(record)
            done.append(record)
            if on_done is not None:
                on_done(record)
    return done


# --------------------------------------------------------------------------------------------
# renderers


def class_summary(records: Iterable[Mapping[str, Any]], *, top: int = 3) -> str:
    """Per function: how many submissions pass it, and the most common diagnoses."""
    records = list(records)
    graded = [r for r in records if r.get("status") == "graded"]
    lines = [
        f"class summary: {len(records)} submission(s), {len(graded)} graded, "
        f"{sum(1 for r in graded if r.get('ok'))} passing every check, "
        f"{len(records) - len(graded)} not loaded"
    ]
    passed: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    mistakes: dict[str, Counter[str]] = {}
    for r in graded:
        by_function: dict[str, bool] = {}
        wrong: dict[str, set[str]] = {}
        for f in r.get("findings", []):
            name = f["function"]
            by_function[name] = by_function.get(name, True) and f["status"] != "fail"
            if f["status"] == "fail":
                wrong.setdefault(name, set()).add(f.get("mistake") or "unexplained")
        for name, ok in by_function.items():
            seen[name] += 1
            passed[name] += ok
            for m in wrong.get(name, ()):
                mistakes.setdefault(name, Counter())[m] += 1
    if seen:
        width = max(len(n) for n in seen)
        lines.append(f"  {'function':<{width}}  pass rate   most common diagnoses")
    for name in seen:
        rate = f"{passed[name]}/{seen[name]}"
        common = ", ".join(f"{m} ({n})" for m, n in mistakes.get(name, Counter()).most_common(top))
        lines.append(f"  {name:<{width}}  {rate:>9}   {common or '-'}")
    errors = Counter(r["error"]["kind"] for r in records if r.get("status") != "graded")
    if errors:
        lines.append("  not loaded: " + ", ".join(f"{k} ({n})" for k, n in errors.most_common()))
    return "\n".join(lines)


_CSV_FIELDS = (
    "submission",
    "sha256",
    "status",
    "ok",
    "convention",
    "pass",
    "fail",
    "warn",
    "skip",
    "failing_functions",
    "mistakes",
    "seconds",
    "error",
)


def to_csv(records: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    """One row per submission (a spreadsheet's view of the JSON Lines)."""
    writer = csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        summary = r.get("summary", {})
        failing = [f for f in r.get("findings", []) if f["status"] == "fail"]
        writer.writerow(
            {
                "submission": r["submission"],
                "sha256": r["sha256"],
                "status": r["status"],
                "ok": r["ok"],
                "convention": r.get("convention", ""),
                **{s: summary.get(s, "") for s in ("pass", "fail", "warn", "skip")},
                "failing_functions": " ".join(dict.fromkeys(f["function"] for f in failing)),
                "mistakes": " ".join(dict.fromkeys(f["mistake"] or "unexplained" for f in failing)),
                "seconds": r.get("seconds", ""),
                "error": r.get("error", {}).get("message", ""),
            }
        )


def gradescope_results(record: Mapping[str, Any]) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one submission: one test per function
    (1 point when every check of it passes), the total score, and the messages as output."""
    if record.get("status") != "graded":
        message = record.get("error", {}).get("message", "the submission could not be checked")
        return {
            "score": 0,
            "output": message,
            "tests": [{"name": "load", "score": 0, "max_score": 0, "output": message}],
        }
    tests: dict[str, dict[str, Any]] = {}
    for f in record["findings"]:
        test = tests.setdefault(
            f["function"], {"name": f["function"], "score": 1, "max_score": 1, "output": ""}
        )
        if f["status"] == "fail":
            test["score"] = 0
            lines = [f"{f['check']}: {f['message']}"]
            if f.get("diagnosis"):
                lines.append(f"  diagnosis: {f['diagnosis']}")
            test["output"] += "\n".join(lines) + "\n"
    for test in tests.values():
        if test["score"] == 1:
            test["output"] = "all checks pass"
        test["output"] = test["output"].rstrip("\n")
    # a function that is not defined is skipped by every check: no points either way
    scored = [t for t in tests.values() if not _all_skipped(record, t["name"])]
    return {
        "score": sum(t["score"] for t in scored),
        "output": f"nncheck, convention {record.get('convention')}, seed {record.get('seed')}",
        "tests": scored,
    }


def _all_skipped(record: Mapping[str, Any], function: str) -> bool:
    statuses = {f["status"] for f in record["findings"] if f["function"] == function}
    return statuses == {"skip"}


def render(records: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """The whole output in ``fmt`` (``jsonl``, ``csv`` or ``gradescope``)."""
    if fmt == "csv":
        buffer = io.StringIO()
        to_csv(records, buffer)
        return buffer.getvalue()
    if fmt == "gradescope":
        return json.dumps(gradescope_results(records[0]), indent=2) + "\n"
    return "".join(json.dumps(r) + "\n" for r in records)
