"""``nncheck grade``: records equal ``conform --json``, resume, shards, formats, summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from nncheck import grade
from nncheck.cli import main

HERE = Path(__file__).parent
CLASS = {
    "alice.py": HERE / "cli_models" / "week2_correct.py",
    "bob.py": HERE / "corpus" / "w2_bug_dw_missing_m.py",
    "carol.py": HERE / "hostile" / "exit_sys.py",
    "dave.py": HERE / "hostile" / "exit_at_import.py",
}
TIMEOUT = "30"  # no submission here hangs: a generous limit keeps a loaded machine from flaking


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name, source in CLASS.items():
        shutil.copy(source, folder / name)
    erin = folder / "erin"  # a folder submission: the notebook-less one picks the course file
    erin.mkdir()
    shutil.copy(HERE / "cli_models" / "week2_buggy.py", erin / "assignment.py")
    (erin / "helpers.py").write_text("def unrelated():\n    return 1\n")
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["grade", *args, "--timeout", TIMEOUT, "--workers", "2"])
    out, err = capsys.readouterr()
    return code, out, err


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_records_equal_conform_json_and_summary_is_printed(
    capsys: pytest.CaptureFixture[str], course: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "grades.jsonl"
    # alice's file is correct but leaves out model(): --allow-missing grades what is there, as
    # plain conform does (tests/test_assignments.py checks that grade fails it without the option)
    code, _, err = run(capsys, str(course), "--out", str(out_file), "--allow-missing")
    assert code == 0
    got = {Path(r["submission"]).name: r for r in records(out_file)}
    assert set(got) == {"alice.py", "bob.py", "carol.py", "dave.py", "erin"}
    assert got["erin"]["file"].endswith("assignment.py")
    assert got["dave.py"]["status"] == "load_error" and got["dave.py"]["ok"] is False
    assert [got[n]["ok"] for n in ("alice.py", "bob.py", "carol.py")] == [True, False, False]
    for name in ("alice.py", "bob.py", "carol.py"):
        assert main(
            ["conform", str(course / name), "--seed", "0", "--json", "--timeout", TIMEOUT]
        ) in (0, 1)
        alone = json.loads(capsys.readouterr()[0])
        assert got[name]["ok"] == alone["ok"]
        assert got[name]["findings"] == alone["findings"], name
    assert "class summary: 5 submission(s)" in err
    assert "propagate" in err and "missing_1_over_m" in err


def test_resume_never_writes_a_record_twice(
    capsys: pytest.CaptureFixture[str], course: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "grades.jsonl"
    run(capsys, str(course / "alice.py"), "--out", str(out_file))
    with out_file.open("a") as fh:
        fh.write('{"submission": "torn')  # a run killed mid-line
    code, _, err = run(capsys, str(course), "--out", str(out_file), "--resume")
    assert code == 0 and "1 submission(s) already graded" in err
    lines = records(out_file)  # every line parses: the torn one was cut off
    assert sorted(Path(r["submission"]).name for r in lines) == sorted(
        ["alice.py", "bob.py", "carol.py", "dave.py", "erin"]
    )


def test_shards_are_disjoint_and_cover(course: Path) -> None:
    found = grade.find_submissions([str(course)])
    parts = [{s.path for s in found if grade.in_shard(s, (i, 3))} for i in (1, 2, 3)]
    assert set().union(*parts) == {s.path for s in found}
    assert sum(len(p) for p in parts) == len(found)


def test_bad_shard_and_gradescope_of_many_are_usage_errors(
    capsys: pytest.CaptureFixture[str], course: Path
) -> None:
    assert main(["grade", str(course), "--shard", "4/3"]) == 2
    assert run(capsys, str(course), "--format", "gradescope")[0] == 2
    assert main(["grade", str(course / "missing.py")]) == 2


def test_gradescope_results_json(capsys: pytest.CaptureFixture[str], course: Path) -> None:
    code, out, _ = run(capsys, str(course / "bob.py"), "--format", "gradescope")
    assert code == 0
    data = json.loads(out)
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["propagate"]["score"] == 0 and "1/m" in tests["propagate"]["output"]
    assert tests["sigmoid"]["score"] == tests["sigmoid"]["max_score"] == 1
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_csv_has_one_row_per_submission(capsys: pytest.CaptureFixture[str], course: Path) -> None:
    code, out, _ = run(capsys, str(course), "--format", "csv")
    rows = out.strip().splitlines()
    assert code == 0 and rows[0].startswith("submission,sha256,status,ok")
    assert len(rows) == 1 + 5
    carol = next(r for r in rows if "carol.py" in r)
    assert "propagate" in carol and "exit" in carol
