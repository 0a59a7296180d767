"""Generic convention: the canonical names of ``nncheck.reference``, for people outside the course.

=============================================  ==============================================
``activation_forward(Z, activation)``          ``A`` (activation: "relu", "sigmoid", "tanh")
``activation_backward(dA, Z, activation)``     ``dZ = dA ∗ g'(Z)``
``linear_forward(A_prev, W, b)``               ``Z`` (or ``(Z, cache)``)
``linear_backward(dZ, A_prev, W)``             ``(dA_prev, dW, db)``
``model_forward(X, parameters)``               ``(AL, caches)``: [LINEAR→RELU]×(L−1)→LINEAR→SIGMOID
``model_backward(AL, Y, caches)``              ``{"dW1", "db1", …}`` (dA keys optional)
``cost(AL, Y)``                                cross-entropy ``J``, a number
``update_parameters(parameters, grads, lr)``   new parameters (or updated in place)
``initialize_parameters(layer_dims)``          ``{"W1", "b1", …}``
``predict(parameters, X)``                     0/1 labels of shape (1, m)
=============================================  ==============================================

The model-level checks are the week-4 ones under these names; the hidden activation (ReLU, leaky
ReLU, tanh or sigmoid) is detected from ``model_forward``. A ``cost(params, X, Y)`` (the gradient
check protocol of ``nncheck gradcheck``) is skipped here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import ModuleType
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck._arrays import FloatArray, _as_arrays
from nncheck._binding import CostFn, GradFn, _Caller, _grad_dict, _scalar, _unpack
from nncheck._findings import Finding
from nncheck.conventions import week4
from nncheck.conventions._common import (
    Case,
    Check,
    Context,
    Prerequisite,
    Trial,
    WrongResult,
    bind_call,
    first,
    mutation_check,
    shapes_check,
    values_check,
)
from nncheck.conventions._gradient import gradient_finding
from nncheck.conventions._properties import predict_check
from nncheck.conventions._protocol import Protocol, layered_params, module_params
from nncheck.errors import ProtocolError

Array = np.ndarray[Any, np.dtype[np.float64]]

NAME = "generic"
FUNCTIONS = (
    "activation_forward",
    "activation_backward",
    "linear_forward",
    "linear_backward",
    "model_forward",
    "model_backward",
    "cost",
    "update_parameters",
    "initialize_parameters",
    "predict",
)
"""The canonical names, documented in the README."""

MARKERS = ("activation_forward", "activation_backward", "model_forward", "model_backward", "cost")
"""Names that identify this convention."""

ACTS = ("relu", "sigmoid", "tanh")

# week-4 name -> canonical name
_RENAME = {
    "L_model_forward": "model_forward",
    "L_model_backward": "model_backward",
    "compute_cost": "cost",
    "initialize_parameters_deep": "initialize_parameters",
    "linear_forward": "linear_forward",
    "update_parameters": "update_parameters",
    "predict": "predict",
}


def _takes_parameters(f: Callable[..., Any]) -> bool:
    try:
        names = set(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return False
    return bool(names & {"params", "parameters", "theta"})


def _renamed(check: Check) -> Check:
    """A week-4 check run on the canonical names, reported under the canonical name."""
    name = _RENAME[check.function]

    def run(ctx: Context) -> Finding:
        if name == "cost" and _takes_parameters(ctx.fn("cost")):
            raise Prerequisite(
                "cost(params, X, Y) is the gradient-check protocol, not cost(AL, Y): check it "
                "with `nncheck gradcheck`"
            )
        names = {**{k: ctx.names.get(v, v) for k, v in _RENAME.items()}, **ctx.names}
        return replace(check.run(replace(ctx, names=names)), function=name)

    return Check(name, check.check, run)


def configure(ctx: Context) -> None:
    """The hidden activation of ``model_forward`` is the one whose reference output it matches
    (ReLU when none does: the values check then reports the difference)."""
    if not ctx.has("model_forward"):
        return
    case = ctx.cases()[0]
    f = ctx.fn("model_forward")
    AL = first(bind_call(f, ["X", "parameters"], {"X": case.X.copy(), "parameters": {
        k: np.array(v) for k, v in case.params.items()}}))  # fmt: skip
    for hidden in ref.HIDDEN_ACTIVATIONS:
        right, _ = ref.model_forward(case.X, case.params, hidden)
        if np.shape(AL) == right.shape and np.allclose(AL, right, rtol=1e-5, atol=1e-8):
            ctx.hidden = hidden
            return


def _act_forward_trial(ctx: Context, case: Case) -> Trial:
    f = ctx.fn("activation_forward")
    Z = 2.0 * case.rng(1).standard_normal((case.dims[1], case.m))

    def mutants() -> list[dg.Mutant]:
        out: list[dg.Mutant] = []
        for g in ACTS:
            out += dg.activation_forward_mutants(Z, g, key=f"A[{g}]")
        return out

    return Trial(
        invoke=lambda: {
            g: bind_call(f, ["Z", "activation"], {"Z": Z, "activation": g}) for g in ACTS
        },
        outputs=lambda r: {f"A[{g}]": first(r[g]) for g in ACTS},
        expected={f"A[{g}]": ref.activation_forward(Z, g) for g in ACTS},
        args={"Z": Z},
        mutants=mutants,
        m=case.m,
    )


def _act_backward_trial(ctx: Context, case: Case) -> Trial:
    f = ctx.fn("activation_backward")
    rng = case.rng(2)
    Z = 2.0 * rng.standard_normal((case.dims[1], case.m))
    dA = rng.standard_normal(Z.shape)

    def mutants() -> list[dg.Mutant]:
        out: list[dg.Mutant] = []
        for g in ACTS:
            out += dg.activation_backward_mutants(dA, Z, g, key=f"dZ[{g}]")
        return out

    return Trial(
        invoke=lambda: {
            g: bind_call(f, ["dA", "Z", "activation"], {"dA": dA, "Z": Z, "activation": g})
            for g in ACTS
        },
        outputs=lambda r: {f"dZ[{g}]": r[g] for g in ACTS},
        expected={f"dZ[{g}]": ref.activation_backward(dA, Z, g) for g in ACTS},
        args={"dA": dA, "Z": Z},
        mutants=mutants,
        m=case.m,
        formula=dg.formula("activation_backward"),
    )


def _lb_inputs(case: Case) -> tuple[Array, Array, Array]:
    A_prev = np.abs(case.rng(2).standard_normal((case.dims[1], case.m)))
    W = np.array(case.params["W2"])
    dZ = case.rng(3).standard_normal((W.shape[0], case.m))
    return dZ, A_prev, W


def _lb_call(ctx: Context, dZ: Array, A_prev: Array, W: Array) -> Any:
    return bind_call(
        ctx.fn("linear_backward"), ["dZ", "A_prev", "W"], {"dZ": dZ, "A_prev": A_prev, "W": W}
    )


def _lb_outputs(r: Any) -> dict[str, Any]:
    if not (isinstance(r, tuple) and len(r) == 3):
        raise WrongResult("linear_backward must return (dA_prev, dW, db)")
    return dict(zip(("dA_prev", "dW", "db"), r, strict=True))


def _lb_trial(ctx: Context, case: Case) -> Trial:
    dZ, A_prev, W = _lb_inputs(case)
    return Trial(
        invoke=lambda: _lb_call(ctx, dZ, A_prev, W),
        outputs=_lb_outputs,
        expected=dict(
            zip(("dA_prev", "dW", "db"), ref.linear_backward(dZ, A_prev, W), strict=True)
        ),
        args={"dZ": dZ, "A_prev": A_prev, "W": W},
        mutants=lambda: dg.linear_backward_mutants(dZ, A_prev, W),
        m=case.m,
        formula=dg.formula("linear_backward"),
        rules={"dA_prev": ref.RULES["dA"], "dW": ref.RULES["dW"], "db": ref.RULES["db"]},
    )


def _lb_gradient(ctx: Context) -> Finding:
    case = ctx.cases()[0]
    dZ, A_prev, W = _lb_inputs(case)
    b = np.array(case.params["b2"])
    out = _lb_outputs(_lb_call(ctx, dZ, A_prev, W))
    m = case.m

    def cost(p: dict[str, Array]) -> float:
        return float(np.sum(dZ * (p["W"] @ p["A_prev"] + p["b"]))) / m

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
        what="J = (1/m) Σ dZ ∗ (W·A_prev + b)",
    )


def checks() -> list[Check]:
    """Every check of the convention, in a stable order."""
    reused: list[Check] = [
        _renamed(c) for c in week4.checks() if c.function in _RENAME and c.function != "predict"
    ]
    return [
        values_check("activation_forward", _act_forward_trial),
        mutation_check("activation_forward", _act_forward_trial),
        values_check("activation_backward", _act_backward_trial),
        shapes_check("activation_backward", _act_backward_trial),
        mutation_check("activation_backward", _act_backward_trial),
        values_check("linear_backward", _lb_trial),
        shapes_check("linear_backward", _lb_trial),
        Check("linear_backward", "gradient", _lb_gradient),
        mutation_check("linear_backward", _lb_trial),
        *reused,
        predict_check("predict", ["parameters", "X"], hidden=None),
    ]


# --------------------------------------------------------------------------------------------
# gradient checking: this convention's cost and gradient closures (used by nncheck.gradcheck)


def _generic(
    module: ModuleType, functions: tuple[str, ...], X: FloatArray, Y: FloatArray, path: str
) -> tuple[CostFn, GradFn]:
    if functions == ("cost_and_gradients",):
        both = _Caller(module, "cost_and_gradients", ("parameters", "X", "Y"), path)

        def cost(params: Mapping[str, Any]) -> Any:
            J, _ = _unpack(both(parameters=params, X=X, Y=Y), both.name, ("cost", "gradients"))
            return _scalar(J, both.name)

        def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
            _, g = _unpack(both(parameters=params, X=X, Y=Y), both.name, ("cost", "gradients"))
            return _as_arrays(_grad_dict(g, both.name), both.name)

        return cost, gradients
    cost_fn = _Caller(module, "cost", ("parameters", "X", "Y"), path)
    grad_fn = _Caller(module, "gradients", ("parameters", "X", "Y"), path)

    def cost2(params: Mapping[str, Any]) -> Any:
        return _scalar(cost_fn(parameters=params, X=X, Y=Y), cost_fn.name)

    def gradients2(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        return _as_arrays(
            _grad_dict(grad_fn(parameters=params, X=X, Y=Y), grad_fn.name), grad_fn.name
        )

    return cost2, gradients2


def _initialize_parameters(
    module: ModuleType, dims: tuple[int, ...], seed: int, path: str
) -> tuple[dict[str, FloatArray], str]:
    return module_params(module, "initialize_parameters", dims, seed, path)


def _generic_params(
    params: dict[str, FloatArray], dims: tuple[int, ...] | None
) -> tuple[dict[str, FloatArray], tuple[int, ...] | None]:
    """W1, b1, … follow the dimension rules; any other dict is the person's own."""
    return layered_params(params, dims) if "W1" in params else (params, dims)


