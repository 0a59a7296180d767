"""Course 1 week 4: "Building your deep neural network step by step".

Functions (any subset): ``sigmoid``/``relu`` returning ``(A, cache)``, ``sigmoid_backward``/
``relu_backward(dA, cache)``, ``initialize_parameters(n_x, n_h, n_y)``,
``initialize_parameters_deep(layer_dims)``, ``linear_forward(A, W, b)`` → ``(Z, cache)``,
``linear_activation_forward(A_prev, W, b, activation)``, ``L_model_forward(X, parameters)``,
``compute_cost(AL, Y)``, ``linear_backward(dZ, cache)``, ``linear_activation_backward(dA, cache,
activation)``, ``L_model_backward(AL, Y, caches)`` (dA0…dA{L−1} or the older dA1…dA{L}, decided
from shapes), ``update_parameters(parameters, grads, learning_rate)`` (copy or in place),
``predict(X, y, parameters)``.

Caches are never opened: a backward function receives the cache made by the person's own forward
function (the course's layout is used only when that forward function is absent).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck._arrays import FloatArray, _as_arrays
from nncheck._binding import CostFn, GradFn, _Caller, _grad_dict, _scalar, _unpack
from nncheck._callees import numbered_keys
from nncheck._findings import Finding
from nncheck.conventions._common import (
    CacheLayout,
    Case,
    Check,
    Context,
    Prerequisite,
    Trial,
    WrongResult,
    bind_call,
    cache_difference,
    cache_layout_text,
    first,
    make_cases,
    mutation_check,
    require_right,
    scalar_cost,
    shapes_check,
    values_check,
    wrong_return,
)
from nncheck.conventions._gradient import gradient_finding
from nncheck.conventions._initialisation import init_checks, init_scale
from nncheck.conventions._properties import (
    cost_scalar_check,
    predict_check,
    stability_check,
    update_direction_check,
)
from nncheck.conventions._protocol import Protocol, module_params
from nncheck.conventions._training import training_checks
from nncheck.diagnose.catalogue import Mistake

Array = np.ndarray[Any, np.dtype[np.float64]]

NAME = "week4"
FUNCTIONS = (
    "sigmoid",
    "relu",
    "sigmoid_backward",
    "relu_backward",
    "initialize_parameters",
    "initialize_parameters_deep",
    "linear_forward",
    "linear_activation_forward",
    "L_model_forward",
    "compute_cost",
    "linear_backward",
    "linear_activation_backward",
    "L_model_backward",
    "update_parameters",
    "predict",
    "two_layer_model",
    "L_layer_model",
)
"""The course's names, in the order the assignment introduces them."""

MARKERS = (
    "L_model_forward",
    "L_model_backward",
    "linear_activation_forward",
    "linear_activation_backward",
    "initialize_parameters_deep",
    "linear_backward",
    "linear_forward",
    "two_layer_model",
    "L_layer_model",
)
"""Names that identify this convention (the "Application" notebook defines only the last two:
it imports the others from ``dnn_app_utils``)."""

ACTS = ("sigmoid", "relu")


def _course_sigmoid(Z: Array) -> tuple[Array, Array]:
    return ref.sigmoid(Z), Z


def _course_relu(Z: Array) -> tuple[Array, Array]:
    return ref.relu(Z), Z


def _course_sigmoid_backward(dA: Array, cache: Array) -> Array:
    return ref.activation_backward(dA, cache, "sigmoid")


def _course_relu_backward(dA: Array, cache: Array) -> Array:
    return ref.activation_backward(dA, cache, "relu")


HELPERS: dict[str, Callable[..., Any]] = {
    "sigmoid": _course_sigmoid,
    "relu": _course_relu,
    "sigmoid_backward": _course_sigmoid_backward,
    "relu_backward": _course_relu_backward,
}
"""The course's ``dnn_utils`` helpers, provided when the file imports them from a module that is
not installed (``from dnn_utils import sigmoid, …`` under defs-only loading)."""


def _layer(case: Case, l: int = 2) -> tuple[Array, Array, Array]:
    """A_prev (n[l−1], m), W[l], b[l] of the case (layer 2: unequal widths on both sides)."""
    A_prev = np.abs(case.rng(l).standard_normal((case.dims[l - 1], case.m)))
    return A_prev, np.array(case.params[f"W{l}"]), np.array(case.params[f"b{l}"])


# ------------------------------------------------------------------ activations


def _activation_trial(name: str) -> Callable[[Context, Case], Trial]:
    def factory(ctx: Context, case: Case) -> Trial:
        f = ctx.fn(name)
        Z = 2.0 * case.rng(1).standard_normal((case.dims[1], case.m))
        return Trial(
            invoke=lambda: bind_call(f, ["Z"], {"Z": Z}),
            outputs=lambda r: {"A": first(r)},
            expected={"A": ref.activation_forward(Z, name)},
            args={"Z": Z},
            mutants=lambda: dg.activation_forward_mutants(Z, name),
            m=case.m,
            formula=dg.formula(name),
        )

    return factory


def _act_cache(ctx: Context, name: str, Z: Array) -> Any:
    """The cache the person's own ``sigmoid``/``relu`` returns for Z (Z itself when absent)."""
    if not ctx.has(name):
        return Z
    result = bind_call(ctx.fn(name), ["Z"], {"Z": Z.copy()})
    if isinstance(result, tuple) and len(result) == 2:
        return result[1]
    return Z


CacheProbe = tuple[Any, str, CacheLayout, Mapping[str, Any]]
"""A person's result, what the course returns (in words), the cache's layout, its values."""


