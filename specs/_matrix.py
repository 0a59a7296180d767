"""Matrix specs: the vectorised formulas of the notes, with gradients derived by SymPy.

Every spec states its closed forms over ``MatrixSymbol``s with symbolic shapes (n_l, n_prev, m)
— that is the dimension rule — and can ``derive`` its gradients at small concrete sizes: build
the scalar cost from element symbols, differentiate it element by element, and compare with the
closed forms evaluated on the same elements. ``Derivation.holds()`` says whether they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy as sp

from ._common import FloatArray, element_matrix, is_zero, m, n_l, n_prev
from ._scalar import (
    CROSS_ENTROPY_LOSS,
    SIGMOID,
    ScalarSpec,
    activation_spec,
    y,
    y_hat,
    z,
)

FORWARD_SECTION = "Forward and backward propagation"
DIMENSIONS_SECTION = "Getting your matrix dimensions right"

# MatrixSymbols with the notes' names and symbolic shapes: the dimension rules, in SymPy.
W = sp.MatrixSymbol("W", n_l, n_prev)
b = sp.MatrixSymbol("b", n_l, 1)
A_prev = sp.MatrixSymbol("A_prev", n_prev, m)
Z = sp.MatrixSymbol("Z", n_l, m)
A = sp.MatrixSymbol("A", n_l, m)
dZ = sp.MatrixSymbol("dZ", n_l, m)
dA = sp.MatrixSymbol("dA", n_l, m)
dW = sp.MatrixSymbol("dW", n_l, n_prev)
db = sp.MatrixSymbol("db", n_l, 1)
dA_prev = sp.MatrixSymbol("dA_prev", n_prev, m)


@dataclass(frozen=True, eq=False)
class Derivation:
    """Gradients derived by SymPy next to the closed forms, at concrete sizes.

    ``derived[k]`` and ``closed[k]`` are explicit SymPy matrices of the same shape; ``how``
    says which scalar was differentiated.
    """

    spec: str
    sizes: Mapping[str, int]
    how: str
    derived: Mapping[str, Any]
    closed: Mapping[str, Any]
    exact: bool = True
    """False: equality is checked at random points to 60 digits only (see ``is_zero``)."""

    def mismatches(self) -> list[str]:
        """Names whose derived and closed forms differ (shape or any element)."""
        bad: list[str] = []
        for key, d in self.derived.items():
            c = self.closed[key]
            if d.shape != c.shape or not all(is_zero(e, exact=self.exact) for e in (d - c)):
                bad.append(key)
        return bad

    def holds(self) -> bool:
        """True when every derived gradient equals its closed form."""
        return not self.mismatches()


def _bind(symbols: Sequence[Any], arrays: Sequence[Any], spec: str) -> dict[Any, int]:
    """Solve the symbolic shapes of ``symbols`` for the dims of ``arrays``, or explain."""
    binding: dict[Any, int] = {}
    for sym, arr in zip(symbols, arrays, strict=True):
        shape = np.shape(arr)
        want = tuple(sym.shape)
        rule = f"{sym.name}: ({', '.join(str(d) for d in want)})"
        if len(shape) != 2:
            raise ValueError(f"{spec}: {sym.name} has shape {shape}; the rule {rule} needs 2-D")
        for d, k in zip(want, shape, strict=True):
            if d.is_Symbol:
                if binding.setdefault(d, k) != k:
                    raise ValueError(
                        f"{spec}: {sym.name} has shape {shape}, but {d} = {binding[d]} "
                        f"from the other arrays (rule {rule})"
                    )
            elif int(d) != k:
                raise ValueError(f"{spec}: {sym.name} has shape {shape}; the rule {rule}")
    return binding


def lambdify_matrix(
    inputs: Sequence[Any], outputs: Mapping[str, Any], spec: str
) -> Callable[..., dict[str, FloatArray]]:
    """Lambdify MatrixSymbol closed forms (``modules="numpy"``); dims come from the arrays."""
    dims = sorted({d for s in inputs for d in s.shape if getattr(d, "is_Symbol", False)}, key=str)
    f = sp.lambdify((*inputs, *dims), list(outputs.values()), modules="numpy")

    def call(*arrays: npt.ArrayLike) -> dict[str, FloatArray]:
        if len(arrays) != len(inputs):
            names = ", ".join(s.name for s in inputs)
            raise TypeError(f"{spec} takes {len(inputs)} arrays ({names}), got {len(arrays)}")
        arrs = [np.asarray(a, dtype=np.float64) for a in arrays]
        binding = _bind(inputs, arrs, spec)
        values = f(*arrs, *[binding[d] for d in dims])
        return {k: np.asarray(v, dtype=np.float64) for k, v in zip(outputs, values, strict=True)}

    return call


def _explicit(expr: Any, values: Mapping[Any, Any], sizes: Mapping[Any, int]) -> Any:
    """A MatrixExpr at concrete sizes with its MatrixSymbols replaced by element matrices."""
    e = expr.subs(dict(sizes))
    for sym, val in values.items():
        e = e.subs(sym.subs(dict(sizes)), sp.ImmutableMatrix(val))
    return sp.Matrix(e.doit().as_explicit())


def _check_sizes(sizes: Mapping[str, int]) -> None:
    for k, v in sizes.items():
        if not isinstance(v, int) or v < 1 or v > 6:
            raise ValueError(f"{k} = {v!r}: derivations run at small concrete sizes, 1 ≤ {k} ≤ 6")


@dataclass(frozen=True, eq=False)
class MatrixSpec:
    """Common fields of the matrix specs: name, section, plain-text and LaTeX formulas.

    ``formulas`` maps each output to its plain-text formula (quoted in user-facing messages);
    ``shapes`` maps each array to its symbolic shape (the dimension rules); ``domain`` says
    where the formulas hold and where they have kinks.
    """

    name: str
    section: str
    formula: str
    formulas: Mapping[str, str]
    latex_lines: tuple[str, ...]
    shapes: Mapping[str, tuple[Any, ...]]
    domain: str = "all real entries; no kinks (linear)"
    """Where the formulas hold and where they are not differentiable, in words."""

    def latex(self) -> str:
        """The formulas in LaTeX, one per line."""
        return "\n".join(self.latex_lines)

    def derive(self, *args: Any, **kwargs: Any) -> Derivation:  # pragma: no cover
        raise NotImplementedError(f"{self.name} has no derivation")


def _shape_map(*syms: Any) -> dict[str, tuple[Any, ...]]:
    return {s.name: tuple(s.shape) for s in syms}


@dataclass(frozen=True, eq=False)
class LinearForwardSpec(MatrixSpec):
    """Z[l] = W[l]·A[l−1] + b[l] (b broadcast over the m columns)."""

    inputs: tuple[Any, ...] = (A_prev, W, b)
    outputs: Mapping[str, Any] = field(
        default_factory=lambda: {"Z": W * A_prev + b * sp.OneMatrix(1, m)}
    )

    def numpy(self) -> Callable[..., dict[str, FloatArray]]:
        """(A_prev, W, b) ↦ {"Z": W·A_prev + b}, lambdified."""
        return lambdify_matrix(self.inputs, self.outputs, self.name)

    def derive(self, n_l: int = 3, n_prev: int = 2, m: int = 4) -> Derivation:
        """Vectorisation: column i of Z is the per-example z⁽ⁱ⁾ = W·a⁽ⁱ⁾ + b."""
        _check_sizes({"n_l": n_l, "n_prev": n_prev, "m": m})
        Wv, bv, Av = (
            element_matrix("W", n_l, n_prev),
            element_matrix("b", n_l, 1),
            element_matrix("A", n_prev, m),
        )
        per_example = sp.Matrix.hstack(*[Wv * Av[:, i] + bv for i in range(m)])
        sizes = _sizes(n_l, n_prev, m)
        closed = _explicit(self.outputs["Z"], {W: Wv, b: bv, A_prev: Av}, sizes)
        return Derivation(
            self.name,
            {"n_l": n_l, "n_prev": n_prev, "m": m},
            "stacked the per-example z⁽ⁱ⁾ = W·a⁽ⁱ⁾ + b as columns",
            {"Z": per_example},
            {"Z": closed},
        )


def _sizes(nl: int, npv: int, mm: int) -> dict[Any, int]:
    return {n_l: nl, n_prev: npv, m: mm}


@dataclass(frozen=True, eq=False)
class LinearBackwardSpec(MatrixSpec):
    """dW = (1/m) dZ·A_prevᵀ, db = (1/m) Σ_columns dZ, dA_prev = Wᵀ·dZ."""

    inputs: tuple[Any, ...] = (dZ, A_prev, W)
    outputs: Mapping[str, Any] = field(
        default_factory=lambda: {
            "dA_prev": W.T * dZ,
            "dW": dZ * A_prev.T / m,
            "db": dZ * sp.OneMatrix(m, 1) / m,
        }
    )

    def numpy(self) -> Callable[..., dict[str, FloatArray]]:
        """(dZ, A_prev, W) ↦ {"dA_prev", "dW", "db"}, lambdified."""
        return lambdify_matrix(self.inputs, self.outputs, self.name)

    def derive(self, n_l: int = 2, n_prev: int = 3, m: int = 2) -> Derivation:
        """Differentiate J = (1/m) Σᵢⱼ dZᵢⱼ·Zᵢⱼ(W, b, A_prev) with dZ held constant.

        That J has ∂J/∂Z = dZ/m, which is all the chain rule uses of any cost with per-example
        dZ = dL/dZ; so ∂J/∂W, ∂J/∂b and m·∂J/∂A_prev are the true dW, db and dA_prev.
        """
        _check_sizes({"n_l": n_l, "n_prev": n_prev, "m": m})
        Wv, bv = element_matrix("W", n_l, n_prev), element_matrix("b", n_l, 1)
        Av, dZv = element_matrix("A", n_prev, m), element_matrix("dZ", n_l, m)
        Zv = Wv * Av + bv * sp.ones(1, m)
        J = sum(dZv[i, j] * Zv[i, j] for i in range(n_l) for j in range(m)) / m
        derived = {
            "dA_prev": sp.Matrix(n_prev, m, lambda i, j: m * sp.diff(J, Av[i, j])),
            "dW": sp.Matrix(n_l, n_prev, lambda i, j: sp.diff(J, Wv[i, j])),
            "db": sp.Matrix(n_l, 1, lambda i, j: sp.diff(J, bv[i, j])),
        }
        vals = {W: Wv, A_prev: Av, dZ: dZv}
        sizes = _sizes(n_l, n_prev, m)
        closed = {k: _explicit(e, vals, sizes) for k, e in self.outputs.items()}
        return Derivation(
            self.name,
            {"n_l": n_l, "n_prev": n_prev, "m": m},
            "J = (1/m) Σ dZ∘Z(W, b, A_prev), dZ constant: dW = ∂J/∂W, db = ∂J/∂b, "
            "dA_prev = m·∂J/∂A_prev",
            derived,
            closed,
        )


@dataclass(frozen=True, eq=False)
class ActivationForwardSpec(MatrixSpec):
    """A[l] = g(Z[l]) elementwise; ``activation`` None means any g (a SymPy Function)."""

    activation: ScalarSpec | None = None

    def with_activation(self, activation: str | ScalarSpec) -> ActivationForwardSpec:
        """This spec with a concrete g (e.g. "relu")."""
        return activation_forward_spec(activation)

    def numpy(
        self, activation: str | ScalarSpec | None = None
    ) -> Callable[..., dict[str, FloatArray]]:
        """Z ↦ {"A": g(Z)}, g lambdified from its spec."""
        g = _concrete(self.activation, activation, self.name)
        f = g.numpy()

        def call(Z: npt.ArrayLike) -> dict[str, FloatArray]:
            return {"A": f(Z)}

        return call

    def derive(self, n_l: int = 2, m: int = 3) -> Derivation:
        """Elementwise: A_ij = g(Z_ij) at every element (g generic unless chosen)."""
        _check_sizes({"n_l": n_l, "m": m})
        Zv = element_matrix("Z", n_l, m)
        g = _g(self.activation)
        derived = sp.Matrix(n_l, m, lambda i, j: g(Zv[i, j]))
        closed = Zv.applyfunc(g)
        return Derivation(
            self.name,
            {"n_l": n_l, "m": m},
            "A = g(Z) element by element",
            {"A": derived},
            {"A": closed},
        )


@dataclass(frozen=True, eq=False)
class ActivationBackwardSpec(MatrixSpec):
    """dZ[l] = dA[l] ∗ g′(Z[l]) (elementwise), g′ taken at Z — not at A."""

    activation: ScalarSpec | None = None

    def with_activation(self, activation: str | ScalarSpec) -> ActivationBackwardSpec:
        """This spec with a concrete g (e.g. "relu")."""
        return activation_backward_spec(activation)

    def numpy(
        self, activation: str | ScalarSpec | None = None
    ) -> Callable[..., dict[str, FloatArray]]:
        """(dA, Z) ↦ {"dZ": dA ∗ g′(Z)}, g′ lambdified from the SymPy derivative."""
        g = _concrete(self.activation, activation, self.name)
        gprime = g.numpy_derivative()

        def call(dA: npt.ArrayLike, Z: npt.ArrayLike) -> dict[str, FloatArray]:
            dA_arr = np.asarray(dA, dtype=np.float64)
            Z_arr = np.asarray(Z, dtype=np.float64)
            if dA_arr.shape != Z_arr.shape:
                raise ValueError(
                    f"{self.name}: dA has shape {dA_arr.shape} but Z has shape {Z_arr.shape}; "
                    "the rule dA[l], Z[l]: (n[l], m) needs them equal"
                )
            return {"dZ": dA_arr * gprime(Z_arr)}

        return call

    def derive(self, n_l: int = 2, m: int = 2) -> Derivation:
        """Differentiate J = (1/m) Σᵢⱼ dAᵢⱼ·g(Zᵢⱼ) with dA constant: dZ = m·∂J/∂Z.

        With a concrete g the closed form uses the notes' g′ (e.g. σ(1 − σ)); with the generic
        g it is the chain rule itself.
        """
        _check_sizes({"n_l": n_l, "m": m})
        Zv, dAv = element_matrix("Z", n_l, m), element_matrix("dA", n_l, m)
        g = _g(self.activation)
        J = sum(dAv[i, j] * g(Zv[i, j]) for i in range(n_l) for j in range(m)) / m
        derived = sp.Matrix(n_l, m, lambda i, j: m * sp.diff(J, Zv[i, j]))
        if self.activation is None:
            gp = sp.Lambda(z, sp.diff(g(z), z))
        else:
            gp = sp.Lambda(z, self.activation.notes_derivative)
        closed = sp.Matrix(n_l, m, lambda i, j: dAv[i, j] * gp(Zv[i, j]))
        return Derivation(
            self.name,
            {"n_l": n_l, "m": m},
            "J = (1/m) Σ dA∘g(Z), dA constant: dZ = m·∂J/∂Z",
            {"dZ": derived},
            {"dZ": closed},
        )


def _g(activation: ScalarSpec | None) -> Any:
    if activation is None:
        return sp.Function("g")
    return sp.Lambda(z, activation.expr)


def _concrete(own: ScalarSpec | None, given: str | ScalarSpec | None, spec: str) -> ScalarSpec:
    if given is not None:
        return activation_spec(given)
    if own is None:
        raise ValueError(
            f"{spec} is stated for any activation g; choose one to evaluate it, e.g. "
            f"get_spec({spec!r}).numpy(activation='relu')"
        )
    return own


def _activation_domain(g: ScalarSpec | None) -> str:
    if g is None:
        return "all real Z; not differentiable where g has a kink (ReLU, leaky ReLU: Z = 0)"
    if not g.kinks:
        return f"all real Z; {g.name} is smooth"
    return f"all real Z; not differentiable where Z = {', '.join(str(k) for k in g.kinks)}"


def activation_forward_spec(activation: str | ScalarSpec | None = None) -> ActivationForwardSpec:
    """A[l] = g(Z[l]) for a named activation, or for any g when ``activation`` is None."""
    g = None if activation is None else activation_spec(activation)
    gname = "g" if g is None else g.name
    return ActivationForwardSpec(
        name="activation_forward",
        section=FORWARD_SECTION,
        formula=f"A[l] = {gname}(Z[l])",
        formulas={"A": f"A[l] = {gname}(Z[l]), elementwise"},
        latex_lines=(f"A^{{[l]}} = {gname}\\left(Z^{{[l]}}\\right)",),
        shapes=_shape_map(Z, A),
        domain=_activation_domain(g),
        activation=g,
    )


def activation_backward_spec(
    activation: str | ScalarSpec | None = None,
) -> ActivationBackwardSpec:
    """dZ[l] = dA[l] ∗ g′(Z[l]) for a named activation, or for any g when None."""
    g = None if activation is None else activation_spec(activation)
    gname = "g" if g is None else g.name
    return ActivationBackwardSpec(
        name="activation_backward",
        section=FORWARD_SECTION,
        formula=f"dZ[l] = dA[l] ∗ {gname}′(Z[l])",
        formulas={"dZ": f"dZ[l] = dA[l] ∗ {gname}′(Z[l]) (elementwise; g′ at Z, not at A)"},
        latex_lines=(f"dZ^{{[l]}} = dA^{{[l]}} \\ast {gname}'\\left(Z^{{[l]}}\\right)",),
        shapes=_shape_map(dA, Z, dZ),
        domain=_activation_domain(g),
        activation=g,
    )


@dataclass(frozen=True, eq=False)
class CostSpec(MatrixSpec):
    """J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) for a loss L (cross-entropy in the registry)."""

    loss: ScalarSpec = CROSS_ENTROPY_LOSS

    def numpy(self) -> Callable[..., dict[str, FloatArray]]:
        """(Y_hat, Y) ↦ {"J": (1/m)·Σ L, "dY_hat": L′/m}; m = number of columns."""
        L, dL = self.loss.numpy(), self.loss.numpy_derivative()

        def call(Y_hat: npt.ArrayLike, Y: npt.ArrayLike) -> dict[str, FloatArray]:
            Yh, Yv = np.asarray(Y_hat, dtype=np.float64), np.asarray(Y, dtype=np.float64)
            if Yh.shape != Yv.shape or Yh.ndim != 2:
                raise ValueError(
                    f"{self.name}: Y_hat {Yh.shape} and Y {Yv.shape} must both be (1, m)"
                )
            mm = Yh.shape[1]
            return {"J": np.asarray(np.sum(L(Yh, Yv)) / mm), "dY_hat": dL(Yh, Yv) / mm}

        return call

    def derive(self, m: int = 3) -> Derivation:
        """Differentiate J at m examples: ∂J/∂ŷ⁽ⁱ⁾ = (1/m)·L′(ŷ⁽ⁱ⁾, y⁽ⁱ⁾)."""
        _check_sizes({"m": m})
        Yh, Yv = element_matrix("Y_hat", 1, m), element_matrix("Y", 1, m)
        terms = [
            self.loss.expr.subs({y_hat: Yh[0, j], y: Yv[0, j]}, simultaneous=True) for j in range(m)
        ]
        J = sum(terms) / m
        derived = sp.Matrix(1, m, lambda i, j: sp.diff(J, Yh[0, j]))
        closed = sp.Matrix(
            1,
            m,
            lambda i, j: (
                self.loss.notes_derivative.subs({y_hat: Yh[0, j], y: Yv[0, j]}, simultaneous=True)
                / m
            ),
        )
        return Derivation(
            self.name, {"m": m}, "J = (1/m) Σ L, ∂J/∂ŷ⁽ⁱ⁾", {"dY_hat": derived}, {"dY_hat": closed}
        )


# Logistic regression: MatrixSymbols of its own (n_x inputs, one output, scalar b).
n_x = sp.Symbol("n_x", positive=True, integer=True)
w_ = sp.MatrixSymbol("w", n_x, 1)
b_ = sp.MatrixSymbol("b", 1, 1)
X_ = sp.MatrixSymbol("X", n_x, m)
Y_ = sp.MatrixSymbol("Y", 1, m)
A_ = sp.MatrixSymbol("A", 1, m)


@dataclass(frozen=True, eq=False)
class LogisticRegressionSpec(MatrixSpec):
    """ŷ = a = σ(wᵀx + b); J = (1/m) Σ L(a⁽ⁱ⁾, y⁽ⁱ⁾); dw = (1/m) X(A − Y)ᵀ; db = (1/m) Σ(A − Y)."""

    logits: Any = field(default_factory=lambda: w_.T * X_ + b_ * sp.OneMatrix(1, m))
    gradients: Mapping[str, Any] = field(
        default_factory=lambda: {
            "dw": X_ * (A_ - Y_).T / m,
            "db": (A_ - Y_) * sp.OneMatrix(m, 1) / m,
        }
    )

    def numpy(self) -> Callable[..., dict[str, FloatArray]]:
        """(w, b, X, Y) ↦ {"A", "J", "dw", "db"}: the lambdified logits, σ, L and gradients.

        ``b`` may be a scalar; it is treated as a (1, 1) matrix.
        """
        logits = lambdify_matrix((w_, b_, X_), {"Z": self.logits}, self.name)
        grads = lambdify_matrix((X_, Y_, A_), self.gradients, self.name)
        sig, L = SIGMOID.numpy(), CROSS_ENTROPY_LOSS.numpy()

        def call(
            w: npt.ArrayLike, b: npt.ArrayLike, X: npt.ArrayLike, Y: npt.ArrayLike
        ) -> dict[str, FloatArray]:
            Zv = logits(w, np.reshape(np.asarray(b, dtype=np.float64), (1, 1)), X)["Z"]
            Av = sig(Zv)
            out = grads(X, Y, Av)
            mm = Av.shape[1]
            return {"A": Av, "J": np.asarray(np.sum(L(Av, Y)) / mm), **out}

        return call

    def derive(self, n_x: int = 2, m: int = 3) -> Derivation:
        """Differentiate J(w, b) = (1/m) Σ L(σ(wᵀx⁽ⁱ⁾ + b), y⁽ⁱ⁾) by every w_k and b."""
        _check_sizes({"n_x": n_x, "m": m})
        wv, Xv, Yv = (
            element_matrix("w", n_x, 1),
            element_matrix("X", n_x, m),
            element_matrix("Y", 1, m),
        )
        bv = sp.Symbol("b", real=True)
        sig = sp.Lambda(z, SIGMOID.expr)
        Av = sp.Matrix(1, m, lambda i, j: sig((wv.T * Xv[:, j])[0, 0] + bv))
        J = (
            sum(
                CROSS_ENTROPY_LOSS.expr.subs({y_hat: Av[0, j], y: Yv[0, j]}, simultaneous=True)
                for j in range(m)
            )
            / m
        )
        derived = {
            "dw": sp.Matrix(n_x, 1, lambda i, j: sp.diff(J, wv[i, 0])),
            "db": sp.Matrix([[sp.diff(J, bv)]]),
        }
        values = {X_: Xv, Y_: Yv, A_: Av}
        closed = {
            k: _explicit(e, values, _logistic_sizes(n_x, m)) for k, e in self.gradients.items()
        }
        return Derivation(
            self.name,
            {"n_x": n_x, "m": m},
            "J(w, b) differentiated by every w_k and b",
            derived,
            closed,
        )


def _logistic_sizes(nx: int, mm: int) -> dict[Any, int]:
    return {n_x: nx, m: mm}


theta = sp.MatrixSymbol("theta", n_l, n_prev)
dtheta = sp.MatrixSymbol("dtheta", n_l, n_prev)
alpha = sp.Symbol("alpha", positive=True)


@dataclass(frozen=True, eq=False)
class GradientDescentSpec(MatrixSpec):
    """θ := θ − α·dJ/dθ for every parameter θ (W[l], b[l], w, b), learning rate α > 0."""

    def numpy(self) -> Callable[..., dict[str, FloatArray]]:
        """(theta, dtheta, alpha) ↦ {"theta": θ − α·dθ}, lambdified (any shape)."""
        t, g = sp.symbols("theta dtheta", real=True)
        f = sp.lambdify((t, g, alpha), t - alpha * g, modules="numpy")

        def call(
            theta: npt.ArrayLike, dtheta: npt.ArrayLike, learning_rate: float
        ) -> dict[str, FloatArray]:
            th, dth = np.asarray(theta, dtype=np.float64), np.asarray(dtheta, dtype=np.float64)
            if th.shape != dth.shape:
                raise ValueError(
                    f"{self.name}: dtheta has shape {dth.shape} but theta has {th.shape}; "
                    "a gradient has the shape of its parameter"
                )
            return {"theta": np.asarray(f(th, dth, learning_rate), dtype=np.float64)}

        return call

    def derive(self, p: int = 3) -> Derivation:
        """For any J(θ₁…θ_p): d/dα J(θ − α∇J)|α=0 = −‖∇J‖² ≤ 0, so the step goes downhill."""
        _check_sizes({"p": p})
        ts = sp.symbols(f"theta_1:{p + 1}", real=True)
        J = sp.Function("J")(*ts)
        grad = [sp.diff(J, t) for t in ts]
        a = sp.Symbol("a", real=True)
        moved = J.subs({t: t - a * g for t, g in zip(ts, grad, strict=True)}, simultaneous=True)
        slope = sp.diff(moved, a).subs(a, 0).doit()
        return Derivation(
            self.name,
            {"p": p},
            "d/dα J(θ − α∇J) at α = 0 for an arbitrary J",
            {"slope": sp.Matrix([[slope]])},
            {"slope": sp.Matrix([[-sum(g**2 for g in grad)]])},
        )


@dataclass(frozen=True, eq=False)
class DimensionRulesSpec(MatrixSpec):
    """W[l]: (n[l], n[l−1]), b[l]: (n[l], 1), Z, A, dZ, dA: (n[l], m), dW like W, db like b."""

    def shapes_for(self, layer_dims: Sequence[int], m_: int) -> dict[str, tuple[int, ...]]:
        """Concrete shapes of every array of a network [n[0], …, n[L]] on m examples."""
        if len(layer_dims) < 2 or any(int(n) < 1 for n in layer_dims) or m_ < 1:
            raise ValueError(
                f"layer_dims needs ≥ 2 widths ≥ 1 and m ≥ 1; got {list(layer_dims)}, m={m_}"
            )
        out: dict[str, tuple[int, ...]] = {"A0": (int(layer_dims[0]), m_)}
        for l in range(1, len(layer_dims)):
            binding = {n_l: int(layer_dims[l]), n_prev: int(layer_dims[l - 1]), m: m_}
            for key in ("W", "b", "Z", "A", "dZ", "dA", "dW", "db"):
                out[f"{key}{l}"] = tuple(int(d.subs(binding)) for d in self.shapes[key])
        return out

    def derive(self) -> Derivation:
        """Shapes of the products, computed by SymPy's matrix algebra, equal the rules."""
        Zexpr = W * A_prev + b * sp.OneMatrix(1, m)
        derived_shapes = {
            "Z": Zexpr.shape,
            "A": Zexpr.shape,  # g acts elementwise
            "dZ": sp.hadamard_product(dA, Z).shape,
            "dW": (dZ * A_prev.T).shape,
            "db": (dZ * sp.OneMatrix(m, 1)).shape,
            "dA_prev": (W.T * dZ).shape,
        }
        rule_keys = {"dA_prev": "A_prev"}
        return Derivation(
            self.name,
            {},
            "shapes of W·A_prev + b·1ᵀ, dA∘g′(Z), dZ·A_prevᵀ, dZ·1, Wᵀ·dZ",
            {k: sp.Matrix([list(s)]) for k, s in derived_shapes.items()},
            {k: sp.Matrix([list(self.shapes[rule_keys.get(k, k)])]) for k in derived_shapes},
        )
