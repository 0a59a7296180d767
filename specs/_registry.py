"""The registry of specs by name, the per-activation factories, and ``describe``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

import sympy as sp

from ._common import is_zero, m, n_l, n_prev
from ._matrix import (
    DIMENSIONS_SECTION,
    FORWARD_SECTION,
    A_prev,
    CostSpec,
    DimensionRulesSpec,
    GradientDescentSpec,
    LinearBackwardSpec,
    LinearForwardSpec,
    LogisticRegressionSpec,
    MatrixSpec,
    W,
    _shape_map,
    activation_backward_spec,
    activation_forward_spec,
    b,
    dA,
    dA_prev,
    db,
    dW,
    dZ,
)
from ._matrix import A as A_sym
from ._matrix import Z as Z_sym
from ._network import DeepNetworkSpec, InitializationSpec
from ._scalar import (
    ACTIVATION_SPECS,
    CROSS_ENTROPY_LOSS,
    SIGMOID_CROSS_ENTROPY,
    SQUARED_LOSS,
    ScalarSpec,
)

Spec: TypeAlias = ScalarSpec | MatrixSpec

_LAYER_SHAPES = _shape_map(W, b, A_prev, Z_sym, A_sym, dZ, dA, dW, db, dA_prev)


def cost_spec(loss: str | ScalarSpec = CROSS_ENTROPY_LOSS) -> CostSpec:
    """J = (1/m) Σ L for the given loss ("cross_entropy_loss" or "squared_loss")."""
    if isinstance(loss, str):
        losses = {s.name: s for s in (CROSS_ENTROPY_LOSS, SQUARED_LOSS)}
        if loss not in losses:
            raise KeyError(f"unknown loss {loss!r}; expected one of: {', '.join(losses)}")
        loss = losses[loss]
    return CostSpec(
        name="cost",
        section="Logistic regression cost function",
        formula="J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾)",
        formulas={
            "J": f"J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) with {loss.formula}",
            "dY_hat": "∂J/∂ŷ⁽ⁱ⁾ = (1/m) dL/dŷ(ŷ⁽ⁱ⁾, y⁽ⁱ⁾)",
        },
        latex_lines=(
            "J = \\frac{1}{m} \\sum_{i=1}^{m} \\mathcal{L}(\\hat{y}^{(i)}, y^{(i)})",
            loss.latex(),
        ),
        shapes={"Y_hat": (sp.Integer(1), m), "Y": (sp.Integer(1), m), "J": ()},
        domain=loss.domain,
        loss=loss,
    )


def _build() -> dict[str, Spec]:
    specs: dict[str, Spec] = dict(ACTIVATION_SPECS)
    specs["squared_loss"] = SQUARED_LOSS
    specs["cross_entropy_loss"] = CROSS_ENTROPY_LOSS
    specs["sigmoid_cross_entropy"] = SIGMOID_CROSS_ENTROPY
    specs["cost"] = cost_spec()
    specs["logistic_regression"] = LogisticRegressionSpec(
        name="logistic_regression",
        section="Logistic regression as a neural network",
        formula="ŷ = σ(wᵀx + b); dw = (1/m) X·(A − Y)ᵀ, db = (1/m) Σᵢ (a⁽ⁱ⁾ − y⁽ⁱ⁾)",
        formulas={
            "A": "A = σ(wᵀX + b)",
            "J": "J = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾)",
            "dw": "dw = (1/m) X·(A − Y)ᵀ",
            "db": "db = (1/m) Σᵢ (a⁽ⁱ⁾ − y⁽ⁱ⁾)",
        },
        latex_lines=(
            "\\hat{y} = \\sigma(w^T x + b)",
            "dw = \\frac{1}{m} X (A - Y)^T",
            "db = \\frac{1}{m} \\sum_{i=1}^{m} (a^{(i)} - y^{(i)})",
        ),
        shapes={
            "w": (sp.Symbol("n_x", positive=True, integer=True), sp.Integer(1)),
            "b": (sp.Integer(1), sp.Integer(1)),
            "X": (sp.Symbol("n_x", positive=True, integer=True), m),
            "Y": (sp.Integer(1), m),
            "A": (sp.Integer(1), m),
            "dw": (sp.Symbol("n_x", positive=True, integer=True), sp.Integer(1)),
            "db": (sp.Integer(1), sp.Integer(1)),
        },
        domain="labels y in {0, 1}; any real w, b, X (J from the logits is finite); smooth",
    )
    specs["gradient_descent_update"] = GradientDescentSpec(
        name="gradient_descent_update",
        section="Gradient descent",
        formula="θ := θ − α·dJ/dθ",
        formulas={"theta": "θ := θ − α·dJ/dθ (W[l] := W[l] − α·dW[l], b[l] := b[l] − α·db[l])"},
        latex_lines=("\\theta := \\theta - \\alpha \\frac{\\partial J}{\\partial \\theta}",),
        shapes={"theta": (n_l, n_prev), "dtheta": (n_l, n_prev)},
        domain="learning rate α > 0; dθ has the shape of θ",
    )
    specs["linear_forward"] = LinearForwardSpec(
        name="linear_forward",
        section=FORWARD_SECTION,
        formula="Z[l] = W[l]·A[l−1] + b[l]",
        formulas={"Z": "Z[l] = W[l]·A[l−1] + b[l] (b[l] broadcast over the m columns)"},
        latex_lines=("Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}",),
        shapes=_shape_map(W, b, A_prev, Z_sym),
    )
    specs["activation_forward"] = activation_forward_spec()
    specs["linear_backward"] = LinearBackwardSpec(
        name="linear_backward",
        section=FORWARD_SECTION,
        formula="dW[l] = (1/m) dZ[l]·A[l−1]ᵀ; db[l] = (1/m) Σ_columns dZ[l]; dA[l−1] = W[l]ᵀ·dZ[l]",
        formulas={
            "dW": "dW[l] = (1/m) dZ[l]·A[l−1]ᵀ",
            "db": "db[l] = (1/m) Σ_columns dZ[l] (np.sum(dZ, axis=1, keepdims=True) / m)",
            "dA_prev": "dA[l−1] = W[l]ᵀ·dZ[l]",
        },
        latex_lines=(
            "dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T}",
            "db^{[l]} = \\frac{1}{m} \\sum_{i=1}^{m} dZ^{[l](i)}",
            "dA^{[l-1]} = W^{[l]T} dZ^{[l]}",
        ),
        shapes=_shape_map(dZ, A_prev, W, dW, db, dA_prev),
    )
    specs["activation_backward"] = activation_backward_spec()
    specs["dimension_rules"] = DimensionRulesSpec(
        name="dimension_rules",
        section=DIMENSIONS_SECTION,
        formula=(
            "W[l]: (n[l], n[l−1]); b[l]: (n[l], 1); Z[l], A[l], dZ[l], dA[l]: (n[l], m); "
            "dW[l] like W[l]; db[l] like b[l]"
        ),
        formulas={
            "W": "W[l]: (n[l], n[l−1])",
            "b": "b[l]: (n[l], 1)",
            "Z": "Z[l]: (n[l], m)",
            "A": "A[l]: (n[l], m)",
            "dZ": "dZ[l]: (n[l], m)",
            "dA": "dA[l]: (n[l], m)",
            "dW": "dW[l]: like W[l], (n[l], n[l−1])",
            "db": "db[l]: like b[l], (n[l], 1)",
        },
        latex_lines=(
            "W^{[l]}: (n^{[l]}, n^{[l-1]}) \\quad b^{[l]}: (n^{[l]}, 1)",
            "Z^{[l]}, A^{[l]}, dZ^{[l]}, dA^{[l]}: (n^{[l]}, m)",
            "dW^{[l]}: (n^{[l]}, n^{[l-1]}) \\quad db^{[l]}: (n^{[l]}, 1)",
        ),
        shapes=_LAYER_SHAPES,
        domain="n[l], n[l−1], m: positive integers (m = 1 and n[l] = m included)",
    )
    specs["initialization"] = InitializationSpec(
        name="initialization",
        section="Random initialization",
        formula=(
            "W[l] = randn(n[l], n[l−1])·0.01 (or ·√(2/n[l−1]), He), never two equal rows; "
            "b[l] = zeros((n[l], 1)) is fine"
        ),
        formulas={
            "small": "W[l] = np.random.randn(n[l], n[l−1]) * 0.01",
            "he": "W[l] = np.random.randn(n[l], n[l−1]) * np.sqrt(2 / n[l−1])",
            "xavier": "W[l] = np.random.randn(n[l], n[l−1]) * np.sqrt(1 / n[l−1])",
            "zeros": "W[l] = 0: every hidden unit computes the same function forever",
            "b": "b[l] = np.zeros((n[l], 1))",
        },
        latex_lines=(
            "W^{[l]} \\sim 0.01\\,\\mathcal{N}(0, 1)^{n^{[l]} \\times n^{[l-1]}}",
            "W^{[l]} \\sim \\sqrt{2 / n^{[l-1]}}\\,\\mathcal{N}(0, 1)^{n^{[l]} \\times n^{[l-1]}}",
            "b^{[l]} = 0",
        ),
        shapes=_shape_map(W, b),
        domain="n[l−1] ≥ 1; W[l] must have no two equal rows (with equal b[l] entries)",
    )
    specs["deep_network"] = DeepNetworkSpec(
        name="deep_network",
        section="Forward propagation in a deep network",
        formula=(
            "[LINEAR → g]×(L−1) → LINEAR → SIGMOID; dZ[L] = A[L] − Y, then for l = L…1: "
            "dW[l], db[l], dA[l−1] by linear_backward and dZ[l−1] = dA[l−1] ∗ g′(Z[l−1])"
        ),
        formulas={
            "dZL": "dZ[L] = A[L] − Y",
            "dW": "dW[l] = (1/m) dZ[l]·A[l−1]ᵀ",
            "db": "db[l] = (1/m) Σ_columns dZ[l]",
            "dA": "dA[l−1] = W[l]ᵀ·dZ[l]",
            "dZ": "dZ[l] = dA[l] ∗ g′(Z[l])",
        },
        latex_lines=(
            "A^{[L]} = \\sigma(Z^{[L]}),\\; dZ^{[L]} = A^{[L]} - Y",
            "dZ^{[l]} = dA^{[l]} \\ast g'(Z^{[l]})",
        ),
        shapes=_LAYER_SHAPES,
        domain="labels y in {0, 1}; not differentiable where a hidden Z = 0 (ReLU, leaky ReLU)",
    )
    return specs


SPECS: Mapping[str, Spec] = MappingProxyType(_build())
"""Every spec by name (read-only)."""


def get_spec(name: str) -> Spec:
    """The spec called ``name``; ``KeyError`` naming the known specs otherwise."""
    try:
        return SPECS[name]
    except KeyError:
        known = ", ".join(SPECS)
        raise KeyError(f"no spec named {name!r}; known specs: {known}") from None


def _fmt(x: Any) -> str:
    text = str(x)
    if text.startswith("-") and not (flipped := sp.sstr(x, order="rev-lex")).startswith("-"):
        text = flipped  # σ(z) - y rather than -y + σ(z)
    return text.replace("**", "^")


def describe(spec: Spec | str) -> str:
    """A few lines for people: formula, derivative(s), domain, kinks and the notes' section."""
    s = get_spec(spec) if isinstance(spec, str) else spec
    lines = [f"{s.name} — {s.section}", f"  formula:    {s.formula}"]
    if isinstance(s, ScalarSpec):
        lines.append(f"  derivative: {s.derivative_formula}")
        lines.append(f"  d/d{s.wrt} (SymPy): {_fmt(s.derivative_short)}")
        lines.append(f"  domain:     {s.domain}")
        kinks = ", ".join(f"{s.wrt} = {k}" for k in s.kinks) or "none (smooth)"
        lines.append(f"  kinks:      {kinks}")
        for pname, value in s.parameters:
            lines.append(f"  {pname}:      {value}")
        return "\n".join(lines)
    for key, text in s.formulas.items():
        if text != s.formula:
            lines.append(f"  {key + ':':<11} {text}")
    lines.append(f"  domain:     {s.domain}")
    if s.shapes:
        shapes = ", ".join(
            f"{k}: ({', '.join(_fmt(d) for d in v)})" for k, v in s.shapes.items() if v
        )
        lines.append(f"  shapes:     {shapes}")
    return "\n".join(lines)


def verify(spec: Spec | str) -> tuple[bool, str]:
    """Check one spec with SymPy; returns (holds, a one-line account of what was checked).

    Scalar specs: the notes' derivative equals ``sympy.diff`` of the formula. Matrix specs:
    ``derive()`` at the default small sizes gives back the closed forms.
    """
    s = get_spec(spec) if isinstance(spec, str) else spec
    if isinstance(s, ScalarSpec):
        ok = is_zero(s.derivative - s.notes_derivative)
        return ok, f"{s.derivative_formula} {'equals' if ok else 'DIFFERS FROM'} sympy.diff"
    d = s.derive()
    bad = d.mismatches()
    sizes = ", ".join(f"{k}={v}" for k, v in d.sizes.items()) or "symbolic"
    how = "exactly" if d.exact else "at random points to 60 digits"
    if not bad:
        return True, f"derived by SymPy ({sizes}), equal to the closed forms {how}: {d.how}"
    return False, f"derived by SymPy ({sizes}): {', '.join(bad)} differ from the closed forms"


__all__ = [
    "SPECS",
    "Spec",
    "activation_backward_spec",
    "activation_forward_spec",
    "cost_spec",
    "describe",
    "get_spec",
    "verify",
]