def course_cache_check(
    function: str, probes: Callable[[Context, Case], list[CacheProbe]], *, only: str = "week4"
) -> Check:
    """The "cache" check: ``function`` returns ``(value, cache)`` with the cache the course
    prescribes (activation cache = Z, linear cache = (A_prev, W, b)), entry by entry; under
    conventions other than ``only`` (generic's free caches) it is skipped."""

    def run(ctx: Context) -> Finding:
        if ctx.convention != only:
            raise Prerequisite("caches are free outside the course's conventions")
        loose: list[str] = []
        shown: CacheLayout | None = None
        for case in ctx.cases():
            for result, what, layout, known in probes(ctx, case):
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise wrong_return(function, result, what)
                d = cache_difference(result[1], layout, known, loose=loose)
                shown = layout if loose and shown is None else shown
                if d is not None:
                    return Finding(
                        function,
                        "cache",
                        "fail",
                        f"{function}'s {d}; the course's backward functions read the cache "
                        "as it prescribes",
                        diagnosis=f"return {what}",
                        mistake=Mistake.WRONG_CACHE,
                        example=case.example(),
                    )
        if loose:
            return Finding(
                function,
                "cache",
                "warn",
                f"{function}'s {loose[0]} is a dict holding the right values; the course keeps "
                f"{cache_layout_text(shown or 'Z')}, which the course's own backward functions "
                "read",
            )
        return Finding(function, "cache", "pass", "the cache holds what the course prescribes")

    return Check(function, "cache", run)


def _activation_cache_probes(name: str) -> Callable[[Context, Case], list[CacheProbe]]:
    def probes(ctx: Context, case: Case) -> list[CacheProbe]:
        Z = 2.0 * case.rng(1).standard_normal((case.dims[1], case.m))
        result = bind_call(ctx.fn(name), ["Z"], {"Z": Z.copy()})
        known = {"Z": Z, "A": ref.activation_forward(Z, name)}
        return [(result, "(A, cache) with cache = Z", "Z", known)]

    return probes


def _activation_backward_trial(name: str) -> Callable[[Context, Case], Trial]:
    g = name.removesuffix("_backward")

    def factory(ctx: Context, case: Case) -> Trial:
        f = ctx.fn(name)
        rng = case.rng(2)
        Z = 2.0 * rng.standard_normal((case.dims[1], case.m))
        dA = rng.standard_normal(Z.shape)
        cache = _act_cache(ctx, g, Z)
        return Trial(
            invoke=lambda: bind_call(f, ["dA", "cache"], {"dA": dA, "cache": cache}),
            outputs=lambda r: {"dZ": first(r)},
            expected={"dZ": ref.activation_backward(dA, Z, g)},
            args={"dA": dA, "cache": cache},
            mutants=lambda: dg.activation_backward_mutants(dA, Z, g),
            m=case.m,
            formula=dg.formula("activation_backward"),
            rules={"dZ": ref.RULES["dZ"]},
        )

    return factory


def _activation_backward_gradient(name: str) -> Check:
    g = name.removesuffix("_backward")

    def run(ctx: Context) -> Finding:
        case = ctx.cases()[0]
        rng = case.rng(2)
        Z = 2.0 * rng.standard_normal((case.dims[1], case.m))
        dA = rng.standard_normal(Z.shape)
        forward = ctx.fn(g) if ctx.has(g) else (lambda Z: ref.activation_forward(Z, g))
        if ctx.has(g):
            require_right(
                g,
                first(bind_call(forward, ["Z"], {"Z": Z.copy()})),
                ref.activation_forward(Z, g),
                name,
            )
        cache = _act_cache(ctx, g, Z)
        dZ = first(bind_call(ctx.fn(name), ["dA", "cache"], {"dA": dA, "cache": cache}))

        def cost(p: dict[str, Array]) -> float:
            return float(np.sum(dA * first(bind_call(forward, ["Z"], {"Z": p["Z"]}))))

        return gradient_finding(
            name,
            cost,
            {"Z": Z},
            {"Z": dZ},
            seed=ctx.seed,
            m=1,
            example=case.example(),
            display={"Z": "dZ"},
            what=f"Σ dA ∗ {g}(Z) (your {g} when defined)",
        )

    return Check(name, "gradient", run)


# ------------------------------------------------------------------ linear layer


def _linear_forward_trial(ctx: Context, case: Case) -> Trial:
    f = ctx.fn("linear_forward")
    A_prev, W, b = _layer(case)
    return Trial(
        invoke=lambda: bind_call(f, ["A_prev", "W", "b"], {"A_prev": A_prev, "W": W, "b": b}),
        outputs=lambda r: {"Z": first(r)},
        expected={"Z": ref.linear_forward(A_prev, W, b)},
        args={"A_prev": A_prev, "W": W, "b": b},
        mutants=lambda: dg.linear_forward_mutants(A_prev, W, b),
        m=case.m,
        formula=dg.formula("linear_forward"),
        rules={"Z": ref.RULES["Z"]},
    )


def _linear_forward_cache_probes(ctx: Context, case: Case) -> list[CacheProbe]:
    A_prev, W, b = _layer(case)
    result = bind_call(
        ctx.fn("linear_forward"),
        ["A_prev", "W", "b"],
        {"A_prev": A_prev.copy(), "W": W.copy(), "b": b.copy()},
    )
    known = {"A_prev": A_prev, "W": W, "b": b, "Z": ref.linear_forward(A_prev, W, b)}
    return [(result, "(Z, cache) with cache = (A_prev, W, b)", ("A_prev", "W", "b"), known)]


