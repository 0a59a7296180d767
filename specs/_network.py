"""Specs of whole networks: initialisation (the symmetry argument) and L-layer backprop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ._common import element_matrix, n_prev
from ._matrix import Derivation, MatrixSpec
from ._scalar import CROSS_ENTROPY_LOSS, SIGMOID, ScalarSpec, activation_spec, y, y_hat, z


def _forward(
    params: Mapping[str, Any], X: Any, L: int, g: ScalarSpec
) -> tuple[list[Any], list[Any]]:
    """Symbolic forward pass; returns ([A0, …, AL], [Z1, …, ZL])."""
    As, Zs = [X], []
    for l in range(1, L + 1):
        act = g if l < L else SIGMOID
        Zl = params[f"W{l}"] * As[-1] + params[f"b{l}"] * sp.ones(1, X.shape[1])
        Zs.append(Zl)
        As.append(Zl.applyfunc(sp.Lambda(z, act.expr)))
    return As, Zs


def _cost(AL: Any, Y: Any) -> Any:
    mm = AL.shape[1]
    return (
        sum(
            CROSS_ENTROPY_LOSS.expr.subs({y_hat: AL[i, j], y: Y[i, j]}, simultaneous=True)
            for i in range(AL.shape[0])
            for j in range(mm)
        )
        / mm
    )


def _backprop(
    params: Mapping[str, Any], As: Sequence[Any], Zs: Sequence[Any], Y: Any, g: ScalarSpec
) -> dict[str, Any]:
    """The notes' backward pass, written with their closed forms."""
    L, mm = len(Zs), Y.shape[1]
    gp = sp.Lambda(z, g.notes_derivative)
    grads: dict[str, Any] = {}
    dZl = As[L] - Y  # dZ[L] = AL − Y (sigmoid output, cross-entropy)
    for l in range(L, 0, -1):
        if l < L:
            dZl = grads[f"dA{l}"].multiply_elementwise(Zs[l - 1].applyfunc(gp))
        grads[f"dW{l}"] = dZl * As[l - 1].T / mm
        grads[f"db{l}"] = dZl * sp.ones(mm, 1) / mm
        grads[f"dA{l - 1}"] = params[f"W{l}"].T * dZl
    return grads


def _params(layer_dims: Sequence[int]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = element_matrix(f"W{l}", layer_dims[l], layer_dims[l - 1])
        params[f"b{l}"] = element_matrix(f"b{l}", layer_dims[l], 1)
    return params


def _check(layer_dims: Sequence[int], mm: int) -> None:
    if len(layer_dims) < 2 or any(n < 1 or n > 4 for n in layer_dims) or not 1 <= mm <= 4:
        raise ValueError(
            f"derivations run at small sizes: 2+ widths in 1..4 and 1 ≤ m ≤ 4, got "
            f"{list(layer_dims)}, m={mm}"
        )


@dataclass(frozen=True, eq=False)
class DeepNetworkSpec(MatrixSpec):
    """[LINEAR → g]×(L−1) → LINEAR → SIGMOID with cross-entropy cost, and its backprop."""

    def derive(
        self, layer_dims: Sequence[int] = (2, 2, 1), m: int = 2, hidden: str = "tanh"
    ) -> Derivation:
        """Differentiate the whole cost J(W1, b1, …) by every parameter; compare with backprop."""
        dims = [int(n) for n in layer_dims]
        _check(dims, m)
        g = activation_spec(hidden)
        params = _params(dims)
        X, Y = element_matrix("X", dims[0], m), element_matrix("Y", dims[-1], m)
        As, Zs = _forward(params, X, len(dims) - 1, g)
        J = _cost(As[-1], Y)
        derived = {f"d{k}": v.applyfunc(lambda e: sp.diff(J, e)) for k, v in params.items()}
        closed_all = _backprop(params, As, Zs, Y, g)
        closed = {k: closed_all[k] for k in derived}
        return Derivation(
            self.name,
            {"L": len(dims) - 1, "m": m, **{f"n{l}": n for l, n in enumerate(dims)}},
            f"J = (1/m) Σ L(AL, Y) of the whole {hidden} network, differentiated by every "
            "W and b element",
            derived,
            closed,
            exact=False,
        )


@dataclass(frozen=True, eq=False)
class InitializationSpec(MatrixSpec):
    """W[l] random and small, never two equal rows; b[l] may be zero."""

    scales: Mapping[str, Any] = field(
        default_factory=lambda: {
            "small": sp.Rational(1, 100),
            "he": sp.sqrt(2 / n_prev),
            "xavier": sp.sqrt(1 / n_prev),
            "zeros": sp.Integer(0),
        }
    )

    def scale(self, method: str, fan_in: int) -> float:
        """The factor multiplying randn(n[l], n[l−1]) for ``method`` with n[l−1] = fan_in."""
        if method not in self.scales:
            raise KeyError(f"unknown init method {method!r}; expected one of {list(self.scales)}")
        return float(self.scales[method].subs(n_prev, fan_in))

    def derive(
        self, layer_dims: Sequence[int] = (2, 3, 1), m: int = 2, hidden: str = "tanh"
    ) -> Derivation:
        """Symmetric start (equal rows of W1, equal b1, equal columns of W2): equal gradients.

        ``derived`` holds the true gradients of J at that start; ``closed`` holds copies of
        hidden unit 1's — they agree, so one gradient-descent step keeps the units identical,
        and by induction every step does.
        """
        dims = [int(n) for n in layer_dims]
        _check(dims, m)
        if len(dims) != 3:
            raise ValueError(f"the symmetry derivation uses one hidden layer, got {dims}")
        n0, n1, n2 = dims
        g = activation_spec(hidden)
        row = [sp.Symbol(f"w_{k + 1}", real=True) for k in range(n0)]
        col = [sp.Symbol(f"v_{k + 1}", real=True) for k in range(n2)]
        c = sp.Symbol("c", real=True)
        params = {
            "W1": sp.Matrix(n1, n0, lambda i, k: row[k]),
            "b1": sp.Matrix(n1, 1, lambda i, k: c),
            "W2": sp.Matrix(n2, n1, lambda i, k: col[i]),
            "b2": element_matrix("b2", n2, 1),
        }
        X, Y = element_matrix("X", n0, m), element_matrix("Y", n2, m)
        # d/dθ of J at the symmetric point: differentiate with free symbols, then substitute.
        free = _params(dims)
        As_f, _ = _forward(free, X, 2, g)
        J_free = _cost(As_f[-1], Y)
        point = {free[k][i]: params[k][i] for k in free for i in range(len(free[k]))}
        grads = {
            f"d{k}": free[k].applyfunc(lambda e: sp.diff(J_free, e).subs(point))
            for k in ("W1", "b1", "W2")
        }
        closed = {
            "dW1": sp.Matrix(n1, n0, lambda i, k: grads["dW1"][0, k]),
            "db1": sp.Matrix(n1, 1, lambda i, k: grads["db1"][0, 0]),
            "dW2": sp.Matrix(n2, n1, lambda i, k: grads["dW2"][i, 0]),
        }
        return Derivation(
            self.name,
            {"n0": n0, "n1": n1, "n2": n2, "m": m},
            "gradients of J at a symmetric start, compared with copies of hidden unit 1's",
            grads,
            closed,
        )
