"""A correct L-layer network, written the way the course's week-4 assignment asks.

Bundled with nncheck for ``nncheck demo`` and the README quick start: ``nncheck conform`` and
``nncheck gradcheck`` both pass on it. Compare it with ``week4_buggy.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Params = dict[str, Array]
LinearCache = tuple[Array, Array, Array]
Cache = tuple[LinearCache, Array]


def initialize_parameters_deep(layer_dims: list[int]) -> Params:
    """W[l]: (n[l], n[l-1]) small random, b[l]: (n[l], 1) zeros."""
    rng = np.random.default_rng(3)
    parameters: Params = {}
    for l in range(1, len(layer_dims)):
        scale = np.sqrt(2.0 / layer_dims[l - 1])
        parameters["W" + str(l)] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * scale
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def sigmoid(Z: Array) -> tuple[Array, Array]:
    A: Array = 1.0 / (1.0 + np.exp(-Z))
    return A, Z


def relu(Z: Array) -> tuple[Array, Array]:
    A: Array = np.maximum(0.0, Z)
    return A, Z


def sigmoid_backward(dA: Array, cache: Array) -> Array:
    s = 1.0 / (1.0 + np.exp(-cache))
    dZ: Array = dA * s * (1.0 - s)
    return dZ


def relu_backward(dA: Array, cache: Array) -> Array:
    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0.0
    return dZ


def linear_forward(A: Array, W: Array, b: Array) -> tuple[Array, LinearCache]:
    Z: Array = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(
    A_prev: Array, W: Array, b: Array, activation: str
) -> tuple[Array, Cache]:
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X: Array, parameters: Params) -> tuple[Array, list[Cache]]:
    caches: list[Cache] = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(
            A, parameters["W" + str(l)], parameters["b" + str(l)], "relu"
        )
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid"
    )
    caches.append(cache)
    return AL, caches


def compute_cost(AL: Array, Y: Array) -> float:
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return float(np.squeeze(cost))


def linear_backward(dZ: Array, cache: LinearCache) -> tuple[Array, Array, Array]:
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW: Array = np.dot(dZ, A_prev.T) / m
    db: Array = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev: Array = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(
    dA: Array, cache: Cache, activation: str
) -> tuple[Array, Array, Array]:
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL: Array, Y: Array, caches: list[Cache]) -> dict[str, Array]:
    grads: dict[str, Array] = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA_prev, dW, db = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = dA_prev, dW, db
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA_prev, dW, db
    return grads


def update_parameters(params: Params, grads: dict[str, Any], learning_rate: float) -> Params:
    parameters = {key: value.copy() for key, value in params.items()}
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return parameters
