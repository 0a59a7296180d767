"""The corpus: every buggy learner file is caught with its expected diagnosis; no correct file is
ever flagged (20 seeds each)."""

from __future__ import annotations

import ast
import zlib
from pathlib import Path
from typing import Any

import pytest

from nncheck.conformance import conform
from nncheck.diagnose import CATALOGUE, Mistake

CORPUS = Path(__file__).parent / "corpus"


def _expected(path: Path) -> dict[str, Any]:
    # the EXPECTED line alone: a corpus file may hold what only defs-only loading accepts
    # (IPython magics, a latin-1 coding line)
    lines = path.read_bytes().decode("latin-1").splitlines()
    tree = ast.parse("\n".join(line for line in lines if line.startswith("EXPECTED = ")))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "EXPECTED" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, dict)
            return value
    raise AssertionError(f"{path.name} declares no EXPECTED")


FILES = sorted(p for p in CORPUS.glob("*.py") if not p.name.startswith("_"))
BUGGY = [p for p in FILES if not _expected(p).get("correct")]
CORRECT = [p for p in FILES if _expected(p).get("correct")]


def test_corpus_is_big_enough() -> None:
    weeks = {p.name.split("_")[0] for p in BUGGY}
    assert len(BUGGY) >= 30, len(BUGGY)
    assert len(CORRECT) >= 8, len(CORRECT)
    assert {"w2", "w3", "w4", "c2"} <= weeks
    # and every buggy file expects a mistake of the catalogue, of a function it defines
    for path in BUGGY:
        expected = _expected(path)
        assert Mistake(expected["mistake"]) in CATALOGUE, path.name
        assert f"def {expected['function']}(" in path.read_text(), path.name


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.stem)
def test_bug_is_caught_with_its_diagnosis(path: Path) -> None:
    expected = _expected(path)
    seed = zlib.crc32(path.name.encode()) % 1000  # a different, fixed seed for every file
    report = conform(path, seed=seed, defs_only=True)
    assert not report.ok, f"{path.name}: no check failed\n{report}"
    hits = [
        f
        for f in report.failures
        if f.function == expected["function"] and f.mistake == expected["mistake"]
    ]
    assert hits, (
        f"{path.name}: expected {expected}, got "
        f"{[(f.function, f.check, f.mistake) for f in report.failures]}\n{report}"
    )
    assert all(h.diagnosis for h in hits)
    # the example of a failure is reproducible: it names the seed
    assert any(h.example and h.example.get("seed") == seed for h in hits)


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_file_never_flagged(path: Path) -> None:
    for seed in range(20):
        report = conform(path, seed=seed, defs_only=True)
        assert report.ok, f"false alarm on {path.name}, seed {seed}:\n{report}"
        checked = [f for f in report.findings if f.status == "pass"]
        # a file may define only its training functions (week 4's "Application" notebook)
        defined = {f.function for f in report.findings if f.check != "missing"}
        assert {f.function for f in checked} == defined, f"{path.name}: unchecked\n{report}"
        assert len(checked) >= min(5, len(defined)), (
            f"{path.name}: too little was checked\n{report}"
        )


def test_require_all_never_requires_a_helper_the_course_ships() -> None:
    """Week 4's step-by-step notebook imports sigmoid, relu and their backward passes from
    dnn_utils: --require-all must not fail a complete file for not writing them."""
    path = CORPUS / "w4_correct_sqrt_init_main_block.py"
    assert "from dnn_utils_v2 import sigmoid" in path.read_text()
    report = conform(path, seed=2, defs_only=True, require_all=True)
    assert report.ok, report
    helpers = {f.function for f in report.findings if f.check == "missing"}
    assert helpers == {"sigmoid", "relu", "sigmoid_backward", "relu_backward"}
