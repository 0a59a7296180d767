"""A script exported from Jupyter (``get_ipython().run_line_magic(...)``) loads without
--defs-only: no magic runs, each one skipped is a load note, the Python of ``%time``/``%%time``
runs, and a shell command's output that the file uses fails the load on its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nncheck.cli import EXIT_ERROR, EXIT_OK, main
from nncheck.loader import LoadError, load_notes, load_target

WEEK2 = Path(__file__).parent / "cli_models" / "week2_correct.py"

EXPORT = """\
#!/usr/bin/env python
# coding: utf-8
get_ipython().run_line_magic('matplotlib', 'inline')
get_ipython().system('pip install nothing-at-all')
get_ipython().magic('load_ext autoreload')
get_ipython().run_cell_magic('bash', '', 'echo hi\\n')
get_ipython().run_line_magic('time', 'z = 1 + 1')
get_ipython().run_cell_magic('time', '', 'w = z * 2\\n')
"""


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "hw.py"
    path.write_text(EXPORT + WEEK2.read_text())
    return path


def test_magics_are_skipped_and_noted_and_timed_python_runs(export: Path) -> None:
    module = load_target(export)
    assert (module.z, module.w) == (2, 4)  # %time z = … and the %%time cell ran
    assert load_notes(module) == (
        "skipped: `%matplotlib inline` (line 3: an IPython magic; nncheck runs no magic)",
        "skipped: `!pip install nothing-at-all` (line 4: an IPython magic; nncheck runs no magic)",
        "skipped: `%load_ext autoreload` (line 5: an IPython magic; nncheck runs no magic)",
        "skipped: `%%bash` (line 6: an IPython magic; nncheck runs no magic)",
    )


def test_conform_checks_an_export_and_shows_the_notes(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conform", str(export), "--seed", "1"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "skipped: `%matplotlib inline` (line 3" in out


def test_a_used_shell_output_fails_the_load_on_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hw.py"
    path.write_text("files = get_ipython().getoutput('ls')\n" + WEEK2.read_text())
    with pytest.raises(LoadError) as caught:
        load_target(path)
    assert caught.value.kind == "runtime" and caught.value.line == 1
    assert "the shell command `ls`" in caught.value.message
    assert main(["conform", str(path), "--seed", "1"]) == EXIT_ERROR
    assert "--defs-only" in capsys.readouterr().err  # the front door's option to skip it
    assert main(["conform", str(path), "--seed", "1", "--defs-only"]) == EXIT_OK


def test_a_file_that_imports_its_own_get_ipython_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "hw.py"
    path.write_text("def get_ipython():\n    return 'mine'\n\nWHO = get_ipython()\n")
    module = load_target(path)
    assert module.WHO == "mine" and load_notes(module) == ()
