"""The pytest plugin: items per function and check, findings as failures, seed, xdist, laziness."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

# imported here, before pytester's in-process runs snapshot sys.modules: numpy cannot be imported
# twice in one process, and the inline runs would otherwise import (and drop) it
import nncheck.conformance
import nncheck.numeric
from nncheck.conventions import available_conventions

pytest_plugins = ["pytester"]
assert available_conventions() and nncheck.conformance.conform and nncheck.numeric

CORPUS = Path(__file__).parent / "corpus"


def _copy(pytester: pytest.Pytester, corpus_name: str, as_name: str = "hw.py") -> Path:
    dest = pytester.path / as_name
    shutil.copy(CORPUS / corpus_name, dest)
    return dest


def test_one_item_per_function_and_check(pytester: pytest.Pytester) -> None:
    _copy(pytester, "w4_correct_course.py")
    result = pytester.runpytest("--nncheck=hw.py", "--collect-only", "-q", "-p", "no:cacheprovider")
    out = result.stdout.str()
    for nodeid in (
        "nncheck::linear_backward::gradient",
        "nncheck::linear_backward::values",
        "nncheck::L_model_backward::gradient",
        "nncheck::relu_backward::mutation",
        "nncheck::update_parameters::direction",
    ):
        assert nodeid in out
    ids = [line for line in out.splitlines() if line.startswith("nncheck::")]
    assert len(ids) == len(set(ids)) >= 40


def test_correct_file_passes_and_header_shows_seed_and_convention(
    pytester: pytest.Pytester,
) -> None:
    _copy(pytester, "w4_correct_course.py")
    result = pytester.runpytest("--nncheck=hw.py", "--nncheck-seed=7", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=53, skipped=2, warnings=1)  # with the cache and scale checks
    result.stdout.fnmatch_lines(["nncheck: seed 7 *", "nncheck: hw.py: convention week4"])


def test_failure_shows_the_finding_not_a_traceback(pytester: pytest.Pytester) -> None:
    _copy(pytester, "w4_bug_db_no_keepdims.py")
    result = pytester.runpytest("--nncheck=hw.py", "--nncheck-seed=1", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 2 and outcomes["passed"] >= 30
    out = result.stdout.str()
    assert "nncheck::linear_backward::shapes" in out
    assert "lost keepdims" in out and "keepdims=True" in out
    assert "smallest failing example" in out
    assert "Traceback" not in out and "nncheck/conventions" not in out


def test_seed_replays_the_same_examples(pytester: pytest.Pytester) -> None:
    _copy(pytester, "w4_bug_dW_missing_m.py")
    runs = [
        pytester.runpytest("--nncheck=hw.py", "--nncheck-seed=123", "-p", "no:cacheprovider")
        for _ in range(2)
    ]
    failures = [
        [ln for ln in r.stdout.lines if "smallest failing example" in ln or "expected" in ln]
        for r in runs
    ]
    assert failures[0] and failures[0] == failures[1]
    assert "seed=123" in " ".join(failures[0])


def test_absent_functions_are_skipped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        hw="""
        import numpy as np

        def linear_forward(A, W, b):
            return W @ A + b, (A, W, b)
        """
    )
    result = pytester.runpytest("--nncheck=hw.py", "-rs", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 4 and outcomes["skipped"] >= 10  # values, shapes, cache, mutation
    result.stdout.fnmatch_lines(["*L_model_backward is missing*"])


def test_require_all_fails_the_absent_functions(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        hw="""
        import numpy as np

        def linear_forward(A, W, b):
            return W @ A + b, (A, W, b)
        """
    )
    args = ("--nncheck=hw.py", "-p", "no:cacheprovider")
    result = pytester.runpytest(*args, "--nncheck-require-all", "-rs")
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 4 and outcomes["failed"] >= 10
    # sigmoid, relu and their backward passes are skipped: the course ships them (dnn_utils);
    # two_layer_model and L_layer_model too: they are the Application notebook's, not this one's
    assert outcomes.get("skipped") == 6
    result.stdout.fnmatch_lines(["*L_model_backward is missing*every function*required*"])
    result.stdout.fnmatch_lines(["*L_layer_model is not checked: this file is the Step by Step*"])


def test_load_error_is_a_collection_error_with_file_and_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(hw="def linear_forward(A, W, b:\n    return 1\n")
    result = pytester.runpytest("--nncheck=hw.py", "-p", "no:cacheprovider")
    assert result.ret != 0
    out = result.stdout.str()
    assert re.search(r"hw\.py:1: SyntaxError", out), out
    assert "Traceback" not in out


def test_target_from_pyproject(pytester: pytest.Pytester) -> None:
    _copy(pytester, "w3_bug_tanh_derivative.py")
    pytester.makefile(
        ".toml",
        pyproject=textwrap.dedent(
            """
            [tool.nncheck]
            target = "hw.py"
            seed = 5
            """
        ),
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["nncheck: seed 5 *", "nncheck: *hw.py: convention week3"])
    assert "1 − a instead of 1 − a²" in result.stdout.str()
    assert result.parseoutcomes()["failed"] >= 1


def test_without_the_option_nothing_is_collected_or_imported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_lazy="""
        import sys

        def test_lazy():
            names = ("sympy", "nncheck.conformance", "nncheck.conventions")
            assert [m for m in names if m in sys.modules] == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "nncheck:" not in result.stdout.str()


