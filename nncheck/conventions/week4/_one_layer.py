"""Week 4's checks of one layer: the activations and their backward functions, the linear
layer and the linear-activation layer (forward and backward, values, caches, gradients)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck._findings import Finding
from nncheck.conventions._caches import CacheLayout, cache_difference, cache_layout_text
from nncheck.conventions._common import (
    Case,
    Check,
    Context,
    Prerequisite,
    Trial,
    WrongResult,
    bind_call,
    first,
    require_right,
    wrong_return,
)
from nncheck.conventions._gradient import gradient_finding
from nncheck.diagnose.catalogue import Mistake

Array = np.ndarray[Any, np.dtype[np.float64]]

ACTS = ("sigmoid", "relu")


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
