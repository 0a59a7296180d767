"""Mistakes of one layer: the activation (forward and backward) and the linear part."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from nncheck.diagnose._faulty import OTHER, Array, LinBackward, act, dact, lin_bw
from nncheck.diagnose._match import Diagnosis, Mutant, _d
from nncheck.diagnose.catalogue import Mistake

__all__ = [
    "activation_backward_mutants",
    "activation_forward_mutants",
    "linear_activation_backward_mutants",
    "linear_activation_forward_mutants",
    "linear_backward_mutants",
    "linear_forward_mutants",
]

_LEAKY_FOR_RELU = (
    "computes leaky ReLU max(z, 0.01·z) where the convention needs ReLU max(0, z): a negative z "
    "must give 0"
)


def activation_forward_mutants(Z: Any, activation: str, key: str = "A") -> list[Mutant]:
    """Mistakes of A = g(Z): the wrong activation, σ(−z) instead of σ(z)."""
    other = OTHER[activation]
    out: list[Mutant] = [
        (
            _d(
                Mistake.WRONG_ACTIVATION,
                f"computes {other} where the convention needs {activation}",
                "model_forward",
            ),
            lambda: {key: act(other, Z)},
        )
    ]
    if activation == "relu":
        out.append(
            (
                _d(Mistake.WRONG_ACTIVATION, _LEAKY_FOR_RELU, "model_forward"),
                lambda: {key: act("leaky_relu", Z)},
            )
        )
    if activation == "sigmoid":
        out.append(
            (
                _d(
                    Mistake.SIGN_FLIP,
                    "sigmoid uses e^(+z): 1/(1 + e^z) is σ(−z), not σ(z)",
                    "sigmoid",
                ),
                lambda: {key: act("sigmoid", -np.asarray(Z))},
            )
        )
    return out


def act_bw_mistakes(activation: str) -> list[tuple[Diagnosis, Callable[[Array, Array], Array]]]:
    """(diagnosis, f(dA, Z) -> dZ) for the mistakes of dZ = dA ∗ g'(Z)."""
    g = activation
    out: list[tuple[Diagnosis, Callable[[Array, Array], Array]]] = [
        (
            _d(
                Mistake.DERIVATIVE_AT_A,
                f"the {g} derivative is evaluated at A = g(Z) instead of at Z: dZ = dA ∗ g'(A) — "
                "use the Z stored in the cache",
                "activation_backward",
            ),
            lambda dA, Z: dA * dact(g, act(g, Z)),
        ),
        (
            _d(
                Mistake.MISSING_ACTIVATION_DERIVATIVE,
                f"dZ = dA: the {g} derivative g'(Z) is missing",
                "activation_backward",
            ),
            lambda dA, Z: dA.copy(),
        ),
        (
            _d(
                Mistake.SIGN_FLIP,
                "dZ has the wrong sign: dZ = −dA ∗ g'(Z)",
                "activation_backward",
            ),
            lambda dA, Z: -dA * dact(g, Z),
        ),
    ]
    if g == "tanh":
        out += [
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "the tanh derivative is written 1 − a instead of 1 − a²",
                    "tanh",
                ),
                lambda dA, Z: dA * (1.0 - np.tanh(Z)),
            ),
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "the tanh derivative uses Z instead of A: 1 − Z² instead of 1 − A² "
                    "(A = tanh(Z))",
                    "tanh",
                ),
                lambda dA, Z: dA * (1.0 - Z * Z),
            ),
        ]
    if g == "sigmoid":
        out += [
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "the sigmoid derivative is written s instead of s(1 − s)",
                    "sigmoid",
                ),
                lambda dA, Z: dA * act("sigmoid", Z),
            ),
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "the sigmoid derivative is written 1 − s instead of s(1 − s)",
                    "sigmoid",
                ),
                lambda dA, Z: dA * (1.0 - act("sigmoid", Z)),
            ),
        ]
    if g in ("relu", "leaky_relu"):
        out.append(
            (
                _d(
                    Mistake.WRONG_RELU_MASK,
                    "the ReLU mask is taken where dA ≤ 0 instead of where Z ≤ 0",
                    "relu",
                ),
                lambda dA, Z: np.where(dA > 0, dA, 0.0),
            )
        )
    other = OTHER[g]
    out.append(
        (
            _d(
                Mistake.WRONG_ACTIVATION_DERIVATIVE,
                f"uses the {other} derivative where the layer's activation is {g}",
                "activation_backward",
            ),
            lambda dA, Z: dA * dact(other, Z),
        )
    )
    if g == "relu":
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "uses tanh's derivative 1 − A² where the layer's activation is ReLU "
                    "(ReLU′(Z) is 1 where Z > 0, else 0: dZ = dA ∗ (Z > 0))",
                    "activation_backward",
                ),
                lambda dA, Z: dA * (1.0 - act("relu", Z) ** 2),
            )
        )
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "uses the leaky ReLU derivative (0.01 where z ≤ 0) where the layer's "
                    "activation is ReLU (0 where z ≤ 0)",
                    "activation_backward",
                ),
                lambda dA, Z: dA * dact("leaky_relu", Z),
            )
        )
    if g == "sigmoid":
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "the cache holds Z, not s = σ(Z): s = cache gives Z(1 − Z); compute "
                    "s = 1/(1 + np.exp(−Z)) first, then dZ = dA ∗ s(1 − s)",
                    "sigmoid",
                ),
                lambda dA, Z: dA * Z * (1.0 - Z),
            )
        )
    return out