def _laf(ctx: Context, A_prev: Array, W: Array, b: Array, act: str) -> Any:
    return bind_call(
        ctx.fn("linear_activation_forward"),
        ["A_prev", "W", "b", "activation"],
        {"A_prev": A_prev, "W": W, "b": b, "activation": act},
    )


def _linear_activation_forward_trial(ctx: Context, case: Case) -> Trial:
    ctx.fn("linear_activation_forward")
    A_prev, W, b = _layer(case)

    def mutants() -> list[dg.Mutant]:
        per_act = {
            act: dg.linear_activation_forward_mutants(A_prev, W, b, act, f"A[{act}]")
            for act in ACTS
        }
        # a mistake outside the activation branch (a missing bias) shows in both activations
        bias = {
            act: [mu for mu in per_act[act] if mu[0].mistake == Mistake.MISSING_BIAS]
            for act in ACTS
        }
        both: list[dg.Mutant] = [
            (ds, partial(_merged, ts, tr))
            for (ds, ts), (_, tr) in zip(bias["sigmoid"], bias["relu"], strict=True)
        ]
        return both + [m for act in ACTS for m in per_act[act]]

    return Trial(
        invoke=lambda: {act: _laf(ctx, A_prev, W, b, act) for act in ACTS},
        outputs=lambda r: {f"A[{act}]": first(r[act]) for act in ACTS},
        expected={
            f"A[{act}]": ref.activation_forward(ref.linear_forward(A_prev, W, b), act)
            for act in ACTS
        },
        args={"A_prev": A_prev, "W": W, "b": b},
        mutants=mutants,
        m=case.m,
        formula=dg.formula("linear_forward"),
        rules={f"A[{act}]": ref.RULES["A"] for act in ACTS},
    )


_LAYER_CACHE: CacheLayout = (("A_prev", "W", "b"), "Z")


def _linear_activation_forward_cache_probes(ctx: Context, case: Case) -> list[CacheProbe]:
    A_prev, W, b = _layer(case)
    Z = ref.linear_forward(A_prev, W, b)
    out: list[CacheProbe] = []
    for act in ACTS:
        result = _laf(ctx, A_prev.copy(), W.copy(), b.copy(), act)
        known = {"A_prev": A_prev, "W": W, "b": b, "Z": Z, "A": ref.activation_forward(Z, act)}
        what = f"(A, cache) with cache = ((A_prev, W, b), Z) for activation={act!r}"
        out.append((result, what, _LAYER_CACHE, known))
    return out


def _linear_cache(ctx: Context, A_prev: Array, W: Array, b: Array) -> Any:
    if not ctx.has("linear_forward"):
        return (A_prev.copy(), W.copy(), b.copy())  # the course's layout
    result = bind_call(
        ctx.fn("linear_forward"),
        ["A_prev", "W", "b"],
        {"A_prev": A_prev.copy(), "W": W.copy(), "b": b.copy()},
    )
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Prerequisite("linear_forward must return (Z, cache) to make linear_backward's cache")
    return result[1]


_LB_KEYS = ("dA_prev", "dW", "db")


def _linear_backward_trial(ctx: Context, case: Case) -> Trial:
    f = ctx.fn("linear_backward")
    A_prev, W, b = _layer(case)
    dZ = case.rng(3).standard_normal((W.shape[0], case.m))
    cache = _linear_cache(ctx, A_prev, W, b)
    expected = dict(zip(_LB_KEYS, ref.linear_backward(dZ, A_prev, W), strict=True))
    return Trial(
        invoke=lambda: bind_call(f, ["dZ", "cache"], {"dZ": dZ, "cache": cache}),
        outputs=lambda r: _triple(r, "linear_backward"),
        expected=expected,
        args={"dZ": dZ, "cache": cache},
        mutants=lambda: dg.linear_backward_mutants(dZ, A_prev, W),
        m=case.m,
        formula=dg.formula("linear_backward"),
        rules={"dA_prev": ref.RULES["dA"], "dW": ref.RULES["dW"], "db": ref.RULES["db"]},
    )


def _triple(result: Any, name: str) -> dict[str, Any]:
    if not (isinstance(result, tuple) and len(result) == 3):
        raise WrongResult(
            f"{name} must return (dA_prev, dW, db); it returned {type(result).__name__}"
        )
    return dict(zip(_LB_KEYS, result, strict=True))


def _linear_backward_gradient(ctx: Context) -> Finding:
    case = ctx.cases()[0]
    A_prev, W, b = _layer(case)
    dZ = case.rng(3).standard_normal((W.shape[0], case.m))
    cache = _linear_cache(ctx, A_prev, W, b)
    out = _triple(
        bind_call(ctx.fn("linear_backward"), ["dZ", "cache"], {"dZ": dZ, "cache": cache}),
        "linear_backward",
    )
    m = case.m
    if ctx.has("linear_forward"):
        Z = bind_call(
            ctx.fn("linear_forward"),
            ["A_prev", "W", "b"],
            {"A_prev": A_prev.copy(), "W": W.copy(), "b": b.copy()},
        )
        require_right(
            "linear_forward", first(Z), ref.linear_forward(A_prev, W, b), "linear_backward"
        )

    def forward(p: Mapping[str, Array]) -> Array:
        if ctx.has("linear_forward"):
            return np.asarray(
                first(bind_call(ctx.fn("linear_forward"), ["A_prev", "W", "b"], dict(p))),
                dtype=np.float64,
            )
        return ref.linear_forward(p["A_prev"], p["W"], p["b"])

    def cost(p: dict[str, Array]) -> float:
        return float(np.sum(dZ * forward(p))) / m

    return gradient_finding(
        "linear_backward",
        cost,
        {"A_prev": A_prev, "W": W, "b": b},
        {
            "A_prev": np.asarray(out["dA_prev"], dtype=np.float64) / m,
            "W": out["dW"],
            "b": out["db"],
        },
        seed=ctx.seed,
        m=m,
        example=case.example(),
        display={"A_prev": "dA_prev/m", "W": "dW", "b": "db"},
        what="J = (1/m) Σ dZ ∗ Z (Z from your linear_forward when defined)",
    )


