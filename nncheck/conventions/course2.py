"""Course 2 week 1: "Gradient Checking" and "Initialization".

Functions (any subset): ``forward_propagation_n(X, Y, parameters)`` → ``(cost, cache)``,
``backward_propagation_n(X, Y, cache)`` → gradients, ``gradient_check_n(parameters, gradients, X,
Y, epsilon, print_msg)`` → difference (the person's *checker* is itself checked: small for right
gradients, large for wrong ones), ``initialize_parameters_zeros/random/he(layers_dims)``.

The assignment's network is LINEAR → RELU → LINEAR → RELU → LINEAR → SIGMOID with widths
[4, 5, 3, 1] (its ``gc_utils.vector_to_dictionary`` hard-codes them); when the person's file imports
``gc_utils`` helpers that are not installed, course-compatible ones are provided (``HELPERS``).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck._arrays import FloatArray, _as_arrays
from nncheck._binding import (
    CostFn,
    GradFn,
    GradProblem,
    _Caller,
    _grad_dict,
    _scalar,
    _takes_theta,
    _unpack,
)
from nncheck._findings import Finding
from nncheck.conventions._common import (
    Case,
    Check,
    Context,
    Prerequisite,
    Trial,
    WrongResult,
    bind_call,
    compare,
    mutation_check,
    require_right,
    scalar_cost,
    shapes_check,
    takes,
    to_float,
    values_check,
)
from nncheck.conventions._gradient import gradient_finding
from nncheck.conventions._initialisation import (
    call_init,
    he_scale,
    init_checks,
    init_dims,
    init_scale,
)
from nncheck.conventions._protocol import Protocol
from nncheck.conventions._training import training_checks
from nncheck.diagnose.catalogue import Mistake
from nncheck.errors import ProtocolError

Array = np.ndarray[Any, np.dtype[np.float64]]

NAME = "course2"
FUNCTIONS = (
    "forward_propagation",
    "backward_propagation",
    "gradient_check",
    "dictionary_to_vector",
    "vector_to_dictionary",
    "gradients_to_vector",
    "forward_propagation_n",
    "backward_propagation_n",
    "gradient_check_n",
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
    "model",
)
"""The course's names, in the order the assignments introduce them."""

ASSIGNMENTS = {"Gradient Checking": FUNCTIONS[:9], "Initialization": FUNCTIONS[9:]}
"""The two notebooks this convention covers: a file of one does not define the other's functions
(the vector helpers are the course's ``gc_utils``, usually imported, hence provided)."""

MARKERS = FUNCTIONS[6:12]
"""Names that identify this convention (the one-dimensional functions count through
:func:`score_adjustment`: their names are week 3's too)."""


def score_adjustment(module: types.ModuleType, names: Mapping[str, str]) -> int:
    """+2 for the one-dimensional ``forward_propagation(x, theta)`` of the gradient-checking
    assignment."""
    return (
        2 if takes(module, names.get("forward_propagation", "forward_propagation"), "theta") else 0
    )


DIMS = (4, 5, 3, 1)
_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def _dictionary_to_vector(parameters: Mapping[str, Any]) -> tuple[Array, list[str]]:
    keys: list[str] = []
    parts = []
    for key in _KEYS:
        v = np.reshape(parameters[key], (-1, 1))
        keys += [key] * v.shape[0]
        parts.append(v)
    return np.concatenate(parts, axis=0), keys


def _vector_to_dictionary(theta: Array) -> dict[str, Array]:
    out: dict[str, Array] = {}
    start = 0
    for l in range(1, len(DIMS)):
        for key, shape in ((f"W{l}", (DIMS[l], DIMS[l - 1])), (f"b{l}", (DIMS[l], 1))):
            size = shape[0] * shape[1]
            out[key] = np.asarray(theta[start : start + size]).reshape(shape)
            start += size
    return out


def _gradients_to_vector(gradients: Mapping[str, Any]) -> Array:
    return np.concatenate([np.reshape(gradients["d" + k], (-1, 1)) for k in _KEYS], axis=0)


def _relu(x: Array) -> Array:
    return np.maximum(0, x)


