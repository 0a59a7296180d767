"""The README's command-line section (docs/readme/cli.md) says what the CLI really does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nncheck import examples
from nncheck.cli import EXIT_OK, main

DOC = Path(__file__).parents[1] / "docs" / "readme" / "cli.md"


def blocks(language: str) -> list[str]:
    """The fenced code blocks of the section whose opening fence names ``language``."""
    found: list[str] = []
    current: list[str] | None = None
    kind = ""
    for line in DOC.read_text().splitlines():
        if line.startswith("```"):
            if current is None:
                current, kind = [], line[3:].strip()
            else:
                if kind == language:
                    found.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return found


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_generic_protocol_example_runs_as_documented(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (source,) = [b for b in blocks("python") if "def gradients" in b]
    command = re.search(r"check it with: (nncheck gradcheck .*)", source)
    assert command is not None
    monkeypatch.chdir(tmp_path)
    Path("my_layer.py").write_text(source)
    np.savez("theta.npz", theta=np.array([[0.5, -1.0, 2.0]]))
    argv = command.group(1).split()[1:]
    code, data = run_json(capsys, *argv, "--seed", "0")
    assert code == EXIT_OK
    assert data["protocol"] == "generic"
    assert [p["name"] for p in data["parameters"]] == ["theta"]


def test_the_documented_gradcheck_json_keys_are_the_real_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    documented = json.loads(next(b for b in blocks("json") if '"protocol"' in b))
    code, real = run_json(capsys, "gradcheck", str(examples.BUGGY), "--seed", "0")
    assert code == 1
    assert set(real) == set(documented)
    assert set(real["parameters"][0]) == set(documented["parameters"][0])


def test_the_documented_conform_json_keys_are_the_real_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    documented = json.loads(next(b for b in blocks("json") if '"findings"' in b))
    code, real = run_json(capsys, "conform", str(examples.BUGGY), "--seed", "0")
    assert code == 1
    assert set(real) == set(documented)
    assert set(real["findings"][0]) == set(documented["findings"][0])
    assert set(real["summary"]) == set(documented["summary"])


def test_the_documented_gradcheck_output_is_what_it_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (sample,) = [b for b in blocks("") if b.startswith("$ nncheck gradcheck week4_buggy.py")]
    command = sample.splitlines()[0].split()[2:]
    assert main([command[0], str(examples.BUGGY), *command[2:]]) == 1
    out = capsys.readouterr().out.splitlines()
    lines = sample.splitlines()[1:]
    header = lines[0]
    assert header.split() == out[4].split()
    # the learner-facing lines; the bound column is the numeric core's and may be refined
    for line in lines:
        if line.startswith(("  dW1[", "FAIL:", "worst element")):
            assert line in out
