"""nncheck.loader: files, module names, defs-only loading, and errors with file and line."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from nncheck.conventions import course_names
from nncheck.errors import user_traceback
from nncheck.loader import LoadError, load_notes, load_target


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
    # the advice is structured: each front door names its own way to ask for defs-only loading
    assert "use defs-only loading (defs_only=True)" in str(err)  # the Python API's
    assert "use defs-only loading (--defs-only)" in err.worded("--defs-only")
    assert "defs-only" not in err.message  # what went wrong, without the advice


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


# -- defs-only: a statement runs only when the names it reads are bound ------------------------

LEARNER_SCRIPT = """
    import numpy as np
    import matplotlib_not_here.pyplot as plt
    from lr_utils import load_dataset

    plt.rcParams["figure.figsize"] = (5.0, 4.0)
    train_x, train_y, test_x, test_y, classes = load_dataset()
    m_train = train_y.shape[1]
    datasets = {"train": train_x, "test": test_x}
    LAYERS = [5, 4, 1]
    SIZES = [n * 2 for n in LAYERS]
    act = lambda z: np.maximum(0, z)

    def show(costs):
        plt.plot(costs)

    def examples():
        return m_train

    def train(X, lr=m_train):
        return X
"""


def test_defs_only_keeps_a_statement_only_when_what_it_reads_is_bound(tmp_path: Path) -> None:
    module = load_target(write(tmp_path, "hw.py", LEARNER_SCRIPT), defs_only=True)
    for name in ("plt", "train_x", "m_train", "datasets", "train"):
        assert name not in vars(module), name
    assert module.SIZES == [10, 8, 2]  # a comprehension over a bound name runs
    assert module.act(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]  # a lambda's body runs later
    notes = load_notes(module)
    assert notes[0] == (
        "skipped: `import matplotlib_not_here.pyplot as plt` "
        "(line 3: matplotlib_not_here is not installed)"
    )
    assert any(n.startswith("skipped: `def train` (line 20: it needs m_train") for n in notes)


def test_a_name_that_was_skipped_raises_a_name_error_naming_its_line(tmp_path: Path) -> None:
    module = load_target(write(tmp_path, "hw.py", LEARNER_SCRIPT), defs_only=True)
    with pytest.raises(NameError) as info:
        module.show([1.0])
    assert "line 3 `import matplotlib_not_here.pyplot as plt` was skipped" in str(info.value)
    assert "matplotlib_not_here is not installed" in str(info.value)
    with pytest.raises(NameError) as info:
        module.examples()
    assert "line 8 `m_train = train_y.shape[1]` was not run" in str(info.value)
    assert "it needs train_y: line 7 `train_x, train_y" in str(info.value)
    with pytest.raises(NameError, match=r"^name 'never_defined' is not defined$"):
        exec("never_defined", vars(module))  # any other name: Python's own message


def test_the_missing_root_module_of_a_failing_import_is_named(tmp_path: Path) -> None:
    write(tmp_path, "lr_utils.py", "import h5py_not_installed_here\n\ndef load_dataset(): ...\n")
    path = write(tmp_path, "hw.py", "from lr_utils import load_dataset\n\ndef f():\n    return 1\n")
    module = load_target(path, defs_only=True)
    assert load_notes(module) == (
        "skipped: `from lr_utils import load_dataset` (line 1: h5py_not_installed_here is not "
        "installed)",
    )
    with pytest.raises(LoadError) as info:  # a full load still fails, and says how to load it
        load_target(path)
    assert "(defs_only=True)" in str(info.value) and "--defs-only" not in str(info.value)


def test_top_level_blocks_contribute_only_imports_and_definitions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hw.py",
        """
        import numpy as np
        try:
            import json
            loaded = json.loads("[1]")
        except ImportError:
            json = None
        finally:
            done = True
        with open("missing-file.txt") as fh:
            RATE = float(fh.read())
        if __name__ == "__main__":
            def helper():
                return 2
            raise SystemExit("training")
        for rate in [0.1, 0.01]:
            import math
        while True:
            break
        """,
    )
    module = load_target(path, defs_only=True)
    assert module.json.loads("[2]") == [2] and module.helper() == 2 and module.math.pi > 3
    for name in ("loaded", "done", "RATE", "rate"):
        assert name not in vars(module), name


def test_a_definition_that_raises_is_skipped_and_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", "class Net:\n    size = 1 / 0\n\ndef f():\n    return 1\n")
    module = load_target(path, defs_only=True)
    assert module.f() == 1 and "Net" not in vars(module)
    assert load_notes(module) == (
        "skipped: `class Net` (line 1: it raised ZeroDivisionError: division by zero)",
    )


# -- the course's helper modules ------------------------------------------------------------------


def test_course_helper_modules_are_served_as_modules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hw.py",
        """
        import numpy as np
        import gc_utils
        import dnn_utils as du
        from dnn_app_utils_v3 import sigmoid, load_data
        from planar_utils import *

        def f(Z):
            return gc_utils.relu(Z) + du.relu(Z)[0] + sigmoid(Z)[0]
        """,
    )
    module = load_target(path, defs_only=True)
    assert module.f(np.array([[2.0]]))[0, 0] == pytest.approx(4.0 + 1.0 / (1.0 + np.exp(-2.0)))
    assert "sigmoid" in course_names(module)  # the course's, not the person's
    notes = load_notes(module)
    assert any("stand-in for the course's gc_utils" in n for n in notes)
    assert any(n.startswith("skipped: load_data of `from dnn_app_utils_v3") for n in notes)
    with pytest.raises(NameError, match=r"line 5 .* no stand-in has it"):
        exec("load_data()", vars(module))


def test_a_local_course_module_is_not_judged_as_the_persons(tmp_path: Path) -> None:
    from nncheck.conformance import conform

    write(
        tmp_path,
        "dnn_utils.py",
        """
        import numpy as np

        def sigmoid(Z):
            return 1 / (1 + np.exp(-Z)), Z  # overflows for very negative Z: not the person's

        def relu(Z):
            return np.maximum(0, Z), Z

        def sigmoid_backward(dA, cache):
            s = 1 / (1 + np.exp(-cache))
            return dA * s * (1 - s)

        def relu_backward(dA, cache):
            dZ = np.array(dA, copy=True)
            dZ[cache <= 0] = 0
            return dZ
        """,
    )
    write(tmp_path, "testCases_v4a.py", "def linear_forward_test_case():\n    return 1\n")
    week4 = (Path(__file__).parent / "corpus" / "w4_correct_course.py").read_text()
    start = week4.index("def initialize_parameters(")
    body = (
        "from dnn_utils import *\nfrom testCases_v4a import *\n"
        + week4[:start].split("EXPECTED")[0].split('"""', 2)[2]
        + week4[start:]
    )
    path = tmp_path / "hw.py"
    path.write_text(body)
    for defs_only in (True, False):
        report = conform(path, seed=0, defs_only=defs_only)
        assert report.ok, report
        judged = {f.function for f in report.findings if f.status != "skip"}
        assert not judged & {"sigmoid", "relu", "sigmoid_backward", "relu_backward"}
        assert "L_model_backward" in judged


