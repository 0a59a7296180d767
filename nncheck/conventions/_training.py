"""Training functions: the parameters they learn versus the hyperparameters they are given.

A training function (week 2's ``model`` and ``optimize``, week 3's ``nn_model``, week 4's
``two_layer_model`` and ``L_layer_model``, course 2's ``model``) is run for a few iterations on
small data, in a copy of the person's namespace where every course helper it calls is recorded.
It must honour every hyperparameter it is given:

- the parameters after ``num_iterations`` iterations are ``num_iterations`` steps of the
  reference's gradient descent, at the given learning rate, from the person's own initial
  parameters (the first result of their initialisation function, or what the function returns
  after 0 iterations when it initialises inline);
- the helper that marks one iteration (``update_parameters``, ``propagate``) runs
  ``num_iterations`` times, and the initialisation once;
- the shapes follow ``n_h`` / ``layers_dims``;
- every hyperparameter reaches the helper that uses it (``update_parameters`` gets the learning
  rate passed in, ``optimize`` gets ``num_iterations`` and ``learning_rate`` in its own order);
- the recorded costs are the costs of the course's iterations (every ``interval``-th).

Named mistakes: the learning rate hard-coded or not passed on, ``n_h`` overridden, arguments in
the wrong positional order, the updated parameters dropped, the parameters re-initialised inside
the loop, one iteration short, a misspelt keyword (the default is silently used), a global used
instead of an argument, a helper called with the wrong number of arguments.

Plotting: a learner's training function plots its costs (``plt.plot``, ``plt.show``). In the
copy it runs in, ``plt`` (and the other plotting names it reads) is a silent stand-in, whether
or not the file's ``import matplotlib.pyplot as plt`` was skipped: plotting is not what is
checked; failing the training function because matplotlib is not installed would blame the
person for nncheck's environment; and a check must not open figure windows.
"""

from __future__ import annotations

import copy
import difflib
import inspect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from nncheck import reference as ref
from nncheck._binding import ALIASES
from nncheck._callees import call_sites, calls, free_names, rebound
from nncheck._findings import Finding
from nncheck.conventions._common import Check, Context, Prerequisite, WrongResult, compare
from nncheck.conventions._course import COURSE, INIT_UTILS
from nncheck.diagnose.catalogue import Mistake

__all__ = ["TRAINING", "Training", "training_checks", "training_functions"]

Array = np.ndarray[Any, np.dtype[np.float64]]
Params = dict[str, Any]

ITERATIONS = 3
"""Iterations each training function runs (few: the check stays cheap)."""
LEARNING_RATE = 0.037
"""A learning rate no course notebook uses as a default, so a hard-coded one shows."""
COURSE_RATES = (0.0075, 0.009, 0.005, 0.5, 1.2, 0.01, 0.3, 0.1)
"""Learning rates the course's notebooks write as defaults (what a hard-coded one usually is)."""
RUNAWAY = 50
"""Iterations after which a training function that was asked for ``ITERATIONS`` is stopped: its
loop does not use num_iterations (and the check stays cheap whatever it runs instead)."""
PLOTTING = ("plt", "pyplot", "matplotlib", "mpl", "pylab", "sns", "seaborn")
"""Names of plotting modules a training function may use after their import was skipped."""

_HYPER = ("learning_rate", "num_iterations", "n_h", "layer_dims", "print_cost", "initialization")
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
class _Log:
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
        self, name: str, fn: Callable[..., Any], log: _Log, keep: bool, marker: bool
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


# ------------------------------------------------------------------ the specification


