"""Finding and shrinking counterexamples with Hypothesis."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from random import Random
from typing import Generic, TypeVar, cast

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import find as _find
from hypothesis import strategies as st
from hypothesis.errors import Flaky, InvalidArgument, NoSuchExample

from nncheck._compare import clone  # one copying rule (arrays inside containers) for both
from nncheck.properties import PropertyResult
from nncheck.strategies._args import _int_arg
from nncheck.strategies._cases import LayerCase, LogisticCase, NetworkCase
from nncheck.strategies._shapes import Architecture

T = TypeVar("T")


def describe(value: object, *, max_values: int = 24) -> object:
    """A JSON-able description of an example: shapes, dtypes and (small) values, plus the replay
    call for a :class:`NetworkCase` or :class:`LayerCase`."""
    if isinstance(value, NetworkCase):
        return {
            "kind": "NetworkCase",
            "dims": list(value.dims),
            "m": value.m,
            "hidden": value.hidden,
            "seed": value.seed,
            "replay": value.replay,
            "params": describe(value.params, max_values=max_values),
            "X": describe(value.X, max_values=max_values),
            "Y": describe(value.Y, max_values=max_values),
        }
    if isinstance(value, LayerCase):
        return {
            "kind": "LayerCase",
            "n": value.n,
            "n_prev": value.n_prev,
            "m": value.m,
            "activation": value.activation,
            "seed": value.seed,
            "replay": value.replay,
            **{
                k: describe(getattr(value, k), max_values=max_values)
                for k in ("A_prev", "W", "b", "Z", "dA")
            },
        }
    if isinstance(value, LogisticCase):
        return {
            "kind": "LogisticCase",
            "n_x": value.n_x,
            "m": value.m,
            "b": value.b,
            "seed": value.seed,
            "replay": value.replay,
            **{k: describe(getattr(value, k), max_values=max_values) for k in ("w", "X", "Y")},
        }
    if isinstance(value, Architecture):
        return {"kind": "Architecture", "dims": list(value.dims), "hidden": value.hidden}
    if isinstance(value, np.ndarray):
        out: dict[str, object] = {"shape": list(value.shape), "dtype": str(value.dtype)}
        if value.size <= max_values:
            out["values"] = (
                np.asarray(value, dtype=np.float64).tolist()
                if value.dtype.kind in "biuf"
                else repr(value)
            )
        return out
    if isinstance(value, Mapping):
        return {str(k): describe(v, max_values=max_values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(v, max_values=max_values) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


@dataclass(frozen=True)
class Counterexample(Generic[T]):
    """The smallest failing example found by :func:`find_counterexample`.

    ``example`` is the shrunk value, ``result`` the check's verdict on it (a crash of the check
    becomes a ``"fail"`` result of check ``"exception"``), ``search_seed`` and ``max_examples``
    rerun the same search, ``calls`` counts how often the check ran, and ``details`` is a
    JSON-able description of the example (shapes, values, replay).
    """

    example: T
    result: PropertyResult
    search_seed: int
    max_examples: int
    calls: int
    details: dict[str, object]

    @property
    def message(self) -> str:
        """The check's message, followed by how to replay the example."""
        replay = self.details.get("example")
        where = ""
        if isinstance(replay, Mapping) and "replay" in replay:
            where = f" [smallest failing case: {replay['replay']}]"
        elif isinstance(replay, Mapping):
            where = f" [smallest failing case: {replay}]"
        return self.result.message + where

    def to_dict(self) -> dict[str, object]:
        """JSON-able form: the result plus the example description and search seed."""
        return {
            "result": self.result.to_dict(),
            "search_seed": self.search_seed,
            "max_examples": self.max_examples,
            "calls": self.calls,
            **self.details,
        }


def _verdict(check: Callable[[T], PropertyResult | bool], value: T) -> PropertyResult:
    try:
        r = check(value)
    except Exception as exc:  # reason: a crash is a failure of the example, reported as data
        return PropertyResult(
            "exception",
            "fail",
            f"{type(exc).__name__}: {exc}",
            {"exception": type(exc).__name__, "error": str(exc)},
        )
    if isinstance(r, PropertyResult):
        return r
    if r:
        return PropertyResult("predicate", "pass", "the check returned True")
    return PropertyResult("predicate", "fail", "the check returned False")


def find_counterexample(
    check: Callable[[T], PropertyResult | bool],
    strategy: st.SearchStrategy[T],
    *,
    seed: int = 0,
    max_examples: int = 100,
) -> Counterexample[T] | None:
    """Search ``strategy`` for an example where ``check`` fails and shrink it to the smallest.

    ``check`` returns a :class:`~nncheck.properties.PropertyResult` (``"fail"`` is a failure) or a
    bool (False is a failure); an exception raised by ``check`` is a failure too. The search is
    deterministic for a given ``seed`` (no example database, no health checks, no deadline, no
    output). Returns None when ``max_examples`` examples pass. A check that fails and then
    passes on the same example (unseeded randomness) still yields its last failure, with
    ``details["flaky"] = True``.
    """
    seed = _int_arg("seed", seed, 0)
    max_examples = _int_arg("max_examples", max_examples, 1)
    if not isinstance(strategy, st.SearchStrategy):
        raise InvalidArgument(
            f"strategy={strategy!r} must be a Hypothesis strategy such as network_cases()"
        )
    if not callable(check):
        raise InvalidArgument(f"check={check!r} must be callable: example -> PropertyResult | bool")
    calls = 0
    last_failure: list[tuple[T, PropertyResult]] = []

    def fails(value: T) -> bool:
        nonlocal calls
        calls += 1
        # the check gets a copy: a function that mutates its inputs must not alter the example
        verdict = _verdict(check, cast(T, clone(value)))
        if verdict.status == "fail":
            last_failure[:] = [(value, verdict)]
        return verdict.status == "fail"

    config = settings(
        database=None,
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    flaky = False
    try:
        _find(strategy, fails, settings=config, random=Random(seed))
    except NoSuchExample:
        return None
    except Flaky:
        # the check failed, then passed on the same example (e.g. it uses unseeded randomness):
        # report the last failure seen rather than nothing
        flaky = True
    if not last_failure:  # pragma: no cover - find only returns after a failing call
        return None
    example, result = last_failure[0]
    details: dict[str, object] = {"example": describe(example)}
    if flaky:
        details["flaky"] = True
    return Counterexample(
        example=example,
        result=result,
        search_seed=seed,
        max_examples=max_examples,
        calls=calls,
        details=details,
    )
