"""Week 4, written differently: `@`, einsum, np.mean, a stable sigmoid, non-strict ReLU mask,
dict caches, He initialisation, in-place update, and the older dA1…dAL key convention."""
import numpy as np

EXPECTED = {"correct": True}


def sigmoid(Z):
    e = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return A, {"Z": Z}


def relu(Z):
    return Z * (Z > 0), {"Z": Z}


def relu_backward(dA, cache):
    return dA * (cache["Z"] >= 0)


def sigmoid_backward(dA, cache):
    s, _ = sigmoid(cache["Z"])
    return dA * s * (1.0 - s)


def initialize_parameters(n_x, n_h, n_y):
    rng = np.random.default_rng(0)
    return {
        "W1": rng.standard_normal((n_h, n_x)) * 0.01,
        "b1": np.zeros((n_h, 1)),
        "W2": rng.standard_normal((n_y, n_h)) * 0.01,
        "b2": np.zeros((n_y, 1)),
    }


def initialize_parameters_deep(layer_dims):
    rng = np.random.default_rng(1)
    params = {}
    for l, (n, n_prev) in enumerate(zip(layer_dims[1:], layer_dims[:-1]), start=1):
        params[f"W{l}"] = rng.standard_normal((n, n_prev)) * np.sqrt(2.0 / n_prev)
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def linear_forward(A_prev, W, b):
    return W @ A_prev + b, {"A_prev": A_prev, "W": W, "b": b}


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = {"sigmoid": sigmoid, "relu": relu}[activation](Z)
    return A, {"linear": linear_cache, "activation": activation_cache}


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu" if l < L else "sigmoid")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log1p(-AL)))


def linear_backward(dZ, cache):
    A_prev, W = cache["A_prev"], cache["W"]
    m = A_prev.shape[1]
    dW = np.einsum("im,jm->ij", dZ, A_prev) / m
    db = np.mean(dZ, axis=1, keepdims=True)
    return W.T @ dZ, dW, db


def linear_activation_backward(dA, cache, activation):
    backward = {"sigmoid": sigmoid_backward, "relu": relu_backward}[activation]
    return linear_backward(backward(dA, cache["activation"]), cache["linear"])


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads[f"dA{l}"] = dA  # older convention: dA{l} holds dA[l-1]
    return grads


def update_parameters(parameters, grads, learning_rate):
    for key in parameters:
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters


def predict(X, y, parameters):
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(int)
