"""How long ``nncheck.conform`` takes on a correct week-4 implementation, with default settings.

Run from the repository root::

    python benchmarks/conform.py            # 5 runs in-process + 3 cold runs (fresh interpreter)
    python benchmarks/conform.py --runs 10 --target path/to/week4.py

The requirement is < 10 s for the whole suite on a correct week-4 file. "cold" includes starting
Python and importing nncheck and numpy (what ``nncheck conform file.py`` pays); "warm" is the
``conform`` call alone, with a fresh random seed each run (as by default).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = ROOT / "tests" / "corpus" / "w4_correct_course.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=str(DEFAULT_TARGET))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()

    cold = []
    code = (
        "import sys; from nncheck.conformance import conform; "
        f"r = conform({args.target!r}); sys.exit(0 if r.ok else 1)"
    )
    for _ in range(args.cold_runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        cold.append(time.perf_counter() - start)

    from nncheck.conformance import conform

    warm = []
    checks = 0
    for _ in range(args.runs):
        start = time.perf_counter()
        report = conform(args.target)
        warm.append(time.perf_counter() - start)
        if not report.ok:
            print(report)
            return 1
        checks = len(report.findings)

    print(f"target: {args.target}")
    print(f"findings per run: {checks}")
    if cold:
        print(
            f"cold (fresh python, imports included): median {statistics.median(cold):.2f} s, "
            f"max {max(cold):.2f} s over {len(cold)} runs"
        )
    print(
        f"warm (conform call only): median {statistics.median(warm):.2f} s, "
        f"max {max(warm):.2f} s over {len(warm)} runs"
    )
    print("requirement: < 10 s  ->", "met" if max(cold + warm) < 10 else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
