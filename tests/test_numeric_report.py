"""The gradient check's own table quotes a mismatch with enough digits to show it."""

from __future__ import annotations

import numpy as np
import pytest

from nncheck.numeric import GradReport, ParameterReport, check_gradients


def _report(analytic: float, numeric: float, ratio: float | None) -> GradReport:
    row = ParameterReport(
        name="W1",
        shape=(3, 5),
        verdict="mismatch",
        max_abs_error=abs(analytic - numeric),
        relative_difference=abs(analytic - numeric) / (abs(analytic) + abs(numeric)),
        bound=1e-10,
        worst_index=(1, 0),
        analytic=analytic,
        numeric=numeric,
        checked=15,
        mismatched=1,
        ratio=ratio,
    )
    return GradReport(
        ok=False, mode="full", requested_mode="full", evaluations=32, parameters=(row,), seed=0
    )


def _quoted(text: str) -> tuple[str, str]:
    worst = text.split("analytic ")[1]
    return worst.split(" vs")[0], worst.split("numeric ")[1].split(" ")[0]


@pytest.mark.parametrize(
    ("analytic", "numeric"),
    [(0.0066921, 0.0066924), (-0.16001, -0.16), (1.2345e-7, 1.23456e-7), (1.0, 1.0 + 2**-52)],
)
def test_two_different_values_never_read_the_same(analytic: float, numeric: float) -> None:
    report = _report(analytic, numeric, analytic / numeric)
    text = str(report)
    yours, theirs = _quoted(text)
    assert yours != theirs, text
    assert float(yours) != float(theirs)
    # the ratio of two different values never reads 1, here or in the diagnosis
    assert "(ratio 1)" not in text and "yours is 1 ×" not in text, text
    assert "yours is within 0.1 % of the finite difference" in text
    html = report._repr_html_()
    assert f"yours {yours}, numeric {theirs}" in html


def test_short_numbers_stay_short() -> None:
    text = str(_report(0.5, 0.25, 2.0))
    assert _quoted(text) == ("0.5", "0.25")
    assert "(ratio 2)" in text and "yours is 2 × the finite difference" in text
    text = str(_report(8.0 * 0.0123, 0.0123, 8.000000000001))
    assert "yours is 8 × the finite difference" in text  # a factor's last ulps are not quoted


def test_a_real_mismatch_in_the_fifth_digit_reads_as_one() -> None:
    def cost(theta: np.ndarray) -> float:
        return float(np.sum(np.sin(theta)))

    theta = np.array([np.arccos(0.0066921), -0.7, 1.1])
    wrong = np.cos(theta)
    wrong[0] += 3e-7  # 0.0066924 instead of 0.0066921: off in the fifth significant digit
    report = check_gradients(cost, theta, wrong, seed=0, mode="full")
    assert not report.ok
    text = str(report)
    yours, theirs = _quoted(text)
    assert (yours, theirs) == ("0.0066924", "0.0066921"), text
    assert "yours is within 0.1 % of the finite difference" in text  # not "1 × the finite …"
