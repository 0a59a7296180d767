"""Bug fingerprints: replay known mistakes of the reference and name the one that reproduces
a person's numbers.

Each ``*_mutants`` function takes the inputs a person's function received and returns
``(Diagnosis, thunk)`` pairs; the thunk computes what the reference would return *with that mistake*
(only the outputs the mistake changes). :func:`match_mistake` picks the first mutant that reproduces
every output of the person's function; :func:`explain` is the fallback for one array (a constant
factor such as m or −1, a transpose, a lost dimension).

The catalogue: missing or extra 1/m (with the factor), dividing by the wrong dimension, transposed
product, sum over the wrong axis, lost keepdims, sign flip, derivative evaluated at A instead of Z,
wrong activation derivative (1−a instead of 1−a² for tanh), wrong activation on a layer, missing
bias, missing term of the cross-entropy, update with the wrong sign or without the learning rate, a
layer skipped by the update, zero or identical-row initialisation (see :func:`init_diagnosis`), and
input mutation (found by the conformance "mutation" check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

__all__ = [
    "FORMULAS",
    "SPEC_FORMULAS",
    "Diagnosis",
    "Mutant",
    "activation_backward_mutants",
    "activation_forward_mutants",
    "checker_mutants",
    "cost_mutants",
    "explain",
    "formula",
    "init_diagnosis",
    "linear_activation_backward_mutants",
    "linear_activation_forward_mutants",
    "linear_backward_mutants",
    "linear_forward_mutants",
    "logistic_propagate_mutants",
    "match_mistake",
    "model_backward_mutants",
    "model_forward_mutants",
    "model_forward_skip_mutants",
    "squeezed",
    "update_mutants",
]

Array = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake that reproduces the person's numbers.

    Attributes:
        mistake: stable identifier (``"missing_1_over_m"``, ``"transposed_product"``…).
        message: plain language, with the factor or the layer when there is one.
        formula: the formula of the notes the mistake breaks.
    """

    mistake: str
    message: str
    formula: str | None = None

    def __str__(self) -> str:
        return self.message if not self.formula else f"{self.message} (formula: {self.formula})"


Mutant = tuple[Diagnosis, Callable[[], Mapping[str, Any]]]
"""A known mistake and a thunk computing the outputs it would produce."""

SPEC_FORMULAS: dict[str, str] = {
    "linear_forward": "Z[l] = W[l]·A[l−1] + b[l]",
    "linear_backward": (
        "dW[l] = (1/m) dZ[l]·A[l−1]ᵀ; db[l] = (1/m) Σ_columns dZ[l]; dA[l−1] = W[l]ᵀ·dZ[l]"
    ),
    "activation_backward": "dZ[l] = dA[l] ∗ g′(Z[l])",
    "sigmoid": "σ(z) = 1/(1+e^(−z))",
    "relu": "ReLU(z) = max(0, z)",
    "tanh": "tanh(z) = (e^z − e^(−z))/(e^z + e^(−z))",
    "sigmoid.derivative": "σ′(z) = σ(z)(1 − σ(z))",
    "relu.derivative": "ReLU′(z) = 1 if z > 0 else 0 (0 at the kink z = 0, by convention)",
    "tanh.derivative": "tanh′(z) = 1 − tanh(z)²",
    "cost": "J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾)",
    "cross_entropy_loss": "L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ))",
    "gradient_descent_update": "θ := θ − α·dJ/dθ",
    "initialization": (
        "W[l] = randn(n[l], n[l−1])·0.01 (or ·√(2/n[l−1]), He), never two equal rows; "
        "b[l] = zeros((n[l], 1)) is fine"
    ),
    "logistic_regression": "ŷ = σ(wᵀx + b); dw = (1/m) X·(A − Y)ᵀ, db = (1/m) Σᵢ (a⁽ⁱ⁾ − y⁽ⁱ⁾)",
    "deep_network": (
        "[LINEAR → g]×(L−1) → LINEAR → SIGMOID; dZ[L] = A[L] − Y, then for l = L…1: dW[l], "
        "db[l], dA[l−1] by linear_backward and dZ[l−1] = dA[l−1] ∗ g′(Z[l−1])"
    ),
}
"""The plain-text ``formula`` (``name.derivative``: ``derivative_formula``) of the specs in
``nncheck.specs`` that messages quote, copied here so that diagnosing never imports SymPy (a test
checks the copies against the specs)."""

_OPERATION_SPECS: dict[str, tuple[str, ...]] = {
    "linear_forward": ("linear_forward",),
    "linear_backward": ("linear_backward",),
    "activation_backward": ("activation_backward",),
    "sigmoid": ("sigmoid", "sigmoid.derivative"),
    "relu": ("relu", "relu.derivative"),
    "tanh": ("activation_backward", "tanh.derivative"),
    "cost": ("cost", "cross_entropy_loss"),
    "update": ("gradient_descent_update",),
    "init": ("initialization",),
    "logistic": ("logistic_regression",),
    "model_forward": ("deep_network",),
}

FORMULAS: dict[str, str] = {
    op: "; ".join(SPEC_FORMULAS[name] for name in names) for op, names in _OPERATION_SPECS.items()
}
"""Formulas quoted in messages, keyed by operation, composed from :data:`SPEC_FORMULAS`."""


