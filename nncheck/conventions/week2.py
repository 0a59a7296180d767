"""Course 1 week 2: "Logistic regression with a neural network mindset".

Functions (any subset): ``sigmoid(z)``, ``initialize_with_zeros(dim)`` → ``(w (dim, 1), b)``,
``propagate(w, b, X, Y)`` → ``(grads {"dw", "db"}, cost)``, ``optimize(w, b, X, Y,
num_iterations, learning_rate, print_cost)`` → ``(params, grads, costs)``, ``predict(w, b, X)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck import reference as ref
from nncheck._arrays import FloatArray, _as_arrays
from nncheck._binding import CostFn, GradFn, _Caller, _grad_dict, _scalar, _unpack
from nncheck._findings import Finding
from nncheck.conventions._common import (
    Case,
    Check,
    Context,
    Trial,
    bind_call,
    compare,
    describe_value,
    first,
    mutation_check,
    scalar_cost,
    shapes_check,
    values_check,
    wrong_return,
)
from nncheck.conventions._gradient import gradient_finding
from nncheck.conventions._properties import cost_scalar_check, stability_check, threshold_failure
from nncheck.conventions._protocol import Protocol
from nncheck.conventions._training import training_checks
from nncheck.conventions.week4._one_layer import _activation_trial
from nncheck.diagnose.catalogue import Mistake
from nncheck.errors import ProtocolError

Array = np.ndarray[Any, np.dtype[np.float64]]

NAME = "week2"
FUNCTIONS = ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model")
"""The course's names, in the order the assignment introduces them."""

MARKERS = ("initialize_with_zeros", "propagate", "optimize")
"""Names that identify this convention."""

_ORDER = ["w", "b", "X", "Y"]
_ALIASES = {"w": ("w", "W", "weights"), "b": ("b", "bias")}


def _inputs(case: Case) -> tuple[Array, float, Array, Array]:
    rng = case.rng(11)
    w = 0.5 * rng.standard_normal((case.dims[0], 1))
    b = float(0.3 * rng.standard_normal())
    return w, b, case.X.copy(), case.Y.reshape(1, -1).copy()


def _propagate(
    ctx: Context, w: Array, b: float, X: Array, Y: Array
) -> tuple[Mapping[str, Any], Any]:
    result = bind_call(ctx.fn("propagate"), _ORDER, {"w": w, "b": b, "X": X, "Y": Y}, _ALIASES)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Mapping)):
        raise wrong_return("propagate", result, "(grads, cost) with grads = {'dw': ..., 'db': ...}")
    return result[0], result[1]


def _propagate_trial(ctx: Context, case: Case) -> Trial:
    ctx.fn("propagate")
    w, b, X, Y = _inputs(case)
    cost, dw, db = ref.logistic_propagate(w, b, X, Y)

    def outputs(r: Any) -> dict[str, Any]:
        grads, c = r
        return {"dw": grads.get("dw"), "db": grads.get("db"), "cost": c}

    return Trial(
        invoke=lambda: _propagate(ctx, w, b, X, Y),
        outputs=outputs,
        expected={"dw": dw, "db": db, "cost": cost},
        args={"w": w, "X": X, "Y": Y},
        mutants=lambda: dg.logistic_propagate_mutants(w, b, X, Y),
        m=case.m,
        formula=dg.formula("logistic"),
        rules={"dw": "dw: like w, (n_x, 1)"},
    )


