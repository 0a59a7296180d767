"""The plugin's literal shapes and its rank-1 lint (nncheck-rank1)."""

from __future__ import annotations

import numpy as np

W = np.random.randn(4, 3)
X = np.random.randn(3, 10)
b = np.zeros((4, 1))
Z = W @ X + b
ok = np.ones((4, 10)) + Z
rng = np.random.default_rng(0)
W2 = rng.standard_normal((1, 4))
A2 = W2 @ Z
db = np.sum(Z, axis=1, keepdims=True) / 10
db2 = Z.sum(axis=1, keepdims=True) + b
col_sum_then_row_bias = np.sum(Z, axis=0, keepdims=True) @ np.ones((10, 1))

bad_order = X @ W  # E: operator
bad_bias = W @ X + b.T  # E: operator
bad_W = np.zeros((3, 4)) @ X  # E: operator
bad_rand = np.random.rand(4, 3) @ np.empty((4, 10))  # E: operator
bad_full = W @ np.full((4, 10), 0.5)  # E: operator
bad_db = (np.sum(Z, axis=0, keepdims=True) + b).shape  # E: operator

v = np.random.randn(5)  # E: nncheck-rank1
z1 = np.zeros(5)  # E: nncheck-rank1
z2 = np.zeros((5,))  # E: nncheck-rank1
g = rng.standard_normal(5)  # E: nncheck-rank1
s = np.sum(Z, axis=1)  # E: nncheck-rank1
s2 = Z.sum(axis=1)  # E: nncheck-rank1
mu = np.mean(X, axis=1, keepdims=False)  # E: nncheck-rank1
total = float(np.sum(Z))

plain: np.ndarray[tuple[int, ...], np.dtype[np.float64]] = np.asarray(X)
mixed = plain @ W  # an unknown ndarray on the left keeps W's columns
mixed2 = W @ plain
chained = (plain @ W) @ W  # E: operator

# every constructor the plugin knows, with a literal shape that cannot multiply X (3, 10): each
# line errs only if the plugin's hook for that name fired (the guard against renamed numpy stubs)
c_ones = np.ones((3, 1)) @ X  # E: operator
c_empty = np.empty((4, 4)) @ X  # E: operator
c_mt_standard = np.random.standard_normal((3, 4)) @ X  # E: operator
c_mt_normal = np.random.normal(0.0, 1.0, (3, 4)) @ X  # E: operator
c_mt_uniform = np.random.uniform(-1.0, 1.0, size=(3, 4)) @ X  # E: operator
c_mt_random = np.random.random_sample((3, 4)) @ X  # E: operator
c_rs = np.random.RandomState(0).randn(3, 4) @ X  # E: operator
c_gen_normal = rng.normal(0.0, 1.0, size=(3, 4)) @ X  # E: operator
c_gen_random = rng.random((3, 4)) @ X  # E: operator
c_gen_uniform = rng.uniform(-1.0, 1.0, (3, 4)) @ X  # E: operator
c_keep_col = np.sum(Z, axis=1, keepdims=True) @ X  # E: operator
c_keep_method = Z.mean(axis=1, keepdims=True) @ X  # E: operator