def _lab_cache(ctx: Context, A_prev: Array, W: Array, b: Array, act: str) -> Any:
    if not ctx.has("linear_activation_forward"):
        Z = ref.linear_forward(A_prev, W, b)
        return ((A_prev.copy(), W.copy(), b.copy()), Z)  # the course's layout
    result = _laf(ctx, A_prev.copy(), W.copy(), b.copy(), act)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Prerequisite(
            "linear_activation_forward must return (A, cache) to make the backward's cache"
        )
    right = ref.activation_forward(ref.linear_forward(A_prev, W, b), act)
    require_right("linear_activation_forward", result[0], right, "linear_activation_backward")
    return result[1]


def _lab_call(ctx: Context, dA: Array, cache: Any, act: str) -> Any:
    return bind_call(
        ctx.fn("linear_activation_backward"),
        ["dA", "cache", "activation"],
        {"dA": dA, "cache": cache, "activation": act},
    )


def _merged(*thunks: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for t in thunks:
        out.update(t())
    return out


def _suffixed(thunk: Callable[[], Mapping[str, Any]], act: str) -> dict[str, Any]:
    return {f"{k}[{act}]": v for k, v in thunk().items()}


def _linear_activation_backward_trial(ctx: Context, case: Case) -> Trial:
    ctx.fn("linear_activation_backward")
    A_prev, W, b = _layer(case)
    dA = case.rng(4).standard_normal((W.shape[0], case.m))
    caches = {act: _lab_cache(ctx, A_prev, W, b, act) for act in ACTS}
    Z = ref.linear_forward(A_prev, W, b)
    expected: dict[str, Any] = {}
    for act in ACTS:
        dZ = ref.activation_backward(dA, Z, act)
        for k, v in zip(_LB_KEYS, ref.linear_backward(dZ, A_prev, W), strict=True):
            expected[f"{k}[{act}]"] = v

    def mutants() -> list[dg.Mutant]:
        per_act = {
            act: dg.linear_activation_backward_mutants(dA, A_prev, W, b, act) for act in ACTS
        }
        out: list[dg.Mutant] = []
        # a mistake of the shared linear part shows in both activations: one mutant for both
        linear = {
            act: [m for m in per_act[act] if m[0].formula == dg.formula("linear_backward")]
            for act in ACTS
        }
        for (ds, ts), (_, tr) in zip(linear["sigmoid"], linear["relu"], strict=True):
            if ds.mistake:
                both = partial(
                    _merged, partial(_suffixed, ts, "sigmoid"), partial(_suffixed, tr, "relu")
                )
                out.append((ds, both))
        for act in ACTS:
            for d, thunk in per_act[act]:
                out.append(
                    (
                        dg.Diagnosis(d.mistake, f"with activation={act!r}: {d.message}", d.formula),
                        partial(_suffixed, thunk, act),
                    )
                )
        return out

    def outputs(r: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for act in ACTS:
            for k, v in _triple(r[act], "linear_activation_backward").items():
                out[f"{k}[{act}]"] = v
        return out

    return Trial(
        invoke=lambda: {act: _lab_call(ctx, dA, caches[act], act) for act in ACTS},
        outputs=outputs,
        expected=expected,
        args={"dA": dA, "caches": caches},
        mutants=mutants,
        m=case.m,
        formula=dg.formula("linear_backward"),
        rules={f"{k}[{a}]": ref.RULES[k.split("_")[0]] for k in _LB_KEYS for a in ACTS},
    )


def _linear_activation_backward_gradient(ctx: Context) -> Finding:
    case = ctx.cases()[0]
    A_prev, W, b = _layer(case)
    dA = case.rng(4).standard_normal((W.shape[0], case.m))
    m = case.m
    findings = []
    for act in ACTS:
        cache = _lab_cache(ctx, A_prev, W, b, act)
        out = _triple(_lab_call(ctx, dA, cache, act), "linear_activation_backward")

        def forward(p: Mapping[str, Array], act: str = act) -> Array:
            if ctx.has("linear_activation_forward"):
                return np.asarray(
                    first(_laf(ctx, p["A_prev"], p["W"], p["b"], act)), dtype=np.float64
                )
            return ref.activation_forward(ref.linear_forward(p["A_prev"], p["W"], p["b"]), act)

        def cost(p: dict[str, Array], forward: Callable[..., Array] = forward) -> float:
            return float(np.sum(dA * forward(p))) / m

        f = gradient_finding(
            "linear_activation_backward",
            cost,
            {"A_prev": A_prev, "W": W, "b": b},
            {
                "A_prev": np.asarray(out["dA_prev"], dtype=np.float64) / m,
                "W": out["dW"],
                "b": out["db"],
            },
            seed=ctx.seed,
            m=m,
            example={**case.example(), "activation": act},
            display={"A_prev": "dA_prev/m", "W": "dW", "b": "db"},
            what=f"J = (1/m) Σ dA ∗ A with activation={act!r}",
        )
        if f.status == "fail":
            return f
        findings.append(f)
    return findings[-1]


# ------------------------------------------------------------------ whole network


def _model_forward(ctx: Context, X: Array, params: Mapping[str, Array]) -> Any:
    return bind_call(ctx.fn("L_model_forward"), ["X", "parameters"], {"X": X, "parameters": params})


def _params(case: Case) -> dict[str, Array]:
    return {k: np.array(v) for k, v in case.params.items()}


def _L_model_forward_trial(ctx: Context, case: Case) -> Trial:
    ctx.fn("L_model_forward")
    X, params = case.X.copy(), _params(case)
    AL, _ = ref.model_forward(X, params, ctx.hidden)
    return Trial(
        invoke=lambda: _model_forward(ctx, X, params),
        outputs=lambda r: {"AL": first(r)},
        expected={"AL": AL},
        args={"X": X, "parameters": params},
        mutants=lambda: dg.model_forward_mutants(X, params, ctx.hidden),
        m=case.m,
        formula=dg.formula("model_forward"),
        rules={"AL": "AL: (n[L], m)"},
    )


def _cache_count(caches: Any) -> int | None:
    try:
        return len(caches)
    except TypeError:
        return None


def _L_model_forward_caches(ctx: Context) -> Finding:
    """One cache per layer (``len(caches) == L``), each ``((A_prev, W, b), Z)`` under the
    course's convention (generic's caches are never opened)."""
    for case in ctx.cases():
        result = _model_forward(ctx, case.X.copy(), _params(case))
        if not (isinstance(result, tuple) and len(result) == 2):
            raise wrong_return("L_model_forward", result, "(AL, caches)")
        L = len(case.dims) - 1
        count = _cache_count(result[1])
        if count != L:
            got = "no list of caches" if count is None else f"{count} cache{'s' * (count != 1)}"
            hint = (
                "the output layer's caches.append(cache) after the loop is probably missing"
                if count == L - 1
                else "append exactly one cache per layer: L − 1 in the loop, one for the output "
                "layer"
            )
            return Finding(
                "L_model_forward",
                "caches",
                "fail",
                f"returns {got} for a network of L = {L} layers: caches must hold one per layer",
                diagnosis=f"caches holds {got} instead of L = {L}: {hint}",
                mistake=Mistake.MISSING_CACHE,
                expected=L,
                actual=count,
                example=case.example(),
            )
        d = _layer_caches_difference(case, result[1], ctx.hidden)
        if ctx.convention == "week4" and d is not None:
            return Finding(
                "L_model_forward",
                "caches",
                "fail",
                f"{d}; L_model_backward reads each cache as ((A_prev, W, b), Z)",
                diagnosis="append the cache linear_activation_forward returns for each layer",
                mistake=Mistake.WRONG_CACHE,
                example=case.example(),
            )
    return Finding("L_model_forward", "caches", "pass", "one cache per layer (len(caches) == L)")


def _layer_caches_difference(case: Case, caches: Any, hidden: str) -> str | None:
    _, right = ref.model_forward(case.X, case.params, hidden)
    L = len(right)
    for l, (c, theirs) in enumerate(zip(right, caches, strict=False)):
        act = "sigmoid" if l == L - 1 else hidden
        known = {"A_prev": c.A_prev, "W": c.W, "b": c.b, "Z": c.Z}
        known["A"] = ref.activation_forward(c.Z, act)
        d = cache_difference(theirs, _LAYER_CACHE, known, f"caches[{l}]", [])
        if d is not None:
            return d
    return None


def _explain_forward_error(ctx: Context) -> dg.Diagnosis | None:
    """L_model_forward raised a shape error: replay it on a network of equal widths, where a
    skipped layer runs, and name the layer."""
    case = make_cases(ctx.seed, 3, dims=(4, 4, 4, 1))[0]
    params = _params(case)
    AL = first(_model_forward(ctx, case.X.copy(), params))
    return dg.match_mistake(
        {"AL": ref.model_forward(case.X, params, ctx.hidden)[0]},
        {"AL": AL},
        dg.model_forward_skip_mutants(case.X, params, ctx.hidden),
    )


def make_cost_trial(order: tuple[str, ...] = ("AL", "Y")) -> Callable[[Context, Case], Trial]:
    """Trials of ``compute_cost(AL, Y)`` (or the older ``compute_cost(A2, Y, parameters)``)."""

    def factory(ctx: Context, case: Case) -> Trial:
        f = ctx.fn("compute_cost")
        AL = ref.sigmoid(case.rng(5).standard_normal((1, case.m)) * 2)
        Y = case.Y.reshape(1, -1).copy()
        values = {"AL": AL, "Y": Y, "parameters": _params(case)}
        return Trial(
            invoke=lambda: bind_call(f, order, values),
            outputs=lambda r: {"cost": r},
            expected={"cost": ref.cost(AL, Y)},
            args={"AL": AL, "Y": Y},
            mutants=lambda: dg.cost_mutants(AL, Y),
            m=case.m,
            formula=dg.formula("cost"),
        )

    return factory


_cost_trial = make_cost_trial()


def dA_convention(grads: Mapping[str, Any], dims: tuple[int, ...], m: int) -> str:
    """``"dA0"`` (dA{l} = dJ/dA[l], newer course) or ``"dA1"`` (dA{l} holds dA[l−1], older),
    decided from the shapes of the dA keys on a network with unequal widths."""
    L = len(dims) - 1
    newer = sum(1 for l in range(L) if np.shape(grads.get(f"dA{l}", None)) == (dims[l], m))
    older = sum(
        1 for l in range(1, L + 1) if np.shape(grads.get(f"dA{l}", None)) == (dims[l - 1], m)
    )
    return "dA1" if older > newer else "dA0"


def _canonical_grads(grads: Any, dims: tuple[int, ...], m: int) -> dict[str, Any]:
    if not isinstance(grads, Mapping):
        raise WrongResult(
            f"L_model_backward must return a dict of gradients, got {type(grads).__name__}"
        )
    L = len(dims) - 1
    out = {k: v for k, v in grads.items() if not k.startswith("dA")}
    if dA_convention(grads, dims, m) == "dA1":
        for l in range(1, L + 1):
            if f"dA{l}" in grads:
                out[f"dA{l - 1}"] = grads[f"dA{l}"]
    else:
        for l in range(L):
            if f"dA{l}" in grads:
                out[f"dA{l}"] = grads[f"dA{l}"]
    return out


def _forward_for_backward(ctx: Context, case: Case) -> tuple[Array, Any, dict[str, Array]]:
    X, params = case.X.copy(), _params(case)
    if ctx.has("L_model_forward"):
        result = _model_forward(ctx, X, params)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise Prerequisite("L_model_forward must return (AL, caches)")
        AL, caches = result
        right, _ = ref.model_forward(X, params, ctx.hidden)
        if np.shape(AL) != right.shape or not np.allclose(AL, right, rtol=1e-5, atol=1e-8):
            raise Prerequisite(
                "L_model_backward is checked with the caches of your L_model_forward, whose AL is "
                "wrong: fix L_model_forward first"
            )
        if _cache_count(caches) != len(case.dims) - 1:
            raise Prerequisite(
                "L_model_backward is checked with the caches of your L_model_forward, which "
                "does not return one cache per layer: fix L_model_forward first"
            )
    else:
        AL, ref_caches = ref.model_forward(X, params, ctx.hidden)
        caches = [((c.A_prev, c.W, c.b), c.Z) for c in ref_caches]  # the course's layout
    return np.asarray(AL), caches, params


def _L_model_backward_trial(ctx: Context, case: Case) -> Trial:
    f = ctx.fn("L_model_backward")
    AL, caches, params = _forward_for_backward(ctx, case)
    Y = case.Y.copy()
    right = ref.model_gradients(params, case.X, Y, ctx.hidden)

    def outputs(r: Any) -> dict[str, Any]:
        return _canonical_grads(r, case.dims, case.m)

    def expected_for(r_keys: set[str]) -> dict[str, Any]:
        return {k: v for k, v in right.items() if not k.startswith("dA") or k in r_keys}

    # which dA keys the person returns is only known after the call: compare dW/db always, and
    # the dA keys they provide
    trial = Trial(
        invoke=lambda: bind_call(f, ["AL", "Y", "caches"], {"AL": AL, "Y": Y, "caches": caches}),
        outputs=outputs,
        expected={k: v for k, v in right.items() if not k.startswith("dA")},
        args={"AL": AL, "Y": Y, "caches": caches},
        mutants=lambda: dg.model_backward_mutants(case.X, Y, params, ctx.hidden),
        m=case.m,
        formula=dg.formula("linear_backward"),
        rules={k: ref.RULES[k[:2]] for k in right},
    )
    original_invoke = trial.invoke

    def invoke() -> Any:
        r = original_invoke()
        if isinstance(r, Mapping):
            trial.expected = expected_for(set(_canonical_grads(r, case.dims, case.m)))
        return r

    trial.invoke = invoke
    return trial


def _user_cost(ctx: Context, AL: Any, Y: Array) -> float:
    if ctx.has("compute_cost"):
        value = bind_call(ctx.fn("compute_cost"), ["AL", "Y"], {"AL": AL, "Y": Y})
        return scalar_cost(value, "compute_cost", "L_model_backward")
    return ref.cost(np.asarray(AL), Y)


def _L_model_backward_gradient(ctx: Context) -> Finding:
    case = ctx.cases()[0]
    AL, caches, params = _forward_for_backward(ctx, case)
    Y = case.Y.copy()
    grads = bind_call(
        ctx.fn("L_model_backward"), ["AL", "Y", "caches"], {"AL": AL, "Y": Y, "caches": caches}
    )
    if not isinstance(grads, Mapping):
        raise WrongResult(f"L_model_backward must return a dict, got {type(grads).__name__}")
    L = len(case.dims) - 1
    missing = [f"d{k}" for k in params if f"d{k}" not in grads]
    if missing:
        return Finding(
            "L_model_backward",
            "gradient",
            "fail",
            f"the gradients dict has no {', '.join(missing)}",
            diagnosis=(
                "a layer is skipped: the backward loop must visit every layer l = L−1, …, 0 "
                f"(for l in reversed(range(L − 1)) after layer L = {L})"
            ),
            mistake=Mistake.LAYER_SKIPPED,
            example=case.example(),
        )

    if ctx.has("compute_cost"):
        right = ref.cost(np.asarray(AL, dtype=np.float64), Y)
        require_right("compute_cost", _user_cost(ctx, AL, Y), right, "L_model_backward")

    def cost(p: dict[str, Array]) -> float:
        if ctx.has("L_model_forward"):
            return _user_cost(ctx, first(_model_forward(ctx, case.X.copy(), p)), Y.copy())
        return ref.model_cost(p, case.X, Y, ctx.hidden)

    return gradient_finding(
        "L_model_backward",
        cost,
        params,
        {k: grads["d" + k] for k in params},
        seed=ctx.seed,
        m=case.m,
        example=case.example(),
        display={k: "d" + k for k in params},
        what="your compute_cost(L_model_forward(X, parameters)[0], Y)",
    )


_DA_KEY = re.compile(r"'?dA(\d+)'?")


def _L_model_backward_keys(ctx: Context) -> Finding:
    """The dA keys of the gradients: dA0 … dA{L−1} (or the older notebooks' dA1 … dA{L}), every
    one holding dA of its layer — not shifted by one, dA0 not missing."""
    case = ctx.cases()[0]
    AL, caches, _ = _forward_for_backward(ctx, case)
    try:
        grads = bind_call(
            ctx.fn("L_model_backward"),
            ["AL", "Y", "caches"],
            {"AL": AL, "Y": case.Y.copy(), "caches": caches},
        )
    except KeyError as exc:
        if _DA_KEY.fullmatch(str(exc)) is None or not _dA_keys_shifted(ctx):
            raise  # not a shift: a skipped layer, reported by the other checks
        return _dA_keys_finding(
            f"L_model_backward reads grads[{exc!s}] before anything is stored under it",
            case,
        )
    if not isinstance(grads, Mapping):
        raise WrongResult(f"L_model_backward must return a dict, got {type(grads).__name__}")
    L = len(case.dims) - 1
    have = sorted(int(k[2:]) for k in grads if _DA_KEY.fullmatch(str(k)))
    if have in (list(range(L)), list(range(1, L + 1))):
        return Finding("L_model_backward", "keys", "pass", f"dA0 … dA{L - 1} are all there")
    if have == list(range(1, L)):
        return Finding(
            "L_model_backward",
            "keys",
            "fail",
            f"the gradients have dA1 … dA{L - 1} but no dA0",
            diagnosis="dA0 is missing: the last step of the loop (l = 0) must store "
            "dA_prev_temp under 'dA0' — the course's tests read grads['dA0']",
            mistake=Mistake.DA0_MISSING,
            example=case.example(),
        )
    return _dA_keys_finding(
        f"the gradients have the dA keys {', '.join(f'dA{k}' for k in have) or '(none)'} for a "
        f"network of L = {L} layers",
        case,
    )


def _dA_keys_shifted(ctx: Context) -> bool:
    """L_model_backward stores a dA key under the index it reads it by (``grads["dA" + str(l +
    1)]`` both ways), or the output layer's under dA{L}: its dA keys are shifted by one."""
    stored, read = numbered_keys(ctx.fn("L_model_backward"), "dA")
    return bool(stored & read) or "L" in stored


_SHIFTED = dg.Diagnosis(
    Mistake.DA_KEYS_SHIFTED,
    "the dA keys are shifted by one: the dA_prev that layer l + 1 returns is dA[l] — store it "
    "under 'dA' + str(l) (dA{L−1} for the output layer), the key the next step of the loop reads",
    "grads['dA' + str(l)], grads['dW' + str(l + 1)], grads['db' + str(l + 1)] = "
    "linear_activation_backward(grads['dA' + str(l + 1)], caches[l], 'relu')",
)


def _dA_keys_finding(message: str, case: Case) -> Finding:
    return Finding(
        "L_model_backward",
        "keys",
        "fail",
        message,
        diagnosis=_SHIFTED.message,
        mistake=_SHIFTED.mistake,
        example=case.example(),
        formula=_SHIFTED.formula,
    )


def _explain_backward_error(ctx: Context) -> dg.Diagnosis | None:
    """L_model_backward raised: replay it on a network whose hidden widths are 1, where shape
    errors of a mistake such as dAL passed to every layer do not happen, and name the mistake."""
    case = make_cases(ctx.seed, 3, dims=(4, 1, 1, 1))[0]
    AL, caches, params = _forward_for_backward(ctx, case)
    try:
        grads = bind_call(
            ctx.fn("L_model_backward"),
            ["AL", "Y", "caches"],
            {"AL": AL, "Y": case.Y.copy(), "caches": caches},
        )
    except KeyError as exc:
        if _DA_KEY.fullmatch(str(exc)) is not None and _dA_keys_shifted(ctx):
            return _SHIFTED
        raise
    actual = _canonical_grads(grads, case.dims, case.m)
    right = ref.model_gradients(params, case.X, case.Y, ctx.hidden)
    return dg.match_mistake(
        {k: v for k, v in right.items() if k in actual},
        actual,
        dg.model_backward_mutants(case.X, case.Y, params, ctx.hidden),
    )


def _updated(work: Mapping[str, Any], result: Any) -> dict[str, Any]:
    """The parameters ``update_parameters`` returned (``work`` when it updated in place)."""
    if result is None:
        return dict(work)
    if not isinstance(result, Mapping):
        raise wrong_return("update_parameters", result, "the parameters dict")
    return dict(result)


def make_update_trial(hidden: str | None = None) -> Callable[[Context, Case], Trial]:
    """Trials of ``update_parameters(parameters, grads, learning_rate)`` (copy or in place)."""

    def factory(ctx: Context, case: Case) -> Trial:
        f = ctx.fn("update_parameters")
        params = _params(case)
        grads = {
            k: np.asarray(v)
            for k, v in ref.model_gradients(params, case.X, case.Y, hidden or ctx.hidden).items()
        }
        lr = 0.1
        wg = {k: v for k, v in grads.items() if not k.startswith("dA")}
        expected = ref.update_parameters(params, wg, lr)
        work = {k: v.copy() for k, v in params.items()}
        values = {"parameters": work, "grads": grads, "learning_rate": lr}
        return Trial(
            invoke=lambda: bind_call(f, ["parameters", "grads", "learning_rate"], values),
            outputs=partial(_updated, work),
            expected=expected,
            args={"parameters": work, "grads": grads, "learning_rate": lr},
            mutants=lambda: dg.update_mutants(params, grads, lr),
            mutable=frozenset({"parameters"}),
            m=case.m,
            formula=dg.formula("update"),
        )

    return factory


_update_trial = make_update_trial()


def checks() -> list[Check]:
    """Every check of the convention, in a stable order (functions absent are skipped later)."""
    out: list[Check] = []
    for name in ("sigmoid", "relu"):
        t = _activation_trial(name)
        out += [
            values_check(name, t),
            course_cache_check(name, _activation_cache_probes(name)),
            mutation_check(name, t),
        ]
        if name == "sigmoid":
            out.append(stability_check(name))
    for name in ("sigmoid_backward", "relu_backward"):
        t = _activation_backward_trial(name)
        out += [
            values_check(name, t),
            shapes_check(name, t),
            _activation_backward_gradient(name),
            mutation_check(name, t),
        ]
    out += init_checks("initialize_parameters", ["n_x", "n_h", "n_y"], depth=2)
    out.append(init_scale("initialize_parameters", ["n_x", "n_h", "n_y"]))
    out += init_checks("initialize_parameters_deep", ["layer_dims"], depth=3)
    out.append(init_scale("initialize_parameters_deep", ["layer_dims"], xavier_too=True))
    out += [
        values_check("linear_forward", _linear_forward_trial),
        shapes_check("linear_forward", _linear_forward_trial),
        course_cache_check("linear_forward", _linear_forward_cache_probes),
        mutation_check("linear_forward", _linear_forward_trial),
        values_check("linear_activation_forward", _linear_activation_forward_trial),
        shapes_check("linear_activation_forward", _linear_activation_forward_trial),
        course_cache_check("linear_activation_forward", _linear_activation_forward_cache_probes),
        mutation_check("linear_activation_forward", _linear_activation_forward_trial),
        replace(
            values_check("L_model_forward", _L_model_forward_trial),
            explain_exception=_explain_forward_error,
        ),
        shapes_check("L_model_forward", _L_model_forward_trial),
        Check("L_model_forward", "caches", _L_model_forward_caches),
        mutation_check("L_model_forward", _L_model_forward_trial),
        values_check("compute_cost", _cost_trial),
        cost_scalar_check("compute_cost", _cost_trial),
        mutation_check("compute_cost", _cost_trial),
        values_check("linear_backward", _linear_backward_trial),
        shapes_check("linear_backward", _linear_backward_trial),
        Check("linear_backward", "gradient", _linear_backward_gradient),
        mutation_check("linear_backward", _linear_backward_trial),
        values_check("linear_activation_backward", _linear_activation_backward_trial),
        shapes_check("linear_activation_backward", _linear_activation_backward_trial),
        Check("linear_activation_backward", "gradient", _linear_activation_backward_gradient),
        mutation_check("linear_activation_backward", _linear_activation_backward_trial),
        replace(
            values_check("L_model_backward", _L_model_backward_trial),
            explain_exception=_explain_backward_error,
        ),
        Check("L_model_backward", "keys", _L_model_backward_keys),
        replace(
            shapes_check("L_model_backward", _L_model_backward_trial),
            explain_exception=_explain_backward_error,
        ),
        Check("L_model_backward", "gradient", _L_model_backward_gradient),
        replace(
            mutation_check("L_model_backward", _L_model_backward_trial),
            explain_exception=_explain_backward_error,
        ),
        values_check("update_parameters", _update_trial),
        update_direction_check("update_parameters", _update_trial),
        mutation_check("update_parameters", _update_trial),
        predict_check("predict", ["X", "Y", "parameters"], hidden=None),
        *training_checks(NAME),
    ]
    return out


# --------------------------------------------------------------------------------------------
# gradient checking: this convention's cost and gradient closures (used by nncheck.gradcheck)


def _model(
    module: ModuleType, names: tuple[str, ...], X: FloatArray, Y: FloatArray, path: str
) -> tuple[CostFn, GradFn]:
    """forward(X, parameters) -> (AL, caches); cost(AL, Y); backward(AL, Y, caches) -> grads."""
    forward = _Caller(module, names[0], ("X", "parameters"), path)
    compute_cost = _Caller(module, names[1], ("AL", "Y"), path)
    backward = _Caller(module, names[2], ("AL", "Y", "cache"), path)

    def cost(params: Mapping[str, Any]) -> Any:
        AL, _ = _unpack(forward(X=X, parameters=params), forward.name, ("AL", "caches"))
        return _scalar(compute_cost(AL=AL, Y=Y, parameters=params), compute_cost.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        AL, caches = _unpack(forward(X=X, parameters=params), forward.name, ("AL", "caches"))
        grads = backward(AL=AL, Y=Y, cache=caches, parameters=params, X=X)
        return _as_arrays(_grad_dict(grads, backward.name), backward.name)

    return cost, gradients


def _initialize_parameters_deep(
    module: ModuleType, dims: tuple[int, ...], seed: int, path: str
) -> tuple[dict[str, FloatArray], str]:
    return module_params(module, "initialize_parameters_deep", dims, seed, path)


GRADCHECK = (
    Protocol(
        "week4",
        (("L_model_forward", "compute_cost", "L_model_backward"),),
        (5, 4, 3, 1),
        _model,
        cost_steps=2,
        initial_params=_initialize_parameters_deep,
    ),
)
"""The gradient-check protocol of this convention (parameters from the person's
``initialize_parameters_deep(layer_dims)`` when it works)."""