def formula(name: str) -> str | None:
    """The plain-text formula of operation ``name`` (never imports sympy)."""
    return FORMULAS.get(name)


def _d(mistake: str, message: str, op: str) -> Diagnosis:
    return Diagnosis(mistake, message, FORMULAS.get(op))


def _same(a: Any, b: Any, rtol: float = 1e-5) -> bool:
    try:
        x = np.asarray(a, dtype=np.float64)
        y = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if x.size == 1 and y.size == 1 and (x.ndim == 0 or y.ndim == 0):
        x, y = x.reshape(()), y.reshape(())
    if x.shape != y.shape:
        return False
    atol = 1e-8 * max(1.0, float(np.max(np.abs(y), initial=0.0)))
    return bool(np.all(np.abs(x - y) <= atol + rtol * np.abs(y)))


def match_mistake(
    expected: Mapping[str, Any], actual: Mapping[str, Any], mutants: Iterable[Mutant]
) -> Diagnosis | None:
    """The first mutant that reproduces ``actual``: every output it changes matches the person's
    output, at least one of them differs from ``expected``, and every output it does not change
    is right in ``actual``.

    A mutant whose outputs also have the person's exact shapes wins over one that matches only
    the values (a number and a (1, 1) array are the same value): ``np.sum(dZ)`` with no axis,
    not ``np.sum(dZ, axis=0, keepdims=True)``, when m = 1 and db has shape ().
    """
    value_only: Diagnosis | None = None
    for diagnosis, thunk in mutants:
        try:
            outs = dict(thunk())
        except Exception:  # a mistake that cannot run on these inputs is no match
            continue
        keys = [k for k in outs if k in actual]
        if not keys:
            continue
        if not any(not _same(outs[k], expected.get(k)) for k in keys):
            continue  # indistinguishable from the right answer here (e.g. ReLU'(A) = ReLU'(Z))
        if not all(_same(actual[k], outs[k]) for k in keys):
            continue
        if all(_same(actual[k], v) for k, v in expected.items() if k not in outs and k in actual):
            if all(np.shape(actual[k]) == np.shape(outs[k]) for k in keys):
                return diagnosis
            if value_only is None:
                value_only = diagnosis
    return value_only


def _factor_words(key: str, c: float, m: int) -> Diagnosis:
    if m > 1 and abs(c - m) <= 1e-6 * m:
        return Diagnosis(
            "missing_1_over_m",
            f"{key} is missing the 1/m factor: it is m = {m} times too large",
        )
    if m > 1 and abs(c * m - 1) <= 1e-6:
        return Diagnosis(
            "extra_1_over_m",
            f"{key} has an extra 1/m factor: it is m = {m} times too small",
        )
    if m > 1 and abs(c + m) <= 1e-6 * m:
        return Diagnosis(
            "sign_flip",
            f"{key} has the wrong sign and is missing the 1/m factor (it is −m = −{m} times the "
            "right value)",
        )
    if abs(c + 1) <= 1e-6:
        return Diagnosis("sign_flip", f"{key} has the wrong sign: it is −1 times the right value")
    return Diagnosis("scaled", f"{key} is {c:.6g} times the right value (a wrong constant factor)")


def squeezed(key: str) -> Diagnosis:
    """The diagnosis of a rank-1 result from a function that calls ``np.squeeze``: the sum may
    well have ``keepdims=True``; the squeeze drops the dimension it kept."""
    return Diagnosis(
        "squeezed",
        f"{key} is squeezed to rank 1: np.squeeze removes the dimension that keepdims=True "
        f"kept — drop the np.squeeze so that {key} stays 2-D (n, 1)",
        FORMULAS.get("linear_backward"),
    )


def explain(key: str, expected: Any, actual: Any, *, m: int = 1) -> Diagnosis | None:
    """Explain one wrong array: a constant factor (m, 1/m, −1, …), a transpose, a lost dimension."""
    try:
        e = np.asarray(expected, dtype=np.float64)
        a = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if not np.all(np.isfinite(a)):
        return None
    if e.ndim == 2 and a.ndim == 1 and a.size == e.size and _same(a, e.ravel()):
        return Diagnosis(
            "lost_keepdims",
            f"{key} is a rank-1 array of shape {a.shape}, not {e.shape}: the sum lost its "
            f"dimension — use np.sum(..., axis=1, keepdims=True) or .reshape{e.shape}; "
            "see `nncheck claims rank-one-transpose`",
        )
    if a.ndim < e.ndim and a.size == e.size and _same(a.ravel(), e.ravel()):
        return Diagnosis(
            "lost_keepdims",
            f"{key} has shape {a.shape}, not {e.shape}: it lost its dimensions (np.squeeze, or a "
            f"sum without keepdims=True, when a width is 1) — keep it 2-D with .reshape{e.shape}",
        )
    if e.ndim == 2 and a.shape == e.shape[::-1] and e.shape[0] != e.shape[1]:
        if _same(a.T, e):
            return Diagnosis(
                "transposed_product",
                f"{key} is transposed: shape {a.shape} instead of {e.shape} — swap the factors of "
                "the product (e.g. dZ·A_prevᵀ, not A_prev·dZᵀ)",
            )
        a = a.T
    if a.size != e.size:
        return None
    a = a.reshape(e.shape)
    denom = float(np.sum(e * e))
    if denom == 0.0:
        return None
    c = float(np.sum(a * e)) / denom
    if abs(c - 1.0) < 1e-9 or not _same(a, c * e, rtol=1e-6):
        return None
    words = _factor_words(key, c, m)
    if e.size == 1 and words.mistake == "scaled":
        return None  # any two numbers differ by "a factor": one number shows no constant factor
    return words