def _propagate_gradient(ctx: Context) -> Finding:
    case = ctx.cases()[0]
    w, b, X, Y = _inputs(case)
    grads, _ = _propagate(ctx, w, b, X, Y)

    def cost(p: dict[str, Array]) -> float:
        _, c = _propagate(ctx, p["w"], float(p["b"].reshape(())), X, Y)
        return scalar_cost(c, "propagate", "dw and db")

    cost({"w": w, "b": np.asarray(b)})  # a cost that is not one number: fix it first

    db = np.asarray(grads.get("db"), dtype=np.float64)
    if db.size != 1:
        return Finding(
            "propagate",
            "gradient",
            "fail",
            f"db has shape {db.shape}: the gradient of the scalar b is one number",
            diagnosis="db sums over one axis only: use np.sum(A − Y) / m (no axis)",
            mistake=Mistake.WRONG_SUM_AXIS,
            example=case.example(),
        )
    return gradient_finding(
        "propagate",
        cost,
        {"w": w, "b": np.asarray(b)},
        {"w": grads.get("dw"), "b": db.reshape(())},
        seed=ctx.seed,
        m=case.m,
        example=case.example(),
        display={"w": "dw", "b": "db"},
        what="the cost propagate returns",
    )


def _zeros(ctx: Context) -> Finding:
    dim = ctx.cases()[0].dims[0]
    result = bind_call(ctx.fn("initialize_with_zeros"), ["dim"], {"dim": dim})
    if not (isinstance(result, tuple) and len(result) == 2):
        raise wrong_return("initialize_with_zeros", result, "(w, b)")
    w, b = result
    if np.shape(w) != (dim, 1):
        return Finding(
            "initialize_with_zeros",
            "shapes",
            "fail",
            f"w has shape {np.shape(w)}; the rule w: (dim, 1) needs {(dim, 1)}",
            diagnosis="use np.zeros((dim, 1)); np.zeros(dim) is a rank-1 array; "
            "see `nncheck claims rank-one-transpose`"
            if np.ndim(w) == 1
            else None,
            mistake=Mistake.LOST_KEEPDIMS if np.ndim(w) == 1 else Mistake.WRONG_SHAPE,
            expected=str((dim, 1)),
            actual=str(np.shape(w)),
        )
    if np.size(b) != 1 or np.any(np.asarray(w) != 0) or float(np.asarray(b).reshape(())) != 0:
        return Finding(
            "initialize_with_zeros",
            "shapes",
            "fail",
            "w must be zeros of shape (dim, 1) and b the number 0",
        )
    return Finding("initialize_with_zeros", "shapes", "pass", "w = zeros((dim, 1)), b = 0")


def _zeros_b_type(ctx: Context) -> Finding:
    """b is a float (or an array): the int 0 only warns (later course versions assert a float)."""
    result = bind_call(ctx.fn("initialize_with_zeros"), ["dim"], {"dim": ctx.cases()[0].dims[0]})
    b = result[1] if isinstance(result, tuple) and len(result) == 2 else None
    if isinstance(b, (int, np.integer)) and not isinstance(b, bool):
        return Finding(
            "initialize_with_zeros",
            "type",
            "warn",
            f"b is the int {b!r}: later versions of the course assert that b is a float; "
            "write b = 0.0",
        )
    return Finding("initialize_with_zeros", "type", "pass", "b is a float (or an array)")


_STEPS, _LR = 5, 0.1


def _descend(
    w: Array, b: float, X: Array, Y: Array, step: Callable[[Array, Array, float, float], Any]
) -> tuple[Array, float]:
    """``_STEPS`` steps of ``(w, b) := step(w, dw, b, db)`` from the reference's gradients."""
    for _ in range(_STEPS):
        _, dw, db = ref.logistic_propagate(w, b, X, Y)
        w, b = step(w, dw, b, db)
    return w, b


