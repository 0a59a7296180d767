"""The command line, driven through ``main(argv)``: commands, exit codes, JSON, bad input."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nncheck import __version__, examples
from nncheck.cli import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, main

MODELS = Path(__file__).parent / "cli_models"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback (most recent call last)" not in out + err
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, *argv, "--json")
    return code, json.loads(out)


def write(tmp_path: Path, source: str, name: str = "hw.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def model(name: str) -> str:
    return str(MODELS / name)


# ---------------------------------------------------------------------------- parser and usage


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == EXIT_OK
    assert out.strip() == f"nncheck {__version__}"


def test_help_lists_commands_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK
    for text in ("gradcheck", "conform", "specs", "demo", "examples:", "exit codes: 0"):
        assert text in out


def test_gradcheck_help_documents_every_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gradcheck", "--help")
    assert code == EXIT_OK
    for text in ("L_model_backward", "backward_propagation_n", "propagate(w, b, X, Y)"):
        assert text in out
    assert "cost_and_gradients(params, X, Y)" in out
    assert "default_rng" in out and "pickling disabled" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "usage: nncheck"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("gradcheck",), "the following arguments are required: MODEL"),
        (("gradcheck", "x.py", "--dims", "5,x,1"), "'x' is not a whole number"),
        (("gradcheck", "x.py", "--dims", "5"), "give every layer width"),
        (("gradcheck", "x.py", "--dims", "4,0"), "every width must be at least 1"),
        (("gradcheck", "x.py", "--m", "0"), "must be at least 1"),
        (("gradcheck", "x.py", "--seed", "-3"), "must be 0 or more"),
        (("gradcheck", "x.py", "--mode", "fast"), "invalid choice: 'fast'"),
        (("conform",), "the following arguments are required: TARGET"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == EXIT_ERROR
    assert message in err


# ----------------------------------------------------------------------------------- gradcheck


def test_gradcheck_passes_the_correct_week4_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gradcheck", str(examples.CORRECT), "--seed", "0")
    assert code == EXIT_OK
    assert "protocol week4: L_model_forward, compute_cost, L_model_backward" in out
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
        assert f"\n{name} " in out
    assert "OK: the gradients of all 6 parameters match" in out
    assert "FAIL" not in out


def test_gradcheck_catches_the_buggy_week4_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gradcheck", str(examples.BUGGY), "--seed", "0", "--m", "8")
    assert code == EXIT_PROBLEMS
    summary = next(line for line in out.splitlines() if line.startswith("FAIL:"))
    assert "W1, W2, W3" in summary
    assert "b1" not in summary and "b3" not in summary
    assert "(yours is 8 × the finite difference; that is m = 8: is the 1/m missing?)" in out


@pytest.mark.parametrize(
    ("name", "argv", "failing"),
    [
        ("week3_correct.py", (), set()),
        ("canonical_correct.py", ("--dims", "3,4,1"), set()),
        ("course2_init_utils_style.py", ("--dims", "2,10,5,1"), set()),
        ("week3_buggy.py", (), {"W1", "b1"}),
        ("week2_correct.py", ("--dims", "3,1"), set()),
        ("week2_buggy.py", ("--dims", "3,1"), {"b"}),
        ("course2_correct.py", (), set()),
        ("course2_buggy.py", (), {"W2", "b1"}),
        ("generic_correct.py", ("--dims", "4,1"), set()),
        ("course2_one_dimensional.py", (), set()),
        ("generic_pair_buggy.py", ("--dims", "4,1"), {"W1"}),
    ],
)
def test_gradcheck_every_protocol_flags_exactly_the_wrong_gradients(
    capsys: pytest.CaptureFixture[str], name: str, argv: tuple[str, ...], failing: set[str]
) -> None:
    code, data = run_json(capsys, "gradcheck", model(name), "--seed", "1", *argv)
    assert code == (EXIT_PROBLEMS if failing else EXIT_OK)
    assert data["ok"] is (not failing)
    assert {p["name"] for p in data["parameters"] if not p["ok"]} == failing


def test_gradcheck_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, "gradcheck", str(examples.BUGGY), "--seed", "3", "--dims", "4,3,1", "--m", "5"
    )
    assert code == EXIT_PROBLEMS
    assert data["ok"] is False
    assert data["mode"] in ("full", "directional")
    assert data["seed"] == 3
    assert data["protocol"] == "week4"
    assert data["dims"] == [4, 3, 1] and data["m"] == 5
    assert data["target"] == str(examples.BUGGY)
    assert isinstance(data["evaluations"], int) and data["evaluations"] > 0
    assert [p["name"] for p in data["parameters"]] == ["W1", "b1", "W2", "b2"]
    w1 = data["parameters"][0]
    for key in ("shape", "max_abs_error", "relative_difference", "bound", "ok", "worst_index"):
        assert key in w1
    assert w1["shape"] == [3, 4] and w1["ok"] is False
    assert w1["analytic"] == pytest.approx(5 * w1["numeric"], rel=1e-4)
    assert any("initialize_parameters_deep" in note for note in data["notes"])


def test_gradcheck_is_reproducible_with_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    code_1, first = run_json(capsys, "gradcheck", model("week3_correct.py"), "--seed", "9")
    code_2, second = run_json(capsys, "gradcheck", model("week3_correct.py"), "--seed", "9")
    assert code_1 == code_2 == EXIT_OK and first["ok"] is True
    assert first == second


def test_gradcheck_without_seed_reports_the_seed_it_drew(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = run_json(capsys, "gradcheck", model("week2_correct.py"))
    assert code == EXIT_OK and isinstance(data["seed"], int)
    code, again = run_json(
        capsys, "gradcheck", model("week2_correct.py"), "--seed", str(data["seed"])
    )
    assert code == EXIT_OK
    assert again["parameters"] == data["parameters"]


def test_gradcheck_full_and_directional_modes(capsys: pytest.CaptureFixture[str]) -> None:
    for mode in ("full", "directional"):
        code, data = run_json(
            capsys, "gradcheck", str(examples.BUGGY), "--seed", "0", "--mode", mode
        )
        assert code == EXIT_PROBLEMS
        assert data["mode"] == mode
        assert not data["ok"]


def test_gradcheck_reads_params_and_data_from_npz(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    params = {
        "W1": rng.standard_normal((3, 2)),
        "b1": rng.standard_normal((3, 1)),
        "W2": rng.standard_normal((1, 3)),
        "b2": rng.standard_normal((1, 1)),
    }
    np.savez(tmp_path / "params.npz", **params)
    np.savez(tmp_path / "data.npz", X=rng.standard_normal((2, 6)), Y=np.array([[0, 1, 1, 0, 1, 0]]))
    code, data = run_json(
        capsys,
        "gradcheck",
        str(examples.CORRECT),
        "--params",
        str(tmp_path / "params.npz"),
        "--data",
        str(tmp_path / "data.npz"),
    )
    assert code == EXIT_OK
    assert data["dims"] == [2, 3, 1] and data["m"] == 6
    assert [p["shape"] for p in data["parameters"]] == [[3, 2], [3, 1], [1, 3], [1, 1]]


def test_gradcheck_accepts_a_module_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gradcheck", "nncheck.examples.week4_buggy", "--seed", "0")
    assert code == EXIT_PROBLEMS
    assert "FAIL:" in out


def test_defs_only_skips_training_code_at_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (MODELS / "week2_correct.py").read_text() + "\n\ntrain_set = load_dataset()\n"
    path = write(tmp_path, source)
    code, _, err = run(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR
    assert "NameError" in err and "--defs-only" in err
    code, out, _ = run(capsys, "gradcheck", str(path), "--defs-only", "--seed", "0")
    assert code == EXIT_OK, out


def test_json_stdout_stays_json_when_the_persons_code_prints(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (
        (MODELS / "week2_correct.py")
        .read_text()
        .replace("    m = X.shape[1]\n", "    m = X.shape[1]\n    print('cost so far...')\n")
    )
    path = write(tmp_path, 'print("training!")\n' + source)
    code, out, err = run(capsys, "gradcheck", str(path), "--seed", "0", "--json")
    assert code == EXIT_OK
    assert json.loads(out)["ok"] is True
    assert "training!" in err and "cost so far" in err


# ------------------------------------------------------------------- bad input: exit 2, no trace


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "gradcheck", str(tmp_path / "nope.py"))
    assert code == EXIT_ERROR
    assert "no such file" in err and "nope.py" in err


def test_syntax_error_names_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "import numpy as np\n\ndef propagate(w, b, X, Y)\n    return 1\n")
    code, _, err = run(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR
    assert f"{path}:3: SyntaxError" in err
    code, data = run_json(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR
    assert data == {
        "ok": False,
        "error": {"kind": "load", "message": data["error"]["message"], "load_kind": "syntax"},
    }
    assert ":3: SyntaxError" in data["error"]["message"]


@pytest.mark.parametrize(
    ("source", "load_kind"),
    [
        ("import numpy as np\nimport not_here\n\ndef sigmoid(z):\n    return z\n", "import"),
        ("import numpy as np\nraise ValueError('x')\ndef sigmoid(z):\n    return z\n", "runtime"),
    ],
)  # fmt: skip
def test_a_load_errors_advice_names_the_command_lines_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: str, load_kind: str
) -> None:
    # the loader's advice is structured; the command line words it with its own option, in the
    # parent (conform) and in the runner's child (gradcheck)
    path = write(tmp_path, source)
    for command in ("conform", "gradcheck"):
        code, data = run_json(capsys, command, str(path))
        assert code == EXIT_ERROR
        assert data["error"]["load_kind"] == load_kind
        message = data["error"]["message"]
        assert "use defs-only loading (--defs-only)" in message, message
        assert "defs_only=True" not in message, message
    code, data = run_json(capsys, "conform", str(path), "--defs-only")
    assert "defs-only" not in json.dumps(data)  # asked for already: never advised again


def test_no_recognised_protocol_lists_the_names_looked_for(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "def forward(X, W):\n    return W @ X\n")
    code, _, err = run(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR
    for name in ("L_model_forward", "forward_propagation_n", "propagate", "cost_and_gradients"):
        assert name in err


def test_pickled_npz_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, X=np.array([object(), None], dtype=object), Y=np.ones((1, 2)))
    code, _, err = run(capsys, "gradcheck", str(examples.CORRECT), "--data", str(path))
    assert code == EXIT_ERROR
    assert "object (pickled) arrays" in err


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"X": np.array([[np.nan, 1.0]] * 5), "Y": np.array([[0.0, 1.0]])}, "non-finite value nan"),
        ({"X": np.ones((5, 2))}, "missing Y"),
        ({"X": np.ones((5, 2)), "Y": np.ones((1, 3))}, "needs the same m"),
    ],
)
def test_unusable_data_files_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, arrays: dict[str, Any], message: str
) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    code, _, err = run(capsys, "gradcheck", str(examples.CORRECT), "--data", str(path))
    assert code == EXIT_ERROR
    assert message in err


def test_dims_that_disagree_with_the_protocol_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "gradcheck", model("week2_correct.py"), "--dims", "4,3,1")
    assert code == EXIT_ERROR
    assert "needs --dims N_X,1" in err


# ------------------------------------------------------- the person's code is wrong: exit 1


def test_a_crash_in_the_persons_backward_is_a_finding_with_their_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (
        (MODELS / "week3_correct.py")
        .read_text()
        .replace(
            '    A1, A2 = cache["A1"], cache["A2"]\n', '    A1, A2 = cache["A1"], cache["Z3"]\n'
        )
    )
    path = write(tmp_path, source)
    code, out, _ = run(capsys, "gradcheck", str(path))
    assert code == EXIT_PROBLEMS
    assert "FAIL: backward_propagation raised KeyError: 'Z3'" in out
    assert "your traceback (trimmed to your file):" in out
    assert f'File "{path}"' in out and 'cache["Z3"]' in out
    assert "nncheck/_binding.py" not in out and "nncheck/gradcheck.py" not in out
    code, data = run_json(capsys, "gradcheck", str(path))
    assert code == EXIT_PROBLEMS
    assert data["error"]["kind"] == "user_code"
    assert data["error"]["function"] == "backward_propagation"
    assert 'cache["Z3"]' in data["error"]["traceback"]


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            "    return A2, cache\n",
            "    return A2\n",
            "forward_propagation must return (A2, cache)",
        ),
        (
            "    db1 = np.sum(dZ1, axis=1, keepdims=True) / m\n",
            "    db1 = np.sum(dZ1, axis=1) / m\n",
            "db1 has shape (4,): a rank-1 array",
        ),
        (
            "    dW1 = np.dot(dZ1, X.T) / m\n",
            "    dW1 = np.dot(dZ1, X.T) / m * np.nan\n",
            "returned dW1 with a non-finite value nan",
        ),
        ("    return float(np.squeeze(cost))\n", "    return None\n", "returned None as the cost"),
    ],
)
def test_wrong_return_values_are_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replace: str, by: str, message: str
) -> None:
    source = (MODELS / "week3_correct.py").read_text()
    assert replace in source
    code, out, _ = run(capsys, "gradcheck", str(write(tmp_path, source.replace(replace, by))))
    assert code == EXIT_PROBLEMS
    assert message in out


# ------------------------------------------------------------------------------------- conform


def test_conform_passes_the_correct_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "conform", str(examples.CORRECT), "--seed", "0")
    assert code == EXIT_OK, out
    assert "linear_backward" in out


def test_conform_catches_the_buggy_example_with_a_diagnosis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = run_json(capsys, "conform", str(examples.BUGGY), "--seed", "0")
    assert code == EXIT_PROBLEMS
    assert data["ok"] is False
    assert data["seed"] == 0
    failed = [f for f in data["findings"] if f["status"] == "fail"]
    assert failed
    for key in ("function", "check", "status", "message", "diagnosis"):
        assert key in failed[0]
    assert any(
        f["function"] == "linear_backward" and "1/m" in (f["diagnosis"] or "") for f in failed
    )


def test_conform_load_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "conform", str(tmp_path / "missing.py"))
    assert code == EXIT_ERROR and "no such file" in err
    path = write(tmp_path, "def relu(Z):\n    return Z *\n")
    code, _, err = run(capsys, "conform", str(path))
    assert code == EXIT_ERROR and f"{path}:2: SyntaxError" in err


# --------------------------------------------------------------------------------------- specs


def test_specs_lists_every_spec(capsys: pytest.CaptureFixture[str]) -> None:
    from nncheck.specs import SPECS

    code, out, _ = run(capsys, "specs")
    assert code == EXIT_OK
    for name in SPECS:
        assert f"{name} — " in out


def test_specs_one_name_as_text_latex_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "specs", "sigmoid")
    assert code == EXIT_OK
    assert out.startswith("sigmoid — ") and "derivative" in out
    code, out, _ = run(capsys, "specs", "sigmoid", "--latex")
    assert code == EXIT_OK
    assert "\\frac" in out and "\\partial" in out
    code, data = run_json(capsys, "specs", "sigmoid")
    assert code == EXIT_OK
    assert [s["name"] for s in data["specs"]] == ["sigmoid"]


@pytest.mark.parametrize("name", ["Linear-Backward", "linear backward", "LINEAR_BACKWARD"])
def test_specs_names_forgive_case_and_dashes(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "specs", name)
    assert code == EXIT_OK
    assert out.startswith("linear_backward — ")


def test_specs_unknown_name_exits_2_listing_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "specs", "sigmoyd")
    assert code == EXIT_ERROR
    assert "no spec named 'sigmoyd'" in err and "sigmoid" in err


# ---------------------------------------------------------------------------------------- demo


def test_demo_runs_as_intended(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == EXIT_OK, out
    assert "nncheck conform week4_correct.py" in out
    assert "nncheck gradcheck week4_buggy.py" in out
    assert "NOT as intended" not in out
    assert out.count("(as intended)") == 4
    assert f"is at {examples.BUGGY}:" in out
    line = int(out.split(f"is at {examples.BUGGY}:")[1].split()[0])
    assert "np.dot(dZ, A_prev.T)" in examples.BUGGY.read_text().splitlines()[line - 1]


def test_demo_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "demo")
    assert code == EXIT_OK
    assert data["ok"] is True
    assert [(r["example"], r["command"], r["ok"]) for r in data["runs"]] == [
        ("correct", "conform", True),
        ("correct", "gradcheck", True),
        ("buggy", "conform", False),
        ("buggy", "gradcheck", False),
    ]


# ------------------------------------------------------------------------------------ start-up


def test_importing_the_cli_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, nncheck.cli; "
        "heavy = [m for m in ('numpy', 'sympy', 'hypothesis', 'rich') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_progress_ticker_counts_and_draws_only_when_enabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nncheck import report

    with report.progress("checking", total=3, enabled=False) as quiet:
        for _ in range(5):
            quiet()
    assert quiet.count == 5
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(report, "PROGRESS_DELAY", 0.0)
    with report.progress("checking gradients", total=3, enabled=True) as ticker:
        for _ in range(4):
            ticker()
        assert ticker._progress is not None
        task = ticker._progress.tasks[0]
        assert (task.completed, task.total) == (4, 4)  # the total grows rather than overflow
    assert ticker._progress is None


def test_warnings_from_the_persons_code_become_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    warn = "    import warnings\n\n    warnings.warn('slow cost', RuntimeWarning)\n"
    source = (MODELS / "generic_correct.py").read_text()
    source = source.replace("def cost(params, X, Y):\n", "def cost(params, X, Y):\n" + warn)
    path = write(tmp_path, source)
    line = source.splitlines().index("    warnings.warn('slow cost', RuntimeWarning)") + 1
    code, data = run_json(capsys, "gradcheck", str(path), "--dims", "3,1", "--seed", "0")
    assert code == EXIT_OK
    notes = [n for n in data["notes"] if n.startswith("warning during the check")]
    assert len(notes) == 1
    count, text = notes[0].removeprefix("warning during the check, ").split("×: ")
    assert text == f"{path.name}:{line}: RuntimeWarning: slow cost"
    assert int(count) >= data["evaluations"]  # every cost evaluation warned once


def test_m_and_data_must_agree(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    np.savez(tmp_path / "d.npz", X=np.ones((5, 4)), Y=np.array([[0.0, 1.0, 0.0, 1.0]]))
    code, _, err = run(
        capsys, "gradcheck", str(examples.CORRECT), "--data", str(tmp_path / "d.npz"), "--m", "3"
    )
    assert code == EXIT_ERROR
    assert "--m 3 disagrees with --data, which has m = 4" in err


def test_conform_without_any_known_function_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "def foo(x):\n    return x\n")
    code, _, err = run(capsys, "conform", str(path), "--seed", "0")
    assert code == EXIT_ERROR
    assert "found none of the functions of a known convention" in err
    assert "L_model_forward" in err


def test_directional_mode_reports_the_chance_of_a_miss(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "gradcheck", str(examples.CORRECT), "--seed", "0", "--mode", "directional"
    )
    assert code == EXIT_OK
    assert "mode directional" in out
    assert "ok (miss chance " in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_reports_are_rich_tables_with_colour(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from nncheck.conformance import conform
    from nncheck.gradcheck import build_problem, check_problem
    from nncheck.loader import load_target
    from nncheck.report import print_conformance, print_gradcheck

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "140")
    monkeypatch.delenv("NO_COLOR", raising=False)
    problem = build_problem(load_target(examples.BUGGY), m=4, seed=0)
    report = check_problem(problem, seed=0)
    screen = _Terminal()
    print_gradcheck(report, "hw[1]/week4_buggy.py", problem, screen)  # not rich markup
    text = screen.getvalue()
    assert "\x1b[" in text  # colour
    assert "│" in text and "max abs error" in text  # a drawn table
    assert "FAIL: 3 of 6 parameters" in text
    assert "hw[1]/week4_buggy.py" in text
    screen = _Terminal()
    print_conformance(conform(examples.BUGGY, seed=0), screen)
    assert "\x1b[" in screen.getvalue() and "FAIL  linear_backward" in screen.getvalue()


def test_a_cost_that_is_not_deterministic_is_a_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (
        (MODELS / "generic_correct.py")
        .read_text()
        .replace(
            "    return float(np.mean(np.logaddexp(0.0, Z) - Y * Z))",
            "    return float(np.mean(np.logaddexp(0.0, Z) - Y * Z)) + np.random.rand() * 1e-3",
        )
    )
    path = write(tmp_path, source)
    code, out, _ = run(capsys, "gradcheck", str(path), "--dims", "3,1", "--seed", "0")
    assert code == EXIT_PROBLEMS
    assert "FAIL: cost is not deterministic" in out
    code, data = run_json(capsys, "gradcheck", str(path), "--dims", "3,1", "--seed", "0")
    assert code == EXIT_PROBLEMS
    assert data["error"]["kind"] == "gradient_input"
    assert "not deterministic" in data["error"]["message"]


def test_rename_maps_the_persons_names_onto_the_course_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = examples.BUGGY.read_text()
    source = source.replace("L_model_forward", "forward_pass").replace(
        "L_model_backward", "backward_pass"
    )
    path = write(tmp_path, source)
    code, _, err = run(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR and "--rename COURSE_NAME=YOUR_NAME" in err
    renames = (
        "--rename",
        "L_model_forward=forward_pass",
        "--rename",
        "L_model_backward=backward_pass",
    )
    code, data = run_json(capsys, "gradcheck", str(path), "--seed", "0", *renames)
    assert code == EXIT_PROBLEMS
    assert {p["name"] for p in data["parameters"] if not p["ok"]} == {"W1", "W2", "W3"}
    code, data = run_json(capsys, "conform", str(path), "--seed", "0", *renames)
    assert code == EXIT_PROBLEMS
    assert any(
        f["function"] == "L_model_backward" and f["status"] == "fail" for f in data["findings"]
    )


def test_with_rename_the_convention_is_detected_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nncheck import conventions

    source = examples.BUGGY.read_text().replace("L_model_forward", "forward_pass")
    path = write(tmp_path, source)
    calls = tmp_path / "detections"
    detect = conventions.detect_convention

    def counted(*args: Any, **kwargs: Any) -> str | None:
        with calls.open("a") as fh:  # the runner's forked children write here too
            fh.write("detected\n")
        return detect(*args, **kwargs)

    monkeypatch.setattr(conventions, "detect_convention", counted)
    code, data = run_json(
        capsys, "conform", str(path), "--seed", "0", "--rename", "L_model_forward=forward_pass"
    )
    assert code == EXIT_PROBLEMS and data["convention"] == "week4"
    assert calls.read_text().count("detected") == 1


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ("L_model_forward", "write COURSE_NAME=YOUR_NAME"),
        ("L_model_forward=no_such", "defines no function 'no_such'"),
    ],
)
def test_bad_renames_exit_2(capsys: pytest.CaptureFixture[str], rename: str, message: str) -> None:
    code, _, err = run(capsys, "gradcheck", str(examples.CORRECT), "--rename", rename)
    assert code == EXIT_ERROR
    assert message in err


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "-"), (float("nan"), "nan"), (0.0, "0"), (0.5, "0.5"), (2.0, "2"),
     (12345.0, "1.23e+04"), (1.5e-5, "1.50e-05"), (-0.25, "-0.25")],
)  # fmt: skip
def test_format_number(value: float | None, text: str) -> None:
    from nncheck.report import format_number

    assert format_number(value) == text


@pytest.mark.parametrize(
    ("ratio", "m", "words"),
    [
        (8.0, 8, "is the 1/m missing?"),
        (0.125, 8, "is there an extra 1/m?"),
        (1 / 64, 8, "1/m² = 1/64"),
        (64.0, 8, "m² = 64"),
        (-8.0, 8, "the sign is flipped and the 1/m is missing"),
        (-1.0, 8, "the sign is flipped"),
        (2.0, 8, "a factor of 2"),
        (3.7, 8, ""),
        (1.0, 1, ""),
        (8.1, 8, ""),
    ],
)
def test_ratio_hints_name_the_usual_factors(ratio: float, m: int, words: str) -> None:
    from nncheck.report import ratio_hint

    hint = ratio_hint(ratio, m)
    assert (words in hint) if words else hint == ""


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("nncheck.cli", {"EXIT_ERROR", "EXIT_OK", "EXIT_PROBLEMS", "build_parser", "main"}),
        (
            "nncheck.gradcheck",
            {"MAX_VALUES", "GradProblem", "build_problem", "check_problem", "preflight"},
        ),
        ("nncheck.errors", {"EXIT_ERROR", "EXIT_OK", "EXIT_PROBLEMS", "ProtocolError",
                            "UsageError", "UserCodeError", "user_frames", "user_traceback"}),
        (
            "nncheck.report",
            {"DEFS_ONLY_OPTION", "PROGRESS_DELAY", "GradHeader", "ProgressTicker",
             "close_call_note", "conformance_lines", "cost_scale_note", "fail", "format_number",
             "format_pair", "gradcheck_text", "is_terminal", "json_line", "print_conformance",
             "print_gradcheck", "print_json", "progress", "quiet_user_output", "ratio_hint"},
        ),
        (
            "nncheck.runner",
            {"DEFAULT_TIMEOUT", "RUNNER_MISTAKES", "GradcheckRun", "Isolated", "RunnerEvent",
             "call", "run_conform", "run_gradcheck"},
        ),
        (
            "nncheck.grade",
            {"Submission", "class_summary", "find_submissions", "grade", "gradescope_results",
             "in_shard", "read_records", "render", "to_csv"},
        ),
        ("nncheck.examples", {"BUGGY", "BUGGY_MISTAKE", "CORRECT", "EXAMPLES_DIR"}),
    ],
)  # fmt: skip
def test_public_names_are_the_intended_ones_and_documented(module: str, names: set[str]) -> None:
    import importlib
    import inspect

    mod = importlib.import_module(module)
    assert set(mod.__all__) == names
    for name in names:
        obj = getattr(mod, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"{module}.{name} has no docstring"


@pytest.mark.parametrize(
    ("analytic", "numeric", "noted"),
    [(1.02, 1.0, True), (0.97, 1.0, True), (8.0, 1.0, False), (-1.0, 1.0, False)],
)
def test_close_calls_get_a_caveat_but_keep_their_verdict(
    analytic: float, numeric: float, noted: bool
) -> None:
    from nncheck.numeric import GradReport, ParameterReport
    from nncheck.report import close_call_note

    def param(name: str, verdict: str, a: float) -> ParameterReport:
        return ParameterReport(
            name, (1, 1), verdict, abs(a - numeric), 0.01, 1e-9, (0, 0), a, numeric
        )

    failing = GradReport(False, "full", "auto", 10, (param("W1", "mismatch", analytic),), 0)
    assert (close_call_note(failing) is not None) is noted
    passing = GradReport(True, "full", "auto", 10, (param("W1", "ok", numeric),), 0)
    assert close_call_note(passing) is None


@pytest.mark.parametrize("seed", ["1", "7"])
def test_demo_runs_as_intended_on_other_seeds(
    capsys: pytest.CaptureFixture[str], seed: str
) -> None:
    code, data = run_json(capsys, "demo", "--seed", seed)
    assert code == EXIT_OK, data
    assert data["seed"] == int(seed)
    assert all(run["as_intended"] for run in data["runs"])


def test_a_saturated_output_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("gradcheck", str(examples.CORRECT), "--dims", "1,1,1", "--m", "1", "--seed", "3")
    code, data = run_json(capsys, *argv)
    assert code == EXIT_OK and data["ok"] is True  # a note, not a failure
    assert any("the output is saturated" in note for note in data["notes"])
    code, data = run_json(capsys, "gradcheck", str(examples.CORRECT), "--seed", "0")
    assert code == EXIT_OK
    assert not any("saturated" in note for note in data["notes"])


def test_m_equal_1_is_noted_because_it_hides_1_over_m(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "gradcheck", str(examples.BUGGY), "--m", "1", "--seed", "0")
    assert code == EXIT_OK  # dW without 1/m is right when m = 1
    assert any("with m = 1 example" in note for note in data["notes"])
    code, data = run_json(capsys, "gradcheck", str(examples.BUGGY), "--m", "2", "--seed", "0")
    assert code == EXIT_PROBLEMS  # with m = 2 the missing 1/m shows
    assert not any("with m = 1" in note for note in data["notes"])


def test_course_helpers_are_provided_when_the_import_is_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = examples.CORRECT.read_text()
    for helper in ("sigmoid", "relu", "sigmoid_backward", "relu_backward"):
        source = source.replace(f"def {helper}(", f"def _own_{helper}(")
    helpers = "from dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward\n"
    source = source.replace("import numpy as np\n", "import numpy as np\n" + helpers)
    path = write(tmp_path, source)
    code, _, err = run(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR and "dnn_utils" in err
    code, data = run_json(capsys, "gradcheck", str(path), "--defs-only", "--seed", "0")
    assert code == EXIT_OK
    assert any(n.startswith("course helpers provided by nncheck: relu") for n in data["notes"])


def test_parameter_names_with_brackets_render_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from nncheck.gradcheck import build_problem, check_problem
    from nncheck.loader import load_target
    from nncheck.report import print_gradcheck

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "140")
    source = """
