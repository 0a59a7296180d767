"""SymPy specs of every formula of the course notes, importable as ``nncheck.specs``.

Each spec names its section of the notes, its symbols, domain and kinks, gives a plain-text
``formula`` and ``latex()``, and can be evaluated with numpy (``numpy()``, lambdified with
``modules="numpy"``). Elementwise formulas (activations, losses) are :class:`ScalarSpec` with a
derivative computed by ``sympy.diff``; matrix formulas (linear forward/backward, logistic
regression, cost, update, dimension rules, initialisation, the L-layer network) ``derive`` their
gradients at small concrete sizes and compare them with the closed forms of the notes.

Importing this package imports SymPy; ``import nncheck`` does not.
"""

from ._common import DIMS, is_zero, m, n_l, n_prev
from ._matrix import (
    ActivationBackwardSpec,
    ActivationForwardSpec,
    CostSpec,
    Derivation,
    DimensionRulesSpec,
    GradientDescentSpec,
    LinearBackwardSpec,
    LinearForwardSpec,
    LogisticRegressionSpec,
    MatrixSpec,
)
from ._network import DeepNetworkSpec, InitializationSpec
from ._registry import (
    SPECS,
    Spec,
    activation_backward_spec,
    activation_forward_spec,
    cost_spec,
    describe,
    get_spec,
    verify,
)
from ._scalar import (
    DEFAULT_LEAKY_SLOPE,
    ScalarSpec,
    activation_spec,
    leaky_relu_spec,
)

__all__ = [
    "DEFAULT_LEAKY_SLOPE",
    "DIMS",
    "SPECS",
    "ActivationBackwardSpec",
    "ActivationForwardSpec",
    "CostSpec",
    "DeepNetworkSpec",
    "Derivation",
    "DimensionRulesSpec",
    "GradientDescentSpec",
    "InitializationSpec",
    "LinearBackwardSpec",
    "LinearForwardSpec",
    "LogisticRegressionSpec",
    "MatrixSpec",
    "ScalarSpec",
    "Spec",
    "activation_backward_spec",
    "activation_forward_spec",
    "activation_spec",
    "cost_spec",
    "describe",
    "get_spec",
    "is_zero",
    "leaky_relu_spec",
    "m",
    "n_l",
    "n_prev",
    "verify",
]
