"""Overhead of ``@shapecheck``: the same function plain, checked, and with the check switched off.

Run: ``python benchmarks/shapecheck.py`` (prints one table; best of 7 repeats, per call).
"""

from __future__ import annotations

import os
import timeit
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from nncheck.shapes import ENV_VAR, Array, One, shapecheck, sum_keepdims

N = TypeVar("N")
P = TypeVar("P")
M = TypeVar("M")


def linear_forward(A_prev: Array[P, M], W: Array[N, P], b: Array[N, One]) -> Array[N, M]:
    return W @ A_prev + b


def linear_backward(
    dZ: Array[N, M], A_prev: Array[P, M], W: Array[N, P]
) -> tuple[Array[P, M], Array[N, P], Array[N, One]]:
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, sum_keepdims(dZ) / m


def _per_call(fn: Callable[..., Any], args: tuple[Any, ...]) -> float:
    timer = timeit.Timer(lambda: fn(*args))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=7, number=number)) / number


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for n, n_prev, m in [(4, 3, 5), (64, 128, 256)]:
        A_prev = rng.standard_normal((n_prev, m))
        W = rng.standard_normal((n, n_prev))
        b = rng.standard_normal((n, 1))
        dZ = rng.standard_normal((n, m))
        for fn, args in [(linear_forward, (A_prev, W, b)), (linear_backward, (dZ, A_prev, W))]:
            os.environ[ENV_VAR] = "1"
            checked = shapecheck(fn)
            os.environ[ENV_VAR] = "0"
            off = shapecheck(fn)
            os.environ.pop(ENV_VAR)
            plain_t, checked_t, off_t = (_per_call(f, args) for f in (fn, checked, off))
            rows.append((f"{fn.__name__} n={n} n_prev={n_prev} m={m}", plain_t, checked_t, off_t))
    print(f"{'call':42} {'plain':>10} {'@shapecheck':>12} {'overhead':>10} {'off (env)':>10}")
    for name, plain_t, checked_t, off_t in rows:
        print(
            f"{name:42} {plain_t * 1e6:8.2f}µs {checked_t * 1e6:10.2f}µs "
            f"{(checked_t - plain_t) * 1e6:8.2f}µs {off_t * 1e6:8.2f}µs"
        )


if __name__ == "__main__":
    main()
