"""What isolation costs, and how fast ``nncheck grade`` gets through a class.

Run from the repository root::

    python benchmarks/isolation.py              # 40 course files, side by side
    python benchmarks/isolation.py --n 20       # fewer files
    python benchmarks/isolation.py --timings    # per-function check times (the default timeout)

Side by side, on the same ``--n`` files of tests/corpus (small week 2/3/4 and course-2
learner files; they import the course's helpers, so every run is defs-only), seed 0:

- in-process ``conform`` in one interpreter (the library's default, no isolation);
- isolated ``run_conform`` in the same interpreter (a fresh warm child per file): the
  difference per file is the overhead of isolation;
- ``nncheck grade FOLDER --workers 1`` and ``--workers 2`` (one command, children forked warm);
- a shell loop of ``nncheck conform FILE --seed 0 --defs-only --json`` (an interpreter
  start per file).

``--timings`` runs every function's checks of tests/corpus and tests/cli_models in-process,
after the imports a warm worker has, and prints the slowest (what the default ``--timeout``
is weighed against).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timings() -> None:
    from nncheck import runner
    from nncheck.conformance import plan

    runner._warm()  # what a worker has imported before it runs anything (as in the runner)

    rows = []
    files = sorted(glob.glob(str(ROOT / "tests/corpus/*.py")))
    files += sorted(glob.glob(str(ROOT / "tests/cli_models/*.py")))
    for path in files:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                planned = plan(path, seed=0, defs_only=True)
        except Exception:
            continue
        per: dict[str, float] = defaultdict(float)
        ok: dict[str, bool] = defaultdict(lambda: True)
        with contextlib.redirect_stdout(io.StringIO()):
            for item in planned.items:
                start = time.perf_counter()
                finding = item.run()
                per[item.function] += time.perf_counter() - start
                ok[item.function] &= finding.status != "fail"
        rows += [(s, ok[f], Path(path).name, f) for f, s in per.items()]
    rows.sort(reverse=True)
    print(f"{len(rows)} functions of {len(files)} files; slowest:")
    for seconds, passed, name, function in rows[:8]:
        print(f"  {seconds:6.3f} s  {'correct' if passed else 'failing'}  {name}  {function}")
    slowest = max(s for s, passed, _, _ in rows if passed)
    print(f"slowest correct function: {slowest:.2f} s -> 10x = {10 * slowest:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--timings", action="store_true")
    args = parser.parse_args()
    if args.timings:
        timings()
        return 0

    from nncheck import conform, runner

    corpus = sorted(glob.glob(str(ROOT / "tests/corpus/*.py")))[: args.n]
    folder = Path(tempfile.mkdtemp(prefix="nncheck-class-"))
    for path in corpus:
        shutil.copy(path, folder)
    files = sorted(str(p) for p in folder.glob("*.py"))
    quiet = open(os.devnull, "w")
    runner._warm()
    results: dict[str, float] = {}

    start = time.perf_counter()
    with contextlib.redirect_stdout(quiet):
        for f in files:
            conform(f, seed=0, defs_only=True)
    results["in-process conform (one interpreter)"] = time.perf_counter() - start

    start = time.perf_counter()
    with contextlib.redirect_stdout(quiet):
        for f in files:
            runner.run_conform(f, seed=0, defs_only=True)
    results["isolated run_conform (one interpreter)"] = time.perf_counter() - start

    for workers in (1, 2):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "nncheck",
                "grade",
                str(folder),
                "--workers",
                str(workers),
                "--defs-only",
                "--out",
                str(folder / f"grades{workers}.jsonl"),
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        results[f"nncheck grade --workers {workers}"] = time.perf_counter() - start

    loop = (
        "for f in "
        + " ".join(files)
        + "; do nncheck conform $f --seed 0 --defs-only --json >/dev/null; done"
    )
    start = time.perf_counter()
    subprocess.run(["bash", "-c", loop], check=False, stderr=subprocess.DEVNULL)
    results["shell loop of nncheck conform"] = time.perf_counter() - start

    n = len(files)
    print(
        f"{n} files of tests/corpus, seed 0, {os.cpu_count()} CPU(s), "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for label, seconds in results.items():
        cores = 2 if "workers 2" in label else 1
        rate = n / seconds * 60 / cores
        print(
            f"  {label:<42} {seconds:7.1f} s  {seconds / n:6.3f} s/file  "
            f"{rate:6.0f} submissions/min/core"
        )
    overhead = (
        results["isolated run_conform (one interpreter)"]
        - results["in-process conform (one interpreter)"]
    ) / n
    print(f"isolation overhead per target: {overhead * 1000:.0f} ms")
    loop_time = results["shell loop of nncheck conform"]
    print(f"grade --workers 2 / shell loop: {results['nncheck grade --workers 2'] / loop_time:.2f}")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
