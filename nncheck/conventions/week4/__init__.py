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

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import ModuleType
from typing import Any

import numpy as np

from nncheck import reference as ref
from nncheck._arrays import FloatArray, _as_arrays
from nncheck._binding import CostFn, GradFn, _Caller, _grad_dict, _scalar, _unpack
from nncheck.conventions._common import (
    Check,
    mutation_check,
    shapes_check,
    values_check,
)
from nncheck.conventions._initialisation import init_checks, init_scale
from nncheck.conventions._properties import (
    cost_scalar_check,
    predict_check,
    stability_check,
    update_direction_check,
)
from nncheck.conventions._protocol import Protocol, module_params
from nncheck.conventions._training import training_checks
from nncheck.conventions.week4._network import (
    _cost_trial,
    _explain_backward_error,
    _explain_forward_error,
    _L_model_backward_gradient,
    _L_model_backward_keys,
    _L_model_backward_trial,
    _L_model_forward_caches,
    _L_model_forward_trial,
    _update_trial,
)
from nncheck.conventions.week4._one_layer import (
    _activation_backward_gradient,
    _activation_backward_trial,
    _activation_cache_probes,
    _activation_trial,
    _linear_activation_backward_gradient,
    _linear_activation_backward_trial,
    _linear_activation_forward_cache_probes,
    _linear_activation_forward_trial,
    _linear_backward_gradient,
    _linear_backward_trial,
    _linear_forward_cache_probes,
    _linear_forward_trial,
    course_cache_check,
)

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

ASSIGNMENTS = {"Step by Step": FUNCTIONS[:-2], "Application": FUNCTIONS[-2:]}
"""The two notebooks this convention covers: the "Application" notebook defines only the training
functions and imports the step functions from ``dnn_app_utils``."""

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
