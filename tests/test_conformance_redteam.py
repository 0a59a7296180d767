"""Red-team findings on conform(): each test builds a learner file from a correct corpus file with
one function replaced by the reported bug, and checks nncheck's verdict on it."""

from __future__ import annotations

import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nncheck.conformance import ConformanceReport, Finding, conform
from nncheck.conventions._common import Case
from nncheck.errors import UsageError

CORPUS = Path(__file__).parent / "corpus"


def _with(tmp_path: Path, base: str, replacement: str, name: str = "hw.py") -> Path:
    """``base`` from the corpus with ``replacement``'s definitions overriding its own."""
    path = tmp_path / name
    source = (CORPUS / base).read_text().replace("EXPECTED", "_BASE_EXPECTED")
    path.write_text(source + "\n\n" + textwrap.dedent(replacement))
    return path


def _finding(report: ConformanceReport, function: str, check: str) -> Finding:
    return next(f for f in report.findings if f.function == function and f.check == check)


@pytest.mark.parametrize("seed", [3, 8])
def test_a_non_scalar_cost_skips_the_gradient_check_with_fix_it_first(
    tmp_path: Path, seed: int
) -> None:
    path = _with(
        tmp_path,
        "w4_correct_course.py",
        """
        def compute_cost(AL, Y):
            m = Y.shape[1]
            cost = (-1 / m) * (np.dot(Y.T, np.log(AL)) + np.dot((1 - Y).T, np.log(1 - AL)))
            return np.squeeze(cost)
        """,
    )
    report = conform(path, seed=seed, defs_only=True)
    gradient = _finding(report, "L_model_backward", "gradient")
    # never blamed on the backward pass: judged on its own, with nncheck's compute_cost
    assert gradient.status == "pass", gradient
    assert "fix compute_cost first" in gradient.message
    assert "judged on its own" in gradient.message
    assert not any(
        f.status == "warn" and "nncheck could not run" in f.message for f in report.findings
    )


def test_a_non_scalar_week3_cost_skips_the_gradient_check(tmp_path: Path) -> None:
    path = _with(
        tmp_path,
        "w3_correct_course.py",
        """
        def compute_cost(A2, Y, parameters):
            m = Y.shape[1]
            return -(np.dot(Y.T, np.log(A2)) + np.dot((1 - Y).T, np.log(1 - A2))) / m
        """,
    )
    report = conform(path, seed=4, defs_only=True)
    gradient = _finding(report, "backward_propagation", "gradient")
    assert gradient.status == "pass" and "fix compute_cost first" in gradient.message, gradient
    assert "judged on its own" in gradient.message


def test_a_forward_pass_without_the_last_cache_fails_there_not_in_the_backward_pass(
    tmp_path: Path,
) -> None:
    path = _with(
        tmp_path,
        "w4_correct_course.py",
        """
        def L_model_forward(X, parameters):
            caches = []
            A = X
            L = len(parameters) // 2
            for l in range(1, L):
                A, cache = linear_activation_forward(
                    A, parameters["W" + str(l)], parameters["b" + str(l)], "relu"
                )
                caches.append(cache)
            AL, cache = linear_activation_forward(
                A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid"
            )
            return AL, caches
        """,
    )
    report = conform(path, seed=3, defs_only=True)
    caches = _finding(report, "L_model_forward", "caches")
    assert caches.status == "fail" and caches.mistake == "missing_cache", caches
    assert caches.expected == 3 and caches.actual == 2
    assert "caches.append" in (caches.diagnosis or "")
    backward = [f for f in report.findings if f.function == "L_model_backward"]
    # judged on its own with nncheck's L_model_forward: the backward pass itself is right
    assert backward and all(f.status == "pass" for f in backward), backward
    skipped_first = [f for f in backward if "fix L_model_forward first" in f.message]
    assert skipped_first and all("judged on its own" in f.message for f in skipped_first)


