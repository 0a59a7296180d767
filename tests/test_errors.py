"""One error module: the person's crash passes through the engines unchanged; usage errors are
structured and each front door words its own advice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nncheck.conventions._gradient import gradient_finding
from nncheck.errors import UsageError, UserCodeError
from nncheck.numeric import GradientInputError, check_gradients


def test_a_user_code_error_passes_through_the_finite_difference_engine() -> None:
    crash = UserCodeError("propagate", "raised ZeroDivisionError: division by zero")

    def cost(p: Any) -> float:
        if p["w"][0, 0] != 1.0:  # crashes only once an element is perturbed
            raise crash
        return float(np.sum(p["w"] ** 2))

    with pytest.raises(UserCodeError) as exc:
        check_gradients(cost, {"w": np.ones((2, 2))}, {"w": 2 * np.ones((2, 2))}, seed=0)
    assert exc.value is crash


def test_any_other_exception_is_still_the_engines_input_error() -> None:
    def cost(p: Any) -> float:
        raise KeyError("W3")

    with pytest.raises(GradientInputError, match="cost\\(params\\) raised KeyError"):
        check_gradients(cost, {"w": np.ones(2)}, {"w": np.ones(2)}, seed=0)


def test_conform_reports_the_persons_crash_during_a_finite_difference() -> None:
    # before: the crash was swallowed and the check fell back to a looser finite difference
    def cost(p: Any) -> float:
        if p["W1"][0, 0] != 0.5:
            raise ZeroDivisionError("their bug")
        return float(np.sum(p["W1"] ** 2))

    params = {"W1": np.full((2, 2), 0.5)}
    with pytest.raises(ZeroDivisionError, match="their bug"):
        gradient_finding("f", cost, params, {"W1": params["W1"] * 2}, seed=0, m=2, example={})
    right = gradient_finding(
        "f", lambda p: float(np.sum(p["W1"] ** 2)), params, {"W1": params["W1"] * 2},
        seed=0, m=2, example={},
    )  # fmt: skip
    assert right.status == "pass", right


def test_usage_error_is_a_value_error_the_front_doors_catch(tmp_path: Path) -> None:
    from nncheck.cli import EXIT_ERROR, main

    assert issubclass(UsageError, ValueError)
    path = tmp_path / "nothing.py"
    path.write_text("def hello():\n    return 1\n")
    assert main(["conform", str(path), "--seed", "0"]) == EXIT_ERROR