HELPERS: dict[str, Any] = {
    "dictionary_to_vector": _dictionary_to_vector,
    "vector_to_dictionary": _vector_to_dictionary,
    "gradients_to_vector": _gradients_to_vector,
    "relu": _relu,
    "sigmoid": ref.sigmoid,
}


def _cases(ctx: Context) -> list[Case]:
    return ctx.cases(dims=DIMS)


def _params(case: Case) -> dict[str, Array]:
    return {k: np.array(v) for k, v in case.params.items()}


def _forward(ctx: Context, X: Array, Y: Array, params: Mapping[str, Array]) -> tuple[Any, Any]:
    result = bind_call(
        ctx.fn("forward_propagation_n"),
        ["X", "Y", "parameters"],
        {"X": X, "Y": Y, "parameters": params},
    )
    if not (isinstance(result, tuple) and len(result) == 2):
        raise WrongResult("forward_propagation_n must return (cost, cache)")
    return result[0], result[1]


def _cost_with_forward_mistakes(X: Array, Y: Array, params: Mapping[str, Array]) -> list[dg.Mutant]:
    AL, _ = ref.model_forward(X, params, "relu")
    out = list(dg.cost_mutants(AL, Y))
    for d, thunk in dg.model_forward_mutants(X, params, "relu"):
        out.append((d, _cost_of(thunk, Y)))
    return out


def _cost_of(thunk: Any, Y: Array) -> Any:
    def cost() -> dict[str, Any]:
        AL = np.asarray(thunk()["AL"], dtype=np.float64)
        return {"cost": -float(np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))}

    return cost


def _forward_trial(ctx: Context, case: Case) -> Trial:
    ctx.fn("forward_propagation_n")
    X, Y, params = case.X.copy(), case.Y.copy(), _params(case)
    return Trial(
        invoke=lambda: _forward(ctx, X, Y, params),
        outputs=lambda r: {"cost": r[0]},
        expected={"cost": ref.model_cost(params, X, Y, "relu")},
        args={"X": X, "Y": Y, "parameters": params},
        mutants=lambda: _cost_with_forward_mistakes(X, Y, params),
        m=case.m,
        formula=dg.formula("cost"),
    )


def _cache(ctx: Context, case: Case, params: Mapping[str, Array]) -> Any:
    if not ctx.has("forward_propagation_n"):
        raise Prerequisite("needs forward_propagation_n to make backward_propagation_n's cache")
    cost, cache = _forward(
        ctx, case.X.copy(), case.Y.copy(), {k: v.copy() for k, v in params.items()}
    )
    user = scalar_cost(cost, "forward_propagation_n", "backward_propagation_n")
    if abs(user - ref.model_cost(params, case.X, case.Y, "relu")) > 1e-6:
        raise Prerequisite(
            "backward_propagation_n is checked with the cache of your forward_propagation_n, "
            "whose cost is wrong: fix forward_propagation_n first"
        )
    return cache


def _backward_call(ctx: Context, case: Case, cache: Any) -> Any:
    return bind_call(
        ctx.fn("backward_propagation_n"),
        ["X", "Y", "cache"],
        {"X": case.X.copy(), "Y": case.Y.copy(), "cache": cache},
    )


def _backward_trial(ctx: Context, case: Case) -> Trial:
    ctx.fn("backward_propagation_n")
    params = _params(case)
    cache = _cache(ctx, case, params)
    right = ref.model_gradients(params, case.X, case.Y, "relu")
    expected = {k: v for k, v in right.items() if not k.startswith("dA")}

    def outputs(r: Any) -> Mapping[str, Any]:
        if not isinstance(r, Mapping):
            raise WrongResult(f"backward_propagation_n must return a dict, got {type(r).__name__}")
        return r

    return Trial(
        invoke=lambda: _backward_call(ctx, case, cache),
        outputs=outputs,
        expected=expected,
        args={"cache": cache},
        mutants=lambda: dg.model_backward_mutants(case.X, case.Y, params, "relu"),
        m=case.m,
        formula=dg.formula("linear_backward"),
        rules={k: ref.RULES[k[:2]] for k in expected},
    )


