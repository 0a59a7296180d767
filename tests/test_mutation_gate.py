"""Regression gate: a fixed sample of one-line mutants of the correct course files, per convention,
is killed by ``conform`` (``benchmarks/mutation.py`` measures the whole set; see the README)."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "mutation.py"
SAMPLE = 5
"""Mutants per convention: the gate stays fast (the full set takes minutes)."""


def _harness() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("nncheck_mutation_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_mutator_makes_every_kind_of_mutant() -> None:
    harness = _harness()
    made = harness.mutants(harness.SOURCES["week4"].read_text())
    kinds = {m.operator for m in made}
    assert {"arithmetic", "comparison", "constant", "axis", "keepdims", "transpose", "dot",
            "range", "key", "return", "conversion", "dict", "activation"} <= kinds  # fmt: skip
    assert all(m.source != made[0].source for m in made[1:])


@pytest.mark.parametrize("convention", ["week2", "week3", "week4"])
def test_no_sampled_mutant_survives(convention: str) -> None:
    harness = _harness()
    outcomes = harness.evaluate(convention, seed=0, timeout=60.0, sample=SAMPLE)
    assert len(outcomes) == SAMPLE
    missed = [o for o in outcomes if o.status in ("survived", "internal")]
    assert not missed, harness.summary(convention, outcomes)
