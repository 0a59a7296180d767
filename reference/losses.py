"""Losses L(ŷ, y), their derivatives dL/dŷ, and the cost J = (1/m) Σ L (course notes: "Cost").

Predictions and labels are row vectors of shape (1, m) in the course, but every function here is
elementwise (the cost averages over all entries of a (1, m) row, i.e. over the m examples).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from ._types import FloatArray, as_float_array

LossName = Literal["cross_entropy", "squared"]


class DomainError(ValueError):
    """An input lies outside the domain of a formula (e.g. ŷ = 1 in the cross-entropy loss)."""


def _check_probabilities(y_hat: FloatArray, name: str = "y_hat") -> None:
    bad = ~((y_hat > 0.0) & (y_hat < 1.0))
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = float(y_hat[index])
        raise DomainError(
            f"{name}{list(index)} = {value!r} is outside (0, 1): the cross-entropy loss "
            "−y·log ŷ − (1−y)·log(1−ŷ) needs 0 < ŷ < 1 (log 0 is −inf). A sigmoid output "
            "rounds to exactly 0 or 1 once |z| > 36; compute the cost from z instead "
            "(see reference.network.model_cost) or clip ŷ."
        )


def squared_loss(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """L(ŷ, y) = ½ (ŷ − y)²."""
    d = as_float_array(y_hat, "y_hat") - as_float_array(y, "y")
    return 0.5 * d * d


def squared_loss_derivative(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """dL/dŷ = ŷ − y for the squared loss."""
    return as_float_array(y_hat, "y_hat") - as_float_array(y, "y")


def cross_entropy_loss(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """L(ŷ, y) = −y log ŷ − (1 − y) log(1 − ŷ); raises :class:`DomainError` unless 0 < ŷ < 1."""
    y_hat = as_float_array(y_hat, "y_hat")
    y = as_float_array(y, "y")
    _check_probabilities(y_hat)
    return -(y * np.log(y_hat) + (1.0 - y) * np.log1p(-y_hat))


def cross_entropy_derivative(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """dL/dŷ = −y/ŷ + (1 − y)/(1 − ŷ); raises :class:`DomainError` unless 0 < ŷ < 1."""
    y_hat = as_float_array(y_hat, "y_hat")
    y = as_float_array(y, "y")
    _check_probabilities(y_hat)
    return -(y / y_hat) + (1.0 - y) / (1.0 - y_hat)


def cross_entropy_from_logits(z: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """L(σ(z), y) computed from z as log(1 + e^z) − y·z: finite for every finite z."""
    z = as_float_array(z, "z")
    y = as_float_array(y, "y")
    with np.errstate(under="ignore"):  # log(1 + e^z) → 0 for z ≪ 0 is the right answer
        out: FloatArray = np.logaddexp(0.0, z) - y * z
    return out


def loss(y_hat: npt.ArrayLike, y: npt.ArrayLike, kind: LossName = "cross_entropy") -> FloatArray:
    """Elementwise loss of the given kind."""
    if kind == "cross_entropy":
        return cross_entropy_loss(y_hat, y)
    if kind == "squared":
        return squared_loss(y_hat, y)
    raise ValueError(f"unknown loss {kind!r}; expected 'cross_entropy' or 'squared'")


def loss_derivative(
    y_hat: npt.ArrayLike, y: npt.ArrayLike, kind: LossName = "cross_entropy"
) -> FloatArray:
    """Elementwise dL/dŷ of the given kind (the course's ``dAL``)."""
    if kind == "cross_entropy":
        return cross_entropy_derivative(y_hat, y)
    if kind == "squared":
        return squared_loss_derivative(y_hat, y)
    raise ValueError(f"unknown loss {kind!r}; expected 'cross_entropy' or 'squared'")


def cost(y_hat: npt.ArrayLike, y: npt.ArrayLike, kind: LossName = "cross_entropy") -> float:
    """J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾), returned as a Python float (never a (1, 1) array).

    ``y_hat`` and ``y`` must have the same shape (the course uses (1, m)). m is the number of
    examples, i.e. columns: with several output units, (n_y, m), the losses of all units are
    summed and divided by m (not by n_y·m), which is what backprop's dZ[L] = AL − Y assumes.
    """
    y_hat_a = as_float_array(y_hat, "y_hat")
    y_a = as_float_array(y, "y")
    if y_hat_a.shape != y_a.shape:
        raise ValueError(
            f"y_hat has shape {y_hat_a.shape} but y has shape {y_a.shape}; they must match "
            "(the course uses (1, m) for both) — reshape Y with Y.reshape(1, -1)"
        )
    if y_a.size == 0:
        raise ValueError("the cost of zero examples is undefined: y is empty")
    return float(np.sum(loss(y_hat_a, y_a, kind)) / num_examples(y_a))


def num_examples(y: FloatArray) -> int:
    """m, the number of examples of a (n_y, m) array: its columns (its length if rank-1)."""
    return int(y.shape[-1]) if y.ndim >= 1 else 1