def _backward_gradient(ctx: Context) -> Finding:
    case = _cases(ctx)[0]
    params = _params(case)
    grads = _backward_call(ctx, case, _cache(ctx, case, params))
    if not isinstance(grads, Mapping):
        raise WrongResult("backward_propagation_n must return a dict of gradients")

    def cost(p: dict[str, Array]) -> float:
        value = _forward(ctx, case.X.copy(), case.Y.copy(), p)[0]
        return scalar_cost(value, "forward_propagation_n", "backward_propagation_n")

    return gradient_finding(
        "backward_propagation_n",
        cost,
        params,
        {k: grads["d" + k] for k in params},
        seed=ctx.seed,
        m=case.m,
        example=case.example(),
        display={k: "d" + k for k in params},
        what="your forward_propagation_n's cost",
    )


def _checker(ctx: Context) -> Finding:
    """The person's gradient_check_n: small for right gradients, large for wrong ones."""
    case = _cases(ctx)[0]
    params = _params(case)
    if ctx.has("forward_propagation_n"):
        cost, _ = _forward(ctx, case.X.copy(), case.Y.copy(), _params(case))
        user = scalar_cost(cost, "forward_propagation_n", "gradient_check_n")
        if abs(user - ref.model_cost(params, case.X, case.Y, "relu")) > 1e-6:
            raise Prerequisite(
                "gradient_check_n differentiates your forward_propagation_n, whose cost is "
                "wrong: fix it first"
            )
    right = {
        k: v
        for k, v in ref.model_gradients(params, case.X, case.Y, "relu").items()
        if k[:2] != "dA"
    }
    # wrong gradients the checker must see, each with the difference the course's formula gives
    # (gradapprox is the right gradient to ~1e-7): a doubled layer, everything doubled, the sign
    # flipped, and the elements of dW1 permuted — the last two keep every norm, so a checker that
    # compares norms or forgets a term is caught
    scaled = dict(right)
    scaled["dW2"] = 2 * right["dW2"]
    scaled["db1"] = 4 * right["db1"]
    permuted = dict(right)
    permuted["dW1"] = right["dW1"].reshape(-1)[::-1].reshape(right["dW1"].shape)
    probes = {
        "dW2 × 2, db1 × 4": scaled,
        "every gradient × 2": {k: 2 * v for k, v in right.items()},
        "every gradient × −1": {k: -v for k, v in right.items()},
        "the elements of dW1 reversed": permuted,
    }

    def course_difference(grads: Mapping[str, Array]) -> float:
        g = np.concatenate([right[k].reshape(-1) for k in sorted(right)])
        w = np.concatenate([np.asarray(grads[k]).reshape(-1) for k in sorted(right)])
        return float(np.linalg.norm(w - g) / (np.linalg.norm(w) + np.linalg.norm(g)))

    def run(grads: Mapping[str, Array]) -> float:
        value = bind_call(
            ctx.fn("gradient_check_n"),
            ["parameters", "gradients", "X", "Y"],
            {
                "parameters": _params(case),
                "gradients": dict(grads),
                "X": case.X.copy(),
                "Y": case.Y.copy(),
            },
            {"gradients": ("gradients", "grads")},
        )
        if isinstance(value, tuple):
            value = value[-1] if np.size(value[-1]) == 1 else value[0]
        return to_float(value)

    good = run(right)
    # a probe that changes nothing here (dW2 and db1 can be zero when their units are dead) says
    # nothing about the checker
    bad = {
        what: (run(grads), want)
        for what, grads in probes.items()
        if (want := course_difference(grads)) > 1e-2
    }
    example = {**case.example(), "wrong": "; ".join(probes)}
    formula = (
        "gradapprox[i] = (J(θ + ε·eᵢ) − J(θ − ε·eᵢ)) / (2ε); "
        "difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)"
    )
    off = {
        what: (got, want)
        for what, (got, want) in bad.items()
        if not (np.isfinite(got) and abs(got - want) <= 0.02 * want + 1e-6)
    }
    if good < 1e-5 and not off:
        return Finding(
            "gradient_check_n",
            "checker",
            "pass",
            f"reports {good:.1e} for right gradients and "
            + ", ".join(f"{got:.2g} for {what}" for what, (got, _) in bad.items()),
        )
    named = _checker_mistake(run, right, probes, good, case)
    if named is not None:
        return Finding(
            "gradient_check_n",
            "checker",
            "fail",
            f"reports a difference of {good:.3g} for gradients that are right"
            if good >= 1e-5
            else f"reports differences the course's formula does not give: {_listing(off)}",
            diagnosis=named.message,
            mistake=named.mistake,
            expected="< 1e-5",
            actual=good,
            example=example,
            formula=formula,
        )
    if good >= 1e-5:
        if abs(good - 1 / 3) < 0.02:
            diagnosis = (
                "gradapprox is twice or half the gradient (‖g − 2g‖ / (‖g‖ + ‖2g‖) = 1/3): "
                "divide J⁺ − J⁻ by 2ε (not ε), and make θ⁺ and θ⁻ fresh copies of θ "
                "(np.copy) for every i so that J⁻ is taken at θ − ε·eᵢ"
            )
            mistake = Mistake.GRADAPPROX_FACTOR_2
        elif abs(good - 1.0) < 0.02:
            diagnosis = "gradapprox is zero or unrelated: θ + ε and θ − ε probably give the same J"
            mistake = Mistake.CHECKER_FALSE_ALARM
        else:
            diagnosis = (
                "right gradients get a large difference: check that θ⁺ and θ⁻ are fresh copies "
                "(np.copy) for every i, and the formula of the difference"
            )
            mistake = Mistake.CHECKER_FALSE_ALARM
        return Finding(
            "gradient_check_n",
            "checker",
            "fail",
            f"reports a difference of {good:.3g} for gradients that are right",
            diagnosis=diagnosis,
            mistake=mistake,
            expected="< 1e-5",
            actual=good,
            example=example,
            formula=formula,
        )
    what, (got, want) = next(iter(off.items()))
    listing = _listing(off)
    if all(abs(g) <= 1e-3 for g, _ in bad.values()):
        return Finding(
            "gradient_check_n",
            "checker",
            "fail",
            f"reports only {got:.3g} for gradients that are wrong ({what})",
            diagnosis="the checker cannot see a wrong gradient: compare grad with gradapprox",
            mistake=Mistake.CHECKER_INSENSITIVE,
            expected=want,
            actual=got,
            example=example,
            formula=formula,
        )
    return Finding(
        "gradient_check_n",
        "checker",
        "fail",
        f"reports differences the course's formula does not give for wrong gradients: {listing}",
        diagnosis=(
            "the difference is not the course's formula: difference = ‖grad − gradapprox‖₂ / "
            "(‖grad‖₂ + ‖gradapprox‖₂) — the norm of the difference (not the difference of the "
            "norms, nor a signed sum) over the sum of the two norms (not the norm of the sum)"
        ),
        mistake=Mistake.DIFFERENCE_FORMULA,
        expected=want,
        actual=got,
        example=example,
        formula=formula,
    )