def _optimize_trial(ctx: Context, case: Case) -> Trial:
    w, b, X, Y = _inputs(case)
    n, lr = _STEPS, _LR
    args = {
        "w": w.copy(), "b": b, "X": X.copy(), "Y": Y.copy(),
        "num_iterations": n, "learning_rate": lr, "print_cost": False,
    }  # fmt: skip
    rw, rb = _descend(w, b, X, Y, lambda w, dw, b, db: (w - lr * dw, b - lr * db))

    def invoke() -> Any:
        return bind_call(
            ctx.fn("optimize"),
            ["w", "b", "X", "Y", "num_iterations", "learning_rate", "print_cost"],
            args,
            _ALIASES,
        )

    def mutant(mistake: Mistake, text: str, step: Any) -> dg.Mutant:
        def thunk() -> dict[str, Any]:
            mw, mb = _descend(w, b, X, Y, step)
            return {"w": mw, "b": mb}

        return (dg.Diagnosis(mistake, text, "w := w − α·dw, b := b − α·db"), thunk)

    def mutants() -> list[dg.Mutant]:
        return [
            mutant(
                Mistake.UPDATE_WRONG_SIGN,
                "the update moves along the gradient: w := w − α·dw, not w + α·dw",
                lambda w, dw, b, db: (w + lr * dw, b + lr * db),
            ),
            mutant(
                Mistake.MISSING_LEARNING_RATE,
                "the update of b ignores the learning rate: b := b − α·db, not b − db",
                lambda w, dw, b, db: (w - lr * dw, b - db),
            ),
            mutant(
                Mistake.MISSING_LEARNING_RATE,
                "the update of w ignores the learning rate: w := w − α·dw, not w − dw",
                lambda w, dw, b, db: (w - dw, b - lr * db),
            ),
            mutant(
                Mistake.MISSING_LEARNING_RATE,
                "the update ignores the learning rate: θ := θ − α·dθ, not θ − dθ",
                lambda w, dw, b, db: (w - dw, b - db),
            ),
        ]

    def outputs(result: Any) -> dict[str, Any]:
        params = first(result)
        if not isinstance(params, Mapping):
            raise wrong_return(
                "optimize", result, "(params, grads, costs) with params = {'w', 'b'}"
            )
        return {"w": params.get("w"), "b": params.get("b")}

    return Trial(
        invoke=invoke,
        outputs=outputs,
        expected={"w": rw, "b": rb},
        args=args,
        mutants=mutants,
        m=case.m,
        formula="w := w − α·dw, b := b − α·db",
    )


def _optimize(ctx: Context) -> Finding:
    case = ctx.cases()[0]
    trial = _optimize_trial(ctx, case)
    actual = trial.outputs(trial.invoke())
    n, lr = _STEPS, _LR
    mm = compare(trial.expected, actual)
    if not mm:
        return Finding("optimize", "values", "pass", f"w and b match {n} steps of gradient descent")
    found = dg.match_mistake(trial.expected, actual, trial.mutants())
    return Finding(
        "optimize",
        "values",
        "fail",
        f"after {n} steps with learning_rate={lr}: {mm[0].message}",
        diagnosis=found.message if found else None,
        mistake=found.mistake if found else None,
        expected=mm[0].expected,
        actual=mm[0].actual,
        worst_index=mm[0].worst_index,
        example={**case.example(), "num_iterations": n, "learning_rate": lr},
        formula=trial.formula,
    )


COST_INTERVAL = 100
"""optimize records the cost every 100 iterations (``if i % 100 == 0``)."""

_LONG_RUN = 2 * COST_INTERVAL + 50
"""Iterations of the "returns" check: past the cost interval twice, so a wrong interval shows."""


def _course_optimize(
    w: Array, b: float, X: Array, Y: Array, n: int, lr: float
) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """The course's optimize: params after ``n`` steps, the gradients of the last step, and
    the cost before every ``COST_INTERVAL``-th step."""
    costs: list[float] = []
    dw: Any = None
    db: Any = None
    for i in range(n):
        cost, dw, db = ref.logistic_propagate(w, b, X, Y)
        w, b = w - lr * dw, b - lr * db
        if i % COST_INTERVAL == 0:
            costs.append(float(cost))
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs


