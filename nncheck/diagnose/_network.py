"""Mistakes of a whole network: forward and backward passes, cost, update, logistic regression,
and initialisation."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np

from nncheck import reference as ref
from nncheck.diagnose._faulty import (
    Array,
    act,
    dact,
    forward,
    layers,
    model_backward,
    model_backward_dAL_reused,
)
from nncheck.diagnose._layer import act_bw_mistakes, lin_bw_mistakes
from nncheck.diagnose._match import Diagnosis, Mutant, _d
from nncheck.diagnose.catalogue import Mistake

__all__ = [
    "LOG_EPSILONS",
    "cost_mutants",
    "init_diagnosis",
    "logistic_propagate_mutants",
    "model_backward_mutants",
    "model_forward_mutants",
    "model_forward_skip_mutants",
    "update_mutants",
]


def _forward_out(
    X: Array,
    params: Mapping[str, Any],
    acts: list[str],
    key: str,
    no_bias: tuple[int, ...] = (),
    kept: list[int] | None = None,
) -> dict[str, Any]:
    return {key: forward(X, params, acts, no_bias=no_bias, kept=kept)[0]}


def model_forward_mutants(
    X: Any, params: Mapping[str, Any], hidden: str = "relu", key: str = "AL"
) -> list[Mutant]:
    """Mistakes of the L-layer forward pass: a wrong activation on a layer, a missing bias."""
    L = layers(params)
    X_ = np.asarray(X, dtype=np.float64)
    right = [hidden] * (L - 1) + ["sigmoid"]
    out: list[Mutant] = []
    op = "model_forward"
    for wrong_out in ("relu", "tanh"):
        acts = [*right[:-1], wrong_out]
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION,
                    f"the output layer {L} applies {wrong_out} instead of sigmoid",
                    op,
                ),
                partial(_forward_out, X_, params, acts, key),
            )
        )
    for wrong_hidden in ("sigmoid", "relu", "tanh", "leaky_relu"):
        if wrong_hidden == hidden or L < 2 or (wrong_hidden == "leaky_relu" and hidden != "relu"):
            continue
        acts = [wrong_hidden] * (L - 1) + ["sigmoid"]
        shown = "leaky ReLU max(z, 0.01·z)" if wrong_hidden == "leaky_relu" else wrong_hidden
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION,
                    f"the hidden layers apply {shown} instead of {hidden}",
                    op,
                ),
                partial(_forward_out, X_, params, acts, key),
            )
        )
    for l in range(1, L):
        acts = list(right)
        acts[l - 1] = "sigmoid" if hidden != "sigmoid" else "relu"
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION,
                    f"layer {l} applies {acts[l - 1]} instead of {hidden}",
                    op,
                ),
                partial(_forward_out, X_, params, acts, key),
            )
        )
    out.append(
        (
            _d(Mistake.MISSING_BIAS, "the bias b[l] is not added in the layers", "linear_forward"),
            partial(_forward_out, X_, params, right, key, tuple(range(1, L + 1))),
        )
    )
    for l in range(1, L + 1):
        out.append(
            (
                _d(
                    Mistake.MISSING_BIAS,
                    f"the bias b{l} is not added in layer {l}",
                    "linear_forward",
                ),
                partial(_forward_out, X_, params, right, key, (l,)),
            )
        )
    return out


def model_forward_skip_mutants(
    X: Any, params: Mapping[str, Any], hidden: str = "relu", key: str = "AL"
) -> list[Mutant]:
    """A forward loop that skips a hidden layer (only runs when the widths around it agree)."""
    L = layers(params)
    X_ = np.asarray(X, dtype=np.float64)
    right = [hidden] * (L - 1) + ["sigmoid"]
    out: list[Mutant] = []
    for l in range(1, L):
        kept = [k for k in range(1, L + 1) if k != l]
        out.append(
            (
                _d(
                    Mistake.LAYER_SKIPPED,
                    f"layer {l} is skipped by the forward loop (check its range: "
                    "for l in range(1, L) for the hidden layers, then layer L)",
                    "model_forward",
                ),
                partial(_forward_out, X_, params, right, key, kept=kept),
            )
        )
    return out


# ---------------------------------------------------------------------------- whole network


def model_backward_mutants(
    X: Any, Y: Any, params: Mapping[str, Any], hidden: str = "relu"
) -> list[Mutant]:
    """Mistakes of the L-layer backward pass, each replayed at every layer.

    Outputs are keyed dW{l}, db{l} and dA{l−1} (the newer course convention).
    """
    X_ = np.asarray(X, dtype=np.float64)
    Y_ = np.asarray(Y, dtype=np.float64)
    m = X_.shape[1]
    out: list[Mutant] = []
    L = layers(params)
    for d, f in lin_bw_mistakes(m, -1):
        if d.mistake is Mistake.WRONG_M:
            continue  # n[l−1] differs per layer; the per-layer message would be wrong
        out.append((d, partial(model_backward, X_, Y_, params, hidden, lin=f)))
    out.append(
        (
            _d(
                Mistake.WRONG_M,
                "dW[l] and db[l] divide by n[l−1] = A_prev.shape[0] instead of m = "
                "A_prev.shape[1] (the examples are the columns)",
                "linear_backward",
            ),
            partial(
                model_backward,
                X_,
                Y_,
                params,
                hidden,
                lin=lambda dZ, A, W: (
                    W.T @ dZ,
                    dZ @ A.T / A.shape[0],
                    np.sum(dZ, axis=1, keepdims=True) / A.shape[0],
                ),
            ),
        )
    )
    out.append(
        (
            _d(
                Mistake.WRONG_M,
                "dW[l] divides by n[l−1] = A_prev.shape[0] instead of m = A_prev.shape[1] "
                "(the examples are the columns)",
                "linear_backward",
            ),
            partial(
                model_backward,
                X_,
                Y_,
                params,
                hidden,
                lin=lambda dZ, A, W: (
                    W.T @ dZ,
                    dZ @ A.T / A.shape[0],
                    np.sum(dZ, axis=1, keepdims=True) / A.shape[1],
                ),
            ),
        )
    )
    for l in range(1, L + 1) if L > 1 else ():  # a mistake in one layer's linear backward
        for d, f in lin_bw_mistakes(m, -1):
            if d.mistake is not Mistake.WRONG_M:
                out.append(
                    (
                        Diagnosis(d.mistake, d.message + f" (in layer {l})", d.formula),
                        partial(model_backward, X_, Y_, params, hidden, lin=f, only_layer=l),
                    )
                )
    if hidden != "sigmoid" and L > 1:
        shown = hidden.upper() if hidden == "relu" else hidden
        out.append(
            (
                _d(
                    Mistake.SIGMOID_EVERY_LAYER,
                    f"sigmoid_backward is applied to every layer: the hidden layers are {shown} — "
                    f"call linear_activation_backward(…, '{hidden}') in the loop over "
                    "l = L−1, …, 1 and 'sigmoid' only for the output layer",
                    "activation_backward",
                ),
                partial(
                    model_backward,
                    X_,
                    Y_,
                    params,
                    hidden,
                    act_bw=lambda dA, Z: dA * dact("sigmoid", Z),
                ),
            )
        )
        out.append(
            (
                _d(
                    Mistake.DAL_REUSED,
                    "dAL is passed to every layer: layer l must get grads['dA' + str(l)], the "
                    "dA_prev that layer l + 1 returned, not dAL",
                    "linear_backward",
                ),
                partial(model_backward_dAL_reused, X_, Y_, params, hidden),
            )
        )
    if hidden == "tanh":
        out.append(
            (
                _d(
                    Mistake.WRONG_ACTIVATION_DERIVATIVE,
                    "the tanh derivative of a hidden layer is taken at the next layer's "
                    "activation: dZ[l] = dA[l] ∗ (1 − A[l]²) uses A[l] (A1 for dZ1), not A[l+1]",
                    "tanh",
                ),
                partial(
                    model_backward, X_, Y_, params, hidden, at_next=lambda dA, An: dA * (1 - An**2)
                ),
            )
        )
    for d, g in act_bw_mistakes(hidden):
        out.append(
            (
                Diagnosis(d.mistake, d.message + " (in the hidden layers)", d.formula),
                partial(model_backward, X_, Y_, params, hidden, act_bw=g),
            )
        )
        for l in range(1, L) if L > 2 else ():
            out.append(
                (
                    Diagnosis(d.mistake, d.message + f" (in layer {l})", d.formula),
                    partial(model_backward, X_, Y_, params, hidden, act_bw=g, only_layer=l),
                )
            )
    out += [
        (
            _d(
                Mistake.SIGN_FLIP,
                "backpropagation starts with the wrong sign: dZ[L] = AL − Y "
                "(dAL = −(Y/AL − (1−Y)/(1−AL)))",
                "cost",
            ),
            lambda: model_backward(X_, Y_, params, hidden, out_dZ=lambda AL, Y, Z: Y - AL),
        ),
        (
            _d(
                Mistake.WRONG_ACTIVATION_DERIVATIVE,
                "the output layer uses the relu derivative instead of sigmoid's "
                "(linear_activation_backward(dAL, caches[L-1], 'relu'))",
                "activation_backward",
            ),
            lambda: model_backward(
                X_,
                Y_,
                params,
                hidden,
                out_dZ=lambda AL, Y, Z: (-(Y / AL) + (1 - Y) / (1 - AL)) * (Z > 0),
            ),
        ),
        (
            _d(
                Mistake.WRONG_DAL,
                "dAL has the wrong sign on its second term: dAL = −(Y/AL − (1−Y)/(1−AL)), "
                "not −(Y/AL + (1−Y)/(1−AL))",
                "cost",
            ),
            lambda: model_backward(
                X_,
                Y_,
                params,
                hidden,
                out_dZ=lambda AL, Y, Z: -(Y / AL + (1 - Y) / (1 - AL)) * AL * (1 - AL),
            ),
        ),
        (
            _d(
                Mistake.MISSING_ACTIVATION_DERIVATIVE,
                "the output layer skips the sigmoid derivative: dZ[L] = dAL",
                "activation_backward",
            ),
            lambda: model_backward(
                X_, Y_, params, hidden, out_dZ=lambda AL, Y, Z: -(Y / AL) + (1 - Y) / (1 - AL)
            ),
        ),
    ]
    return out


LOG_EPSILONS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12)
"""Constants learners add inside the logs of the cost to avoid log(0)."""


def _log_epsilon(A: Array, Y: Array, eps: float, key: str) -> Mutant:
    def thunk() -> dict[str, Any]:
        return {key: -float(np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps)))}

    return (
        _d(
            Mistake.LOG_EPSILON,
            f"the cost adds {eps:g} inside the logs (np.log(AL + {eps:g})): it is off by a small "
            "amount, and the course's cost is exact — compute −(1/m) Σ [y log a + (1 − y) "
            "log(1 − a)] without it (clip AL, or use a stable sigmoid, if log(0) is the worry)",
            "cost",
        ),
        thunk,
    )


def cost_mutants(AL: Any, Y: Any, key: str = "cost") -> list[Mutant]:
    """Mistakes of J = −(1/m) Σ [y log a + (1−y) log(1−a)]."""
    A = np.asarray(AL, dtype=np.float64)
    Y_ = np.asarray(Y, dtype=np.float64).reshape(A.shape)
    m = A.shape[-1] if A.ndim else 1
    op = "cost"
    return [
        *(_log_epsilon(A, Y_, eps, key) for eps in LOG_EPSILONS),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"the cost is a sum, not a mean: m = {m} times too large",
                op,
            ),
            lambda: {key: -float(np.sum(Y_ * np.log(A) + (1 - Y_) * np.log(1 - A)))},
        ),
        (
            _d(Mistake.SIGN_FLIP, "the cost has the wrong sign (the leading minus is missing)", op),
            lambda: {key: float(np.mean(Y_ * np.log(A) + (1 - Y_) * np.log(1 - A)))},
        ),
        (
            _d(Mistake.MISSING_TERM, "the cost is missing the (1 − y)·log(1 − a) term", op),
            lambda: {key: -float(np.mean(Y_ * np.log(A)))},
        ),
        (
            _d(Mistake.MISSING_TERM, "the cost is missing the y·log(a) term", op),
            lambda: {key: -float(np.mean((1 - Y_) * np.log(1 - A)))},
        ),
        (
            _d(
                Mistake.WRONG_TERM,
                "the second term uses log(a) instead of log(1 − a): (1 − y)·log(1 − a)",
                op,
            ),
            lambda: {key: -float(np.mean(Y_ * np.log(A) + (1 - Y_) * np.log(A)))},
        ),
        (
            _d(
                Mistake.OUTER_PRODUCT,
                "np.dot(Y.T, np.log(AL)) is an (m, m) outer product, summed over every pair of "
                "examples: use np.dot(Y, np.log(AL).T) (a (1, 1) array) or the elementwise "
                "Y * np.log(AL) summed",
                op,
            ),
            lambda: {
                key: -float(np.sum(Y_.T @ np.log(A) + (1 - Y_).T @ np.log(1 - A))) / m,
            },
        ),
        (
            _d(
                Mistake.OUTER_PRODUCT,
                "np.dot(Y.T, np.log(AL)) is an (m, m) outer product: the cost must be one number "
                "— use np.dot(Y, np.log(AL).T) (then np.squeeze) or the elementwise "
                "Y * np.log(AL) summed",
                op,
            ),
            lambda: {key: -(Y_.T @ np.log(A) + (1 - Y_).T @ np.log(1 - A)) / m},
        ),
    ]


def update_mutants(
    params: Mapping[str, Any], grads: Mapping[str, Any], learning_rate: float
) -> list[Mutant]:
    """Mistakes of θ := θ − α·dθ: wrong sign, no learning rate, a layer or the biases skipped."""
    P = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    G = {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()}
    a = float(learning_rate)
    L = layers(P)
    op = "update"

    def upd(
        sign: float = -1.0,
        rate: float = a,
        skip: set[str] | None = None,
        flip: str = "Wb",
    ) -> dict[str, Array]:
        out: dict[str, Array] = {}
        for k, v in P.items():
            s = sign if k[:1] in flip else -1.0
            out[k] = v if skip and k in skip else v + s * rate * G["d" + k]
        return out

    out: list[Mutant] = [
        (
            _d(
                Mistake.UPDATE_WRONG_SIGN,
                "the update moves along the gradient (θ + α·dθ), increasing the cost",
                op,
            ),
            lambda: upd(sign=1.0),
        ),
        (
            _d(
                Mistake.UPDATE_WRONG_SIGN,
                "the weights move along the gradient (W + α·dW), increasing the cost",
                op,
            ),
            lambda: upd(sign=1.0, flip="W"),
        ),
        (
            _d(
                Mistake.UPDATE_WRONG_SIGN,
                "the biases move along the gradient (b + α·db), increasing the cost",
                op,
            ),
            lambda: upd(sign=1.0, flip="b"),
        ),
        (
            _d(Mistake.MISSING_LEARNING_RATE, "the update ignores the learning rate: θ − dθ", op),
            lambda: upd(rate=1.0),
        ),
        (
            _d(Mistake.LAYER_SKIPPED, "the biases b[l] are not updated", op),
            lambda: upd(skip={f"b{l}" for l in range(1, L + 1)}),
        ),
    ]
    for l in range(1, L + 1):
        out.append(
            (
                _d(
                    Mistake.LAYER_SKIPPED,
                    f"layer {l} is not updated (check the loop range: range(L) for L layers)",
                    op,
                ),
                partial(upd, skip={f"W{l}", f"b{l}"}),
            )
        )
    return out


def logistic_propagate_mutants(w: Any, b: Any, X: Any, Y: Any) -> list[Mutant]:
    """Mistakes of logistic regression's propagate: (dw, db, cost)."""
    w_ = np.asarray(w, dtype=np.float64)
    X_ = np.asarray(X, dtype=np.float64)
    Y_ = np.asarray(Y, dtype=np.float64).reshape(1, -1)
    b_ = float(np.asarray(b, dtype=np.float64).reshape(()))
    m = X_.shape[1]
    op = "logistic"

    def grads(bias: bool = True) -> tuple[Array, Array, Array]:
        A = act("sigmoid", w_.T @ X_ + (b_ if bias else 0.0))
        return A, X_ @ (A - Y_).T / m, np.asarray(np.sum(A - Y_) / m)

    def cost(A: Array) -> float:
        return -float(np.mean(Y_ * np.log(A) + (1 - Y_) * np.log(1 - A)))

    A, dw, db = grads()
    A0, dw0, db0 = grads(bias=False)
    return [
        (
            _d(Mistake.MISSING_BIAS, "A = σ(wᵀX) ignores b: A = σ(wᵀX + b)", op),
            lambda: {"dw": dw0, "db": db0, "cost": cost(A0)},
        ),
        (
            _d(Mistake.SIGN_FLIP, "dw and db have the wrong sign: dZ = A − Y, not Y − A", op),
            lambda: {"dw": -dw, "db": -db},
        ),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"dw is missing the 1/m factor: m = {m} times too large",
                op,
            ),
            lambda: {"dw": dw * m},
        ),
        (
            _d(
                Mistake.WRONG_M,
                f"dw divides by n_x = X.shape[0] = {X_.shape[0]} instead of m = X.shape[1] = {m}",
                op,
            ),
            lambda: {"dw": dw * m / X_.shape[0]},
        ),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"db is missing the 1/m factor: m = {m} times too large",
                op,
            ),
            lambda: {"db": db * m},
        ),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"dw and db are missing the 1/m factor: m = {m} times too large",
                op,
            ),
            lambda: {"dw": dw * m, "db": db * m},
        ),
        (
            _d(
                Mistake.TRANSPOSED_PRODUCT,
                "dw is the transpose of the rule: (A − Y)·Xᵀ instead of X·(A − Y)ᵀ",
                op,
            ),
            lambda: {"dw": dw.T},
        ),
        (
            _d(
                Mistake.MISSING_1_OVER_M,
                f"the cost is a sum, not a mean: m = {m} times too large",
                op,
            ),
            lambda: {"cost": cost(A) * m},
        ),
        (
            _d(Mistake.SIGN_FLIP, "the cost has the wrong sign (the leading minus is missing)", op),
            lambda: {"cost": -cost(A)},
        ),
        (
            _d(Mistake.MISSING_TERM, "the cost is missing the (1 − y)·log(1 − a) term", op),
            lambda: {"cost": -float(np.mean(Y_ * np.log(A)))},
        ),
    ]


