"""The dimension rules of the course notes and a validator that explains violations.

For layer l of an L-layer network with widths n[0] (inputs), …, n[L] and m examples::

    W[l]: (n[l], n[l−1])     b[l]: (n[l], 1)
    Z[l], A[l], dZ[l], dA[l]: (n[l], m)
    dW[l] like W[l]          db[l] like b[l]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from ._types import FloatArray, as_float_array

RULES: dict[str, str] = {
    "W": "W[l]: (n[l], n[l-1])",
    "b": "b[l]: (n[l], 1)",
    "Z": "Z[l]: (n[l], m)",
    "A": "A[l]: (n[l], m)",
    "dZ": "dZ[l]: (n[l], m)",
    "dA": "dA[l]: (n[l], m)",
    "dW": "dW[l]: like W[l], (n[l], n[l-1])",
    "db": "db[l]: like b[l], (n[l], 1)",
}
"""Each rule as the notes write it, by array kind."""


class ShapeError(ValueError):
    """An array breaks a dimension rule; the message names the array, shape, rule and fix."""

    def __init__(self, name: str, shape: tuple[int, ...], rule: str, expected: tuple[int, ...]):
        self.name = name
        self.shape = shape
        self.rule = rule
        self.expected = expected
        super().__init__(shape_message(name, shape, rule, expected))


def shape_message(name: str, shape: tuple[int, ...], rule: str, expected: tuple[int, ...]) -> str:
    """Explain, in the notes' words, why ``name`` of ``shape`` breaks ``rule``."""
    if len(shape) == 1:
        what = "a rank-1 array"
        if len(expected) != 2:
            fix = "reshape it"
        elif name.lstrip("d").startswith("b"):
            fix = f"create it with np.zeros({expected}) or reshape with {name}.reshape{expected}"
        else:
            fix = f"reshape with {name}.reshape{expected}, or keep the 2-D result (keepdims=True)"
    elif len(expected) == 2 and shape == expected[::-1]:
        what = "the transpose of what the rule needs"
        fix = f"use {name}.T, or check the order of the factors that produced it"
    else:
        what = f"a rank-{len(shape)} array" if len(shape) != 2 else "the wrong shape"
        fix = f"it must be {expected}"
    return f"{name} has shape {shape}: {what}; the rule {rule} needs {expected} — {fix}"


