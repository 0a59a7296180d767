"""A course function the file does not define is reported as missing; ``require_all`` (the CLI's
``--require-all``) counts it as a failure when it belongs to an assignment the file starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nncheck.cli import EXIT_OK, EXIT_PROBLEMS, main
from nncheck.conformance import conform

CORPUS = Path(__file__).parent / "corpus"
WEEK4 = CORPUS / "w4_correct_course.py"  # the step-by-step functions, no training functions


def without(path: Path, function: str, folder: Path) -> Path:
    """A copy of ``path`` in ``folder`` that no longer defines ``function``."""
    source = path.read_text()
    assert f"def {function}(" in source
    copy = folder / path.name
    copy.write_text(source.replace(f"def {function}(", f"def _not_{function}("))
    return copy


def test_a_function_not_defined_is_reported_missing_and_skipped() -> None:
    report = conform(WEEK4, seed=1)
    assert report.ok
    missing = {f.function: f for f in report.findings if f.check == "missing"}
    assert set(missing) == {"two_layer_model", "L_layer_model"}
    assert all(f.status == "skip" and f.mistake == "missing" for f in missing.values())
    assert "L_layer_model is missing" in missing["L_layer_model"].message


def test_require_all_makes_a_missing_function_a_failure(tmp_path: Path) -> None:
    assert conform(WEEK4, seed=1, require_all=True).ok  # the Application's functions: not asked
    report = conform(without(WEEK4, "update_parameters", tmp_path), seed=1, require_all=True)
    assert not report.ok
    assert {(f.function, f.check) for f in report.failures} == {("update_parameters", "missing")}
    complete = conform(CORPUS / "w4_correct_training.py", seed=1, defs_only=True, require_all=True)
    assert complete.ok, complete


def test_cli_require_all(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    partial = str(without(WEEK4, "update_parameters", tmp_path))
    assert main(["conform", partial, "--seed", "1", "--json"]) == EXIT_OK
    capsys.readouterr()
    code = main(["conform", partial, "--seed", "1", "--json", "--require-all"])
    data = json.loads(capsys.readouterr().out)
    assert code == EXIT_PROBLEMS
    failing = [f for f in data["findings"] if f["status"] == "fail"]
    assert {f["function"] for f in failing} == {"update_parameters"}
    assert all(f["mistake"] == "missing" for f in failing)
