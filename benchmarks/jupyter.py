"""What isolation costs in a notebook: ``nncheck.check`` (forked child, one check at a time)
against ``nncheck.conform`` run in the kernel itself, on a correct week-4 notebook.

Run from the repository root (needs the dev extras: nbclient, nbformat, ipykernel)::

    python benchmarks/jupyter.py            # 5 runs of each, in one real kernel
    python benchmarks/jupyter.py --runs 10

Both run the same checks with the same seeds inside one kernel started by nbclient; the first call
of each is left out (imports). Also printed: the wall time of one ``%nncheck`` cell as the
notebook's own execution timestamps record it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "corpus" / "w4_correct_course.py"

_TIMING = """\
import json, statistics, time
import nncheck, nncheck._jupyter

def _median(run):
    times = []
    for seed in range({runs} + 1):
        start = time.perf_counter()
        report = run(seed)
        times.append(time.perf_counter() - start)
        assert report.ok, report
    return statistics.median(times[1:])

print(json.dumps({{
    "check": _median(lambda s: nncheck.check(seed=s)),
    "conform_in_kernel": _median(
        lambda s: nncheck.conform(nncheck._jupyter.namespace_module(globals()), seed=s)
    ),
}}))
"""


def main() -> int:
    import nbclient
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    functions = re.split(r"\n(?=def )", SOURCE.read_text())
    cells = ["%load_ext nncheck", *functions, "%nncheck --seed 0", _TIMING.format(runs=args.runs)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    total = time.perf_counter() - start
    magic = nb.cells[-2].metadata["execution"]
    began = datetime.datetime.fromisoformat(magic["iopub.execute_input"].replace("Z", "+00:00"))
    ended = datetime.datetime.fromisoformat(magic["shell.execute_reply"].replace("Z", "+00:00"))
    medians = json.loads(nb.cells[-1].outputs[0].text)
    print(f"correct week-4 notebook ({SOURCE.name}), {args.runs} runs after a warm-up run")
    print(f"  nncheck.check (forked child)      median {medians['check']:.2f} s")
    print(f"  nncheck.conform in the kernel     median {medians['conform_in_kernel']:.2f} s")
    print(f"  first %nncheck cell (cold)        {(ended - began).total_seconds():.2f} s")
    print(f"  whole notebook incl. kernel start {total:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