# -- files Python accepts --------------------------------------------------------------------------


def test_a_bom_and_a_coding_line_are_read_as_python_reads_them(tmp_path: Path) -> None:
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf# \xe6\xb3\xa8\xe9\x87\x8a\nX = 'caf\xc3\xa9'\n")
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nX = 'caf\xe9'\n")
    for path in (bom, latin):
        for defs_only in (False, True):
            assert load_target(path, defs_only=defs_only).X == "café"
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"X = 'caf\xe9'\n")
    with pytest.raises(LoadError, match="cannot read the file as text"):
        load_target(bad)


def test_only_the_lines_python_rejects_are_taken_for_magics(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hw.py",
        """
        import numpy as np
        files = !ls
        !pip install h5py
        %matplotlib inline
        X = (7
        % 4)
        Y = (X
        != 3)

        %%bash
        ls -la datasets
        echo done

        %%time
        Z = 5

        def f(a):
            %time a = a + 1
            return (a
                    % 2)
        """,
    )
    for defs_only in (False, True):
        module = load_target(path, defs_only=defs_only)
        assert (module.X, module.Y, module.Z, module.f(2)) == (3, False, 5, 1)
        assert "files" not in vars(module)


def test_notebook_cell_magics_skip_a_shell_cell_and_keep_a_timed_one(tmp_path: Path) -> None:
    path = notebook(
        tmp_path,
        "import numpy as np\nfiles = !ls\n",
        "%%bash\nls -la\nfor f in *; do echo $f; done\n",
        "%%time\nX = np.ones(3)\n",
        "def relu(Z):\n    return np.maximum(0, Z), Z\n",
    )
    for defs_only in (False, True):
        module = load_target(path, defs_only=defs_only)
        assert module.relu(np.array([-1.0]))[0].tolist() == [0.0]
    assert load_target(path).X.tolist() == [1.0, 1.0, 1.0]


