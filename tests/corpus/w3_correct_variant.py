"""Week 3, written differently: `@`, np.mean, tanh derivative from Z, two-argument cost,
in-place update that returns nothing new, np.round in predict."""
import numpy as np

EXPECTED = {"correct": True}


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    rng = np.random.default_rng(3)
    return {"W1": 0.01 * rng.standard_normal((n_h, n_x)), "b1": np.zeros((n_h, 1)),
            "W2": 0.01 * rng.standard_normal((n_y, n_h)), "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = 0.5 * (1 + np.tanh(Z2 / 2))  # = sigmoid(Z2), never overflows
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    return float(np.mean(-(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))


def backward_propagation(parameters, cache, X, Y):
    dZ2 = cache["A2"] - Y
    dW2 = np.mean(dZ2[:, None, :] * cache["A1"][None, :, :], axis=2)
    db2 = np.mean(dZ2, axis=1, keepdims=True)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - np.tanh(cache["Z1"]) ** 2)
    dW1 = dZ1 @ X.T / X.shape[1]
    db1 = np.mean(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    for k in ("W1", "b1", "W2", "b2"):
        parameters[k] = parameters[k] - learning_rate * grads["d" + k]
    return parameters


def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return np.round(A2)