@dataclass(frozen=True)
class Training:
    """How to run and judge one course training function.

    Attributes:
        function: the course's name (``"L_layer_model"``).
        order: the course's argument names, canonical (``"layer_dims"`` for ``layers_dims``).
        values: the arguments to pass, from the context (small data, chosen hyperparameters).
        init: the course helpers whose first result is the initial parameters.
        initial: the initial parameters from that result (``(w, b)`` → ``{"w", "b"}``).
        marker: the helper called once per iteration (its calls count the iterations).
        step: one step of the reference from parameters: (new parameters, cost before it).
        trained: the learned parameters in the function's result.
        costs: the recorded costs in the result (None when it returns none).
        shapes: the parameter shapes the hyperparameters ask for.
        interval: the course records the cost every ``interval`` iterations.
        requires: canonical hyperparameters the function must take.
        rate: the learning rate of a function that takes none (week 3: update's default 1.2).
        helpers: course helpers supplied when the file defines none (``init_utils``).
    """

    function: str
    order: tuple[str, ...]
    values: Callable[[Context], dict[str, Any]]
    init: tuple[str, ...]
    initial: Callable[[Any], Params]
    marker: str
    step: Callable[[Params, Mapping[str, Any], float], tuple[Params, float]]
    trained: Callable[[Any], Params]
    costs: Callable[[Any], Any]
    shapes: Callable[[Mapping[str, Any]], dict[str, tuple[int, ...]]]
    interval: int = 100
    requires: tuple[str, ...] = ("num_iterations", "learning_rate")
    rate: float | None = None
    helpers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


def _data(ctx: Context, n_x: int, m: int, salt: int) -> tuple[Array, Array]:
    rng = np.random.default_rng([ctx.seed, 4242, salt])
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    Y[0, 0], Y[0, 1] = 0.0, 1.0  # both classes present
    return X, Y


def _network_step(
    hidden: str,
) -> Callable[[Params, Mapping[str, Any], float], tuple[Params, float]]:
    def step(p: Params, v: Mapping[str, Any], lr: float) -> tuple[Params, float]:
        X, Y = v.get("X", v.get("X_train")), v.get("Y", v.get("Y_train"))
        P = {k: np.asarray(a, dtype=np.float64) for k, a in p.items()}
        cost = ref.model_cost(P, X, Y, hidden)
        grads = ref.model_gradients(P, X, Y, hidden)
        return dict(
            ref.update_parameters(P, {k: g for k, g in grads.items() if k[1] != "A"}, lr)
        ), cost

    return step


def _logistic_step(p: Params, v: Mapping[str, Any], lr: float) -> tuple[Params, float]:
    X, Y = v.get("X", v.get("X_train")), v.get("Y", v.get("Y_train"))
    w, b = np.asarray(p["w"], dtype=np.float64), float(np.asarray(p["b"]).reshape(()))
    cost, dw, db = ref.logistic_propagate(w, b, X, Y)
    return {"w": w - lr * dw, "b": b - lr * db}, cost


def _dict_result(result: Any) -> Params:
    params = result[0] if isinstance(result, tuple) and result else result
    if not isinstance(params, Mapping):
        raise WrongResult(f"expected the parameters dict, got a {type(params).__name__}")
    return dict(params)


def _tuple_costs(result: Any) -> Any:
    if isinstance(result, tuple) and len(result) >= 2:
        return result[-1]
    return None


def _network_shapes(dims: Sequence[int]) -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for l in range(1, len(dims)):
        out[f"W{l}"], out[f"b{l}"] = (dims[l], dims[l - 1]), (dims[l], 1)
    return out


def _week4(function: str, dims: tuple[int, ...]) -> Training:
    def values(ctx: Context) -> dict[str, Any]:
        X, Y = _data(ctx, dims[0], 8, len(dims))
        return {
            "X": X, "Y": Y, "layer_dims": dims, "learning_rate": LEARNING_RATE,
            "num_iterations": ITERATIONS, "print_cost": True,
        }  # fmt: skip

    init = ("initialize_parameters",) if len(dims) == 3 else ("initialize_parameters_deep",)
    return Training(
        function,
        ("X", "Y", "layer_dims", "learning_rate", "num_iterations", "print_cost"),
        values,
        init,
        _dict_result,
        "update_parameters",
        _network_step("relu"),
        _dict_result,
        _tuple_costs,
        lambda v: _network_shapes(v["layer_dims"]),
        helpers=COURSE["week4"],
    )


def _nn_values(ctx: Context) -> dict[str, Any]:
    X, Y = _data(ctx, 2, 8, 3)
    return {"X": X, "Y": Y, "n_h": 5, "num_iterations": ITERATIONS, "print_cost": True,
            "learning_rate": LEARNING_RATE}  # fmt: skip