def init_diagnosis(params: Mapping[str, Any]) -> Diagnosis | None:
    """Zero or identical-row initialisation of any W[l] with more than one row, else None.

    The notes' rule for an initialiser: every entry of W drawn independently, never two equal
    rows (the course's tests compare W with random draws). The words say whether the units stay
    identical forever (the reference's :func:`~nncheck.reference.symmetric_units`: equal rows,
    biases and outgoing weights) or only start identical.
    """
    forever = {(l, j, k) for l, j, k in ref.symmetric_units(params, limit=None)}
    for key in sorted(params):
        W = np.asarray(params[key])
        if not (key.startswith("W") and W.ndim == 2 and W.shape[0] > 1):
            continue
        rows = ref.equal_row_pairs(W, limit=1)
        if not rows:
            continue
        j, k = rows[0]
        l = int(key[1:]) if key[1:].isdigit() else 1
        if (l, j, k) in forever:
            fate = "those units stay identical forever (symmetry is never broken)"
        else:
            fate = (
                "those units start identical and only b or the next layer's weights can separate "
                "them (symmetry is barely broken)"
            )
        if not np.any(W):
            return _d(
                Mistake.ZERO_INIT,
                f"{key} is all zeros: {fate} — use np.random.randn(...)·0.01; see "
                "`nncheck claims symmetry-persists`",
                "init",
            )
        return _d(
            Mistake.IDENTICAL_ROWS,
            f"{key} has identical rows {j} and {k}: {fate} — draw every entry independently with "
            "np.random.randn(n[l], n[l−1]); see `nncheck claims symmetry-persists`",
            "init",
        )
    return None