def _listing(off: Mapping[str, tuple[float, float]]) -> str:
    return "; ".join(f"{w}: {g:.3g} instead of {e:.3g}" for w, (g, e) in off.items())


def _checker_mistake(
    run: Any,
    right: Mapping[str, Array],
    probes: Mapping[str, Mapping[str, Array]],
    good: float,
    case: Case,
) -> dg.Diagnosis | None:
    """The checker's mistake whose differences, on the right gradients and on every probe, are
    the ones the person's checker reports (see :func:`nncheck.diagnose.checker_mutants`)."""
    keys = sorted(right)

    def vector(grads: Mapping[str, Array]) -> Array:
        return np.concatenate([np.asarray(grads[k]).reshape(-1) for k in keys])

    params = _params(case)
    dA0 = ref.model_gradients(params, case.X, case.Y, "relu")["dA0"]
    offset = float(np.sum(dA0)) / case.m  # Σ dJ/dX: what perturbing all of X adds
    reported = {"difference[right]": good}
    reported.update({f"difference[{w}]": run(g) for w, g in probes.items()})
    for diagnosis, thunk in dg.checker_mutants(
        vector(right), {"right": vector(right), **{w: vector(g) for w, g in probes.items()}}, offset
    ):
        want = thunk()
        if all(abs(reported[k] - v) <= 1e-3 * max(abs(v), 1e-3) for k, v in want.items()):
            return diagnosis
    return None