NN_MODEL = Training(
    "nn_model",
    ("X", "Y", "n_h", "num_iterations", "print_cost", "learning_rate"),
    _nn_values,
    ("initialize_parameters",),
    _dict_result,
    "update_parameters",
    _network_step("tanh"),
    _dict_result,
    _tuple_costs,
    lambda v: _network_shapes((2, v["n_h"], 1)),
    interval=1000,
    requires=("n_h", "num_iterations"),
    rate=1.2,
)


def _week2_values(ctx: Context) -> dict[str, Any]:
    X, Y = _data(ctx, 4, 8, 2)
    X_test, Y_test = _data(ctx, 4, 5, 5)
    return {
        "X_train": X, "Y_train": Y, "X_test": X_test, "Y_test": Y_test,
        "num_iterations": ITERATIONS, "learning_rate": LEARNING_RATE, "print_cost": True,
    }  # fmt: skip


def _zeros_initial(result: Any) -> Params:
    if not (isinstance(result, tuple) and len(result) == 2):
        raise WrongResult("initialize_with_zeros must return (w, b)")
    return {"w": result[0], "b": result[1]}


def _model_dict(result: Any) -> Params:
    if not isinstance(result, Mapping):
        raise WrongResult(f"model must return the dict d, got a {type(result).__name__}")
    return {"w": result.get("w"), "b": result.get("b")}


WEEK2_MODEL = Training(
    "model",
    ("X_train", "Y_train", "X_test", "Y_test", "num_iterations", "learning_rate", "print_cost"),
    _week2_values,
    ("initialize_with_zeros",),
    _zeros_initial,
    "propagate",
    _logistic_step,
    _model_dict,
    lambda r: r.get("costs") if isinstance(r, Mapping) else None,
    lambda v: {"w": (v["X_train"].shape[0], 1), "b": ()},
)


def _optimize_values(ctx: Context) -> dict[str, Any]:
    X, Y = _data(ctx, 3, 8, 6)
    w = np.random.default_rng([ctx.seed, 6]).standard_normal((3, 1)) * 0.5
    return {"w": w, "b": 0.25, "X": X, "Y": Y, "num_iterations": ITERATIONS,
            "learning_rate": LEARNING_RATE, "print_cost": True}  # fmt: skip


OPTIMIZE = Training(
    "optimize",
    ("w", "b", "X", "Y", "num_iterations", "learning_rate", "print_cost"),
    _optimize_values,
    (),
    lambda v: {"w": v["w"], "b": v["b"]},
    "propagate",
    _logistic_step,
    _dict_result,
    _tuple_costs,
    lambda v: {"w": (v["X"].shape[0], 1), "b": ()},
)


def _course2_values(ctx: Context) -> dict[str, Any]:
    X, Y = _data(ctx, 2, 8, 7)
    return {"X": X, "Y": Y, "learning_rate": LEARNING_RATE, "num_iterations": ITERATIONS,
            "print_cost": True, "initialization": "he"}  # fmt: skip


COURSE2_MODEL = Training(
    "model",
    ("X", "Y", "learning_rate", "num_iterations", "print_cost", "initialization"),
    _course2_values,
    ("initialize_parameters_he", "initialize_parameters_random", "initialize_parameters_zeros"),
    _dict_result,
    "update_parameters",
    _network_step("relu"),
    _dict_result,
    lambda r: None,
    lambda v: _network_shapes((v["X"].shape[0], 10, 5, 1)),
    interval=1000,
    requires=("learning_rate", "num_iterations", "initialization"),
    helpers=INIT_UTILS,
)

TRAINING: dict[str, tuple[Training, ...]] = {
    "week2": (OPTIMIZE, WEEK2_MODEL),
    "week3": (NN_MODEL,),
    "week4": (_week4("two_layer_model", (4, 6, 1)), _week4("L_layer_model", (4, 6, 5, 1))),
    "course2": (COURSE2_MODEL,),
}
"""The training functions of each convention."""


def training_functions(convention: str) -> tuple[str, ...]:
    """The names of ``convention``'s training functions (none for an unknown convention)."""
    return tuple(t.function for t in TRAINING.get(convention, ()))


# ------------------------------------------------------------------ binding the arguments


def _canonical(name: str) -> str | None:
    for canon in (*_HYPER, "n_x", "n_y", *_EXTRA_ALIASES, "X", "Y"):
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


def _bind(f: Callable[..., Any], spec: Training, values: Mapping[str, Any]) -> _Binding:
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
        if canon in matched.values() or canon not in _HYPER:
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


