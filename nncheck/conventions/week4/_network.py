"""Week 4's checks of the whole network: L_model_forward and its caches, compute_cost,
L_model_backward (values, dA keys, gradient) and update_parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck._callees import numbered_keys
from nncheck._findings import Finding
from nncheck.conventions._caches import cache_difference
from nncheck.conventions._common import (
    Case,
    Context,
    Prerequisite,
    Trial,
    WrongResult,
    bind_call,
    first,
    make_cases,
    require_right,
    scalar_cost,
    wrong_return,
)
from nncheck.conventions._gradient import gradient_finding
from nncheck.conventions.week4._one_layer import _LAYER_CACHE
from nncheck.diagnose.catalogue import Mistake

Array = np.ndarray[Any, np.dtype[np.float64]]


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