# ---------------------------------------------------------------------------- activations


def _sigmoid(z: Any) -> Array:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    out: Array = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


def _act(name: str, z: Any) -> Array:
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        return _sigmoid(z)
    out: Array
    if name == "tanh":
        out = np.tanh(z)
    elif name == "relu":
        out = np.maximum(z, 0.0)
    elif name == "leaky_relu":
        out = np.where(z > 0, z, 0.01 * z)
    else:
        raise ValueError(name)
    return out


def _dact(name: str, z: Any) -> Array:
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1.0 - s)
    out: Array
    if name == "tanh":
        out = 1.0 - np.tanh(z) ** 2
    elif name == "relu":
        out = (z > 0).astype(np.float64)
    elif name == "leaky_relu":
        out = np.where(z > 0, 1.0, 0.01)
    else:
        raise ValueError(name)
    return out


_OTHER = {"sigmoid": "relu", "relu": "sigmoid", "tanh": "relu", "leaky_relu": "sigmoid"}
_LEAKY_FOR_RELU = (
    "computes leaky ReLU max(z, 0.01·z) where the convention needs ReLU max(0, z): a negative z "
    "must give 0"
)


def activation_forward_mutants(Z: Any, activation: str, key: str = "A") -> list[Mutant]:
    """Mistakes of A = g(Z): the wrong activation, σ(−z) instead of σ(z)."""
    other = _OTHER[activation]
    out: list[Mutant] = [
        (
            _d(
                "wrong_activation",
                f"computes {other} where the convention needs {activation}",
                "model_forward",
            ),
            lambda: {key: _act(other, Z)},
        )
    ]
    if activation == "relu":
        out.append(
            (
                _d("wrong_activation", _LEAKY_FOR_RELU, "model_forward"),
                lambda: {key: _act("leaky_relu", Z)},
            )
        )
    if activation == "sigmoid":
        out.append(
            (
                _d(
                    "sign_flip",
                    "sigmoid uses e^(+z): 1/(1 + e^z) is σ(−z), not σ(z)",
                    "sigmoid",
                ),
                lambda: {key: _sigmoid(-np.asarray(Z))},
            )
        )
    return out