def _fake_context() -> Any:
    from nncheck.conventions._common import Context

    return Context(types.ModuleType("hw"), {}, 3, None, "week4")


def _always_failing(by_case: Callable[[Case], tuple[str, str]]) -> tuple[Any, Any]:
    from nncheck.conventions._common import Trial

    def factory(ctx: Any, case: Case) -> Trial:
        return Trial(invoke=lambda: case, outputs=lambda r: {}, expected={}, args={})

    def judge(trial: Any, result: Case, case: Case) -> Finding:
        mistake, diagnosis = by_case(result)
        return Finding("f", "values", "fail", "wrong", diagnosis=diagnosis, mistake=mistake)

    return factory, judge


def test_the_largest_failing_example_decides_the_diagnosis() -> None:
    from nncheck.conventions._common import _run_cases, make_cases

    cases = make_cases(3, 3)
    largest = max(cases, key=lambda c: c.size)
    assert len({c.m for c in cases}) == len(cases) > 1  # each case names a different mistake
    # put the largest last, so that "the first failing case" and "the largest" differ
    ordered = sorted(cases, key=lambda c: c.size)
    factory, judge = _always_failing(lambda c: (f"m{c.m}", f"m = {c.m}"))
    f = _run_cases(_fake_context(), "f", "values", factory, ordered, judge, "ok")
    assert f.mistake == f"m{largest.m}", (f.mistake, [c.size for c in ordered])


def test_a_constant_factor_that_changes_between_examples_is_not_named() -> None:
    from nncheck.conventions._common import _run_cases, make_cases

    cases = make_cases(3, 3)
    factory, judge = _always_failing(lambda c: ("scaled", f"db is {c.m / 3:.6g} times the right"))
    f = _run_cases(_fake_context(), "f", "values", factory, cases, judge, "ok")
    assert f.status == "fail" and f.mistake is None and f.diagnosis is None, f
    factory, judge = _always_failing(lambda c: ("scaled", "db is 2 times the right value"))
    f = _run_cases(_fake_context(), "f", "values", factory, cases, judge, "ok")
    assert f.mistake == "scaled", f


def test_the_gradient_check_names_the_mistake_the_values_check_found(tmp_path: Path) -> None:
    path = _with(
        tmp_path,
        "w4_correct_course.py",
        """
        def linear_backward(dZ, cache):
            A_prev, W, b = cache
            m = A_prev.shape[0]
            dW = 1 / m * np.dot(dZ, A_prev.T)
            db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
            return np.dot(W.T, dZ), dW, db
        """,
    )
    report = conform(path, seed=5, defs_only=True)
    for function in ("linear_backward", "L_model_backward"):
        values = _finding(report, function, "values")
        gradient = _finding(report, function, "gradient")
        assert values.status == gradient.status == "fail", (values, gradient)
        assert values.mistake == gradient.mistake == "wrong_m", (values, gradient)
        assert "constant factor" not in (gradient.diagnosis or "")


def test_a_gradient_ratio_that_changes_between_examples_is_not_called_a_factor(
    tmp_path: Path,
) -> None:
    # db = np.sum(dZ, axis=1, keepdims=True) / dZ.size: off by n[l] on one example, by another
    # ratio elsewhere — the values check names no factor, so the gradient check must not either
    path = _with(
        tmp_path,
        "w4_correct_course.py",
        """
        def linear_backward(dZ, cache):
            A_prev, W, b = cache
            m = A_prev.shape[1]
            dW = 1 / m * np.dot(dZ, A_prev.T)
            db = np.sum(dZ, axis=1, keepdims=True) / (m + dZ.shape[0] * m * m)
            return np.dot(W.T, dZ), dW, db
        """,
    )
    report = conform(path, seed=3, defs_only=True)
    gradient = _finding(report, "linear_backward", "gradient")
    assert gradient.status == "fail", gradient
    assert gradient.mistake is None and gradient.diagnosis is None, gradient
    assert "db is" in gradient.message and "finite differences give" in gradient.message


