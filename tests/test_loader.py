"""nncheck.loader: files, module names, defs-only loading, and errors with file and line."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from nncheck.loader import LoadError, load_notes, load_target, user_traceback


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


SCRIPT = """
    import numpy as np
    from lr_utils import load_dataset  # course helper that is not installed here
    %matplotlib inline

    LEARNING_RATE = 0.0075
    LAYERS = [5, 4, 1]

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    class Net:
        pass

    train_x, train_y = load_dataset()
    raise RuntimeError("training ran at import")
"""


def test_defs_only_runs_definitions_and_skips_the_script_part(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", SCRIPT)
    module = load_target(path, defs_only=True)
    assert module.sigmoid(0.0) == 0.5
    assert module.LEARNING_RATE == 0.0075
    assert module.LAYERS == [5, 4, 1]
    assert isinstance(module.Net, type)
    assert not hasattr(module, "train_x")
    assert load_notes(module) == (
        "skipped: `from lr_utils import load_dataset` (line 3: lr_utils is not installed)",
    )


def test_full_load_reports_the_failing_import_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", SCRIPT.replace("%matplotlib inline", ""))
    with pytest.raises(LoadError) as info:
        load_target(path)
    err = info.value
    assert err.kind == "import"
    assert err.line == 3
    assert str(err).startswith(f"{path}:3: ModuleNotFoundError")
    assert "--defs-only" in str(err)


def test_top_level_exception_is_a_runtime_load_error_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", "x = 1\n\nraise ValueError('boom')\n")
    with pytest.raises(LoadError) as info:
        load_target(path)
    assert (info.value.kind, info.value.line) == ("runtime", 3)
    assert "ValueError: boom" in str(info.value)


def test_sys_exit_at_import_is_reported_not_propagated(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", "import sys\nsys.exit(3)\n")
    with pytest.raises(LoadError) as info:
        load_target(path)
    assert info.value.kind == "runtime"
    assert info.value.line == 2


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", "def f(:\n    return 1\n")
    for defs_only in (False, True):
        with pytest.raises(LoadError) as info:
            load_target(path, defs_only=defs_only)
        assert info.value.kind == "syntax"
        assert info.value.line == 1
        assert str(info.value).startswith(f"{path}:1: SyntaxError")


def test_missing_file_and_unknown_module() -> None:
    with pytest.raises(LoadError) as info:
        load_target("does/not/exist.py")
    assert info.value.kind == "not_found"
    assert "no such file" in str(info.value)
    with pytest.raises(LoadError) as info:
        load_target("no_such_module_for_nncheck")
    assert info.value.kind == "not_found"
    with pytest.raises(LoadError) as info:
        load_target("not a module name")
    assert info.value.kind == "not_found"


def test_module_objects_and_names_load(tmp_path: Path) -> None:
    module = types.ModuleType("mine")
    assert load_target(module) is module
    assert load_target("json") is sys.modules["json"]


def test_sibling_modules_import_and_sys_path_is_restored(tmp_path: Path) -> None:
    write(tmp_path, "helpers_for_hw.py", "VALUE = 42\n")
    path = write(tmp_path, "hw.py", "from helpers_for_hw import VALUE\n")
    before = list(sys.path)
    assert load_target(path).VALUE == 42
    assert sys.path == before


def test_user_traceback_keeps_only_the_users_frames(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hw.py",
        """
        import numpy as np

        def backward(dZ, A_prev):
            return np.dot(dZ, A_prev)  # shapes do not align
        """,
    )
    module = load_target(path)
    try:
        module.backward(np.ones((3, 4)), np.ones((5, 4)))
    except ValueError as exc:
        text = user_traceback(exc, str(path.resolve()))
    else:  # pragma: no cover - the call above must fail
        raise AssertionError("np.dot of (3, 4) and (5, 4) should have failed")
    assert str(path.resolve()) in text
    assert all("numpy" not in line for line in text.splitlines() if line.startswith("  File"))
    assert text.splitlines()[-1].startswith("ValueError")
    assert "in backward" in text


def notebook(tmp_path: Path, *cells: str) -> Path:
    import json

    path = tmp_path / "hw.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "source": ["# Week 4\n"]},
                    *(
                        {"cell_type": "code", "source": textwrap.dedent(c).splitlines(True)}
                        for c in cells
                    ),
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    return path


def test_notebook_code_cells_run_in_order_and_magics_are_skipped(tmp_path: Path) -> None:
    path = notebook(
        tmp_path,
        "import numpy as np\n%matplotlib inline\n",
        "def relu(Z):\n    return np.maximum(0, Z), Z\n",
        "A, cache = relu(np.array([-1.0, 2.0]))\nprint(A)\n",
    )
    module = load_target(path)
    assert module.relu(np.array([-3.0]))[0].tolist() == [0.0]
    assert module.A.tolist() == [0.0, 2.0]
    assert load_target(str(path), defs_only=True).relu is not None


def test_notebook_errors_name_the_code_cell(tmp_path: Path) -> None:
    path = notebook(tmp_path, "import numpy as np\n", "x = 1\ny = undefined_name\n")
    with pytest.raises(LoadError) as info:
        load_target(path)
    assert info.value.cell == (2, 2)
    assert str(info.value).startswith(f"{path}, code cell 2, line 2: NameError")
    path = notebook(tmp_path, "def f(:\n    pass\n")
    with pytest.raises(LoadError) as info:
        load_target(path)
    assert (info.value.kind, info.value.cell) == ("syntax", (1, 1))


def test_a_broken_notebook_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "hw.ipynb"
    path.write_text("{not json")
    with pytest.raises(LoadError) as info:
        load_target(path)
    assert info.value.kind == "syntax"
    assert "not a valid Jupyter notebook" in str(info.value)