def activation_backward_mutants(dA: Any, Z: Any, activation: str, key: str = "dZ") -> list[Mutant]:
    """Mistakes of dZ = dA ∗ g'(Z)."""
    dA_, Z_ = np.asarray(dA, dtype=np.float64), np.asarray(Z, dtype=np.float64)
    return [(d, partial(_apply_act, f, dA_, Z_, key)) for d, f in act_bw_mistakes(activation)]


# ---------------------------------------------------------------------------- linear layer


def _apply_act(f: Callable[[Array, Array], Array], dA: Array, Z: Array, key: str) -> dict[str, Any]:
    return {key: f(dA, Z)}


def _apply_lin(
    f: LinBackward, dZ: Array, A_prev: Array, W: Array, keys: tuple[str, ...]
) -> dict[str, Any]:
    return dict(zip(keys, f(dZ, A_prev, W), strict=True))


def _apply_act_lin(
    f: Callable[[Array, Array], Array],
    dA: Array,
    Z: Array,
    A_prev: Array,
    W: Array,
    keys: tuple[str, ...],
) -> dict[str, Any]:
    return dict(zip(keys, lin_bw(f(dA, Z), A_prev, W), strict=True))


def lin_bw_mistakes(m: int, n_prev: int) -> list[tuple[Diagnosis, LinBackward]]:
    op = "linear_backward"

    def sums(dZ: Array) -> Array:
        total: Array = np.sum(dZ, axis=1, keepdims=True)
        return total

    out: list[tuple[Diagnosis, LinBackward]] = [
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"dW and db are missing the 1/m factor: they are m = {m} times too large",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T, sums(dZ)),
        ),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"dW is missing the 1/m factor: it is m = {m} times too large",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T, sums(dZ) / m),
        ),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"db is missing the 1/m factor: it is m = {m} times too large",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, sums(dZ)),
        ),
        (
            _d(
                Mistake.EXTRA_1_OVER_M,
                f"dA_prev has an extra 1/m factor (m = {m} times too small): dA[l−1] = W[l]ᵀ·dZ[l] "
                "has no 1/m — it belongs in dW and db only",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ / m, dZ @ A.T / m, sums(dZ) / m),
        ),
        (
            _d(
                Mistake.EXTRA_1_OVER_M,
                f"dW and db divide by m twice: they are m = {m} times too small",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m / m, sums(dZ) / m / m),
        ),
        (
            _d(
                Mistake.WRONG_M,
                f"dW and db divide by n[l−1] = A_prev.shape[0] = {n_prev} instead of "
                f"m = A_prev.shape[1] = {m}",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / A.shape[0], sums(dZ) / A.shape[0]),
        ),
        (
            _d(
                Mistake.WRONG_M,
                f"dW divides by n[l−1] = A_prev.shape[0] = {n_prev} instead of "
                f"m = A_prev.shape[1] = {m}",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / A.shape[0], sums(dZ) / m),
        ),
        (
            _d(
                Mistake.TRANSPOSED_PRODUCT,
                "dW is the transpose of the rule: A_prev·dZᵀ instead of dZ·A_prevᵀ",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, A @ dZ.T / m, sums(dZ) / m),
        ),
        (
            _d(
                Mistake.TRANSPOSED_PRODUCT,
                "dA_prev is the transpose of the rule: dZᵀ·W instead of Wᵀ·dZ",
                op,
            ),
            lambda dZ, A, W: (dZ.T @ W, dZ @ A.T / m, sums(dZ) / m),
        ),
        (
            _d(
                Mistake.TRANSPOSED_PRODUCT,
                "dA_prev uses W instead of Wᵀ: dA[l−1] = W[l]ᵀ·dZ[l]",
                op,
            ),
            lambda dZ, A, W: (W @ dZ, dZ @ A.T / m, sums(dZ) / m),
        ),
        (
            _d(
                Mistake.WRONG_SUM_AXIS,
                "db sums over axis=0 (the units) instead of axis=1 (the examples)",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.sum(dZ, axis=0, keepdims=True) / m),
        ),
        (
            _d(
                Mistake.WRONG_SUM_AXIS,
                "db sums over axis=0 (the units) instead of axis=1 (the examples)",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.sum(dZ, axis=0) / m),
        ),
        (
            _d(
                Mistake.WRONG_SUM_AXIS,
                "db sums every element (np.sum(dZ) with no axis) instead of one sum per unit over "
                "axis=1",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.asarray(np.sum(dZ) / m)),
        ),
        (
            _d(
                Mistake.LOST_KEEPDIMS,
                "db lost keepdims: np.sum(dZ, axis=1) gives a rank-1 array; use keepdims=True; "
                "see `nncheck claims rank-one-transpose`",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.sum(dZ, axis=1) / m),
        ),
        (
            _d(Mistake.SIGN_FLIP, "dW and db have the wrong sign", op),
            lambda dZ, A, W: (W.T @ dZ, -(dZ @ A.T) / m, -sums(dZ) / m),
        ),
        (
            _d(Mistake.SIGN_FLIP, "dA_prev has the wrong sign", op),
            lambda dZ, A, W: (-(W.T @ dZ), dZ @ A.T / m, sums(dZ) / m),
        ),
    ]
    return out