# ------------------------------------------------------------------ judging


def _fail(spec: Training, message: str, mistake: Mistake | None, diagnosis: str | None,
          example: Mapping[str, Any], **kw: Any) -> Finding:  # fmt: skip
    return Finding(
        spec.function,
        "hyperparameters",
        "fail",
        message,
        diagnosis=diagnosis,
        mistake=mistake,
        example=dict(example),
        formula="θ := θ − α·dJ/dθ, num_iterations times, from the initial parameters",
        **kw,
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-9, atol=0.0))


def _routing(
    spec: Training, log: _Log, given: Mapping[str, Any]
) -> tuple[str, str, Mistake] | None:
    """The first hyperparameter that does not reach a helper as given: (what happened, why
    and what to do, mistake)."""
    expected = {
        c: given[c] for c in ("learning_rate", "num_iterations", "n_x", "n_h", "n_y") if c in given
    }
    for call in log.calls:
        for param, value in call.arguments.items():
            canon = _canonical(param)
            if canon not in expected or _same(value, expected[canon]):
                continue
            swapped = [c for c, v in expected.items() if c != canon and _same(value, v)]
            want = expected[canon]
            got = (
                f"{call.name} gets {param}={value!r} where {spec.function} was given "
                f"{canon}={want!r}"
            )
            if swapped:
                return (
                    got,
                    f"{spec.function} passes its {swapped[0]} where {call.name} takes {param}: the "
                    "arguments are in the wrong positional order — follow the order of "
                    f"{call.name}'s definition, or pass them by keyword",
                    Mistake.WRONG_ARGUMENT_ORDER,
                )
            if param not in call.passed:
                return (
                    f"{got} (its default)",
                    f"{spec.function} does not pass its {canon} on, so {call.name} silently uses "
                    f"its default {param}={value!r}: pass {param}={canon}",
                    Mistake.HYPERPARAMETER_NOT_PASSED,
                )
            if canon == "n_h":
                return got, _n_h_words(spec, value, want), Mistake.N_H_OVERRIDDEN
            what = (
                Mistake.LEARNING_RATE_HARD_CODED if canon == "learning_rate" else Mistake.HARD_CODED
            )
            return (
                got,
                f"the {canon} is hard-coded ({value!r}) where {spec.function} calls {call.name}: "
                f"pass {spec.function}'s {canon} through",
                what,
            )
    return None


def _trajectory(spec: Training, p0: Params, v: Mapping[str, Any], lr: float, n: int
                ) -> tuple[list[Params], list[float]]:  # fmt: skip
    params, costs = [p0], []
    for _ in range(n):
        p, c = spec.step(params[-1], v, lr)
        params.append(p)
        costs.append(c)
    return params, costs


