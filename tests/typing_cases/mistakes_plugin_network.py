"""The learner script of correct_plugin_network.py with classic mistakes (plugin on)."""

from __future__ import annotations

import numpy as np

np.random.seed(1)
X = np.random.randn(2, 400)
Y = (np.random.rand(1, 400) > 0.5).astype(float)
m = X.shape[1]

W1 = np.random.randn(4, 2) * 0.01
b1 = np.zeros((4, 1))
W2 = np.random.randn(1, 4) * 0.01
b2 = np.zeros((1, 1))

for i in range(100):
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    cost = -float(np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))) / m

    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - np.power(A1, 2))
    dW1 = dZ1 @ X / m  # E: operator
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    W1 = W1 - 1.2 * dW1
    b1 = b1 - 1.2 * db1
    W2 = W2 - 1.2 * dW2
    b2 = b2 - 1.2 * db2

W2_transposed = np.random.randn(4, 1) * 0.01
Z2_bad = W2_transposed @ A1 + b2  # E: operator
b1_row = np.zeros((1, 4))
Z1_bad = W1 @ X + b1_row  # E: operator
db1_rank1 = np.sum(dZ1, axis=1) / m  # E: nncheck-rank1
dA0_without_WT = W1 @ dZ1  # E: operator
Z1_dot_wrong_order = np.dot(X, W1)  # E: operator
Z1_dot = np.dot(W1, X) + b1

predictions = (A2 > 0.5).astype(float)
accuracy = float(np.mean(predictions == Y))
print(f"cost {cost:.3f}, accuracy {accuracy:.2f}, W1 {W1.shape}, b1 {b1.shape}")