def _zeros(ctx: Context) -> Finding:
    dims = init_dims(ctx, 3)
    params = call_init(ctx, "initialize_parameters_zeros", ["layer_dims"], dims)
    expected = {k: np.zeros_like(v) for k, v in ref.initialize_parameters(dims, "zeros").items()}
    mm = compare(expected, params)
    if not mm:
        return Finding("initialize_parameters_zeros", "values", "pass", "every W[l] and b[l] is 0")
    return Finding(
        "initialize_parameters_zeros",
        "values",
        "fail",
        f"the zeros initialisation is not zeros: {mm[0].message}",
        expected=mm[0].expected,
        actual=mm[0].actual,
        worst_index=mm[0].worst_index,
        example={"dims": dims, "seed": ctx.seed},
    )


def _vector_check(function: str) -> Check:
    """The course's flattening helpers: W1, b1, …, b3 stacked as one (47, 1) column, and back."""

    def run(ctx: Context) -> Finding:
        case = _cases(ctx)[0]
        params = _params(case)
        grads = {"d" + k: v.copy() for k, v in params.items()}
        theta = _dictionary_to_vector(params)[0]
        f = ctx.fn(function)
        if function == "dictionary_to_vector":
            result = bind_call(f, ["parameters"], {"parameters": params})
            expected: dict[str, Any] = {"theta": theta}
            actual: dict[str, Any] = {"theta": result[0] if isinstance(result, tuple) else result}
        elif function == "gradients_to_vector":
            result = bind_call(f, ["gradients"], {"gradients": grads}, {"gradients": ("grads",)})
            expected, actual = {"theta": theta}, {"theta": result}
        else:
            result = bind_call(
                f, ["theta"], {"theta": theta.copy()}, {"theta": ("theta", "vector")}
            )
            if not isinstance(result, Mapping):
                raise WrongResult(f"{function} must return a dict of parameters")
            expected, actual = dict(params), dict(result)
        mm = compare(expected, actual)
        if not mm:
            return Finding(function, "values", "pass", "follows the course's order W1, b1, …, b3")
        diagnosis = mistake = None
        if mm[0].kind == "shape" and mm[0].key in params:
            key, want = mm[0].key, tuple(params[mm[0].key].shape)
            diagnosis = (
                f"{key} is reshaped to {mm[0].actual} instead of {want}: the dimension rule "
                f"{'W[l]: (n[l], n[l−1])' if key.startswith('W') else 'b[l]: (n[l], 1)'}"
            )
            mistake = Mistake.WRONG_SHAPE
        return Finding(
            function,
            "values",
            "fail",
            f"{mm[0].message}: the course stacks W1, b1, W2, b2, W3, b3, each reshaped to (-1, 1)",
            diagnosis=diagnosis,
            mistake=mistake,
            expected=mm[0].expected,
            actual=mm[0].actual,
            worst_index=mm[0].worst_index,
            example={"dims": list(DIMS), "seed": ctx.seed},
        )

    return Check(function, "values", run)


_X1, _THETA1 = 3.0, 4.0


def _one_dimensional(ctx: Context, name: str) -> None:
    """The 1-D part of the assignment is told apart from week 3's names by ``theta``."""
    if not takes(ctx.module, ctx.names.get(name, name), "theta"):
        raise Prerequisite(
            f"{name} does not take theta: it is not the one-dimensional {name}(x, theta) of "
            "the gradient-checking assignment (check it with the week-3 convention)"
        )