import numpy as np

def cost(params, X, Y):
    return float(np.sum(params["w[bold]"] ** 2))

def gradients(params, X, Y):
    return {"w[bold]": 2 * params["w[bold]"]}
"""
    module = load_target(write(tmp_path, source))
    params = {"w[bold]": np.array([[1.0, -2.0]])}
    problem = build_problem(module, params=params, dims=(2, 1), seed=0)
    report = check_problem(problem, seed=0)
    screen = _Terminal()
    print_gradcheck(report, "hw.py", problem, screen)
    assert "w[bold]" in screen.getvalue()


def test_the_one_dimensional_warm_up_with_a_wrong_derivative(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (MODELS / "course2_one_dimensional.py").read_text()
    path = write(tmp_path, source.replace("    dtheta = x\n", "    dtheta = theta\n"))
    code, out, _ = run(capsys, "gradcheck", str(path), "--seed", "0")
    assert code == EXIT_PROBLEMS
    assert "FAIL: the gradient of theta disagrees with finite differences of your cost" in out
    assert "with m = 1" not in out


def test_a_notebook_is_checked_like_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (MODELS / "week2_buggy.py").read_text()
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": []}
    notebook = {
        "cells": [{**cell, "source": source.splitlines(True)}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(notebook))
    code, data = run_json(capsys, "gradcheck", str(path), "--seed", "0")
    assert code == EXIT_PROBLEMS
    assert {p["name"] for p in data["parameters"] if not p["ok"]} == {"b"}