def _generic_widths(
    given: tuple[int, ...] | None,
    X: FloatArray | None,
    Y: FloatArray | None,
    params: Mapping[str, FloatArray] | None,
) -> tuple[tuple[int, ...], list[str]]:
    if given is not None:
        return given, []
    if X is not None and Y is not None:
        # no hidden widths to guess from: one layer, n_x -> n_y (stated in the notes)
        note = (
            f"dims: {X.shape[0]},{Y.shape[0]} (one layer) from the shapes of X and Y in --data; "
            "give --dims or --params for hidden layers"
        )
        return (X.shape[0], Y.shape[0]), [note] if params is None else []
    if params is not None:  # not W1, b1, … (those give the widths)
        raise ProtocolError(
            "--params holds no W1, b1, …, so nncheck cannot tell the shape of X and Y: "
            "give --data (arrays X and Y) or --dims N_IN,N_OUT"
        )
    raise ProtocolError(
        "the generic protocol needs --dims N_IN,…,N_OUT, --data or --params to know the "
        "shapes of the parameters (e.g. --dims 4,3 for one layer from 4 inputs to 3 outputs)"
    )


GRADCHECK = (
    Protocol(
        "canonical",
        (("model_forward", "cost", "model_backward"),),
        (5, 4, 3, 1),
        week4._model,
        cost_steps=2,
        initial_params=_initialize_parameters,
    ),
    Protocol(
        "generic",
        (("cost_and_gradients",), ("cost", "gradients")),
        (5, 4, 3, 1),
        _generic,
        helpers=False,
        given_params=_generic_params,
        widths=_generic_widths,
    ),
)
"""The gradient-check protocols of this convention: the reference's names (``canonical``) and
any ``cost``/``gradients`` pair over a parameter dict (``generic``)."""
