"""The course's training functions: how each is called, stepped and read (see
:mod:`nncheck.conventions._training`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nncheck import reference as ref
from nncheck.conventions._common import Context, WrongResult
from nncheck.conventions._course import COURSE, INIT_UTILS

__all__ = [
    "ITERATIONS",
    "LEARNING_RATE",
    "TRAINING",
    "Params",
    "Training",
    "training_functions",
]

Array = np.ndarray[Any, np.dtype[np.float64]]
Params = dict[str, Any]

ITERATIONS = 3
"""Iterations each training function runs (few: the check stays cheap)."""
LEARNING_RATE = 0.037
"""A learning rate no course notebook uses as a default, so a hard-coded one shows."""


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
        keep: how the course keeps the updated parameters (advice when they are dropped).
        returns: what the course's function returns (advice when something else comes back).
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
    keep: str = "parameters = update_parameters(parameters, grads, learning_rate) in the loop"
    returns: str = "the parameters dict (L_layer_model and two_layer_model: parameters, costs)"


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
    returns="the parameters dict",
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
    keep='w = params["w"] and b = params["b"] after optimize, then predict and fill d with them',
    returns="the dict d with the keys costs, Y_prediction_test, Y_prediction_train, w, b, "
    "learning_rate and num_iterations",
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
    keep="w = w - learning_rate * dw and b = b - learning_rate * db in the loop",
    returns="params, grads, costs",
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