def linear_backward_mutants(
    dZ: Any, A_prev: Any, W: Any, keys: tuple[str, str, str] = ("dA_prev", "dW", "db")
) -> list[Mutant]:
    """Mistakes of (dA_prev, dW, db) = (Wᵀ·dZ, dZ·A_prevᵀ/m, Σ dZ/m)."""
    dZ_ = np.asarray(dZ, dtype=np.float64)
    A_ = np.asarray(A_prev, dtype=np.float64)
    W_ = np.asarray(W, dtype=np.float64)
    m, n_prev = A_.shape[1], A_.shape[0]
    return [(d, partial(_apply_lin, f, dZ_, A_, W_, keys)) for d, f in lin_bw_mistakes(m, n_prev)]


def linear_activation_backward_mutants(
    dA: Any, A_prev: Any, W: Any, b: Any, activation: str
) -> list[Mutant]:
    """Mistakes of linear_activation_backward: an activation mistake or a linear mistake."""
    dA_ = np.asarray(dA, dtype=np.float64)
    A_ = np.asarray(A_prev, dtype=np.float64)
    W_ = np.asarray(W, dtype=np.float64)
    Z = W_ @ A_ + np.asarray(b, dtype=np.float64)
    keys = ("dA_prev", "dW", "db")
    out: list[Mutant] = []
    for d, f in act_bw_mistakes(activation):
        out.append((d, partial(_apply_act_lin, f, dA_, Z, A_, W_, keys)))
    dZ = dA_ * dact(activation, Z)
    for d, g in lin_bw_mistakes(A_.shape[1], A_.shape[0]):
        out.append((d, partial(_apply_lin, g, dZ, A_, W_, keys)))
    return out


def linear_forward_mutants(A_prev: Any, W: Any, b: Any, key: str = "Z") -> list[Mutant]:
    """Mistakes of Z = W·A_prev + b."""
    A_ = np.asarray(A_prev, dtype=np.float64)
    W_ = np.asarray(W, dtype=np.float64)
    b_ = np.asarray(b, dtype=np.float64)
    op = "linear_forward"
    return [
        (
            _d(Mistake.MISSING_BIAS, "the bias b is not added: Z = W·A_prev + b", op),
            lambda: {key: W_ @ A_},
        ),
        (
            _d(Mistake.SIGN_FLIP, "the bias is subtracted: Z = W·A_prev − b", op),
            lambda: {key: W_ @ A_ - b_},
        ),
        (
            _d(
                Mistake.TRANSPOSED_PRODUCT,
                "Z is the transpose of the rule: A_prevᵀ·Wᵀ instead of W·A_prev",
                op,
            ),
            lambda: {key: A_.T @ W_.T + b_.T},
        ),
    ]


def linear_activation_forward_mutants(
    A_prev: Any, W: Any, b: Any, activation: str, key: str = "A"
) -> list[Mutant]:
    """Mistakes of A = g(W·A_prev + b): wrong activation, missing bias, no activation."""
    A_ = np.asarray(A_prev, dtype=np.float64)
    W_ = np.asarray(W, dtype=np.float64)
    b_ = np.asarray(b, dtype=np.float64)
    Z = W_ @ A_ + b_
    other = OTHER[activation]
    return [
        (
            _d(
                Mistake.WRONG_ACTIVATION,
                f"applies {other} where the activation argument says {activation!r}",
                "model_forward",
            ),
            lambda: {key: act(other, Z)},
        ),
        *(
            [
                (
                    _d(Mistake.WRONG_ACTIVATION, _LEAKY_FOR_RELU, "model_forward"),
                    lambda: {key: act("leaky_relu", Z)},
                )
            ]
            if activation == "relu"
            else []
        ),
        (
            _d(Mistake.MISSING_BIAS, "the bias b is not added: Z = W·A_prev + b", "linear_forward"),
            lambda: {key: act(activation, W_ @ A_)},
        ),
        (
            _d(
                Mistake.MISSING_ACTIVATION,
                f"returns Z: the {activation} activation is not applied",
                "model_forward",
            ),
            lambda: {key: Z},
        ),
    ]