def test_works_under_xdist_with_one_seed_for_all_workers(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    _copy(pytester, "w4_bug_cost_sum.py")
    result = pytester.runpytest_subprocess(
        "--nncheck=hw.py", "-n", "2", "-p", "no:cacheprovider", "-p", "no:randomly"
    )
    out = result.stdout.str()
    seed = re.search(r"nncheck: seed (\d+)", out)
    assert seed is not None, out
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 1 and outcomes["passed"] >= 30
    assert "nncheck::compute_cost::values" in out
    # every worker used the controller's seed: the examples of the failures name it
    examples = re.findall(r"seed=(\d+)", out)
    assert examples and set(examples) == {seed.group(1)}


def test_several_targets_get_their_own_prefix(pytester: pytest.Pytester) -> None:
    _copy(pytester, "w2_correct_course.py", "a.py")
    _copy(pytester, "w2_bug_dw_missing_m.py", "b.py")
    result = pytester.runpytest(
        "--nncheck=a.py", "--nncheck=b.py", "--nncheck-seed=2", "-p", "no:cacheprovider"
    )
    out = result.stdout.str()
    assert "FAILED nncheck[b.py]::propagate::values" in out
    assert "nncheck[a.py]::propagate::values" not in out  # passed, so not listed
    result.stdout.fnmatch_lines(
        ["nncheck: a.py: convention week2", "nncheck: b.py: convention week2"]
    )
    assert result.parseoutcomes()["failed"] >= 1


def test_defs_only_and_convention_options(pytester: pytest.Pytester) -> None:
    source = (CORPUS / "w2_correct_course.py").read_text()
    (pytester.path / "nb.py").write_text(source + "\nw, b = train_forever()\n")
    failed = pytester.runpytest("--nncheck=nb.py", "-p", "no:cacheprovider")
    assert failed.ret != 0 and "NameError" in failed.stdout.str()
    result = pytester.runpytest(
        "--nncheck=nb.py",
        "--nncheck-defs-only",
        "--nncheck-convention=week2",
        "--nncheck-seed=3",
        "-p",
        "no:cacheprovider",
    )
    result.stdout.fnmatch_lines(["nncheck: nb.py: convention week2"])
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] >= 8 and "failed" not in outcomes


def test_items_can_be_selected_with_k(pytester: pytest.Pytester) -> None:
    _copy(pytester, "w4_bug_db_missing_m.py")
    result = pytester.runpytest(
        "--nncheck=hw.py", "-k", "linear_backward and values", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(failed=1, deselected=54)


def test_load_error_advice_names_the_plugins_option(pytester: pytest.Pytester) -> None:
    (pytester.path / "hw.py").write_text(
        "import numpy as np\nfrom planar_utils import sigmoid\n\n\ndef layer_sizes(X, Y):\n"
        "    return X.shape[0], 4, Y.shape[0]\n"
    )
    result = pytester.runpytest("--nncheck=hw.py", "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "planar_utils" in out and "--nncheck-defs-only" in out, out
    assert not re.search(r"(?<!nncheck)--defs-only", out), out


def test_no_known_functions_names_the_plugins_options_not_the_python_api(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "hw.py").write_text("def forward(X, params):\n    return X\n")
    result = pytester.runpytest("--nncheck=hw.py", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)  # a usage error, like a file that does not load
    out = result.stdout.str()
    assert "nncheck cannot check hw.py" in out, out
    assert "found none of the functions of a known convention" in out
    assert "--nncheck-convention" in out and "--rename" in out, out
    assert "pass convention=" not in out, out
