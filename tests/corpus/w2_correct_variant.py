"""Week 2, written differently: stable sigmoid, `@`, np.mean, float db, vectorised predict,
optimize updating copies in place."""
import numpy as np

EXPECTED = {"correct": True}


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), 0


def propagate(w, b, X, Y):
    A = sigmoid(w.T @ X + b)
    cost = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
    dZ = A - Y
    return {"dw": X @ dZ.T / X.shape[1], "db": float(np.mean(dZ))}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b -= learning_rate * grads["db"]
        if not i % 100:  # the course's record: the cost every 100 iterations
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    return (sigmoid(w.T @ X + b) > 0.5).astype(float)
