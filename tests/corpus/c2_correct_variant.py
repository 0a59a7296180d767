"""Course 2, written differently: its own vector helpers, `@`, dict caches, boolean ReLU masks,
He initialisation with a Generator, a gradient check perturbing one entry at a time and restoring
it."""
import numpy as np

EXPECTED = {"correct": True}

KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]


def _relu(z):
    return np.maximum(z, 0)


def forward_propagation_n(X, Y, parameters):
    cache = {"A0": X}
    A = X
    for l in (1, 2, 3):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        A = _relu(Z) if l < 3 else 1 / (1 + np.exp(-Z))
        cache[f"Z{l}"], cache[f"A{l}"], cache[f"W{l}"] = Z, A, parameters[f"W{l}"]
    cost = float(np.mean(-Y * np.log(A) - (1 - Y) * np.log(1 - A)))
    return cost, cache


def backward_propagation_n(X, Y, cache):
    m = X.shape[1]
    grads = {}
    dZ = cache["A3"] - Y
    for l in (3, 2, 1):
        grads[f"dW{l}"] = dZ @ cache[f"A{l - 1}"].T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            dA = cache[f"W{l}"].T @ dZ
            dZ = dA * (cache[f"Z{l - 1}"] > 0)
    return grads


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    params = {k: np.array(v, dtype=float) for k, v in parameters.items()}
    grad, approx = [], []
    for key in KEYS:
        theta = params[key]
        for idx in np.ndindex(theta.shape):
            old = theta[idx]
            theta[idx] = old + epsilon
            j_plus, _ = forward_propagation_n(X, Y, params)
            theta[idx] = old - epsilon
            j_minus, _ = forward_propagation_n(X, Y, params)
            theta[idx] = old
            approx.append((j_plus - j_minus) / (2 * epsilon))
            grad.append(gradients["d" + key][idx])
    grad, approx = np.array(grad), np.array(approx)
    return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))


def initialize_parameters_zeros(layers_dims):
    return {k: v for l in range(1, len(layers_dims))
            for k, v in ((f"W{l}", np.zeros((layers_dims[l], layers_dims[l - 1]))), (f"b{l}", np.zeros((layers_dims[l], 1))))}


def initialize_parameters_random(layers_dims):
    rng = np.random.default_rng(3)
    out = {}
    for l in range(1, len(layers_dims)):
        out[f"W{l}"] = rng.standard_normal((layers_dims[l], layers_dims[l - 1])) * 10
        out[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return out


def initialize_parameters_he(layers_dims):
    rng = np.random.default_rng(3)
    out = {}
    for l in range(1, len(layers_dims)):
        out[f"W{l}"] = rng.normal(0.0, np.sqrt(2 / layers_dims[l - 1]), (layers_dims[l], layers_dims[l - 1]))
        out[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return out
