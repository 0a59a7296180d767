"""The week-3 variant with a ReLU hidden layer (docs/architecture.md's worked example): chosen
explicitly at every front door; without the choice the course's tanh stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nncheck import conventions
from nncheck._frontdoor import HIDDEN_ACTIVATIONS
from nncheck.cli import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, main
from nncheck.conformance import conform

pytest_plugins = ["pytester"]

CORPUS = Path(__file__).parent / "corpus"
TANH = (CORPUS / "w3_correct_course.py").read_text()
RELU_FORWARD = ("A1 = np.tanh(Z1)", "A1 = np.maximum(0, Z1)")
RELU_BACKWARD = ("1 - np.power(A1, 2)", "(A1 > 0)")


@pytest.fixture
def relu_correct(tmp_path: Path) -> Path:
    path = tmp_path / "w3_relu.py"
    path.write_text(TANH.replace(*RELU_FORWARD).replace(*RELU_BACKWARD))
    return path


@pytest.fixture
def relu_with_tanh_derivative(tmp_path: Path) -> Path:
    # the course's backward pass copied into a ReLU network: dZ1 = dA1 ∗ (1 − A1²)
    path = tmp_path / "w3_relu_bug.py"
    path.write_text(TANH.replace(*RELU_FORWARD))
    return path


def test_the_sources_are_what_the_tests_say() -> None:
    assert all(old in TANH for old, _ in (RELU_FORWARD, RELU_BACKWARD))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_correct_relu_network_passes_when_chosen(relu_correct: Path, seed: int) -> None:
    report = conform(relu_correct, seed=seed, defs_only=True, hidden_activation="relu")
    assert report.ok, report
    passed = {(f.function, f.check) for f in report.findings if f.status == "pass"}
    for function in ("forward_propagation", "backward_propagation"):
        assert (function, "values") in passed, report
    assert ("backward_propagation", "gradient") in passed, report
    assert any(function == "predict" for function, _ in passed), report


def test_without_the_choice_the_course_tanh_stands(relu_correct: Path) -> None:
    report = conform(relu_correct, seed=0, defs_only=True)
    assert not report.ok
    forward = [f for f in report.failures if f.function == "forward_propagation"]
    assert forward and forward[0].mistake == "wrong_activation", report
    assert "relu instead of tanh" in (forward[0].diagnosis or ""), forward[0]


@pytest.mark.parametrize("seed", [0, 5])
def test_the_tanh_derivative_left_in_a_relu_layer_is_named(
    relu_with_tanh_derivative: Path, seed: int
) -> None:
    report = conform(relu_with_tanh_derivative, seed=seed, defs_only=True, hidden_activation="relu")
    backward = [
        f for f in report.failures if f.function == "backward_propagation" and f.check == "values"
    ]
    assert backward and backward[0].mistake == "wrong_activation_derivative", report
    assert "tanh's derivative 1 − A²" in (backward[0].diagnosis or ""), backward[0]
    assert not [f for f in report.failures if f.function == "forward_propagation"], report


def test_tanh_chosen_explicitly_is_the_course(relu_correct: Path) -> None:
    course = CORPUS / "w3_correct_course.py"
    assert conform(course, seed=0, defs_only=True, hidden_activation="tanh").ok
    assert not conform(relu_correct, seed=0, defs_only=True, hidden_activation="tanh").ok


def test_a_name_the_convention_does_not_list_is_a_usage_error(relu_correct: Path) -> None:
    with pytest.raises(ValueError, match=r"no hidden activation 'sigmoid'.*tanh, relu"):
        conform(relu_correct, seed=0, defs_only=True, hidden_activation="sigmoid")
    week4 = CORPUS / "w4_correct_course.py"
    with pytest.raises(ValueError, match="convention week4 has no hidden activation"):
        conform(week4, seed=0, defs_only=True, hidden_activation="relu")


def test_the_cli_choices_are_the_conventions_variants() -> None:
    variants = {
        v
        for name in conventions.CONVENTIONS
        for v in getattr(conventions.convention_module(name), "VARIANTS", ())
    }
    assert set(HIDDEN_ACTIVATIONS) == variants


def test_the_cli_option(relu_correct: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["conform", str(relu_correct), "--seed", "0", "--defs-only", "--json"]
    assert main([*argv, "--hidden-activation", "relu"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(argv) == EXIT_PROBLEMS
    capsys.readouterr()
    assert main([*argv, "--hidden-activation", "sigmoid"]) == EXIT_ERROR
    assert "invalid choice: 'sigmoid'" in capsys.readouterr().err


def test_the_plugin_option(relu_correct: Path, pytester: pytest.Pytester) -> None:
    argv = [f"--nncheck={relu_correct}", "--nncheck-seed=0", "--nncheck-defs-only"]
    chosen = pytester.runpytest_subprocess(*argv, "--nncheck-hidden-activation=relu")
    assert chosen.ret == 0, chosen.stdout.str()
    assert chosen.parseoutcomes()["passed"] >= 10
    course = pytester.runpytest_subprocess(*argv)
    assert course.parseoutcomes()["failed"] >= 1
