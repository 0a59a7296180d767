"""Elementwise scalar specs: the activations and the losses, with derived derivatives."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ._common import FloatArray, elementwise

z = sp.Symbol("z", real=True)
y_hat = sp.Symbol("y_hat", real=True)
y = sp.Symbol("y", real=True)

ACTIVATION_SECTION = "Activation functions"
DERIVATIVE_SECTION = "Derivatives of activation functions"
LOSS_SECTION = "Logistic regression cost function"


def _latex(expr: Any) -> str:
    names = {y_hat: "\\hat{y}", sigma_of(z): "\\sigma(z)"}
    return str(sp.latex(expr, symbol_names=names))


def sigma_of(wrt: Any) -> Any:
    """The symbol σ(wrt), standing for 1/(1 + e^(−wrt)) in short forms (see :func:`short_form`)."""
    return sp.Symbol(f"σ({wrt})", positive=True)


def short_form(expr: Any, wrt: Any) -> Any:
    """The shortest of a few forms of ``expr`` that SymPy shows equal to it.

    Candidates: as written, cancelled, and, where ``expr`` holds e^(−wrt), cancelled after
    writing e^(−wrt) = (1 − σ)/σ with σ = :func:`sigma_of` (wrt), the notes' way of writing
    sigmoid derivatives (σ(z)(1 − σ(z)), σ(z) − y). "Shortest" is the fewest SymPy operations
    (the earlier candidate on a tie), kept only when it also prints shorter than ``expr``.
    Cancelling (not ``sympy.simplify``) keeps this fast: milliseconds, not a second.
    """
    s = sigma_of(wrt)
    candidates = []
    if expr.has(sp.exp(-wrt)):
        in_sigma = sp.factor_terms(sp.cancel(expr.subs(sp.exp(-wrt), (1 - s) / s)))
        if not in_sigma.has(wrt):
            candidates.append(in_sigma)
    candidates += [expr, sp.factor_terms(sp.cancel(sp.together(expr)))]
    best = min(candidates, key=sp.count_ops)
    return best if len(str(best)) < len(str(expr)) else expr


def _kinks(expr: Any, wrt: Any) -> tuple[Any, ...]:
    """Points where ``expr`` is not differentiable: Piecewise boundaries with a jump in slope.

    Derived, not typed in: every boundary of a Piecewise condition is a candidate, and it is a
    kink when the derivative jumps there: its exact values at c ± 10⁻³⁰ differ by more than
    10⁻¹⁰ (a smooth derivative moves by about 10⁻³⁰·f″ across that gap).
    """
    candidates: set[Any] = set()
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            for rel in cond.atoms(sp.core.relational.Relational):
                candidates.update(sp.solve(sp.Eq(rel.lhs, rel.rhs), wrt))
    d = sp.diff(expr, wrt)
    delta = sp.Rational(1, 10**30)
    kinks = [
        c
        for c in candidates
        if c.is_real
        and abs(sp.N(d.subs(wrt, c - delta) - d.subs(wrt, c + delta), 40)) > sp.Float(1e-10)
    ]
    return tuple(sorted(kinks, key=float))


@dataclass(frozen=True)
class ScalarSpec:
    """An elementwise formula f(symbols) of the course notes, differentiated by SymPy.

    ``derivative`` is ``sympy.diff(expr, wrt)`` (a Piecewise where ``expr`` has kinks; at a
    kink it takes the value of the notes' convention, e.g. ReLU'(0) = 0). ``notes_derivative``
    is the derivative as the notes write it (e.g. σ(z)(1 − σ(z))); the tests prove the two
    equal. ``kinks`` are derived from ``expr``.
    """

    name: str
    section: str
    expr: Any
    symbols: tuple[Any, ...]
    wrt: Any
    formula: str
    derivative_formula: str
    domain: str
    domain_set: Any
    notes_derivative: Any
    latex_name: str
    parameters: tuple[tuple[str, Any], ...] = ()
    derivative: Any = field(init=False, compare=False)
    kinks: tuple[Any, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derivative", sp.diff(self.expr, self.wrt))
        object.__setattr__(self, "kinks", _kinks(self.expr, self.wrt))

    @functools.cached_property
    def derivative_short(self) -> Any:
        """``derivative`` in its shortest equal form, σ(z) written as a symbol (see
        :func:`short_form`): e.g. ``σ(z) - y`` for the cross-entropy of the logit."""
        return short_form(self.derivative, self.wrt)

    @property
    def arity(self) -> int:
        return len(self.symbols)

    def latex(self) -> str:
        """The formula in LaTeX, e.g. ``\\sigma(z) = \\frac{1}{1 + e^{- z}}``."""
        return f"{self.latex_name} = {_latex(self.expr)}"

    def derivative_latex(self) -> str:
        """∂f/∂wrt in LaTeX, from the derived derivative in its short form."""
        lhs = f"\\frac{{\\partial}}{{\\partial {_latex(self.wrt)}}} {self.latex_name}"
        return f"{lhs} = {_latex(self.derivative_short)}"

    def numpy(self) -> Callable[..., FloatArray]:
        """``expr`` lambdified with ``modules="numpy"``: elementwise, arguments in ``symbols``
        order."""
        return elementwise(self.expr, self.symbols)

    def numpy_derivative(self) -> Callable[..., FloatArray]:
        """``derivative`` lambdified likewise (same argument order)."""
        return elementwise(self.derivative, self.symbols)


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + sp.exp(-x))


SIGMOID = ScalarSpec(
    name="sigmoid",
    section=ACTIVATION_SECTION,
    expr=_sigmoid(z),
    symbols=(z,),
    wrt=z,
    formula="σ(z) = 1/(1+e^(−z))",
    derivative_formula="σ′(z) = σ(z)(1 − σ(z))",
    domain="all real z (values in (0, 1))",
    domain_set=sp.S.Reals,
    notes_derivative=_sigmoid(z) * (1 - _sigmoid(z)),
    latex_name="\\sigma(z)",
)

TANH = ScalarSpec(
    name="tanh",
    section=ACTIVATION_SECTION,
    expr=sp.tanh(z),
    symbols=(z,),
    wrt=z,
    formula="tanh(z) = (e^z − e^(−z))/(e^z + e^(−z))",
    derivative_formula="tanh′(z) = 1 − tanh(z)²",
    domain="all real z (values in (−1, 1))",
    domain_set=sp.S.Reals,
    notes_derivative=1 - sp.tanh(z) ** 2,
    latex_name="\\tanh(z)",
)

RELU = ScalarSpec(
    name="relu",
    section=ACTIVATION_SECTION,
    expr=sp.Piecewise((z, z > 0), (0, True)),
    symbols=(z,),
    wrt=z,
    formula="ReLU(z) = max(0, z)",
    derivative_formula="ReLU′(z) = 1 if z > 0 else 0 (0 at the kink z = 0, by convention)",
    domain="all real z; not differentiable at z = 0",
    domain_set=sp.S.Reals,
    notes_derivative=sp.Piecewise((1, z > 0), (0, True)),
    latex_name="\\operatorname{ReLU}(z)",
)

DEFAULT_LEAKY_SLOPE = sp.Rational(1, 100)


def leaky_relu_spec(slope: float | int | Any = DEFAULT_LEAKY_SLOPE) -> ScalarSpec:
    """Leaky ReLU z ↦ z if z > 0 else slope·z; the registry's has slope 0.01.

    ``slope`` is kept exact (0.01 becomes 1/100). Raises ``ValueError`` unless
    0 ≤ slope < 1 (slope 1 is the identity, and no kink).
    """
    a = sp.nsimplify(slope, rational=True)
    if not (a.is_number and a.is_real and 0 <= a < 1):
        raise ValueError(
            f"leaky ReLU slope must be a number in [0, 1), got {slope!r}; the notes use 0.01"
        )
    shown = f"{float(a):g}"
    return ScalarSpec(
        name="leaky_relu",
        section=ACTIVATION_SECTION,
        expr=sp.Piecewise((z, z > 0), (a * z, True)),
        symbols=(z,),
        wrt=z,
        formula=f"LeakyReLU(z) = max({shown}·z, z)",
        derivative_formula=(
            f"LeakyReLU′(z) = 1 if z > 0 else {shown} ({shown} at the kink z = 0, by convention)"
        ),
        domain="all real z; not differentiable at z = 0",
        domain_set=sp.S.Reals,
        notes_derivative=sp.Piecewise((1, z > 0), (a, True)),
        latex_name="\\operatorname{LeakyReLU}(z)",
        parameters=(("slope", a),),
    )


LEAKY_RELU = leaky_relu_spec()

SQUARED_LOSS = ScalarSpec(
    name="squared_loss",
    section=LOSS_SECTION,
    expr=sp.Rational(1, 2) * (y_hat - y) ** 2,
    symbols=(y_hat, y),
    wrt=y_hat,
    formula="L(ŷ, y) = ½(ŷ − y)²",
    derivative_formula="dL/dŷ = ŷ − y",
    domain="all real ŷ and y",
    domain_set=sp.S.Reals,
    notes_derivative=y_hat - y,
    latex_name="\\mathcal{L}(\\hat{y}, y)",
)

CROSS_ENTROPY_LOSS = ScalarSpec(
    name="cross_entropy_loss",
    section=LOSS_SECTION,
    expr=-y * sp.log(y_hat) - (1 - y) * sp.log(1 - y_hat),
    symbols=(y_hat, y),
    wrt=y_hat,
    formula="L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ))",
    derivative_formula="dL/dŷ = −y/ŷ + (1 − y)/(1 − ŷ)",
    domain="0 < ŷ < 1 (log 0 is −∞); labels y in {0, 1}",
    domain_set=sp.Interval.open(0, 1),
    notes_derivative=-y / y_hat + (1 - y) / (1 - y_hat),
    latex_name="\\mathcal{L}(\\hat{y}, y)",
)

SIGMOID_CROSS_ENTROPY = ScalarSpec(
    name="sigmoid_cross_entropy",
    section="Logistic regression gradient descent",
    expr=CROSS_ENTROPY_LOSS.expr.subs(y_hat, _sigmoid(z)),
    symbols=(z, y),
    wrt=z,
    formula="L(σ(z), y) = −(y log σ(z) + (1 − y) log(1 − σ(z)))",
    derivative_formula="dz = dL/dz = a − y, with a = σ(z)",
    domain="all real z (the loss of the logit: finite everywhere)",
    domain_set=sp.S.Reals,
    notes_derivative=_sigmoid(z) - y,
    latex_name="\\mathcal{L}(\\sigma(z), y)",
)

ACTIVATION_SPECS: dict[str, ScalarSpec] = {s.name: s for s in (SIGMOID, TANH, RELU, LEAKY_RELU)}
LOSS_SPECS: dict[str, ScalarSpec] = {s.name: s for s in (SQUARED_LOSS, CROSS_ENTROPY_LOSS)}


def activation_spec(
    name: str | ScalarSpec, *, slope: float | Any = DEFAULT_LEAKY_SLOPE
) -> ScalarSpec:
    """The activation spec by name ("sigmoid", "tanh", "relu", "leaky_relu") or as given."""
    if isinstance(name, ScalarSpec):
        return name
    if name == "leaky_relu":
        return leaky_relu_spec(slope)
    if name not in ACTIVATION_SPECS:
        raise KeyError(
            f"unknown activation {name!r}; expected one of: {', '.join(ACTIVATION_SPECS)}"
        )
    return ACTIVATION_SPECS[name]
