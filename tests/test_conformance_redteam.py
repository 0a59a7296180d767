"""Red-team findings on conform(): each test builds a learner file from a correct corpus file with
one function replaced by the reported bug, and checks nncheck's verdict on it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nncheck.conformance import ConformanceReport, Finding, conform

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
    assert gradient.status == "skip", gradient
    assert "fix compute_cost first" in gradient.message
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
    assert gradient.status == "skip" and "fix compute_cost first" in gradient.message, gradient


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
    assert backward and all(f.status == "skip" for f in backward), backward
    assert all("fix L_model_forward first" in f.message for f in backward)
