"""The installed ``nncheck`` script and ``python -m nncheck``, run as a person would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nncheck import __version__, examples


def _script() -> str | None:
    """The ``nncheck`` script pip installed beside this interpreter (bin/ or Scripts/), found
    without PATH: the venv's bin need not be on PATH for the tests to run."""
    for name in ("nncheck", "nncheck.exe"):
        candidate = Path(sys.executable).with_name(name)
        if candidate.is_file():
            return str(candidate)
    return None


SCRIPT = _script()


def nncheck(*argv: str, module: bool = False) -> subprocess.CompletedProcess[str]:
    if module or SCRIPT is None:
        command = [sys.executable, "-m", "nncheck", *argv]
    else:
        command = [SCRIPT, *argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback (most recent call last)" not in done.stdout + done.stderr
    return done


def test_the_console_script_is_installed() -> None:
    assert SCRIPT is not None, "pip install -e . should put `nncheck` beside the interpreter"
    done = nncheck("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"nncheck {__version__}"


def test_python_dash_m_runs_the_same_cli() -> None:
    done = nncheck("gradcheck", str(examples.BUGGY), "--seed", "0", module=True)
    assert done.returncode == 1
    assert "FAIL:" in done.stdout and "W1" in done.stdout


def test_demo_exits_0_and_shows_both_outcomes() -> None:
    done = nncheck("demo")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: the gradients of all 6 parameters match" in done.stdout
    assert "FAIL:" in done.stdout


def test_gradcheck_json_on_a_pipe_is_plain_json() -> None:
    done = nncheck("gradcheck", str(examples.CORRECT), "--seed", "0", "--json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["ok"] is True and data["protocol"] == "week4"
    assert "\x1b[" not in done.stdout  # no colour codes when not a terminal


def test_argparse_errors_exit_2(tmp_path: Path) -> None:
    done = nncheck("gradcheck", str(examples.CORRECT), "--dims", "5,four")
    assert done.returncode == 2
    assert "--dims" in done.stderr and "'four' is not a whole number" in done.stderr


@pytest.mark.parametrize("case", ["missing", "syntax", "protocol", "pickled", "nan", "dims"])
def test_bad_input_exits_2_with_a_message(tmp_path: Path, case: str) -> None:
    argv = ["gradcheck", str(tmp_path / "hw.py")]
    if case == "syntax":
        (tmp_path / "hw.py").write_text("def propagate(w, b, X, Y):\n    return (\n")
        expected = "hw.py:2: SyntaxError"
    elif case == "protocol":
        (tmp_path / "hw.py").write_text("def predict(w, b, X):\n    return X\n")
        expected = "no gradient-check protocol recognised"
    elif case == "pickled":
        np.savez(tmp_path / "p.npz", W1=np.array([None], dtype=object))
        argv = ["gradcheck", str(examples.CORRECT), "--params", str(tmp_path / "p.npz")]
        expected = "object (pickled) arrays"
    elif case == "nan":
        np.savez(tmp_path / "d.npz", X=np.full((5, 2), np.inf), Y=np.array([[0.0, 1.0]]))
        argv = ["gradcheck", str(examples.CORRECT), "--data", str(tmp_path / "d.npz")]
        expected = "non-finite value inf"
    elif case == "dims":
        argv = ["gradcheck", str(examples.CORRECT), "--dims", "5,4,x"]
        expected = "'x' is not a whole number"
    else:
        expected = "no such file"
    done = nncheck(*argv)
    assert done.returncode == 2
    assert expected in done.stderr
    assert done.stdout == ""


def test_a_crash_in_the_persons_code_exits_1_with_their_traceback(tmp_path: Path) -> None:
    source = (Path(__file__).parent / "cli_models" / "week2_correct.py").read_text()
    path = tmp_path / "hw.py"
    path.write_text(
        source.replace("    dw = np.dot(X, (A - Y).T) / m", "    dw = np.dot(X, A - Y) / m")
    )
    done = nncheck("gradcheck", str(path), "--seed", "0")
    assert done.returncode == 1
    assert "FAIL: propagate raised ValueError" in done.stdout
    assert f'File "{path}", line 14, in propagate' in done.stdout


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        (
            "    return grads, np.squeeze(np.array(cost))",
            "    return grads",
            "must return (grads, cost)",
        ),
        ("    db = np.sum(A - Y) / m", "    db = np.sum(A - Y, axis=0) / m", "db has shape (8,)"),
        ("    db = np.sum(A - Y) / m", "    db = np.sum(A - Y) / 0", "non-finite value"),
    ],
)
def test_wrong_return_values_exit_1_naming_the_problem(
    tmp_path: Path, replace: str, by: str, expected: str
) -> None:
    source = (Path(__file__).parent / "cli_models" / "week2_correct.py").read_text()
    assert replace in source
    path = tmp_path / "hw.py"
    path.write_text(source.replace(replace, by))
    done = nncheck("gradcheck", str(path), "--seed", "0")
    assert done.returncode == 1
    assert expected in done.stdout


def test_a_closed_pipe_ends_quietly() -> None:
    assert SCRIPT is not None
    done = subprocess.run(
        f"'{SCRIPT}' specs | head -n 1", shell=True, capture_output=True, text=True, check=False
    )
    assert done.stdout.startswith("sigmoid")
    assert done.stderr == ""
