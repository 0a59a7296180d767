"""Running a training function in a recording copy of the person's namespace, its arguments
bound by name (see :mod:`nncheck.conventions._training`)."""

from __future__ import annotations

import copy
import difflib
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nncheck._binding import ALIASES
from nncheck._callees import calls, rebound
from nncheck.conventions._common import Context
from nncheck.conventions._training_specs import Training, training_functions

__all__ = [
    "HYPERPARAMETERS",
    "RUNAWAY",
    "Log",
    "bind",
    "canonical",
    "run_recorded",
    "takes",
]

RUNAWAY = 50
"""Iterations after which a training function that was asked for ``ITERATIONS`` is stopped: its
loop does not use num_iterations (and the check stays cheap whatever it runs instead)."""
PLOTTING = ("plt", "pyplot", "matplotlib", "mpl", "pylab", "sns", "seaborn")
"""Names of plotting modules a training function may use after their import was skipped."""

HYPERPARAMETERS = (
    "learning_rate",
    "num_iterations",
    "n_h",
    "layer_dims",
    "print_cost",
    "initialization",
)
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "X_train": ("X_train", "train_x", "x_train", "X", "train_set_x"),
    "Y_train": ("Y_train", "train_y", "y_train", "Y", "train_set_y"),
    "X_test": ("X_test", "test_x", "x_test", "test_set_x"),
    "Y_test": ("Y_test", "test_y", "y_test", "test_set_y"),
    "initialization": ("initialization", "init", "initialisation"),
    "w": ("w", "W", "weights"),
    "b": ("b", "bias"),
}


# ------------------------------------------------------------------ recording the helpers


@dataclass(frozen=True)
class _Call:
    name: str
    arguments: Mapping[str, Any]
    """Every parameter of the helper with its value (defaults applied)."""
    passed: frozenset[str]
    """The parameters the caller gave a value (the others took their default)."""


@dataclass
class Log:
    calls: list[_Call] = field(default_factory=list)
    results: dict[str, list[Any]] = field(default_factory=dict)
    first: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    """A copy of the arguments of the first call of the helper that marks an iteration."""
    arity: list[tuple[str, str]] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(1 for c in self.calls if c.name == name)


class _Runaway(BaseException):
    """Raised inside the person's loop to stop it (a BaseException: their ``except Exception``
    must not swallow it)."""


class _Recorder:
    """A course helper that logs how it is called (and, for initialisation, what it returns)."""

    def __init__(
        self, name: str, fn: Callable[..., Any], log: Log, keep: bool, marker: bool
    ) -> None:
        self.name, self.fn, self.log, self.keep, self.marker = name, fn, log, keep, marker
        try:
            self.signature: inspect.Signature | None = inspect.signature(fn)
        except (TypeError, ValueError):
            self.signature = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.signature is not None:
            try:
                bound = self.signature.bind(*args, **kwargs)
            except TypeError as exc:
                self.log.arity.append((self.name, str(exc)))
            else:
                passed = frozenset(bound.arguments)
                bound.apply_defaults()
                self.log.calls.append(_Call(self.name, dict(bound.arguments), passed))
                if self.marker and self.name not in self.log.first:
                    self.log.first[self.name] = copy.deepcopy(dict(bound.arguments))
                if self.marker and self.log.count(self.name) > RUNAWAY:
                    raise _Runaway
        result = self.fn(*args, **kwargs)
        if self.keep:
            self.log.results.setdefault(self.name, []).append(copy.deepcopy(result))
        return result


class _Silent:
    """Stands in for a plotting module whose import was skipped: every use does nothing."""

    def __getattr__(self, name: str) -> _Silent:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _Silent:
        return self

    def __getitem__(self, key: Any) -> _Silent:
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        return None

    def __iter__(self) -> Iterator[_Silent]:
        return iter((self, self))


# ------------------------------------------------------------------ binding the arguments