def test_checker_probes_that_change_nothing_are_ignored() -> None:
    # seed 592: dW2 and db1 are zero (dead units), so "dW2 × 2, db1 × 4" changes nothing; a right
    # checker must still pass, a difference of norms must still be caught by the sign flip
    good = _finding(
        conform(CORPUS / "c2_correct_course.py", seed=592, defs_only=True),
        "gradient_check_n",
        "checker",
    )
    assert good.status == "pass", good
    bad = conform(CORPUS / "c2_bug_gradcheck_diff_of_norms.py", seed=592, defs_only=True)
    checker = _finding(bad, "gradient_check_n", "checker")
    assert checker.status == "fail" and checker.mistake == "difference_formula", checker
    assert "(‖grad‖₂ + ‖gradapprox‖₂)" in (checker.diagnosis or "")


def test_a_parameter_with_a_zero_gradient_is_not_a_skipped_layer() -> None:
    # seed 481 draws a network whose ReLU units are all dead: dW1 … dW3 are zero, so the right
    # update leaves them unchanged
    report = conform(CORPUS / "c2_correct_init_utils_style.py", seed=481, defs_only=True)
    direction = _finding(report, "update_parameters", "direction")
    assert direction.status == "pass", direction


@pytest.mark.parametrize("seed", [3, 5])
def test_a_wrong_sum_axis_is_not_called_a_transpose(seed: int) -> None:
    report = conform(CORPUS / "w3_bug_db1_axis0_keepdims.py", seed=seed, defs_only=True)
    for check in ("values", "shapes"):
        f = _finding(report, "backward_propagation", check)
        assert f.status == "fail" and f.mistake == "wrong_sum_axis", f
        assert "(in layer 1)" in (f.diagnosis or ""), f
        assert "transpose" not in f.message, f


def test_the_no_convention_message_takes_the_front_doors_rename_hint(tmp_path: Path) -> None:
    path = tmp_path / "hw.py"
    path.write_text("def forward(X, params):\n    return X\n")
    with pytest.raises(UsageError) as default:
        conform(path, seed=0)
    assert "pass convention={course name: your name}" in str(default.value)
    with pytest.raises(UsageError) as cli:
        conform(path, seed=0, rename_hint="or rename them with --rename COURSE=YOURS")
    assert str(cli.value).endswith("or rename them with --rename COURSE=YOURS")
    assert "pass convention=" not in str(cli.value)


def test_the_one_dimensional_checker_is_not_blamed_for_a_wrong_forward(tmp_path: Path) -> None:
    path = _with(
        tmp_path,
        "c2_correct_one_dimensional.py",
        """
        def forward_propagation(x, theta):
            return theta + x
        """,
    )
    report = conform(path, seed=0, defs_only=True)
    checker = _finding(report, "gradient_check", "checker")
    assert checker.status == "skip" and "fix forward_propagation first" in checker.message, checker
    assert _finding(report, "forward_propagation", "values").status == "fail"


def test_a_gradient_diagnosis_quotes_its_own_examples_m_not_the_values_examples() -> None:
    # the values check fails first on m = 2, the gradient check on m = 5: "it is m = 2 times too
    # large" next to a gradient 5 times too large would contradict the numbers shown with it
    from nncheck import examples

    report = conform(examples.BUGGY, seed=0)
    values = _finding(report, "linear_backward", "values")
    gradient = _finding(report, "linear_backward", "gradient")
    assert values.mistake == gradient.mistake == "missing_1_over_m"
    assert gradient.example is not None and values.example is not None
    m_grad, m_values = gradient.example["m"], values.example["m"]
    assert m_grad != m_values  # the case this test is about
    assert gradient.diagnosis is not None
    assert f"m = {m_grad} times" in gradient.diagnosis
    assert f"m = {m_values} times" not in gradient.diagnosis
    assert gradient.actual == pytest.approx(m_grad * gradient.expected, rel=1e-3)
