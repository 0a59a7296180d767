"""Typed numpy reference implementation of every formula of the course notes.

Every function computes in float64, is pure (never mutates its inputs) and is checked against
the SymPy specs in ``nncheck.specs`` and against finite differences. Import it as
``nncheck.reference``.
"""

from __future__ import annotations

from ._types import FloatArray, Grads, Params
from .activations import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    Activation,
    get_activation,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)
from .dimensions import (
    RULES,
    ShapeError,
    check_gradients_shapes,
    check_parameters,
    check_shape,
    expected_shapes,
    labels_like,
    layer_dims_from_params,
    shape_message,
)
from .initialization import (
    InitMethod,
    breaks_symmetry,
    gradient_descent_step,
    initialize_parameters,
    symmetric_units,
)
from .layers import activation_backward, activation_forward, linear_backward, linear_forward
from .logistic import logistic_cost, logistic_forward, logistic_predict, logistic_propagate
from .losses import (
    DomainError,
    LossName,
    cost,
    cross_entropy_derivative,
    cross_entropy_from_logits,
    cross_entropy_loss,
    loss,
    loss_derivative,
    num_examples,
    squared_loss,
    squared_loss_derivative,
)
from .network import (
    HIDDEN_ACTIVATIONS,
    LayerCache,
    model_backward,
    model_cost,
    model_forward,
    model_gradients,
    output_gradient,
    predict,
    update_parameters,
)

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "LEAKY_SLOPE",
    "RULES",
    "Activation",
    "DomainError",
    "FloatArray",
    "Grads",
    "InitMethod",
    "LayerCache",
    "LossName",
    "Params",
    "ShapeError",
    "activation_backward",
    "activation_forward",
    "breaks_symmetry",
    "check_gradients_shapes",
    "check_parameters",
    "check_shape",
    "cost",
    "cross_entropy_derivative",
    "cross_entropy_from_logits",
    "cross_entropy_loss",
    "expected_shapes",
    "get_activation",
    "gradient_descent_step",
    "initialize_parameters",
    "labels_like",
    "layer_dims_from_params",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear_backward",
    "linear_forward",
    "logistic_cost",
    "logistic_forward",
    "logistic_predict",
    "logistic_propagate",
    "loss",
    "loss_derivative",
    "model_backward",
    "model_cost",
    "model_forward",
    "model_gradients",
    "num_examples",
    "output_gradient",
    "predict",
    "relu",
    "relu_derivative",
    "shape_message",
    "sigmoid",
    "sigmoid_derivative",
    "squared_loss",
    "squared_loss_derivative",
    "symmetric_units",
    "tanh",
    "tanh_derivative",
    "update_parameters",
]
