"""The public names of ``nncheck`` are the ones we mean, and importing it stays light."""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys

import numpy as np
import pytest

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
    "assert_layer",
    "check",
    "check_gradients",
    "check_layer",
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


def test_dir_lists_only_the_curated_names() -> None:
    # no typing helpers, no importlib, no lazy-import table: what a person may use, nothing else
    assert dir(nncheck) == sorted(EXPECTED_PUBLIC)
    for private in ("Any", "TYPE_CHECKING", "importlib", "_LAZY", "annotations"):
        assert private not in dir(nncheck)


def test_exceptions_carry_their_public_name() -> None:
    # tracebacks and pytest print ``nncheck.GradientMismatch``, not a private module path
    assert nncheck.GradientMismatch.__module__ == "nncheck"
    assert nncheck.GradientInputError.__module__ == "nncheck"
    report = nncheck.check_gradients(lambda w: float(w @ w), np.ones(2), np.ones(2), seed=0)
    error = pickle.loads(pickle.dumps(nncheck.GradientInputError("x")))
    assert isinstance(error, nncheck.GradientInputError) and not report.ok


@pytest.mark.parametrize("name", ["check_gradients", "assert_gradients"])
def test_gradient_options_are_in_the_signature(name: str) -> None:
    parameters = inspect.signature(getattr(nncheck, name)).parameters
    for option in ("mode", "seed", "directions", "coordinates", "rtol", "atol", "method"):
        assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, option


@pytest.mark.parametrize("name", ["check_layer", "assert_layer"])
def test_layer_signature_is_the_documented_one(name: str) -> None:
    parameters = inspect.signature(getattr(nncheck, name)).parameters
    assert list(parameters)[:3] == ["forward", "backward", "inputs"]
    assert parameters["inputs"].kind is inspect.Parameter.VAR_POSITIONAL
    for option in ("wrt", "mode", "seed", "directions", "rtol", "atol", "method"):
        assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, option
    assert parameters["seed"].default is None and parameters["mode"].default == "auto"
    doc = getattr(nncheck, name).__doc__
    assert doc and "backward" in doc