def canonical(name: str) -> str | None:
    for canon in (*HYPERPARAMETERS, "n_x", "n_y", *_EXTRA_ALIASES, "X", "Y"):
        if name in (canon, *ALIASES.get(canon, ()), *_EXTRA_ALIASES.get(canon, ())):
            return canon
    return None


@dataclass(frozen=True)
class _Binding:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    misspelt: tuple[tuple[str, str], ...]
    """(canonical name, the person's parameter) pairs matched only by spelling."""
    missing: tuple[str, ...]
    """Required hyperparameters the function does not take at all."""


def bind(f: Callable[..., Any], spec: Training, values: Mapping[str, Any]) -> _Binding:
    params = list(inspect.signature(f).parameters.values())
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    lookup: dict[str, str] = {}
    for canon in spec.order:
        for alias in (canon, *_EXTRA_ALIASES.get(canon, ()), *ALIASES.get(canon, ())):
            lookup.setdefault(alias, canon)
    matched: dict[str, str] = {}  # person's name -> canonical
    for n in names:
        known = lookup.get(n)
        if known is not None and known not in matched.values():
            matched[n] = known
    misspelt: list[tuple[str, str]] = []
    for canon in spec.order:
        if canon in matched.values() or canon not in HYPERPARAMETERS:
            continue
        free = [n for n in names if n not in matched]
        spellings = (canon, *ALIASES.get(canon, ()), *_EXTRA_ALIASES.get(canon, ()))
        close = [c for s in spellings for c in difflib.get_close_matches(s, free, 1, 0.8)]
        if close:
            matched[close[0]] = canon
            misspelt.append((canon, close[0]))
    missing = tuple(c for c in spec.requires if c not in matched.values())
    unknown = [p for p in params if p.name not in matched and p.default is p.empty]
    unknown = [p for p in unknown if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if unknown:  # unrecognised required names: by position, in the course's order
        args = tuple(values[c] for c in spec.order[: len(names)])
        return _Binding(args, {}, tuple(misspelt), missing)
    kwargs = {n: values[c] for n, c in matched.items()}
    return _Binding((), kwargs, tuple(misspelt), missing)


def _namespace(ctx: Context, spec: Training, log: Log) -> Callable[..., Any]:
    from nncheck.conventions import convention_module

    conv = convention_module(ctx.convention)
    helpers = {n for n in (*conv.FUNCTIONS, *spec.helpers, *spec.init) if n != spec.function}
    helpers |= set(training_functions(ctx.convention)) - {spec.function}
    module = rebound(ctx.module, {})
    space = module.__dict__
    for name, fn in spec.helpers.items():
        attr = ctx.names.get(name, name)
        if not callable(space.get(attr)):
            space[attr] = fn
    for name in helpers:
        attr = ctx.names.get(name, name)
        helper = space.get(attr)
        if callable(helper):
            space[attr] = _Recorder(
                name, helper, log, keep=name in spec.init, marker=name == spec.marker
            )
    f = space[ctx.names.get(spec.function, spec.function)]
    for name in calls(f, PLOTTING):  # skipped or not: no figure is drawn while checking
        space[name] = _Silent()
    return f  # type: ignore[no-any-return]


def run_recorded(
    ctx: Context, spec: Training, values: Mapping[str, Any]
) -> tuple[Any, Log, Exception | None]:
    """Run the training function in a recording copy of the namespace, np.random seeded (and
    restored after): (result, log, the exception it raised or None)."""
    log = Log()
    f = _namespace(ctx, spec, log)
    binding = bind(f, spec, values)
    # learners' code draws from the legacy global generator (np.random.seed(1); np.random.randn)
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(ctx.seed % (2**32))  # noqa: NPY002
    try:
        return f(*binding.args, **binding.kwargs), log, None
    except Exception as exc:  # the person's error: judged by the caller or re-raised as theirs
        return None, log, exc
    except _Runaway:
        return None, log, None
    finally:
        np.random.set_state(state)  # noqa: NPY002


def takes(f: Callable[..., Any], canon: str) -> bool:
    try:
        names = inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False
    return any(canonical(p) == canon for p in names)