def test_a_real_syntax_error_is_still_reported_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hw.py", "%matplotlib inline\nx = 1\ndef f(:\n    pass\n")
    for defs_only in (False, True):
        with pytest.raises(LoadError) as info:
            load_target(path, defs_only=defs_only)
        assert (info.value.kind, info.value.line) == ("syntax", 3)
        assert "defs-only" not in info.value.worded("--defs-only")


def test_load_errors_never_advise_defs_only_when_it_was_given(tmp_path: Path) -> None:
    from nncheck.loader import _from_exception

    try:
        raise ModuleNotFoundError("No module named 'x'", name="x")
    except ModuleNotFoundError as exc:
        for kind in ("import", "runtime"):
            advised = _from_exception(exc, None, kind)  # type: ignore[arg-type]
            assert "(--defs-only)" in advised.worded("--defs-only")
            given = _from_exception(exc, None, kind, defs_only=True)  # type: ignore[arg-type]
            assert "defs-only" not in given.worded("--defs-only") and "defs_only" not in str(given)


def test_skipped_imports_reach_the_conform_report_and_its_json() -> None:
    import contextlib
    import io
    import json

    from nncheck.cli import main

    corpus = Path(__file__).parent / "corpus" / "w2_correct_load_notebook_export.py"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["conform", str(corpus), "--defs-only", "--json", "--seed", "1"]) == 0
    data = json.loads(out.getvalue())
    assert any(n.startswith("skipped: `from lr_utils import load_dataset`") for n in data["notes"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["conform", str(corpus), "--defs-only", "--seed", "1"]) == 0
    assert "note: skipped: `from lr_utils import load_dataset`" in out.getvalue()


def test_future_annotations_apply_to_every_later_definition(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hw.py",
        """
        from __future__ import annotations
        import numpy as np

        def forward(X: Matrix) -> Matrix:
            return X

        Matrix = np.ndarray
        """,
    )
    module = load_target(path, defs_only=True)
    assert module.forward(1) == 1 and load_notes(module) == ()


def test_gradcheck_reports_the_skipped_imports_in_its_notes() -> None:
    import contextlib
    import io
    import json

    from nncheck.cli import main

    corpus = Path(__file__).parent / "corpus" / "w4_correct_load_dnn_utils_alias.py"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["gradcheck", str(corpus), "--defs-only", "--json", "--seed", "0"]) == 0
    notes = json.loads(out.getvalue())["notes"]
    assert any(n.startswith("skipped: load_data of `from dnn_app_utils_v3") for n in notes)
    assert any("stand-in for the course's dnn_utils" in n for n in notes)
