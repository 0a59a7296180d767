"""nncheck in Jupyter: ``nncheck.check`` on a namespace, and ``%nncheck`` in a real kernel.

The kernel tests build week-4 notebooks with nbformat from the corpus' course-style solution, run
them with nbclient and ipykernel, and assert on the rendered outputs, on the learner's namespace
before and after, and on ``np.random.randn`` after ``%nncheck`` against the same draw without it.
"""

from __future__ import annotations

import re
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nncheck
from nncheck import _jupyter

CORRECT = (Path(__file__).parent / "corpus" / "w4_correct_course.py").read_text()
RIGHT_DB = "    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)\n"
PLANTED_DB = "    db = np.sum(dZ, axis=1, keepdims=True)\n"  # the planted mistake: db without 1/m
HANG = (
    "def update_parameters(params, grads, learning_rate):\n"
    "    while True:  # a learner's loop that never ends\n"
    "        pass\n"
)
assert RIGHT_DB in CORRECT


def _namespace(source: str, filename: str = "/tmp/ipykernel_0/1.py") -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def _seed_legacy(seed: int) -> None:
    np.random.seed(seed)  # noqa: NPY002 - the learner's legacy global stream is the subject


def _draw_legacy() -> Any:
    return np.random.randn(3)  # noqa: NPY002 - the learner's legacy global stream is the subject


def _same_names_and_objects(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert set(after) == set(before)
    assert [k for k in before if after[k] is not before[k]] == []


# --------------------------------------------------------------------------------------------
# nncheck.check on a namespace (no kernel)


def test_check_catches_the_planted_mistake_with_conforms_findings() -> None:
    namespace = _namespace(CORRECT.replace(RIGHT_DB, PLANTED_DB))
    report = nncheck.check(namespace, seed=4)
    values = next(
        f for f in report.failures if (f.function, f.check) == ("linear_backward", "values")
    )
    assert values.mistake == "missing_1_over_m" and "db is missing the 1/m" in str(values.diagnosis)
    assert values.example is not None and values.example["seed"] == 4
    # isolation changes nothing in what is found: the findings of conform run in this process
    direct = nncheck.conform(_jupyter.namespace_module(namespace), seed=4)
    shown = [{**f, "message": ""} for f in report.to_dict()["findings"]]
    assert shown == [{**f, "message": ""} for f in direct.to_dict()["findings"]]


def test_check_passes_correct_code_under_several_seeds() -> None:
    namespace = _namespace(CORRECT)
    for seed in (0, 1):
        report = nncheck.check(namespace, seed=seed)
        assert report.ok, str(report)
        assert report.convention == "week4" and report.seed == seed


def test_namespace_module_copies_rebinds_and_skips_ipython_history() -> None:
    namespace = _namespace(
        "import numpy as np\ncalls = 0\ndef f():\n    global calls\n    calls += 1\n"
    )
    namespace.update({"In": [], "Out": {}, "_": 1, "_i3": "x", "_7": 2, "get_ipython": print})
    module = _jupyter.namespace_module(namespace)
    assert not {"In", "Out", "_", "_i3", "_7", "get_ipython"} & set(vars(module))
    assert module.np is np
    module.f()
    assert module.calls == 1 and namespace["calls"] == 0  # the learner's global is untouched
    assert module.f is not namespace["f"] and module.f.__code__ is namespace["f"].__code__


def test_check_leaves_the_namespace_and_numpy_random_state_alone() -> None:
    # the learner's code seeds np.random and assigns a global: neither may reach the caller
    source = CORRECT.replace(
        "def linear_forward(A, W, b):\n",
        "calls = 0\n\ndef linear_forward(A, W, b):\n    global calls\n    calls += 1\n",
    )
    assert source != CORRECT
    namespace = _namespace(source)
    before = dict(namespace)
    _seed_legacy(1)
    nncheck.check(namespace, seed=0)
    after_check = _draw_legacy()
    _seed_legacy(1)
    assert np.array_equal(after_check, _draw_legacy())
    _same_names_and_objects(before, namespace)
    assert namespace["calls"] == 0


def test_without_fork_the_random_state_is_still_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jupyter, "_can_fork", lambda: False)
    namespace = _namespace(CORRECT)
    _seed_legacy(1)
    report = nncheck.check(namespace, seed=0)
    assert report.ok
    after_check = _draw_legacy()
    _seed_legacy(1)
    assert np.array_equal(after_check, _draw_legacy())


def test_a_hanging_function_is_stopped_and_only_it_fails() -> None:
    source = re.sub(r"def update_parameters\(.*?\n(?=def |\Z)", HANG + "\n\n", CORRECT, flags=re.S)
    assert "while True" in source
    start = time.monotonic()
    report = nncheck.check(_namespace(source), seed=0, timeout=1)
    elapsed = time.monotonic() - start
    assert [(f.function, f.mistake) for f in report.failures] == [("update_parameters", "timeout")]
    assert "did not return within 1 s" in report.failures[0].message
    assert report.by_function()["L_model_backward"][0].status == "pass"
    assert elapsed < 15


