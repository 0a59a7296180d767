"""mypy on tests/typing_cases: exactly the marked errors, and none in the correct files.

Each example line that must fail ends with ``# E: code [code …]``. One mypy run covers every file
(strict mode plus the ``nncheck.shapes.mypy_plugin`` plugin, see tests/typing_cases/mypy.ini); it
uses a fresh cache directory so an old cache can never hide an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

CASES = Path(__file__).parent / "typing_cases"
MARKER = re.compile(r"#\s*E:\s*(?P<codes>[\w\- ]+)\s*$")
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[\w\-]+)\]\s*$")


def _expected() -> set[tuple[str, int, str]]:
    wanted: set[tuple[str, int, str]] = set()
    for path in sorted(CASES.glob("*.py")):
        for lineno, line in enumerate(path.read_text().splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                wanted |= {(path.name, lineno, code) for code in match["codes"].split()}
    return wanted


def test_mypy_reports_exactly_the_marked_errors(tmp_path: Path) -> None:
    files = sorted(str(p) for p in CASES.glob("*.py"))
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(CASES / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--no-error-summary",
            "--hide-error-context",
            *files,
        ]
    )
    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    got: set[tuple[str, int, str]] = set()
    for line in stdout.splitlines():
        match = ERROR.match(line)
        if match:
            got.add((Path(match["file"]).name, int(match["line"]), match["code"]))
        else:
            assert ": note:" in line or not line.strip(), f"unparsed mypy output: {line}"
    expected = _expected()
    assert got - expected == set(), "unexpected errors:\n" + stdout
    assert expected - got == set(), "missing errors:\n" + stdout
    assert status == 1  # errors were found (the mistakes files)
    clean = {"correct_layers.py"}
    assert not {g for g in got if g[0] in clean}


def test_cases_cover_the_classic_mistakes() -> None:
    codes = {code for _, _, code in _expected()}
    assert {"operator", "return-value", "arg-type", "nncheck-rank1"} <= codes