def _optimize_returns(ctx: Context) -> Finding:
    """Every value optimize returns: (params, grads, costs) after ``_LONG_RUN`` iterations."""
    case = ctx.cases()[0]
    w, b, X, Y = _inputs(case)
    n, lr = _LONG_RUN, _LR
    args = {
        "w": w.copy(), "b": b, "X": X, "Y": Y,
        "num_iterations": n, "learning_rate": lr, "print_cost": False,
    }  # fmt: skip
    result = bind_call(
        ctx.fn("optimize"),
        ["w", "b", "X", "Y", "num_iterations", "learning_rate", "print_cost"],
        args,
        _ALIASES,
    )
    what = "(params, grads, costs): params = {'w', 'b'}, grads = {'dw', 'db'}, costs a list"
    if not (isinstance(result, tuple) and len(result) == 3):
        raise wrong_return("optimize", result, what)
    params, grads, costs = result
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, Mapping):
            raise wrong_return("optimize", result, f"{what} ({name} is {describe_value(value)})")
    if not isinstance(costs, (list, tuple, np.ndarray)):
        raise wrong_return("optimize", result, f"{what} (costs is {describe_value(costs)})")
    right_params, right_grads, right_costs = _course_optimize(w, b, X, Y, n, lr)
    example = {**case.example(), "num_iterations": n, "learning_rate": lr}
    expected = {**right_params, **right_grads}
    actual = {
        "w": params.get("w"), "b": params.get("b"), "dw": grads.get("dw"), "db": grads.get("db")
    }  # fmt: skip
    mm = compare(expected, actual)
    if mm:
        return Finding(
            "optimize",
            "returns",
            "fail",
            f"after {n} iterations: {mm[0].message}"
            + (" (grads holds the gradients of the last step)" if mm[0].key[0] == "d" else ""),
            expected=mm[0].expected,
            actual=mm[0].actual,
            worst_index=mm[0].worst_index,
            example=example,
            formula="w := w − α·dw, b := b − α·db",
        )
    try:
        got = [float(np.asarray(c, dtype=np.float64).reshape(())) for c in costs]
    except (TypeError, ValueError):
        raise wrong_return(
            "optimize", costs, "costs: a list of numbers, one every 100 iterations"
        ) from None
    if len(got) == len(right_costs) and np.allclose(got, right_costs, rtol=1e-5, atol=1e-10):
        return Finding(
            "optimize",
            "returns",
            "pass",
            f"params, the last gradients and the costs every {COST_INTERVAL} iterations match "
            f"{n} iterations of gradient descent",
        )
    return Finding(
        "optimize",
        "returns",
        "fail",
        f"after {n} iterations costs holds {len(got)} value{'s' * (len(got) != 1)}, expected "
        f"{len(right_costs)}: the cost before iterations 0, {COST_INTERVAL}, "
        f"{2 * COST_INTERVAL}",
        diagnosis=f"record the cost when i % {COST_INTERVAL} == 0, the cost propagate returned "
        "before that iteration's update",
        mistake=Mistake.WRONG_COST_RECORD,
        expected=[round(c, 6) for c in right_costs],
        actual=[round(c, 6) for c in got[:6]],
        example=example,
    )


def _predict(ctx: Context) -> Finding:
    """Labels 1{A > 0.5} on every case, also with the bias shifted so that every example is
    labelled 1, then 0 (a loop that skips an example shows)."""
    runs = [(case, shift) for case in ctx.cases() for shift in (0.0, 50.0, -50.0)]
    for case, shift in runs:
        w, b, X, _ = _inputs(case)
        b += shift
        expected = ref.logistic_predict(w, b, X)
        got = bind_call(ctx.fn("predict"), ["w", "b", "X"], {"w": w, "b": b, "X": X}, _ALIASES)
        try:
            np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise wrong_return("predict", got, "Y_prediction, an array of shape (1, m)") from None
        mm = compare({"Y_prediction": expected}, {"Y_prediction": got})
        if mm:
            A = ref.logistic_forward(w, b, X)
            return threshold_failure(
                "predict",
                A,
                expected,
                got,
                mm[0],
                case,
                name="A",
                formula="ŷ = 1 if σ(wᵀx + b) > 0.5 else 0",
            )
    return Finding("predict", "threshold", "pass", "predicts 1 exactly where A > 0.5")


