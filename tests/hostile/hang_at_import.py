"""Hostile week-2 learner file: the file loops forever while loading."""

import numpy as np

EXPECTED = {"load_error": True}

while True:
    pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    return {"dw": dw, "db": db}, np.squeeze(np.array(cost))


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    A = sigmoid(np.dot(w.reshape(X.shape[0], 1).T, X) + b)
    return (A > 0.5).astype(float)
