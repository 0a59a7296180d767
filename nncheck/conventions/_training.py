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

Named mistakes: the learning rate hard-coded or not passed on (``nn_model``: another rate than
the course's 1.2), ``n_h`` overridden, arguments in the wrong positional order (numbers, or the
gradients where the parameters go), the updated parameters dropped (never read back, restarted
from every iteration, or stale ``W1``… in the forward pass), the parameters re-initialised inside
the loop, one iteration short, a misspelt keyword (the course's call by keyword fails), a global
used instead of an argument, a helper called with the wrong number of arguments, an
``initialization`` no branch matches, a cost recorded one iteration late, a result of another
kind than the course's.

This module judges; :mod:`._training_specs` says how each function is called and stepped, and
:mod:`._training_run` runs it in a recording copy of the person's namespace.

Plotting: a learner's training function plots its costs (``plt.plot``, ``plt.show``). In the
copy it runs in, ``plt`` (and the other plotting names it reads) is a silent stand-in, whether
or not the file's ``import matplotlib.pyplot as plt`` was skipped: plotting is not what is
checked; failing the training function because matplotlib is not installed would blame the
person for nncheck's environment; and a check must not open figure windows.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np

from nncheck._callees import CallSite, call_sites, free_names
from nncheck._findings import Finding
from nncheck.conventions._common import (
    Check,
    Context,
    Prerequisite,
    WrongResult,
    compare,
    describe_value,
)
from nncheck.conventions._training_run import (
    HYPERPARAMETERS,
    RUNAWAY,
    Log,
    bind,
    canonical,
    run_recorded,
    takes,
)
from nncheck.conventions._training_specs import (
    TRAINING,
    Params,
    Training,
    training_functions,
)
from nncheck.diagnose.catalogue import Mistake

__all__ = ["TRAINING", "Training", "training_checks", "training_functions"]

COURSE_RATES = (0.0075, 0.009, 0.005, 0.5, 1.2, 0.01, 0.3, 0.1)
"""Learning rates the course's notebooks write as defaults (what a hard-coded one usually is)."""


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


def _globals(ctx: Context, f: Callable[..., Any]) -> dict[str, Any]:
    """The module-level values (not functions or modules) that ``f`` reads."""
    space = vars(ctx.module)
    return {
        n: space[n]
        for n in free_names(f, {})
        if n in space and not callable(space[n]) and not inspect.ismodule(space[n])
    }


def _routing(
    spec: Training, log: Log, given: Mapping[str, Any], read: Mapping[str, Any]
) -> tuple[str, str, Mistake] | None:
    """The first hyperparameter that does not reach a helper as given: (what happened, why
    and what to do, mistake)."""
    swapped_dicts = _swapped_dicts(spec, log)
    if swapped_dicts is not None:
        return swapped_dicts
    expected = {
        c: given[c] for c in ("learning_rate", "num_iterations", "n_x", "n_h", "n_y") if c in given
    }
    for call in log.calls:
        for param, value in call.arguments.items():
            canon = canonical(param)
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
            stray = [n for n, v in read.items() if _same(v, value)]
            if stray:
                return (
                    got,
                    f"{spec.function} reads the notebook's global {stray[0]} ({value!r}) where it "
                    f"should use its own argument: take {canon} from what {spec.function} is "
                    "given",
                    Mistake.GLOBAL_INSTEAD_OF_ARGUMENT,
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


_PARAMETER_NAMES = ("parameters", "params", "parameter", "param")
_GRADIENT_NAMES = ("grads", "gradients", "grad", "gradient")


def _swapped_dicts(spec: Training, log: Log) -> tuple[str, str, Mistake] | None:
    """A helper given the gradients where it takes the parameters (``update_parameters(grads,
    parameters, learning_rate)``): (what happened, why and what to do, mistake)."""

    def gradient_keys(value: Any) -> bool | None:
        if not isinstance(value, Mapping) or not value:
            return None
        keys = [str(k) for k in value]
        if all(k.startswith("d") for k in keys):
            return True
        return False if not any(k.startswith("d") for k in keys) else None

    for call in log.calls:
        for param, value in call.arguments.items():
            kind = gradient_keys(value)
            if (param in _PARAMETER_NAMES and kind) or (param in _GRADIENT_NAMES and kind is False):
                return (
                    f"{call.name} gets as {param} {describe_value(value)}",
                    f"{spec.function} passes the {'gradients' if kind else 'parameters'} where "
                    f"{call.name} takes {param}: the arguments are in the wrong positional order — "
                    f"follow the order of {call.name}'s definition, or pass them by keyword",
                    Mistake.WRONG_ARGUMENT_ORDER,
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


def _arity_words(spec: Training, ctx: Context, log: Log) -> str:
    name, error = log.arity[0]
    f = getattr(ctx.module, ctx.names.get(spec.function, spec.function))
    sites = [s for s in call_sites(f) or [] if s.name == name]
    try:
        signature = inspect.signature(getattr(ctx.module, ctx.names.get(name, name)))
    except (TypeError, ValueError, AttributeError):
        signature = None
    takes = list(signature.parameters) if signature is not None else []
    if signature is not None:  # the call that cannot bind, when the others can
        sites = [s for s in sites if not _binds(signature, s)] or sites
    call = f"{sites[0].text}" if sites else f"{name}(…)"
    return (
        f"{spec.function} calls {call}, but your {name} takes ({', '.join(takes)}) ({error}): "
        f"call it with the arguments of your own definition"
    )


def _binds(signature: inspect.Signature, site: CallSite) -> bool:
    """Whether a call with ``site``'s number of positional arguments and keywords binds."""
    if site.starred:
        return True
    try:
        signature.bind(*range(site.positional), **dict.fromkeys(site.keywords))
    except TypeError:
        return False
    return True


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
        {
            k: v
            for k, v in values.items()
            if k in HYPERPARAMETERS and k != "print_cost" and takes(f, k)
        }
    )
    try:
        binding = bind(f, spec, values)
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
            f"{spec.function} has no parameter {canon}; it has {name}: the course's call "
            f"{spec.function}(…, {canon}=…) fails with TypeError (unexpected keyword argument), "
            f"and {name} silently keeps its default",
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
    result, log, error = run_recorded(ctx, spec, values)
    takes_rate = takes(f, "learning_rate")
    given = {k: v for k, v in values.items() if k != "learning_rate" or takes_rate}
    given.update(_widths(values))
    routed = _routing(spec, log, given, _globals(ctx, f))
    if log.count(spec.marker) > RUNAWAY and routed is None:
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
    if routed is not None:
        return _fail(spec, routed[0], routed[2], routed[1], example)
    if (
        error is not None
        and "initialization" in values
        and not any(c.name in spec.init for c in log.calls)
    ):
        return _fail(
            spec,
            f"with initialization={values['initialization']!r} {spec.function} calls none of "
            f"{', '.join(spec.init)}, then raises {type(error).__name__}: {error}",
            Mistake.INITIALIZATION_IGNORED,
            f"no branch matches initialization={values['initialization']!r}: compare it with "
            '"zeros", "random" and "he", spelt exactly so',
            example,
        )
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
    try:
        spec.trained(result)
    except WrongResult:
        return _fail(
            spec,
            f"{spec.function} returned {describe_value(result)}",
            Mistake.WRONG_RETURN,
            f"the course's {spec.function} returns {spec.returns}: return that",
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
    log: Log,
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
    log: Log,
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
        zero, _, _ = run_recorded(ctx, spec, {**values, "num_iterations": 0})
        start = spec.trained(zero)
    else:
        start = spec.initial(values)
    lr = values["learning_rate"]
    if not takes(f, "learning_rate"):  # nn_model: the rate its update uses, 1.2 by default
        calls = [c for c in log.calls if c.name == spec.marker]
        rate = calls[0].arguments.get("learning_rate") if calls else None
        lr = float(rate) if isinstance(rate, (int, float)) else spec.rate or lr
        if calls and spec.rate is not None and not math.isclose(lr, spec.rate):
            return _course_rate(spec, lr, "learning_rate" in calls[0].passed, example)
    p0 = {k: np.asarray(v, dtype=np.float64) for k, v in start.items()}
    path, costs = _trajectory(spec, p0, values, lr, n + 1)
    trained = spec.trained(result)
    keys = list(spec.shapes(values))
    mm = compare({k: path[n][k] for k in keys}, trained)
    if not mm:
        return _judge_costs(spec, result, costs[:n], n, example)
    named = _name_trajectory(spec, trained, p0, path, values, n, lr, once=len(inits) == 1)
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


def _course_rate(spec: Training, lr: float, passed: bool, example: Mapping[str, Any]) -> Finding:
    """A training function without a learning_rate argument trains at another rate than the
    course's (week 3's nn_model: update_parameters' default 1.2)."""
    how = (
        f"{spec.function} passes learning_rate={lr:g} to {spec.marker}"
        if passed
        else f"the default learning_rate of {spec.marker} is {lr:g}"
    )
    return _fail(
        spec,
        f"{how}; the course's {spec.function} trains at learning rate {spec.rate:g} (the "
        f"default of {spec.marker})",
        Mistake.LEARNING_RATE_HARD_CODED,
        f"the learning rate is hard-coded to {lr:g}: call {spec.marker}(parameters, grads) and "
        f"give {spec.marker} the course's default learning_rate={spec.rate:g}"
        if passed
        else f"give {spec.marker} the course's default learning_rate={spec.rate:g}",
        example,
    )


def _first_parameters(spec: Training, arguments: Mapping[str, Any]) -> Params:
    """The parameters the first iteration's marker was called with: ``propagate(w, b, …)``'s
    w and b, or the parameters dict ``update_parameters`` got."""
    values = list(arguments.values())
    if spec.marker == "propagate":
        return {"w": values[0], "b": values[1]}
    return dict(next(v for v in values if isinstance(v, Mapping)))


def _name_trajectory(spec: Training, trained: Params, p0: Params, path: list[Params],
                     values: Mapping[str, Any], n: int, lr: float, *, once: bool
                     ) -> tuple[str, Mistake] | None:  # fmt: skip
    """Which mistake turns the reference's path into the person's parameters. ``once``: the
    initialisation helper ran exactly once (so a restart in the loop is not a re-initialisation)."""
    keys = list(spec.shapes(values))

    def at(p: Mapping[str, Any]) -> bool:
        return _matches({k: p[k] for k in keys}, trained)

    if at(p0):
        return (
            f"the parameters never change: the result of the update is dropped — write {spec.keep}",
            Mistake.UPDATES_DROPPED,
        )
    if at(path[n - 1]):
        return (
            "the loop runs one iteration short (range(num_iterations − 1))",
            Mistake.ONE_ITERATION_SHORT,
        )
    if at(path[1]) and once:
        return (
            "only the last iteration's update is kept: every iteration starts again from the "
            "initial parameters, because the updated ones are stored under another name than "
            f"the one the loop reads — write {spec.keep}",
            Mistake.UPDATES_DROPPED,
        )
    if at(path[1]):
        return (
            "only the last iteration counts: the parameters are re-initialised inside the loop",
            Mistake.REINITIALISED_IN_LOOP,
        )
    if n > 1 and at(spec.step(p0, values, lr * n)[0]):
        return (
            "every iteration computes its gradients at the initial parameters: the forward pass "
            "uses W1, b1, … read out of parameters before the loop, never the updated ones — read "
            "them again after each update (or pass parameters itself)",
            Mistake.UPDATES_DROPPED,
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
    course = [i for i in range(n) if i % spec.interval == 0]
    if at == [i + 1 for i in course]:
        return _fail(
            spec,
            f"records the cost {values[0]:.6g} at iteration 0, which is the cost after that "
            f"iteration's update (the cost before it is {costs[0]:.6g})",
            Mistake.WRONG_COSTS,
            "the recorded cost is one iteration late: append the cost computed in the iteration, "
            f"from the parameters before the update, every {spec.interval} iterations",
            example,
            expected=costs[0],
            actual=values[0],
        )
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
