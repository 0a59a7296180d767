"""nncheck's reference in the shape of the course's functions: same names, same arguments, same
return values and cache layouts (``linear_cache = (A_prev, W, b)``, ``activation_cache = Z``).

They stand in for a person's callees when a function is judged on its own ("with the reference in
place of your linear_activation_backward …"), and stand in for the course's helper modules
(``init_utils``) when a training function calls helpers the person's file does not define.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nncheck import reference as ref

__all__ = ["COURSE", "INIT_UTILS", "course_functions"]

Array = np.ndarray[Any, np.dtype[np.float64]]


def _act(name: Any) -> str:
    return str(name).lower()


def _weights(grads: Mapping[str, Any]) -> dict[str, Any]:
    return {k: np.asarray(v, dtype=np.float64) for k, v in grads.items() if k[:2] in ("dW", "db")}


# ------------------------------------------------------------------ week 4 (dnn_app_utils)


def _sigmoid(Z: Array) -> tuple[Array, Array]:
    return ref.sigmoid(Z), Z


def _relu(Z: Array) -> tuple[Array, Array]:
    return ref.relu(Z), Z


def _sigmoid_backward(dA: Array, cache: Array) -> Array:
    return ref.activation_backward(dA, cache, "sigmoid")


def _relu_backward(dA: Array, cache: Array) -> Array:
    return ref.activation_backward(dA, cache, "relu")


def _initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict[str, Array]:
    rng = np.random.default_rng(1)
    return {
        "W1": rng.standard_normal((n_h, n_x)) * 0.01,
        "b1": np.zeros((n_h, 1)),
        "W2": rng.standard_normal((n_y, n_h)) * 0.01,
        "b2": np.zeros((n_y, 1)),
    }


def _initialize_parameters_deep(layer_dims: Any) -> dict[str, Array]:
    # dnn_app_utils' scale 1/√n[l−1] (the step-by-step notebook's 0.01 stalls a deep network)
    rng = np.random.default_rng(3)
    out: dict[str, Array] = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = int(layer_dims[l]), int(layer_dims[l - 1])
        out[f"W{l}"] = rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
        out[f"b{l}"] = np.zeros((n, 1))
    return out


def _linear_forward(A: Array, W: Array, b: Array) -> tuple[Array, Any]:
    return ref.linear_forward(A, W, b), (A, W, b)


def _linear_activation_forward(A_prev: Array, W: Array, b: Array, activation: str) -> Any:
    Z, linear_cache = _linear_forward(A_prev, W, b)
    return ref.activation_forward(Z, _act(activation)), (linear_cache, Z)


def _L_model_forward(X: Array, parameters: Mapping[str, Array]) -> tuple[Array, list[Any]]:
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        act = "relu" if l < L else "sigmoid"
        A, cache = _linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], act)
        caches.append(cache)
    return A, caches


def _compute_cost(AL: Array, Y: Array, *_: Any) -> float:
    # ``*_``: the older notebooks pass ``parameters`` too
    return ref.cost(np.asarray(AL, dtype=np.float64), np.asarray(Y, dtype=np.float64))


def _linear_backward(dZ: Array, cache: Any) -> tuple[Array, Array, Array]:
    A_prev, W, _ = cache
    return ref.linear_backward(dZ, A_prev, W)


def _linear_activation_backward(dA: Array, cache: Any, activation: str) -> Any:
    linear_cache, Z = cache
    return _linear_backward(ref.activation_backward(dA, Z, _act(activation)), linear_cache)


def _L_model_backward(AL: Array, Y: Array, caches: list[Any]) -> dict[str, Array]:
    grads: dict[str, Array] = {}
    L = len(caches)
    Y = np.asarray(Y, dtype=np.float64).reshape(np.shape(AL))
    (A_prev, W, _), Z = caches[L - 1]
    dZ = ref.sigmoid(Z) - Y  # = dAL ∗ σ′(Z), finite when AL rounds to 0 or 1
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = ref.linear_backward(dZ, A_prev, W)
    for l in reversed(range(L - 1)):
        dA, dW, db = _linear_activation_backward(grads[f"dA{l + 1}"], caches[l], "relu")
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = dA, dW, db
    return grads


def _update_parameters(
    parameters: Mapping[str, Array], grads: Mapping[str, Array], learning_rate: float = 1.2
) -> dict[str, Array]:
    # week 3's default learning rate is 1.2; week 4's has none
    return dict(ref.update_parameters(parameters, _weights(grads), learning_rate))


# ------------------------------------------------------------------ week 3 (planar data)


def _layer_sizes(X: Array, Y: Array) -> tuple[int, int, int]:
    return int(X.shape[0]), 4, int(Y.shape[0])


def _forward_propagation(X: Array, parameters: Mapping[str, Array]) -> tuple[Array, dict[str, Any]]:
    Z1 = ref.linear_forward(X, parameters["W1"], parameters["b1"])
    A1 = np.tanh(Z1)
    Z2 = ref.linear_forward(A1, parameters["W2"], parameters["b2"])
    A2 = ref.sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def _backward_propagation(
    parameters: Mapping[str, Array], cache: Mapping[str, Array], X: Array, Y: Array
) -> dict[str, Array]:
    m = X.shape[1]
    dZ2 = cache["A2"] - np.asarray(Y).reshape(cache["A2"].shape)
    dW2 = dZ2 @ cache["A1"].T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - cache["A1"] ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


# ------------------------------------------------------------------ week 2 (logistic regression)


def _initialize_with_zeros(dim: int) -> tuple[Array, float]:
    return np.zeros((dim, 1)), 0.0


def _propagate(w: Array, b: float, X: Array, Y: Array) -> tuple[dict[str, Any], float]:
    cost, dw, db = ref.logistic_propagate(w, b, X, Y)
    return {"dw": dw, "db": db}, cost


def _optimize(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    num_iterations: int = 100,
    learning_rate: float = 0.009,
    print_cost: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    w, b = copy.deepcopy(w), float(b)
    costs: list[float] = []
    grads: dict[str, Any] = {}
    for i in range(num_iterations):
        grads, cost = _propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def _logistic_predict(w: Array, b: float, X: Array) -> Array:
    return ref.logistic_predict(w, b, X)


# ------------------------------------------------------------------ course 2 (init_utils)


def _forward3(X: Array, parameters: Mapping[str, Array]) -> tuple[Array, tuple[Any, ...]]:
    AL, caches = ref.model_forward(X, parameters, "relu")
    flat: list[Any] = []
    for c in caches:
        flat += [c.Z, ref.activation_forward(c.Z, c.activation), c.W, c.b]
    return AL, tuple(flat)


def _backward3(X: Array, Y: Array, cache: tuple[Any, ...]) -> dict[str, Array]:
    params = {}
    for l in range(1, len(cache) // 4 + 1):
        params[f"W{l}"], params[f"b{l}"] = cache[4 * l - 2], cache[4 * l - 1]
    return dict(ref.model_gradients(params, X, Y, "relu"))


def _forward_propagation_n(
    X: Array, Y: Array, parameters: Mapping[str, Array]
) -> tuple[float, tuple[Any, ...]]:
    a3, cache = _forward3(X, parameters)
    return ref.cost(a3, Y), cache


def _compute_loss(a3: Array, Y: Array) -> float:
    # like init_utils: a saturated output gives inf/nan, not an error
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = -(Y * np.log(a3) + (1 - Y) * np.log(1 - a3))
    return float(np.nansum(logprobs)) / int(np.shape(Y)[1])


COURSE: dict[str, dict[str, Callable[..., Any]]] = {
    "week4": {
        "sigmoid": _sigmoid,
        "relu": _relu,
        "sigmoid_backward": _sigmoid_backward,
        "relu_backward": _relu_backward,
        "initialize_parameters": _initialize_parameters,
        "initialize_parameters_deep": _initialize_parameters_deep,
        "linear_forward": _linear_forward,
        "linear_activation_forward": _linear_activation_forward,
        "L_model_forward": _L_model_forward,
        "compute_cost": _compute_cost,
        "linear_backward": _linear_backward,
        "linear_activation_backward": _linear_activation_backward,
        "L_model_backward": _L_model_backward,
        "update_parameters": _update_parameters,
    },
    "week3": {
        "layer_sizes": _layer_sizes,
        "forward_propagation": _forward_propagation,
        "compute_cost": _compute_cost,
        "backward_propagation": _backward_propagation,
        "update_parameters": _update_parameters,
    },
    "week2": {
        "sigmoid": ref.sigmoid,
        "initialize_with_zeros": _initialize_with_zeros,
        "propagate": _propagate,
        "optimize": _optimize,
        "predict": _logistic_predict,
    },
}
"""Per convention, the course's functions computed by nncheck's reference (week 4's are also
``dnn_app_utils``, which the "Application" notebook imports instead of defining them)."""

COURSE["course2"] = {
    "forward_propagation_n": _forward_propagation_n,
    "backward_propagation_n": _backward3,
}

INIT_UTILS: dict[str, Callable[..., Any]] = {
    "forward_propagation": _forward3,
    "backward_propagation": _backward3,
    "compute_loss": _compute_loss,
    "update_parameters": _update_parameters,
}
"""The course 2 "Initialization" assignment's ``init_utils`` helpers that its ``model`` calls."""


def course_functions(convention: str, depth: int = 2) -> dict[str, Callable[..., Any]]:
    """The course-shaped reference functions of ``convention`` (empty when it has none); week 3's
    names on a 3-layer ReLU network are the course 2 "Initialization" helpers."""
    out = dict(COURSE.get(convention, {}))
    if convention == "week3" and depth == 3:
        out.update(INIT_UTILS)
    return out