def test_a_hanging_gradient_check_is_stopped_and_says_so() -> None:
    source = CORRECT.replace(
        "def L_model_backward(AL, Y, caches):\n",
        "def L_model_backward(AL, Y, caches):\n    while True:\n        pass\n",
    )
    assert source != CORRECT
    code, text = _jupyter.run_gradcheck(_namespace(source), seed=0, timeout=1)
    assert code == 1 and "did not return within 1 s" in text
    code, text = _jupyter.run_gradcheck(_namespace(CORRECT), seed=0)
    assert code == 0 and "OK: the gradients of all 6 parameters match" in text


def test_a_function_that_kills_its_process_is_a_finding() -> None:
    source = CORRECT.replace("def relu(Z):\n", "def relu(Z):\n    import os\n    os._exit(3)\n")
    report = nncheck.check(_namespace(source), functions="relu", seed=0)
    assert [(f.function, f.mistake) for f in report.failures] == [("relu", "exit")]
    assert "exit status 3" in report.failures[0].message


def test_one_function_and_functions_not_written_yet() -> None:
    first_cells = CORRECT.split("def initialize_parameters(")[0]
    report = nncheck.check(
        _namespace(first_cells + "def linear_forward(A, W, b):\n    return W @ A + b, (A, W, b)\n"),
        seed=0,
    )
    assert report.ok
    skipped = {f.function: f.message for f in report.findings if f.check == "missing"}
    assert skipped["L_model_backward"] == "L_model_backward is not defined yet"
    only = nncheck.check(_namespace(CORRECT), functions="linear_backward", seed=0)
    assert {f.function for f in only.findings} == {"linear_backward"}
    with pytest.raises(ValueError, match="did you mean 'linear_backward'"):
        nncheck.check(_namespace(CORRECT), functions="linear_bakward")


def test_check_defaults_to_the_callers_globals() -> None:
    module = types.ModuleType("learner")
    exec(CORRECT + "\nimport nncheck\nreport = nncheck.check(seed=0)\n", module.__dict__)
    assert module.report.ok and module.report.convention == "week4"


def test_reports_render_as_html_with_every_failure_in_full() -> None:
    report = nncheck.check(_namespace(CORRECT.replace(RIGHT_DB, PLANTED_DB)), seed=0)
    page = report._repr_html_()
    assert "<table>" in page and "db is missing the 1/m factor" in page
    assert "smallest failing example" in page and "&#x27;db&#x27;" in page  # escaped
    w = np.arange(1.0, 4.0)
    right = nncheck.check_gradients(lambda p: float(np.sum(p["w"] ** 2)), {"w": w}, {"w": 2 * w})
    wrong = nncheck.check_gradients(lambda p: float(np.sum(p["w"] ** 2)), {"w": w}, {"w": 3 * w})
    assert "<table>" in right._repr_html_() and ">ok<" in right._repr_html_()
    assert ">mismatch<" in wrong._repr_html_() and ">MISMATCH<" in wrong._repr_html_()


# --------------------------------------------------------------------------------------------
# %nncheck in a real kernel


nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

_SNAPSHOT = (
    "import re as _re\n"
    "_before = {k: v for k, v in globals().items()\n"
    "           if not _re.fullmatch(r'_+|_i+|_i?\\d+|In|Out|exit|quit|get_ipython|_re', k)}"
)
_COMPARE = (
    "_after = {k: v for k, v in globals().items() if not _re.fullmatch(\n"
    "          r'_+|_i+|_i?\\d+|In|Out|exit|quit|get_ipython|_re|_before|with_check', k)}\n"
    "print('added', sorted(set(_after) - set(_before)))\n"
    "print('removed', sorted(set(_before) - set(_after) - {'_before'}))\n"
    "print('rebound', sorted(k for k in _after if k in _before and _after[k] is not _before[k]))"
)
_RANDOM = (
    "np.random.seed(1)\n"
    "%nncheck --seed 5\n"
    "with_check = np.random.randn(4)\n"
    "np.random.seed(1)\n"
    "print('randn unchanged:', bool((with_check == np.random.randn(4)).all()))"
)


def _cells(source: str) -> list[str]:
    """A learner's notebook: one cell per function, as the course lays them out."""
    return re.split(r"\n(?=def )", source)


def _run(cells: list[str]) -> list[Any]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=90, kernel_name="python3").execute()
    return list(nb.cells)


def _text(cell: Any, kind: str = "text/plain") -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif kind in out.get("data", {}):
            parts.append(out.data[kind])
    return "".join(parts)


def _find(cells: list[Any], source: str) -> Any:
    return next(c for c in cells if c.source == source)


@pytest.fixture(scope="module")
def correct_notebook() -> list[Any]:
    functions = _cells(
        CORRECT.replace(  # a learner's habit: a global counter their function assigns
            "def linear_forward(A, W, b):\n",
            "calls = 0\n\ndef linear_forward(A, W, b):\n    global calls\n    calls += 1\n",
        )
    )
    early = next(i for i, c in enumerate(functions) if c.startswith("def linear_forward"))
    return _run(
        [
            "%load_ext nncheck",
            *functions[:early],
            "%nncheck --seed 0",  # half-way: the later functions are not written yet
            *functions[early:],
            _SNAPSHOT,
            _RANDOM,
            "%nncheck gradcheck --seed 0",
            "%nncheck linear_backward --seed 0 --json",
            _COMPARE,
        ]
    )


