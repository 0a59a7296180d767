"""Generic protocol, one function: cost_and_gradients with a sign error in W1's gradient."""

import numpy as np


def cost_and_gradients(theta, inputs, labels):
    Z = theta["W1"] @ inputs + theta["b1"]
    m = inputs.shape[1]
    dZ = 1 / (1 + np.exp(-Z)) - labels
    grads = {"W1": -(dZ @ inputs.T) / m, "b1": np.sum(dZ, axis=1, keepdims=True) / m}
    return float(np.mean(np.logaddexp(0.0, Z) - labels * Z)), grads
