"""A convention of several assignments (course 2's Gradient Checking and Initialization, week 4's
Step by Step and Application): ``--require-all`` (conform and grade) asks a file for every
function of the assignment it starts, never for another assignment's; and a helper the course
ships is said to be used by the person's functions only when one of them uses it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nncheck.cli import EXIT_OK, EXIT_PROBLEMS, main
from nncheck.conformance import conform
from nncheck.conventions import registry

CORPUS = Path(__file__).parent / "corpus"
INITIALIZATION = CORPUS / "c2_correct_init_model.py"  # zeros/random/he and model, nothing else
GRADIENT_CHECKING = CORPUS / "c2_correct_one_dimensional.py"  # 1-D and N-D parts, gc_utils imported
TIMEOUT = "30"


def without(path: Path, function: str, folder: Path) -> Path:
    """A copy of ``path`` in ``folder`` that no longer defines ``function``."""
    source = path.read_text()
    assert f"def {function}(" in source
    copy = folder / path.name
    copy.write_text(source.replace(f"def {function}(", f"def _not_{function}("))
    return copy


def test_every_function_belongs_to_exactly_one_assignment() -> None:
    several = {c.name: c for c in registry().values() if c.assignments}
    assert set(several) == {"week4", "course2"}
    for c in several.values():
        listed = [f for functions in c.assignments.values() for f in functions]
        assert sorted(listed) == sorted(c.functions), c.name


def conform_json(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, Any]]:
    code = main(["conform", str(path), "--defs-only", "--require-all", "--seed", "3", "--json"])
    return code, json.loads(capsys.readouterr().out)


def grade_record(
    capsys: pytest.CaptureFixture[str], path: Path, *options: str
) -> tuple[int, dict[str, Any]]:
    # grade asks for every function of the assignment unless told --allow-missing
    options = ("--defs-only", "--workers", "1", "--timeout", TIMEOUT, *options)
    code = main(["grade", str(path), *options])
    out = capsys.readouterr().out
    (record,) = [json.loads(line) for line in out.splitlines()]
    return code, record


@pytest.mark.parametrize(
    ("path", "this", "other"),
    [
        (INITIALIZATION, "Initialization", "gradient_check_n"),
        (GRADIENT_CHECKING, "Gradient Checking", "model"),
    ],
)
def test_a_file_of_one_assignment_passes_and_the_other_is_noted(
    capsys: pytest.CaptureFixture[str], path: Path, this: str, other: str
) -> None:
    code, data = conform_json(capsys, path)
    assert code == EXIT_OK, data
    findings = {f["function"]: f for f in data["findings"]}
    assert findings[other]["status"] == "skip"
    assert (
        findings[other]["message"] == f"{other} is not checked: this file is the {this} assignment"
    )
    code, record = grade_record(capsys, path)
    assert code == EXIT_OK and record["status"] == "graded" and record["ok"] is True, record


def test_a_gradient_checking_file_without_gradient_check_n_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    partial = without(GRADIENT_CHECKING, "gradient_check_n", tmp_path)
    code, data = conform_json(capsys, partial)
    assert code == EXIT_PROBLEMS
    failing = [f for f in data["findings"] if f["status"] == "fail"]
    assert [(f["function"], f["check"]) for f in failing] == [("gradient_check_n", "missing")]
    _, record = grade_record(capsys, partial)
    assert record["ok"] is False
    assert [f["function"] for f in record["findings"] if f["status"] == "fail"] == [
        "gradient_check_n"
    ]
    _, record = grade_record(capsys, partial, "--allow-missing")
    assert record["ok"] is True, record


def test_a_file_starting_both_assignments_is_asked_for_both(tmp_path: Path) -> None:
    both = tmp_path / "both.py"
    both.write_text(
        INITIALIZATION.read_text()
        + "\n\ndef gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):\n    return 0.0\n"
    )
    report = conform(both, seed=3, defs_only=True, require_all=True)
    missing = {f.function for f in report.failures if f.check == "missing"}
    assert missing == {
        "forward_propagation",
        "backward_propagation",
        "gradient_check",
        "forward_propagation_n",
        "backward_propagation_n",
    }
    assert not any("is not checked" in f.message for f in report.findings)


def test_the_week4_application_is_not_asked_for_the_step_functions() -> None:
    report = conform(CORPUS / "w4_correct_application.py", seed=3, defs_only=True, require_all=True)
    assert report.ok, report
    notes = {f.function: f.message for f in report.findings if f.check == "missing"}
    assert notes["L_model_backward"] == (
        "L_model_backward is not checked: this file is the Application assignment"
    )


def test_a_shipped_helper_is_said_to_be_used_only_when_it_is() -> None:
    used = conform(GRADIENT_CHECKING, seed=3, defs_only=True, require_all=True)
    notes = {f.function: f.message for f in used.findings if f.check == "missing"}
    assert notes["dictionary_to_vector"] == (
        "dictionary_to_vector is missing: the file does not define it (the course ships it; "
        "your gradient_check_n uses it)"
    )
    # an Initialization file: no function of its uses the gc_utils helpers nncheck provides
    unused = conform(INITIALIZATION, seed=3, defs_only=True)
    notes = {f.function: f.message for f in unused.findings if f.check == "missing"}
    assert notes["dictionary_to_vector"] == (
        "dictionary_to_vector is missing: the file does not define it (the course ships it)"
    )


def test_grade_fails_a_file_that_leaves_out_functions_unless_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    partial = Path(__file__).parent / "cli_models" / "week2_correct.py"  # no optimize, model, …
    _, record = grade_record(capsys, partial)
    assert record["ok"] is False
    missing = {f["function"] for f in record["findings"] if f["check"] == "missing"}
    assert {"optimize", "model"} <= missing
    assert all(f["status"] == "fail" for f in record["findings"] if f["check"] == "missing")
    _, record = grade_record(capsys, partial, "--allow-missing")
    assert record["ok"] is True, record
