"""Numbers quoted to show a mismatch show enough digits to show it."""

from __future__ import annotations

import numpy as np

from nncheck.numeric import check_gradients
from nncheck.report import _failure_lines, format_number, format_pair


def test_two_different_values_never_read_the_same() -> None:
    assert format_pair(-0.16001, -0.16) == ("-0.16001", "-0.16")
    assert format_pair(0.5, 0.25) == ("0.5", "0.25")  # three digits when they suffice
    assert format_pair(1.23456789e-7, 1.2345e-7) == ("1.2346e-07", "1.2345e-07")
    a, b = format_pair(1.0, float(np.nextafter(1.0, 2.0)))
    assert a != b
    assert format_pair(-0.16, -0.16) == (format_number(-0.16),) * 2


def test_a_gradcheck_mismatch_line_shows_the_difference() -> None:
    def cost(theta: np.ndarray) -> float:
        return float(np.sum(np.sin(theta)))

    theta = np.array([0.3, -0.7, 1.1])
    wrong = np.cos(theta) * (1 + 2e-4)  # off in the fourth significant digit
    report = check_gradients(cost, theta, wrong, seed=0)
    assert not report.ok
    (line,) = _failure_lines(report)
    yours = line.split("yours ")[1].split(",")[0]
    numeric = line.split("finite differences ")[1].split(" ")[0]
    assert yours != numeric, line


def test_a_ratio_near_one_is_not_printed_as_one() -> None:
    from nncheck.report import _ratio

    assert _ratio(1.00004) == "1.00004" and _ratio(1.0) == "1" and _ratio(2.0) == "2"
