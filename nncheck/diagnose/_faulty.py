"""The reference with a fault injected: the passes of :mod:`nncheck.reference` with hooks.

Mutants never re-implement the course's maths: the right parts come from the reference
(activations, linear and activation layers), and a mutant replaces one step with its mistake —
``lin`` for a layer's linear backward, ``act_bw`` for dZ = dA ∗ g'(Z), ``out_dZ`` for the output
layer's dZ, a list of activations or of biases left out for the forward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from nncheck import reference as ref

Array = np.ndarray[Any, np.dtype[np.float64]]
LinBackward = Callable[[Array, Array, Array], tuple[Array, Array, Array]]
"""(dZ, A_prev, W) -> (dA_prev, dW, db), the right one or a mistake of it."""

OTHER = {"sigmoid": "relu", "relu": "sigmoid", "tanh": "relu", "leaky_relu": "sigmoid"}
"""The activation a mistake puts in place of each one."""


def act(name: str, z: Any) -> Array:
    """g(z) by the reference."""
    return ref.activation_forward(np.asarray(z, dtype=np.float64), name)


def dact(name: str, z: Any) -> Array:
    """g'(z) by the reference."""
    return ref.get_activation(name).derivative(np.asarray(z, dtype=np.float64))


def lin_bw(dZ: Array, A_prev: Array, W: Array) -> tuple[Array, Array, Array]:
    """The right linear backward (the reference's)."""
    return ref.linear_backward(dZ, A_prev, W)


def layers(params: Mapping[str, Any]) -> int:
    """L, the number of layers of a course parameter dict."""
    return sum(1 for k in params if k.startswith("W") and k[1:].isdigit())


def forward(
    X: Array,
    params: Mapping[str, Any],
    acts: list[str],
    *,
    no_bias: Iterable[int] = (),
    kept: Iterable[int] | None = None,
) -> tuple[Array, list[tuple[Array, Array, Array, Array]]]:
    """The forward pass with activation ``acts[l-1]`` on layer l, the biases of ``no_bias`` left
    out, and only the layers of ``kept`` run (all by default); returns AL and (A_prev, W, b, Z)
    per layer run."""
    skip_bias = set(no_bias)
    A = np.asarray(X, dtype=np.float64)
    caches = []
    run = range(1, len(acts) + 1) if kept is None else kept
    for l in run:
        W = np.asarray(params[f"W{l}"], dtype=np.float64)
        b = np.asarray(params[f"b{l}"], dtype=np.float64)
        Z = ref.linear_forward(A, W, np.zeros_like(b) if l in skip_bias else b)
        caches.append((A, W, b, Z))
        A = act(acts[l - 1], Z)
    return A, caches


def model_backward(
    X: Array,
    Y: Array,
    params: Mapping[str, Any],
    hidden: str,
    lin: LinBackward = lin_bw,
    act_bw: Callable[[Array, Array], Array] | None = None,
    out_dZ: Callable[[Array, Array, Array], Array] | None = None,
    only_layer: int | None = None,
    at_next: Callable[[Array, Array], Array] | None = None,
) -> dict[str, Array]:
    """The reference's backward pass with one mistake: ``lin`` (at ``only_layer`` or every
    layer), ``act_bw(dA, Z)``, ``out_dZ(AL, Y, Z)``, or ``at_next(dA, A[l+1])`` (a hidden
    derivative taken at the next layer's activation)."""
    L = layers(params)
    AL, caches = forward(X, params, [hidden] * (L - 1) + ["sigmoid"])
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
                dZ = ref.activation_backward(dA, Z, hidden)
        layer_lin = lin if only_layer in (None, l) or act_bw or at_next else lin_bw
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = layer_lin(dZ, A_prev, W)
    return grads


def model_backward_dAL_reused(
    X: Array, Y: Array, params: Mapping[str, Any], hidden: str
) -> dict[str, Array]:
    """The reference's backward pass when every hidden layer gets dAL (broadcast over its
    units) instead of the dA the layer above returned."""
    L = layers(params)
    AL, caches = forward(X, params, [hidden] * (L - 1) + ["sigmoid"])
    Y = np.asarray(Y, dtype=np.float64).reshape(AL.shape)
    dAL = ref.output_gradient(AL, Y)
    grads: dict[str, Array] = {}
    for l in range(L, 0, -1):
        A_prev, W, _, Z = caches[l - 1]
        dZ = AL - Y if l == L else dAL * dact(hidden, Z)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = lin_bw(dZ, A_prev, W)
    return grads