def _matches(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
    return not compare(expected, actual)


def _arity_words(spec: Training, ctx: Context, log: _Log) -> str:
    name, error = log.arity[0]
    f = getattr(ctx.module, ctx.names.get(spec.function, spec.function))
    sites = [s for s in call_sites(f) or [] if s.name == name]
    try:
        takes = list(inspect.signature(getattr(ctx.module, ctx.names.get(name, name))).parameters)
    except (TypeError, ValueError, AttributeError):
        takes = []
    call = f"{sites[0].text}" if sites else f"{name}(…)"
    return (
        f"{spec.function} calls {call}, but your {name} takes ({', '.join(takes)}) ({error}): "
        f"call it with the arguments of your own definition"
    )


def _namespace(ctx: Context, spec: Training, log: _Log) -> Callable[..., Any]:
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


def _call(
    ctx: Context, spec: Training, values: Mapping[str, Any]
) -> tuple[Any, _Log, Exception | None]:
    """Run the training function in a recording copy of the namespace, np.random seeded (and
    restored after): (result, log, the exception it raised or None)."""
    log = _Log()
    f = _namespace(ctx, spec, log)
    binding = _bind(f, spec, values)
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


def _global_for_argument(ctx: Context, spec: Training) -> str | None:
    """A module-level name the function reads where it probably meant one of its arguments
    (``layer_dims`` for its ``layers_dims``)."""
    f = ctx.fn(spec.function)
    own = list(inspect.signature(f).parameters)
    loaded = [n for n in free_names(f, {}) if n in vars(ctx.module) and n not in own]
    for name in loaded:
        if callable(vars(ctx.module)[name]):
            continue
        close = difflib.get_close_matches(name, own, 1, 0.8)
        if close:
            return (
                f"{spec.function} reads the global {name} where its argument is {close[0]}: "
                f"the value given to {close[0]} is ignored"
            )
    return None


def run_training(ctx: Context, spec: Training) -> Finding:
    """The "hyperparameters" check of one training function (see the module's docstring)."""
    f = ctx.fn(spec.function)
    values = spec.values(ctx)
    example: dict[str, Any] = {
        "seed": ctx.seed,
        "m": int(np.shape(values["X"] if "X" in values else values["X_train"])[1]),
    }
    example.update(
        {k: v for k, v in values.items() if k in _HYPER and k != "print_cost" and _takes(f, k)}
    )
    try:
        binding = _bind(f, spec, values)
    except (TypeError, ValueError) as exc:
        raise Prerequisite(f"the arguments of {spec.function} cannot be read ({exc})") from None
    if "initialization" in binding.missing:
        raise Prerequisite(
            "model takes no initialization: it is not the Initialization assignment's model"
        )
    if binding.misspelt:
        canon, name = binding.misspelt[0]
        return _fail(
            spec,
            f"{spec.function} has no parameter {canon}; it has {name}, which a call "
            f"{spec.function}(…, {canon}=…) does not reach (its default is silently used)",
            Mistake.MISSPELT_KEYWORD,
            f"the keyword is misspelt: rename {name} to {canon}",
            example,
        )
    if binding.missing:
        return _fail(
            spec,
            f"{spec.function} takes no {binding.missing[0]}: the course calls it with "
            f"{binding.missing[0]}=…, and the value it is given must be used",
            Mistake.HYPERPARAMETER_IGNORED,
            f"add {binding.missing[0]} to {spec.function}'s parameters and use it",
            example,
        )
    result, log, error = _call(ctx, spec, values)
    if log.count(spec.marker) > RUNAWAY:
        return _fail(
            spec,
            f"{spec.marker} ran more than {RUNAWAY} times for num_iterations="
            f"{values['num_iterations']} (stopped there)",
            Mistake.NUM_ITERATIONS_IGNORED,
            "num_iterations is ignored: the loop runs a fixed number of times (range(10000), a "
            "global, or the default) — loop for i in range(num_iterations)",
            example,
        )
    if log.arity:
        words = _arity_words(spec, ctx, log)
        message = f"{spec.function} raised {type(error).__name__}: {error}" if error else words
        return _fail(spec, message, Mistake.HELPER_ARITY, words, example)
    takes_rate = _takes(f, "learning_rate")
    given = {k: v for k, v in values.items() if k != "learning_rate" or takes_rate}
    given.update(_widths(values))
    routed = _routing(spec, log, given)
    if routed is not None:
        return _fail(spec, routed[0], routed[2], routed[1], example)
    if error is not None:
        stray = _global_for_argument(ctx, spec)
        if stray is None:
            raise error
        return _fail(
            spec,
            f"{spec.function} raised {type(error).__name__}: {error}",
            Mistake.GLOBAL_INSTEAD_OF_ARGUMENT,
            stray,
            example,
        )
    return _judge_run(ctx, spec, values, result, log, example) or _judge_path(
        ctx, spec, values, result, log, example
    )


def _judge_run(
    ctx: Context,
    spec: Training,
    values: Mapping[str, Any],
    result: Any,
    log: _Log,
    example: Mapping[str, Any],
) -> Finding | None:
    """What the recorded helper calls and the shapes say, before any number is compared."""
    n = values["num_iterations"]
    inits = [c.name for c in log.calls if c.name in spec.init]
    if len(inits) > 1:
        return _fail(
            spec,
            f"{spec.function} initialises the parameters {len(inits)} times in {n} iterations",
            Mistake.REINITIALISED_IN_LOOP,
            "the parameters are re-initialised inside the loop, so every iteration starts "
            "again from the initial parameters: initialise once, before the loop",
            example,
        )
    if inits and "initialization" in values:
        chosen = f"initialize_parameters_{values['initialization']}"
        if inits[0] != chosen:
            return _fail(
                spec,
                f"with initialization={values['initialization']!r} {spec.function} calls "
                f"{inits[0]}, not {chosen}",
                Mistake.INITIALIZATION_IGNORED,
                "the initialization argument does not choose the initialisation: compare it "
                'with "zeros", "random" and "he"',
                example,
            )
    count = log.count(spec.marker)
    if count and count != n:
        short = count == n - 1
        return _fail(
            spec,
            f"{spec.marker} runs {count} times for num_iterations={n}",
            Mistake.ONE_ITERATION_SHORT if short else Mistake.WRONG_ITERATION_COUNT,
            "the loop runs one iteration short: range(num_iterations), not "
            "range(1, num_iterations) or range(num_iterations - 1)"
            if short
            else f"the loop must run exactly num_iterations = {n} times",
            example,
            expected=n,
            actual=count,
        )
    trained = spec.trained(result)
    shapes = spec.shapes(values)
    got = {k: np.shape(trained[k]) if k in trained else None for k in shapes}
    wrong = {k: g for k, g in got.items() if g != shapes[k]}
    if not wrong:
        return None
    key = next(iter(wrong))
    message = f"{key} has shape {wrong[key]}; the hyperparameters given ask for {shapes[key]}"
    rows = wrong[key]
    if "n_h" in values and key == "W1" and rows:
        return _fail(
            spec,
            message,
            Mistake.N_H_OVERRIDDEN,
            _n_h_words(spec, rows[0], values["n_h"]),
            example,
            expected=str(shapes[key]),
            actual=str(wrong[key]),
        )
    stray = _global_for_argument(ctx, spec)
    return _fail(
        spec,
        message,
        Mistake.GLOBAL_INSTEAD_OF_ARGUMENT if stray else Mistake.WRONG_SHAPE,
        stray,
        example,
        expected=str(shapes[key]),
        actual=str(wrong[key]),
    )


def _widths(values: Mapping[str, Any]) -> dict[str, int]:
    """n_x, n_h and n_y of a one-hidden-layer network, from layers_dims or from X, n_h and Y."""
    dims = values.get("layer_dims")
    if dims is not None and len(dims) == 3:
        return dict(zip(("n_x", "n_h", "n_y"), (int(d) for d in dims), strict=True))
    if "n_h" in values:
        return {"n_x": int(values["X"].shape[0]), "n_y": int(values["Y"].shape[0])}
    return {}


def _n_h_words(spec: Training, rows: Any, n_h: int) -> str:
    why = (
        " (layer_sizes returns the course's n_h = 4: take only n_x and n_y from it)"
        if spec.function == "nn_model"
        else ""
    )
    return (
        f"n_h is overridden inside {spec.function}: {rows} hidden units, not the n_h = {n_h} "
        f"given{why}"
    )


def _judge_path(
    ctx: Context,
    spec: Training,
    values: Mapping[str, Any],
    result: Any,
    log: _Log,
    example: Mapping[str, Any],
) -> Finding:
    """The learned parameters against the reference's descent from the same start."""
    f = ctx.fn(spec.function)
    n = values["num_iterations"]
    inits = [r for name in spec.init for r in log.results.get(name, [])]
    if inits:
        start = spec.initial(inits[0])
    elif spec.marker in log.first:  # initialised inline: the parameters of the first iteration
        start = _first_parameters(spec, log.first[spec.marker])
    elif spec.init:  # everything inline: what the function returns after 0 iterations
        zero, _, _ = _call(ctx, spec, {**values, "num_iterations": 0})
        start = spec.trained(zero)
    else:
        start = spec.initial(values)
    lr = values["learning_rate"]
    if not _takes(f, "learning_rate"):  # nn_model: the rate its update uses, 1.2 by default
        rates = [c.arguments.get("learning_rate") for c in log.calls if c.name == spec.marker]
        lr = float(rates[0]) if rates and isinstance(rates[0], (int, float)) else spec.rate or lr
    p0 = {k: np.asarray(v, dtype=np.float64) for k, v in start.items()}
    path, costs = _trajectory(spec, p0, values, lr, n + 1)
    trained = spec.trained(result)
    keys = list(spec.shapes(values))
    mm = compare({k: path[n][k] for k in keys}, trained)
    if not mm:
        return _judge_costs(spec, result, costs[:n], n, example)
    named = _name_trajectory(spec, trained, p0, path, values, n)
    return _fail(
        spec,
        f"after num_iterations={n} with learning_rate={lr:g}: {mm[0].message} (expected {n} "
        "steps of gradient descent from your own initial parameters)",
        named[1] if named else None,
        named[0] if named else None,
        example,
        expected=mm[0].expected,
        actual=mm[0].actual,
        worst_index=mm[0].worst_index,
    )


def _first_parameters(spec: Training, arguments: Mapping[str, Any]) -> Params:
    """The parameters the first iteration's marker was called with: ``propagate(w, b, …)``'s
    w and b, or the parameters dict ``update_parameters`` got."""
    values = list(arguments.values())
    if spec.marker == "propagate":
        return {"w": values[0], "b": values[1]}
    return dict(next(v for v in values if isinstance(v, Mapping)))


def _takes(f: Callable[..., Any], canon: str) -> bool:
    try:
        names = inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False
    return any(_canonical(p) == canon for p in names)


def _name_trajectory(spec: Training, trained: Params, p0: Params, path: list[Params],
                     values: Mapping[str, Any], n: int) -> tuple[str, Mistake] | None:  # fmt: skip
    keys = list(spec.shapes(values))

    def at(p: Mapping[str, Any]) -> bool:
        return _matches({k: p[k] for k in keys}, trained)

    if at(p0):
        return (
            "the parameters never change: the result of the update is dropped — write "
            "parameters = update_parameters(parameters, grads, learning_rate)",
            Mistake.UPDATES_DROPPED,
        )
    if at(path[n - 1]):
        return (
            "the loop runs one iteration short (range(num_iterations − 1))",
            Mistake.ONE_ITERATION_SHORT,
        )
    if at(path[1]):
        return (
            "only the last iteration counts: the parameters are re-initialised inside the loop",
            Mistake.REINITIALISED_IN_LOOP,
        )
    for rate in COURSE_RATES:
        other, _ = _trajectory(spec, p0, values, rate, n)
        if at(other[n]):
            return (
                f"the learning rate is hard-coded: the parameters are {n} steps with "
                f"learning_rate={rate:g}, not the {values['learning_rate']:g} given",
                Mistake.LEARNING_RATE_HARD_CODED,
            )
    return None


def _judge_costs(spec: Training, result: Any, costs: list[float], n: int,
                 example: Mapping[str, Any]) -> Finding:  # fmt: skip
    recorded = spec.costs(result)
    ok = Finding(
        spec.function,
        "hyperparameters",
        "pass",
        f"{n} iterations of gradient descent at the given learning rate, from your initial "
        "parameters, with the shapes the hyperparameters ask for",
    )
    if recorded is None:
        return ok
    try:
        values = [float(np.asarray(c, dtype=np.float64).reshape(())) for c in recorded]
    except (TypeError, ValueError):
        return ok  # a cost of another shape is the cost function's finding, not this one's
    at: list[int] = []
    for c in values:
        hits = [i for i, e in enumerate(costs) if math.isclose(c, e, rel_tol=1e-6, abs_tol=1e-12)]
        if not hits:
            return _fail(
                spec,
                f"records the cost {c:.6g}, which is the cost of none of the {n} iterations "
                f"({', '.join(f'{e:.6g}' for e in costs)})",
                Mistake.WRONG_COSTS,
                "append the cost computed in the iteration, before the update, every "
                f"{spec.interval} iterations",
                example,
                expected=costs[0],
                actual=c,
            )
        at.append(hits[0])
    off = [i for i in at if i % spec.interval and i != n - 1]
    if off:
        return Finding(
            spec.function,
            "hyperparameters",
            "warn",
            f"records the cost at iterations {', '.join(map(str, at))} of {n}; the course "
            f"records it every {spec.interval} iterations (if i % {spec.interval} == 0), so its "
            "plot and expected costs will not line up with yours",
        )
    return ok


def training_checks(convention: str) -> list[Check]:
    """The "hyperparameters" check of every training function of ``convention``."""
    return [
        Check(t.function, "hyperparameters", partial(_run_check, t))
        for t in TRAINING.get(convention, ())
    ]


def _run_check(spec: Training, ctx: Context) -> Finding:
    return run_training(ctx, spec)
