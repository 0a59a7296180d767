"""Whatever a person types, ``nncheck`` answers with exit 0, 1 or 2 and never a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nncheck import examples
from nncheck.cli import main

MODELS = Path(__file__).parent / "cli_models"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "syntax.py").write_text("def propagate(w, b, X, Y)\n    return 1\n")
    (folder / "empty.py").write_text("")
    np.savez(folder / "pickled.npz", X=np.array([None, 1], dtype=object))
    np.savez(folder / "nan.npz", X=np.full((5, 3), np.nan), Y=np.ones((1, 3)))
    np.savez(folder / "data.npz", X=np.ones((4, 3)), Y=np.array([[0.0, 1.0, 0.0]]))
    (folder / "text.npz").write_text("not an archive")
    files = [str(folder / n) for n in ("syntax.py", "empty.py", "missing.py")]
    arrays = [str(folder / n) for n in ("pickled.npz", "nan.npz", "data.npz", "text.npz")]
    models = [str(examples.CORRECT), str(examples.BUGGY), str(MODELS / "week2_buggy.py")]
    return files + arrays + models


COMMANDS = ["gradcheck", "conform", "specs", "frobnicate", "--version"]
OPTIONS = ["--dims", "--m", "--seed", "--mode", "--protocol", "--json", "--defs-only",
           "--rename", "--data", "--params", "--latex", "-v", "--convention", "--help"]  # fmt: skip
VALUES = ["4,1", "5,4,3,1", "3,x", "0", "-2", "1", "full", "directional", "week2", "generic",
          "L_model_forward=nope", "sigmoid", "relu", "", "=", "nan"]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_command_line_ends_in_0_1_or_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], inputs: list[str], data: st.DataObject
) -> None:
    argv = [data.draw(st.sampled_from(COMMANDS))]
    argv += data.draw(
        st.lists(st.sampled_from(OPTIONS + VALUES + inputs), max_size=6), label="rest"
    )
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in out + err, argv


OPTION_VALUES = {
    "--dims": ["4,1", "3,4,1", "5,4,3,1", "2,10,5,1", "1,1", "4,5,3,1"],
    "--m": ["1", "2", "5"],
    "--seed": ["0", "1", "12345"],
    "--mode": ["auto", "full", "directional"],
    "--protocol": ["auto", "week4", "canonical", "course2", "week3", "week2", "generic"],
    "--rename": ["L_model_forward=L_model_forward", "propagate=sigmoid"],
}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_plausible_gradcheck_runs_end_in_0_1_or_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], inputs: list[str], data: st.DataObject
) -> None:
    models = [p for p in inputs if p.endswith(".py")] + [str(MODELS / "course2_buggy.py")]
    arrays = [p for p in inputs if p.endswith(".npz")]
    argv = ["gradcheck", data.draw(st.sampled_from(models), label="model")]
    for flag in data.draw(st.lists(st.sampled_from([*OPTION_VALUES, "--data", "--params"])))[:4]:
        pool = OPTION_VALUES.get(flag, arrays)
        argv += [flag, data.draw(st.sampled_from(pool), label=flag)]
    argv += data.draw(st.sampled_from([[], ["--json"], ["--defs-only"]]), label="extra")
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in out + err, argv
