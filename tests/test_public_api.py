"""The public names of ``nncheck`` are the ones we mean, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import nncheck

EXPECTED_PUBLIC = {
    "ConformanceReport",
    "Finding",
    "GradReport",
    "GradientInputError",
    "GradientMismatch",
    "LoadError",
    "ParameterReport",
    "ShapeError",
    "__version__",
    "assert_gradients",
    "check",
    "check_gradients",
    "conform",
}


def test_all_is_the_curated_list() -> None:
    assert set(nncheck.__all__) == EXPECTED_PUBLIC


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in nncheck.__all__:
        value = getattr(nncheck, name)
        if callable(value):
            assert value.__doc__, f"nncheck.{name} has no docstring"


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        nncheck.no_such_name  # type: ignore[attr-defined]  # noqa: B018 - the access is the test
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("nncheck.no_such_name should raise AttributeError")


def test_gradient_mismatch_is_an_assertion_error() -> None:
    assert issubclass(nncheck.GradientMismatch, AssertionError)
    assert issubclass(nncheck.ShapeError, ValueError)


def test_public_api_imports_neither_sympy_nor_hypothesis() -> None:
    code = (
        "import sys, nncheck\n"
        "nncheck.check_gradients, nncheck.conform, nncheck.ShapeError\n"
        "heavy = sorted(m for m in ('sympy', 'hypothesis') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