def _scalar_value(name: str, expected: float, what: str) -> Check:
    def run(ctx: Context) -> Finding:
        _one_dimensional(ctx, name)
        got = to_float(bind_call(ctx.fn(name), ["x", "theta"], {"x": _X1, "theta": _THETA1}))
        if abs(got - expected) <= 1e-9 * max(1.0, abs(expected)):
            return Finding(name, "values", "pass", f"{what} = {expected:g} at x = 3, θ = 4")
        return Finding(
            name,
            "values",
            "fail",
            f"returns {got:.6g} at x = 3, θ = 4; {what} = {expected:g}",
            expected=expected,
            actual=got,
            example={"x": _X1, "theta": _THETA1, "seed": ctx.seed},
            formula="J(θ) = θ·x, dJ/dθ = x",
        )

    return Check(name, "values", run)


def _one_dimensional_checker(ctx: Context) -> Finding:
    _one_dimensional(ctx, "gradient_check")
    args = {"x": _X1, "theta": _THETA1}
    if ctx.has("forward_propagation"):  # the checker differentiates it: it must be right first
        J = scalar_cost(
            bind_call(ctx.fn("forward_propagation"), ["x", "theta"], dict(args)),
            "forward_propagation",
            "gradient_check",
        )
        require_right("forward_propagation", J, _X1 * _THETA1, "gradient_check")
    if ctx.has("backward_propagation"):
        back = to_float(bind_call(ctx.fn("backward_propagation"), ["x", "theta"], dict(args)))
        require_right("backward_propagation", back, _X1, "gradient_check")
    got = to_float(
        bind_call(ctx.fn("gradient_check"), ["x", "theta"], {"x": _X1, "theta": _THETA1})
    )
    if got < 1e-5:
        return Finding(
            "gradient_check", "checker", "pass", f"reports {got:.1e} for a right derivative"
        )
    if abs(got - abs(_X1 - _THETA1) / (_X1 + _THETA1)) < 1e-6:  # gradapprox = dJ/dx = θ
        return Finding(
            "gradient_check",
            "checker",
            "fail",
            f"reports a difference of {got:.3g} although backward_propagation is right",
            diagnosis="gradapprox is dJ/dx = θ, not dJ/dθ = x: the checker nudges x instead of "
            "θ — compute J_plus at theta + ε and J_minus at theta − ε, with x unchanged",
            mistake=Mistake.CHECKER_PERTURBS_X,
            expected="< 1e-5",
            actual=got,
            example={"x": _X1, "theta": _THETA1, "seed": ctx.seed},
        )
    return Finding(
        "gradient_check",
        "checker",
        "fail",
        f"reports a difference of {got:.3g} although backward_propagation is right",
        diagnosis=(
            "gradapprox is twice or half the derivative (difference 1/3): divide by 2ε"
            if abs(got - 1 / 3) < 0.02
            else None
        ),
        mistake=Mistake.GRADAPPROX_FACTOR_2
        if abs(got - 1 / 3) < 0.02
        else Mistake.CHECKER_FALSE_ALARM,
        expected="< 1e-5",
        actual=got,
        example={"x": _X1, "theta": _THETA1, "seed": ctx.seed},
        formula="gradapprox = (J(θ + ε) − J(θ − ε)) / (2ε)",
    )


def checks() -> list[Check]:
    """Every check of the convention, in a stable order."""
    return [
        _scalar_value("forward_propagation", _X1 * _THETA1, "J = θ·x"),
        _scalar_value("backward_propagation", _X1, "dJ/dθ = x"),
        Check("gradient_check", "checker", _one_dimensional_checker),
        _vector_check("dictionary_to_vector"),
        _vector_check("vector_to_dictionary"),
        _vector_check("gradients_to_vector"),
        values_check("forward_propagation_n", _forward_trial, dims=DIMS),
        mutation_check("forward_propagation_n", _forward_trial, dims=DIMS),
        values_check("backward_propagation_n", _backward_trial, dims=DIMS),
        shapes_check("backward_propagation_n", _backward_trial, dims=DIMS),
        Check("backward_propagation_n", "gradient", _backward_gradient),
        Check("gradient_check_n", "checker", _checker),
        *init_checks("initialize_parameters_zeros", ["layer_dims"], 3)[:1],
        Check("initialize_parameters_zeros", "values", _zeros),
        *init_checks("initialize_parameters_random", ["layer_dims"], 3),
        init_scale(
            "initialize_parameters_random",
            ["layer_dims"],
            course=10.0,
            written="np.random.randn(n[l], n[l−1]) * 10",
        ),
        *init_checks("initialize_parameters_he", ["layer_dims"], 3),
        he_scale("initialize_parameters_he"),
        *training_checks(NAME),
    ]


