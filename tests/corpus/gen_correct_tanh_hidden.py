"""Generic convention with a tanh hidden layer (detected from model_forward), correct."""
import numpy as np

EXPECTED = {"correct": True}


def activation_forward(Z, activation):
    if activation == "relu":
        return np.maximum(Z, 0)
    if activation == "tanh":
        return np.tanh(Z)
    return 1 / (1 + np.exp(-Z))


def activation_backward(dA, Z, activation):
    if activation == "relu":
        return dA * (Z > 0)
    if activation == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def linear_forward(A_prev, W, b):
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        Z = linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])
        caches.append((A, parameters[f"W{l}"], Z))
        A = activation_forward(Z, "tanh" if l < L else "sigmoid")
    return A, caches


def model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    dZ = AL - Y
    for l in range(L, 0, -1):
        A_prev, W, Z = caches[l - 1]
        if l < L:
            dZ = activation_backward(grads[f"dA{l}"], Z, "tanh")
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, A_prev, W)
    return grads


def cost(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def update_parameters(parameters, grads, learning_rate):
    return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}


def initialize_parameters(layer_dims):
    rng = np.random.default_rng(0)
    return {k: v for l in range(1, len(layer_dims)) for k, v in (
        (f"W{l}", rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * 0.01),
        (f"b{l}", np.zeros((layer_dims[l], 1))))}


def predict(parameters, X):
    AL, _ = model_forward(X, parameters)
    return (AL > 0.5) * 1.0