def checks() -> list[Check]:
    """Every check of the convention, in a stable order."""
    sig = _activation_trial("sigmoid")
    return [
        values_check("sigmoid", sig),
        mutation_check("sigmoid", sig),
        stability_check("sigmoid"),
        Check("initialize_with_zeros", "shapes", _zeros),
        Check("initialize_with_zeros", "type", _zeros_b_type),
        values_check("propagate", _propagate_trial),
        shapes_check("propagate", _propagate_trial),
        cost_scalar_check("propagate", _propagate_trial),
        Check("propagate", "gradient", _propagate_gradient),
        mutation_check("propagate", _propagate_trial),
        Check("optimize", "values", _optimize),
        Check("optimize", "returns", _optimize_returns),
        mutation_check("optimize", _optimize_trial),
        Check("predict", "threshold", _predict),
        *training_checks(NAME),
    ]


# --------------------------------------------------------------------------------------------
# gradient checking: this convention's cost and gradient closures (used by nncheck.gradcheck)


def _week2(
    module: ModuleType, functions: tuple[str, ...], X: FloatArray, Y: FloatArray, path: str
) -> tuple[CostFn, GradFn]:
    propagate = _Caller(module, "propagate", ("w", "b", "X", "Y"), path)

    def call(params: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
        b = np.asarray(params["b"]).reshape(())[()]
        out = propagate(w=params["w"], b=b, X=X, Y=Y)
        grads, J = _unpack(out, propagate.name, ("grads", "cost"))
        return _grad_dict(grads, propagate.name), J

    def cost(params: Mapping[str, Any]) -> Any:
        return _scalar(call(params)[1], propagate.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        grads = dict(_as_arrays(call(params)[0], propagate.name))
        db = grads.get("db")
        if db is not None and db.size == 1:
            grads["db"] = db.reshape(1, 1)
        return grads

    return cost, gradients


def _week2_params(
    params: dict[str, FloatArray], dims: tuple[int, ...] | None
) -> tuple[dict[str, FloatArray], tuple[int, ...]]:
    """``--params`` w (n_x, 1) and a scalar b, checked as (1, 1), with the widths they imply."""
    if set(params) != {"w", "b"}:
        raise ProtocolError(
            f"--params for propagate(w, b, X, Y) needs arrays w and b, got {sorted(params)}"
        )
    w, b = params["w"], params["b"]
    if w.ndim != 2 or w.shape[1] != 1:
        raise ProtocolError(f"--params: w has shape {w.shape}; the rule w: (n_x, 1) needs a column")
    if b.size != 1:
        raise ProtocolError(f"--params: b has shape {b.shape}; b is a single number")
    implied = (int(w.shape[0]), 1)
    if dims is not None and tuple(dims) != implied:
        raise ProtocolError(
            f"--dims {','.join(map(str, dims))} disagrees with w of shape {w.shape}"
        )
    return {**params, "b": b.reshape(1, 1)}, implied


def _week2_dims(dims: tuple[int, ...]) -> None:
    if len(dims) != 2 or dims[1] != 1:
        shown = ",".join(map(str, dims))
        raise ProtocolError(f"--dims {shown}: propagate (logistic regression) needs --dims N_X,1")


def _week2_initial(
    module: ModuleType, dims: tuple[int, ...], seed: int, path: str
) -> tuple[dict[str, FloatArray], str]:
    rng = np.random.default_rng(seed)
    params = {
        "w": rng.standard_normal((dims[0], 1)) * 0.5,
        "b": np.array([[rng.standard_normal() * 0.5]]),
    }
    return params, f"parameters: w, b drawn from default_rng({seed})"


GRADCHECK = (
    Protocol(
        "week2",
        (("propagate",),),
        (4, 1),
        _week2,
        given_params=_week2_params,
        check_dims=_week2_dims,
        initial_params=_week2_initial,
    ),
)
"""The gradient-check protocol of this convention: ``propagate(w, b, X, Y)``."""