# --------------------------------------------------------------------------------------------
# gradient checking: this convention's cost and gradient closures (used by nncheck.gradcheck)


def _course2(
    module: types.ModuleType, functions: tuple[str, ...], X: FloatArray, Y: FloatArray, path: str
) -> tuple[CostFn, GradFn]:
    forward = _Caller(module, "forward_propagation_n", ("X", "Y", "parameters"), path)
    backward = _Caller(module, "backward_propagation_n", ("X", "Y", "cache"), path)

    def cost(params: Mapping[str, Any]) -> Any:
        J, _ = _unpack(forward(X=X, Y=Y, parameters=params), forward.name, ("cost", "cache"))
        return _scalar(J, forward.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        _, cache = _unpack(forward(X=X, Y=Y, parameters=params), forward.name, ("cost", "cache"))
        grads = backward(X=X, Y=Y, cache=cache, parameters=params)
        return _as_arrays(_grad_dict(grads, backward.name), backward.name)

    return cost, gradients


def _one_dimensional_problem(
    module: types.ModuleType,
    functions: tuple[str, ...],
    params: Mapping[str, FloatArray] | None,
    seed: int,
    path: str,
) -> GradProblem:
    """Course 2's J(θ) = θ·x: ``forward_propagation(x, theta) -> J`` and
    ``backward_propagation(x, theta) -> dtheta``, with scalar x and θ."""
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(0.5, 3.0) * rng.choice([-1.0, 1.0]))
    notes = [f"x = {x:.6g} drawn from default_rng({seed})"]
    if params is not None:
        if set(params) != {"theta"} or np.asarray(params["theta"]).size != 1:
            raise ProtocolError("--params for forward_propagation(x, theta) needs one number theta")
        theta = float(np.asarray(params["theta"]).reshape(()))
    else:
        theta = float(rng.standard_normal() * 2.0)
        notes.append(f"theta = {theta:.6g} drawn from default_rng({seed})")
    forward = _Caller(module, "forward_propagation", ("x", "theta"), path)
    backward = _Caller(module, "backward_propagation", ("x", "theta"), path)

    def value(params: Mapping[str, Any]) -> Any:
        return np.asarray(params["theta"]).reshape(())[()]

    def cost(params: Mapping[str, Any]) -> Any:
        return _scalar(forward(x=x, theta=value(params)), forward.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        dtheta = _as_arrays({"dtheta": backward(x=x, theta=value(params))}, backward.name)
        g = dtheta["dtheta"]
        return {"dtheta": g.reshape(1, 1) if g.size == 1 else g}

    return GradProblem(
        protocol="course2_1d",
        functions=functions,
        dims=(1, 1),
        params={"theta": np.array([[theta]])},
        X=np.array([[x]]),
        Y=np.zeros((1, 1)),
        cost=cost,
        gradients=gradients,
        notes=tuple(notes),
    )


def _three_layers(dims: tuple[int, ...]) -> None:
    if len(dims) != 4:
        raise ProtocolError(
            f"--dims {','.join(map(str, dims))}: forward_propagation_n uses three layers (W1, W2, "
            "W3): give four widths, e.g. --dims 4,5,3,1"
        )


def _takes_theta_argument(module: types.ModuleType) -> bool:
    return _takes_theta(module.forward_propagation)  # not week 3's (X, parameters)


GRADCHECK = (
    Protocol(
        "course2",
        (("forward_propagation_n", "backward_propagation_n"),),
        (4, 5, 3, 1),
        _course2,
        check_dims=_three_layers,
    ),
    Protocol(
        "course2_1d",
        (("forward_propagation", "backward_propagation"),),
        (1, 1),
        None,
        helpers=False,
        accepts=_takes_theta_argument,
        build=_one_dimensional_problem,
    ),
)
"""The gradient-check protocols of this convention: the three-layer network and the
one-dimensional J(θ) = θ·x warm-up."""