@pytest.fixture(scope="module")
def buggy_notebook() -> list[Any]:
    typo = (  # NameError in the learner's cell
        "def relu_backward(dA, cache):\n    dZ = np.array(dA, copy=True)\n    dZ[dz <= 0] = 0\n"
        "    return dZ"
    )
    functions = _cells(CORRECT.replace(RIGHT_DB, PLANTED_DB))
    upto = next(i for i, c in enumerate(functions) if c.startswith("def linear_backward")) + 1
    return _run(
        [
            "%load_ext nncheck",
            *functions[:upto],
            "%nncheck --seed 0",  # the README's example: written up to linear_backward
            *functions[upto:],
            _SNAPSHOT,
            _RANDOM,
            "%nncheck linear_backward --seed 0",
            "%nncheck linear_bakward",
            _COMPARE,
            typo,
            "%nncheck relu_backward --seed 0",
            HANG,
            "import time\nstart = time.monotonic()",
            "%nncheck update_parameters --seed 0 --timeout 1",
            "print(f'alive after {time.monotonic() - start:.0f} s')",
        ]
    )


def test_kernel_correct_notebook_passes(correct_notebook: list[Any]) -> None:
    cells = correct_notebook
    halfway = _find(cells, "%nncheck --seed 0")
    for kind in ("text/plain", "text/html"):
        shown = _text(halfway, kind)
        assert re.search(r"not defined yet: .*L_model_backward", shown) and "FAIL" not in shown
    full = _find(cells, _RANDOM)
    assert "OK: every check passes" in _text(full)
    page = _text(full, "text/html")
    assert "<table>" in page and "all checks pass" in page and "FAIL" not in page
    grad = _text(_find(cells, "%nncheck gradcheck --seed 0"))
    assert "OK: the gradients of all 6 parameters match finite differences" in grad
    data = _text(_find(cells, "%nncheck linear_backward --seed 0 --json"))
    assert '"ok": true' in data and '"function": "linear_backward"' in data


def test_kernel_buggy_notebook_shows_the_diagnosis_and_smallest_example(
    buggy_notebook: list[Any],
) -> None:
    full = _find(buggy_notebook, _RANDOM)
    for kind in ("text/plain", "text/html"):
        shown = _text(full, kind)
        assert "db is missing the 1/m factor" in shown
        assert "smallest failing example: dims=" in shown
    assert "FAIL: " in _text(full)
    one = _text(_find(buggy_notebook, "%nncheck linear_backward --seed 0"))
    assert "linear_backward" in one and "L_model_backward" not in one
    typo = _text(_find(buggy_notebook, "%nncheck linear_bakward"))
    assert "did you mean 'linear_backward'?" in typo


def test_kernel_error_in_a_cell_is_located_by_its_cell(buggy_notebook: list[Any]) -> None:
    crashed = _text(_find(buggy_notebook, "%nncheck relu_backward --seed 0"))
    assert re.search(r"NameError: name 'dz' is not defined \(cell In\[\d+\], line 3", crashed)


@pytest.mark.parametrize("which", ["correct_notebook", "buggy_notebook"])
def test_kernel_namespace_and_random_stream_are_undisturbed(
    which: str, request: pytest.FixtureRequest
) -> None:
    cells = request.getfixturevalue(which)
    assert "randn unchanged: True" in _text(_find(cells, _RANDOM))
    assert _text(_find(cells, _COMPARE)).splitlines() == ["added []", "removed []", "rebound []"]


def test_kernel_hanging_function_is_stopped_and_the_kernel_goes_on(
    buggy_notebook: list[Any],
) -> None:
    shown = _text(_find(buggy_notebook, "%nncheck update_parameters --seed 0 --timeout 1"))
    assert "update_parameters did not return within 1 s" in shown
    assert "FAIL: 1 check(s) failed in update_parameters" in shown
    alive = _text(buggy_notebook[-1])
    assert alive.startswith("alive after") and int(alive.split()[2]) < 10


def test_readme_example_is_what_the_kernel_shows(buggy_notebook: list[Any]) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## In Jupyter", 1)[1].split("\n## ", 1)[0]
    example = next(b for b in section.split("```")[1::2] if b.lstrip().startswith("notebook ("))
    shown = _text(_find(buggy_notebook, "%nncheck --seed 0")).splitlines()
    lines = [line for line in example.strip().splitlines() if line.strip() != "…"]
    # every line of the README's example, in order, starts a line of the real output ("…"
    # elides lines; a long line may be cut after a comma)
    position = 0
    for line in lines:
        at = next((i for i in range(position, len(shown)) if shown[i].startswith(line)), None)
        assert at is not None, line
        position = at + 1
