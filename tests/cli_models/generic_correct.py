"""Generic protocol: cost(params, X, Y) and gradients(params, X, Y) of a logistic unit."""

import numpy as np


def cost(params, X, Y):
    Z = params["W1"] @ X + params["b1"]
    return float(np.mean(np.logaddexp(0.0, Z) - Y * Z))


def gradients(params, X, Y):
    m = X.shape[1]
    dZ = 1 / (1 + np.exp(-(params["W1"] @ X + params["b1"]))) - Y
    return {"dW1": dZ @ X.T / m, "db1": np.sum(dZ, axis=1, keepdims=True) / m}