def check_shape(name: str, array: object, expected: tuple[int, ...], rule: str) -> None:
    """Raise :class:`ShapeError` unless ``array`` is an ndarray of shape ``expected``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy array of shape {expected} ({rule}), got {type(array).__name__}"
        )
    if array.shape != expected:
        raise ShapeError(name, tuple(array.shape), rule, expected)


_LAYER_KEY = re.compile(r"^(W|b)(\d+)$")


def _width_from_bias(b: npt.ArrayLike) -> int | None:
    """n[l] as b[l] tells it: rows of a (n, 1) column, or the length of a rank-1 (n,) array."""
    shape = tuple(np.shape(b))
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        return int(shape[0])
    return None


def layer_dims_from_params(params: Mapping[str, FloatArray]) -> list[int]:
    """Infer [n[0], …, n[L]] from W1…WL, checking every W and b against the rules.

    Raises :class:`ShapeError` for a W or b of the wrong shape (a transposed W[l] is named as
    such: b[l] or W[l−1] tells which side is n[l]) and ``ValueError`` for missing or
    unexpected keys.
    """
    layers = sorted(
        int(m.group(2)) for k in params if (m := _LAYER_KEY.match(k)) and m.group(1) == "W"
    )
    if not layers:
        raise ValueError(
            f"no weight matrices found: expected keys W1, b1, …, WL, bL; got {sorted(params)}"
        )
    L = len(layers)
    if layers != list(range(1, L + 1)):
        raise ValueError(
            f"weight keys must be W1…W{L}, numbered from 1 without gaps; got "
            + ", ".join(f"W{l}" for l in layers)
        )
    missing = [f"b{l}" for l in range(1, L + 1) if f"b{l}" not in params]
    if missing:
        raise ValueError(f"missing bias keys {missing}: every W[l] needs a b[l] of shape (n[l], 1)")
    dims: list[int] = []
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        n_prev = dims[-1] if dims else None
        n_b = _width_from_bias(b)
        shape = tuple(int(d) for d in np.shape(W))
        if not isinstance(W, np.ndarray) or W.ndim != 2:
            n = n_b if n_b is not None else (shape[0] if shape else 1)
            if n_prev is None:
                # a rank-1 W1 of a one-unit layer holds the n[0] weights of that unit
                n_prev = shape[0] if len(shape) == 1 and n == 1 else 1
            raise ShapeError(f"W{l}", shape, RULES["W"], (n, n_prev))
        if n_prev is None:
            # n[0] is only known from W1 itself; b1 tells whether W1 is transposed.
            if n_b is not None and n_b != shape[0] and n_b == shape[1]:
                raise ShapeError(f"W{l}", shape, RULES["W"], (shape[1], shape[0]))
            n_prev = shape[1]
            dims.append(n_prev)
        n = shape[0] if shape[1] == n_prev else (shape[1] if shape[0] == n_prev else shape[0])
        if n_b is not None and shape in ((n_b, n_prev), (n_prev, n_b)):
            n = n_b
        check_shape(f"W{l}", W, (n, n_prev), RULES["W"])
        dims.append(n)
        check_shape(f"b{l}", b, (n, 1), RULES["b"])
    return dims


def check_parameters(params: Mapping[str, FloatArray], layer_dims: Sequence[int]) -> None:
    """Check W[l] and b[l] for every layer of ``layer_dims`` = [n[0], …, n[L]]."""
    for l in range(1, len(layer_dims)):
        for key in (f"W{l}", f"b{l}"):
            if key not in params:
                raise ValueError(f"parameters are missing {key!r} (layer dims {list(layer_dims)})")
        check_shape(f"W{l}", params[f"W{l}"], (layer_dims[l], layer_dims[l - 1]), RULES["W"])
        check_shape(f"b{l}", params[f"b{l}"], (layer_dims[l], 1), RULES["b"])


def check_gradients_shapes(
    grads: Mapping[str, FloatArray], layer_dims: Sequence[int], m: int
) -> None:
    """Check dW[l], db[l] (and dA[l] when present) against the rules.

    Raises ``ValueError`` naming a missing dW[l] or db[l], and :class:`ShapeError` for a
    gradient of the wrong shape.
    """
    missing = [
        f"{k}{l}" for l in range(1, len(layer_dims)) for k in ("dW", "db") if f"{k}{l}" not in grads
    ]
    if missing:
        raise ValueError(
            f"grads are missing {missing} (layer dims {list(layer_dims)}); every W[l] and b[l] "
            "needs its gradient dW[l], db[l]"
        )
    for l in range(1, len(layer_dims)):
        check_shape(f"dW{l}", grads[f"dW{l}"], (layer_dims[l], layer_dims[l - 1]), RULES["dW"])
        check_shape(f"db{l}", grads[f"db{l}"], (layer_dims[l], 1), RULES["db"])
    for l in range(len(layer_dims)):
        key = f"dA{l}"
        if key in grads:
            check_shape(key, grads[key], (layer_dims[l], m), RULES["dA"])


def expected_shapes(layer_dims: Sequence[int], m: int) -> dict[str, tuple[int, int]]:
    """Every array's shape by the rules, keyed like the course (W1, b1, Z1, A0, dW1, …)."""
    shapes: dict[str, tuple[int, int]] = {"A0": (layer_dims[0], m), "X": (layer_dims[0], m)}
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        shapes.update(
            {
                f"W{l}": (n, n_prev),
                f"b{l}": (n, 1),
                f"Z{l}": (n, m),
                f"A{l}": (n, m),
                f"dW{l}": (n, n_prev),
                f"db{l}": (n, 1),
                f"dZ{l}": (n, m),
                f"dA{l}": (n, m),
            }
        )
    shapes[f"dA{0}"] = (layer_dims[0], m)
    return shapes


def labels_like(Y: npt.ArrayLike, shape: tuple[int, ...], name: str = "Y") -> FloatArray:
    """``Y`` as float64 of ``shape`` (the labels of a (n_y, m) output); rank-1 (m,) is accepted.

    Raises :class:`ShapeError` when ``Y`` holds a different number of labels.
    """
    arr = as_float_array(Y, name)
    if arr.shape == shape:
        return arr
    if arr.size != int(np.prod(shape)) or (arr.ndim == 2 and arr.shape == shape[::-1] != shape):
        raise ShapeError(name, tuple(arr.shape), "Y: (n[L], m), like AL", shape)
    return arr.reshape(shape)