def _act_bw_mistakes(activation: str) -> list[tuple[Diagnosis, Callable[[Array, Array], Array]]]:
    """(diagnosis, f(dA, Z) -> dZ) for the mistakes of dZ = dA ∗ g'(Z)."""
    g = activation
    out: list[tuple[Diagnosis, Callable[[Array, Array], Array]]] = [
        (
            _d(
                "derivative_at_A",
                f"the {g} derivative is evaluated at A = g(Z) instead of at Z: dZ = dA ∗ g'(A) — "
                "use the Z stored in the cache",
                "activation_backward",
            ),
            lambda dA, Z: dA * _dact(g, _act(g, Z)),
        ),
        (
            _d(
                "missing_activation_derivative",
                f"dZ = dA: the {g} derivative g'(Z) is missing",
                "activation_backward",
            ),
            lambda dA, Z: dA.copy(),
        ),
        (
            _d(
                "sign_flip",
                "dZ has the wrong sign: dZ = −dA ∗ g'(Z)",
                "activation_backward",
            ),
            lambda dA, Z: -dA * _dact(g, Z),
        ),
    ]
    if g == "tanh":
        out += [
            (
                _d(
                    "wrong_activation_derivative",
                    "the tanh derivative is written 1 − a instead of 1 − a²",
                    "tanh",
                ),
                lambda dA, Z: dA * (1.0 - np.tanh(Z)),
            ),
            (
                _d(
                    "wrong_activation_derivative",
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
                    "wrong_activation_derivative",
                    "the sigmoid derivative is written s instead of s(1 − s)",
                    "sigmoid",
                ),
                lambda dA, Z: dA * _sigmoid(Z),
            ),
            (
                _d(
                    "wrong_activation_derivative",
                    "the sigmoid derivative is written 1 − s instead of s(1 − s)",
                    "sigmoid",
                ),
                lambda dA, Z: dA * (1.0 - _sigmoid(Z)),
            ),
        ]
    if g in ("relu", "leaky_relu"):
        out.append(
            (
                _d(
                    "wrong_relu_mask",
                    "the ReLU mask is taken where dA ≤ 0 instead of where Z ≤ 0",
                    "relu",
                ),
                lambda dA, Z: np.where(dA > 0, dA, 0.0),
            )
        )
    other = _OTHER[g]
    out.append(
        (
            _d(
                "wrong_activation_derivative",
                f"uses the {other} derivative where the layer's activation is {g}",
                "activation_backward",
            ),
            lambda dA, Z: dA * _dact(other, Z),
        )
    )
    if g == "relu":
        out.append(
            (
                _d(
                    "wrong_activation_derivative",
                    "uses the leaky ReLU derivative (0.01 where z ≤ 0) where the layer's "
                    "activation is ReLU (0 where z ≤ 0)",
                    "activation_backward",
                ),
                lambda dA, Z: dA * _dact("leaky_relu", Z),
            )
        )
    if g == "sigmoid":
        out.append(
            (
                _d(
                    "wrong_activation_derivative",
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
    return [(d, partial(_apply_act, f, dA_, Z_, key)) for d, f in _act_bw_mistakes(activation)]


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
    return dict(zip(keys, _lin_bw(f(dA, Z), A_prev, W), strict=True))


def _forward_out(X: Array, params: Mapping[str, Any], acts: list[str], key: str) -> dict[str, Any]:
    return {key: _forward(X, params, acts)[0]}


LinBackward = Callable[[Array, Array, Array], tuple[Array, Array, Array]]


def _lin_bw(dZ: Array, A_prev: Array, W: Array) -> tuple[Array, Array, Array]:
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


def _lin_bw_mistakes(m: int, n_prev: int) -> list[tuple[Diagnosis, LinBackward]]:
    op = "linear_backward"

    def sums(dZ: Array) -> Array:
        total: Array = np.sum(dZ, axis=1, keepdims=True)
        return total

    out: list[tuple[Diagnosis, LinBackward]] = [
        (
            _d(
                "missing_1_over_m",
                f"dW and db are missing the 1/m factor: they are m = {m} times too large",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T, sums(dZ)),
        ),
        (
            _d(
                "missing_1_over_m",
                f"dW is missing the 1/m factor: it is m = {m} times too large",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T, sums(dZ) / m),
        ),
        (
            _d(
                "missing_1_over_m",
                f"db is missing the 1/m factor: it is m = {m} times too large",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, sums(dZ)),
        ),
        (
            _d(
                "extra_1_over_m",
                f"dA_prev has an extra 1/m factor (m = {m} times too small): dA[l−1] = W[l]ᵀ·dZ[l] "
                "has no 1/m — it belongs in dW and db only",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ / m, dZ @ A.T / m, sums(dZ) / m),
        ),
        (
            _d(
                "extra_1_over_m",
                f"dW and db divide by m twice: they are m = {m} times too small",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m / m, sums(dZ) / m / m),
        ),
        (
            _d(
                "wrong_m",
                f"dW and db divide by n[l−1] = A_prev.shape[0] = {n_prev} instead of "
                f"m = A_prev.shape[1] = {m}",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / A.shape[0], sums(dZ) / A.shape[0]),
        ),
        (
            _d(
                "wrong_m",
                f"dW divides by n[l−1] = A_prev.shape[0] = {n_prev} instead of "
                f"m = A_prev.shape[1] = {m}",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / A.shape[0], sums(dZ) / m),
        ),
        (
            _d(
                "transposed_product",
                "dW is the transpose of the rule: A_prev·dZᵀ instead of dZ·A_prevᵀ",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, A @ dZ.T / m, sums(dZ) / m),
        ),
        (
            _d(
                "transposed_product",
                "dA_prev is the transpose of the rule: dZᵀ·W instead of Wᵀ·dZ",
                op,
            ),
            lambda dZ, A, W: (dZ.T @ W, dZ @ A.T / m, sums(dZ) / m),
        ),
        (
            _d(
                "transposed_product",
                "dA_prev uses W instead of Wᵀ: dA[l−1] = W[l]ᵀ·dZ[l]",
                op,
            ),
            lambda dZ, A, W: (W @ dZ, dZ @ A.T / m, sums(dZ) / m),
        ),
        (
            _d(
                "wrong_sum_axis",
                "db sums over axis=0 (the units) instead of axis=1 (the examples)",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.sum(dZ, axis=0, keepdims=True) / m),
        ),
        (
            _d(
                "wrong_sum_axis",
                "db sums over axis=0 (the units) instead of axis=1 (the examples)",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.sum(dZ, axis=0) / m),
        ),
        (
            _d(
                "wrong_sum_axis",
                "db sums every element (np.sum(dZ) with no axis) instead of one sum per unit over "
                "axis=1",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.asarray(np.sum(dZ) / m)),
        ),
        (
            _d(
                "lost_keepdims",
                "db lost keepdims: np.sum(dZ, axis=1) gives a rank-1 array; use keepdims=True; "
                "see `nncheck claims rank-one-transpose`",
                op,
            ),
            lambda dZ, A, W: (W.T @ dZ, dZ @ A.T / m, np.sum(dZ, axis=1) / m),
        ),
        (
            _d("sign_flip", "dW and db have the wrong sign", op),
            lambda dZ, A, W: (W.T @ dZ, -(dZ @ A.T) / m, -sums(dZ) / m),
        ),
        (
            _d("sign_flip", "dA_prev has the wrong sign", op),
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
    return [(d, partial(_apply_lin, f, dZ_, A_, W_, keys)) for d, f in _lin_bw_mistakes(m, n_prev)]


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
    for d, f in _act_bw_mistakes(activation):
        out.append((d, partial(_apply_act_lin, f, dA_, Z, A_, W_, keys)))
    dZ = dA_ * _dact(activation, Z)
    for d, g in _lin_bw_mistakes(A_.shape[1], A_.shape[0]):
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
            _d("missing_bias", "the bias b is not added: Z = W·A_prev + b", op),
            lambda: {key: W_ @ A_},
        ),
        (
            _d("sign_flip", "the bias is subtracted: Z = W·A_prev − b", op),
            lambda: {key: W_ @ A_ - b_},
        ),
        (
            _d(
                "transposed_product",
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
    other = _OTHER[activation]
    return [
        (
            _d(
                "wrong_activation",
                f"applies {other} where the activation argument says {activation!r}",
                "model_forward",
            ),
            lambda: {key: _act(other, Z)},
        ),
        *(
            [
                (
                    _d("wrong_activation", _LEAKY_FOR_RELU, "model_forward"),
                    lambda: {key: _act("leaky_relu", Z)},
                )
            ]
            if activation == "relu"
            else []
        ),
        (
            _d("missing_bias", "the bias b is not added: Z = W·A_prev + b", "linear_forward"),
            lambda: {key: _act(activation, W_ @ A_)},
        ),
        (
            _d(
                "missing_activation",
                f"returns Z: the {activation} activation is not applied",
                "model_forward",
            ),
            lambda: {key: Z},
        ),
    ]


def _forward(
    X: Array,
    params: Mapping[str, Any],
    acts: list[str],
    bias: bool = True,
    no_bias: frozenset[int] = frozenset(),
) -> tuple[Array, list[tuple[Array, Array, Array, Array]]]:
    A = np.asarray(X, dtype=np.float64)
    caches = []
    for l, g in enumerate(acts, start=1):
        W = np.asarray(params[f"W{l}"], dtype=np.float64)
        b = np.asarray(params[f"b{l}"], dtype=np.float64)
        Z = W @ A + (b if bias and l not in no_bias else 0.0)
        caches.append((A, W, b, Z))
        A = _act(g, Z)
    return A, caches


def _layers(params: Mapping[str, Any]) -> int:
    return sum(1 for k in params if k.startswith("W") and k[1:].isdigit())


def model_forward_mutants(
    X: Any, params: Mapping[str, Any], hidden: str = "relu", key: str = "AL"
) -> list[Mutant]:
    """Mistakes of the L-layer forward pass: a wrong activation on a layer, a missing bias."""
    L = _layers(params)
    X_ = np.asarray(X, dtype=np.float64)
    right = [hidden] * (L - 1) + ["sigmoid"]
    out: list[Mutant] = []
    op = "model_forward"
    for wrong_out in ("relu", "tanh"):
        acts = [*right[:-1], wrong_out]
        out.append(
            (
                _d(
                    "wrong_activation",
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
                    "wrong_activation",
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
                _d("wrong_activation", f"layer {l} applies {acts[l - 1]} instead of {hidden}", op),
                partial(_forward_out, X_, params, acts, key),
            )
        )
    out.append(
        (
            _d("missing_bias", "the bias b[l] is not added in the layers", "linear_forward"),
            lambda: {key: _forward(X_, params, right, bias=False)[0]},
        )
    )
    for l in range(1, L + 1):
        out.append(
            (
                _d("missing_bias", f"the bias b{l} is not added in layer {l}", "linear_forward"),
                partial(_forward_no_bias, X_, params, right, l, key),
            )
        )
    return out


def model_forward_skip_mutants(
    X: Any, params: Mapping[str, Any], hidden: str = "relu", key: str = "AL"
) -> list[Mutant]:
    """A forward loop that skips a hidden layer (only runs when the widths around it agree)."""
    L = _layers(params)
    X_ = np.asarray(X, dtype=np.float64)
    out: list[Mutant] = []
    for l in range(1, L):
        kept = [k for k in range(1, L + 1) if k != l]
        out.append(
            (
                _d(
                    "layer_skipped",
                    f"layer {l} is skipped by the forward loop (check its range: "
                    "for l in range(1, L) for the hidden layers, then layer L)",
                    "model_forward",
                ),
                partial(_forward_kept, X_, params, kept, hidden, key),
            )
        )
    return out


def _forward_kept(
    X: Array, params: Mapping[str, Any], kept: list[int], hidden: str, key: str
) -> dict[str, Any]:
    A = X
    last = max(kept)
    for l in kept:
        Z = np.asarray(params[f"W{l}"]) @ A + np.asarray(params[f"b{l}"])
        A = _act("sigmoid" if l == last else hidden, Z)
    return {key: A}


def _forward_no_bias(
    X: Array, params: Mapping[str, Any], acts: list[str], layer: int, key: str
) -> dict[str, Any]:
    return {key: _forward(X, params, acts, no_bias=frozenset({layer}))[0]}


# ---------------------------------------------------------------------------- whole network


def _model_backward(
    X: Array,
    Y: Array,
    params: Mapping[str, Any],
    hidden: str,
    lin: LinBackward = _lin_bw,
    act_bw: Callable[[Array, Array], Array] | None = None,
    out_dZ: Callable[[Array, Array, Array], Array] | None = None,
    only_layer: int | None = None,
    at_next: Callable[[Array, Array], Array] | None = None,
) -> dict[str, Array]:
    """The reference's backward pass with one mistake: ``lin`` (at ``only_layer`` or every
    layer), ``act_bw(dA, Z)``, ``out_dZ(AL, Y, Z)``, or ``at_next(dA, A[l+1])`` (a hidden
    derivative taken at the next layer's activation)."""
    L = _layers(params)
    acts = [hidden] * (L - 1) + ["sigmoid"]
    AL, caches = _forward(X, params, acts)
    Y = np.asarray(Y, dtype=np.float64).reshape(AL.shape)
    grads: dict[str, Array] = {}
    dZ = (out_dZ or (lambda AL, Y, Z: AL - Y))(AL, Y, caches[-1][3])
    for l in range(L, 0, -1):
        A_prev, W, _, Z = caches[l - 1]
        if l < L:
            dA = grads[f"dA{l}"]
            wrong = only_layer in (None, l)
            if at_next is not None and wrong:
                dZ = at_next(dA, caches[l + 1][0] if l + 1 < L else AL)
            elif act_bw is not None and wrong:
                dZ = act_bw(dA, Z)
            else:
                dZ = dA * _dact(hidden, Z)
        layer_lin = lin if only_layer in (None, l) or act_bw or at_next else _lin_bw
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = layer_lin(dZ, A_prev, W)
    return grads


def _model_backward_dAL_reused(
    X: Array, Y: Array, params: Mapping[str, Any], hidden: str
) -> dict[str, Array]:
    """The backward pass when every hidden layer gets dAL (broadcast over its units)."""
    L = _layers(params)
    acts = [hidden] * (L - 1) + ["sigmoid"]
    AL, caches = _forward(X, params, acts)
    Y = np.asarray(Y, dtype=np.float64).reshape(AL.shape)
    dAL = -(Y / AL - (1 - Y) / (1 - AL))
    grads: dict[str, Array] = {}
    for l in range(L, 0, -1):
        A_prev, W, _, Z = caches[l - 1]
        dZ = AL - Y if l == L else dAL * _dact(hidden, Z)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = _lin_bw(dZ, A_prev, W)
    return grads


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
    L = _layers(params)
    for d, f in _lin_bw_mistakes(m, -1):
        if d.mistake == "wrong_m":
            continue  # n[l−1] differs per layer; the per-layer message would be wrong
        out.append((d, partial(_model_backward, X_, Y_, params, hidden, lin=f)))
    out.append(
        (
            _d(
                "wrong_m",
                "dW[l] and db[l] divide by n[l−1] = A_prev.shape[0] instead of m = "
                "A_prev.shape[1] (the examples are the columns)",
                "linear_backward",
            ),
            partial(
                _model_backward,
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
                "wrong_m",
                "dW[l] divides by n[l−1] = A_prev.shape[0] instead of m = A_prev.shape[1] "
                "(the examples are the columns)",
                "linear_backward",
            ),
            partial(
                _model_backward,
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
        for d, f in _lin_bw_mistakes(m, -1):
            if d.mistake != "wrong_m":
                out.append(
                    (
                        Diagnosis(d.mistake, d.message + f" (in layer {l})", d.formula),
                        partial(_model_backward, X_, Y_, params, hidden, lin=f, only_layer=l),
                    )
                )
    if hidden != "sigmoid" and L > 1:
        out.append(
            (
                _d(
                    "sigmoid_every_layer",
                    "sigmoid_backward is applied to every layer: the hidden layers are "
                    f"{hidden.upper() if hidden == 'relu' else hidden} — call "
                    f"linear_activation_backward(…, '{hidden}') in the loop over l = L−1, …, 1 "
                    "and 'sigmoid' only for the output layer",
                    "activation_backward",
                ),
                partial(
                    _model_backward,
                    X_,
                    Y_,
                    params,
                    hidden,
                    act_bw=lambda dA, Z: dA * _dact("sigmoid", Z),
                ),
            )
        )
        out.append(
            (
                _d(
                    "dAL_reused",
                    "dAL is passed to every layer: layer l must get grads['dA' + str(l)], the "
                    "dA_prev that layer l + 1 returned, not dAL",
                    "linear_backward",
                ),
                partial(_model_backward_dAL_reused, X_, Y_, params, hidden),
            )
        )
    if hidden == "tanh":
        out.append(
            (
                _d(
                    "wrong_activation_derivative",
                    "the tanh derivative of a hidden layer is taken at the next layer's "
                    "activation: dZ[l] = dA[l] ∗ (1 − A[l]²) uses A[l] (A1 for dZ1), not A[l+1]",
                    "tanh",
                ),
                partial(
                    _model_backward, X_, Y_, params, hidden, at_next=lambda dA, An: dA * (1 - An**2)
                ),
            )
        )
    for d, g in _act_bw_mistakes(hidden):
        out.append(
            (
                Diagnosis(d.mistake, d.message + " (in the hidden layers)", d.formula),
                partial(_model_backward, X_, Y_, params, hidden, act_bw=g),
            )
        )
        for l in range(1, L) if L > 2 else ():
            out.append(
                (
                    Diagnosis(d.mistake, d.message + f" (in layer {l})", d.formula),
                    partial(_model_backward, X_, Y_, params, hidden, act_bw=g, only_layer=l),
                )
            )
    out += [
        (
            _d(
                "sign_flip",
                "backpropagation starts with the wrong sign: dZ[L] = AL − Y "
                "(dAL = −(Y/AL − (1−Y)/(1−AL)))",
                "cost",
            ),
            lambda: _model_backward(X_, Y_, params, hidden, out_dZ=lambda AL, Y, Z: Y - AL),
        ),
        (
            _d(
                "wrong_activation_derivative",
                "the output layer uses the relu derivative instead of sigmoid's "
                "(linear_activation_backward(dAL, caches[L-1], 'relu'))",
                "activation_backward",
            ),
            lambda: _model_backward(
                X_,
                Y_,
                params,
                hidden,
                out_dZ=lambda AL, Y, Z: (-(Y / AL) + (1 - Y) / (1 - AL)) * (Z > 0),
            ),
        ),
        (
            _d(
                "wrong_dAL",
                "dAL has the wrong sign on its second term: dAL = −(Y/AL − (1−Y)/(1−AL)), "
                "not −(Y/AL + (1−Y)/(1−AL))",
                "cost",
            ),
            lambda: _model_backward(
                X_,
                Y_,
                params,
                hidden,
                out_dZ=lambda AL, Y, Z: -(Y / AL + (1 - Y) / (1 - AL)) * AL * (1 - AL),
            ),
        ),
        (
            _d(
                "missing_activation_derivative",
                "the output layer skips the sigmoid derivative: dZ[L] = dAL",
                "activation_backward",
            ),
            lambda: _model_backward(
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
            "log_epsilon",
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
            _d("missing_1_over_m", f"the cost is a sum, not a mean: m = {m} times too large", op),
            lambda: {key: -float(np.sum(Y_ * np.log(A) + (1 - Y_) * np.log(1 - A)))},
        ),
        (
            _d("sign_flip", "the cost has the wrong sign (the leading minus is missing)", op),
            lambda: {key: float(np.mean(Y_ * np.log(A) + (1 - Y_) * np.log(1 - A)))},
        ),
        (
            _d("missing_term", "the cost is missing the (1 − y)·log(1 − a) term", op),
            lambda: {key: -float(np.mean(Y_ * np.log(A)))},
        ),
        (
            _d("missing_term", "the cost is missing the y·log(a) term", op),
            lambda: {key: -float(np.mean((1 - Y_) * np.log(1 - A)))},
        ),
        (
            _d(
                "wrong_term",
                "the second term uses log(a) instead of log(1 − a): (1 − y)·log(1 − a)",
                op,
            ),
            lambda: {key: -float(np.mean(Y_ * np.log(A) + (1 - Y_) * np.log(A)))},
        ),
        (
            _d(
                "outer_product",
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
                "outer_product",
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
    L = _layers(P)
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
                "update_wrong_sign",
                "the update moves along the gradient (θ + α·dθ), increasing the cost",
                op,
            ),
            lambda: upd(sign=1.0),
        ),
        (
            _d(
                "update_wrong_sign",
                "the weights move along the gradient (W + α·dW), increasing the cost",
                op,
            ),
            lambda: upd(sign=1.0, flip="W"),
        ),
        (
            _d(
                "update_wrong_sign",
                "the biases move along the gradient (b + α·db), increasing the cost",
                op,
            ),
            lambda: upd(sign=1.0, flip="b"),
        ),
        (
            _d("missing_learning_rate", "the update ignores the learning rate: θ − dθ", op),
            lambda: upd(rate=1.0),
        ),
        (
            _d("layer_skipped", "the biases b[l] are not updated", op),
            lambda: upd(skip={f"b{l}" for l in range(1, L + 1)}),
        ),
    ]
    for l in range(1, L + 1):
        out.append(
            (
                _d(
                    "layer_skipped",
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
        A = _sigmoid(w_.T @ X_ + (b_ if bias else 0.0))
        return A, X_ @ (A - Y_).T / m, np.asarray(np.sum(A - Y_) / m)

    def cost(A: Array) -> float:
        return -float(np.mean(Y_ * np.log(A) + (1 - Y_) * np.log(1 - A)))

    A, dw, db = grads()
    A0, dw0, db0 = grads(bias=False)
    return [
        (
            _d("missing_bias", "A = σ(wᵀX) ignores b: A = σ(wᵀX + b)", op),
            lambda: {"dw": dw0, "db": db0, "cost": cost(A0)},
        ),
        (
            _d("sign_flip", "dw and db have the wrong sign: dZ = A − Y, not Y − A", op),
            lambda: {"dw": -dw, "db": -db},
        ),
        (
            _d("missing_1_over_m", f"dw is missing the 1/m factor: m = {m} times too large", op),
            lambda: {"dw": dw * m},
        ),
        (
            _d(
                "wrong_m",
                f"dw divides by n_x = X.shape[0] = {X_.shape[0]} instead of m = X.shape[1] = {m}",
                op,
            ),
            lambda: {"dw": dw * m / X_.shape[0]},
        ),
        (
            _d("missing_1_over_m", f"db is missing the 1/m factor: m = {m} times too large", op),
            lambda: {"db": db * m},
        ),
        (
            _d(
                "missing_1_over_m",
                f"dw and db are missing the 1/m factor: m = {m} times too large",
                op,
            ),
            lambda: {"dw": dw * m, "db": db * m},
        ),
        (
            _d(
                "transposed_product",
                "dw is the transpose of the rule: (A − Y)·Xᵀ instead of X·(A − Y)ᵀ",
                op,
            ),
            lambda: {"dw": dw.T},
        ),
        (
            _d("missing_1_over_m", f"the cost is a sum, not a mean: m = {m} times too large", op),
            lambda: {"cost": cost(A) * m},
        ),
        (
            _d("sign_flip", "the cost has the wrong sign (the leading minus is missing)", op),
            lambda: {"cost": -cost(A)},
        ),
        (
            _d("missing_term", "the cost is missing the (1 − y)·log(1 − a) term", op),
            lambda: {"cost": -float(np.mean(Y_ * np.log(A)))},
        ),
    ]


def init_diagnosis(params: Mapping[str, Any]) -> Diagnosis | None:
    """Zero or identical-row initialisation of any W[l] with more than one row, else None."""
    for key in sorted(params):
        W = np.asarray(params[key])
        if not (key.startswith("W") and W.ndim == 2 and W.shape[0] > 1):
            continue
        if not np.any(W):
            return _d(
                "zero_init",
                f"{key} is all zeros: every unit of the layer computes the same thing and gets the "
                "same gradient, so symmetry is never broken — use np.random.randn(...)·0.01; "
                "see `nncheck claims symmetry-persists`",
                "init",
            )
        if len(np.unique(W, axis=0)) < W.shape[0]:
            return _d(
                "identical_rows",
                f"{key} has identical rows: those units stay identical forever (symmetry is not "
                "broken) — draw every entry independently with np.random.randn(n[l], n[l−1]); "
                "see `nncheck claims symmetry-persists`",
                "init",
            )
    return None


# ---------------------------------------------------------------------------- gradient checking


CHECKER_FORMULA = (
    "gradapprox[i] = (J(θ + ε·eᵢ) − J(θ − ε·eᵢ)) / (2ε); "
    "difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)"
)
"""The formula of the course's gradient check (quoted by a checker's diagnoses)."""


def _difference(grad: Array, approx: Array) -> float:
    den = float(np.linalg.norm(grad) + np.linalg.norm(approx))
    return float(np.linalg.norm(grad - approx)) / den if den else 0.0


def checker_mutants(
    right: Array, probes: Mapping[str, Array], offset: float, key: str = "difference"
) -> list[Mutant]:
    """Mistakes of a gradient checker, as the differences it reports for each probe.

    ``right`` is the true gradient as one vector (what a right gradapprox is, to ~1e-7);
    ``probes`` maps a name to the gradient vector handed to the checker (``"right"`` among them);
    ``offset`` is the change of J per unit change of every entry of X at once, Σ dJ/dX (what
    perturbing the data adds to every entry of gradapprox). Outputs are keyed
    ``"{key}[{probe}]"``.
    """
    g = np.asarray(right, dtype=np.float64).reshape(-1)
    P = {name: np.asarray(v, dtype=np.float64).reshape(-1) for name, v in probes.items()}
    op = CHECKER_FORMULA

    def reported(approx: Array) -> dict[str, Any]:
        return {f"{key}[{name}]": _difference(v, approx) for name, v in P.items()}

    return [
        (
            Diagnosis(
                "checker_perturbs_X",
                "the checker perturbs the data X as well as θ (forward_propagation_n(X + ε, …)): "
                f"every entry of gradapprox is off by the same {offset:.3g} (Σ dJ/dX) — perturb "
                "only thetaplus[i] / thetaminus[i] and pass X unchanged",
                op,
            ),
            lambda: reported(g + offset),
        ),
        (
            Diagnosis(
                "checker_perturbs_X",
                "the checker perturbs the data X instead of θ: every entry of gradapprox is the "
                f"same {offset:.3g} (Σ dJ/dX), whatever the parameter — perturb thetaplus[i] and "
                "thetaminus[i], and pass X unchanged",
                op,
            ),
            lambda: reported(np.full_like(g, offset)),
        ),
        (
            Diagnosis(
                "checker_swapped_J",
                "J_plus and J_minus are swapped: gradapprox = (J(θ − ε) − J(θ + ε)) / (2ε) = "
                "−gradient, so right gradients get a difference of exactly 1 (and negated ones "
                "0) — gradapprox[i] = (J_plus[i] − J_minus[i]) / (2ε)",
                op,
            ),
            lambda: reported(-g),
        ),
        (
            Diagnosis(
                "checker_same_J",
                "θ + ε and θ − ε give the same J: gradapprox is 0, so every difference is "
                "exactly 1 — J_plus must be computed at thetaplus and J_minus at thetaminus, "
                "each a fresh np.copy of θ with only entry i moved",
                op,
            ),
            lambda: reported(np.zeros_like(g)),
        ),
        (
            Diagnosis(
                "gradapprox_factor_2",
                "gradapprox is twice the gradient (‖g − 2g‖ / (‖g‖ + ‖2g‖) = 1/3): divide "
                "J⁺ − J⁻ by 2ε, not ε",
                op,
            ),
            lambda: reported(2 * g),
        ),
        (
            Diagnosis(
                "gradapprox_factor_2",
                "gradapprox is half the gradient (1/3 for right gradients): divide J⁺ − J⁻ by "
                "2ε, not 4ε, and make θ⁺ and θ⁻ fresh copies of θ (np.copy) for every i so that "
                "J⁻ is taken at θ − ε·eᵢ",
                op,
            ),
            lambda: reported(g / 2),
        ),
    ]
