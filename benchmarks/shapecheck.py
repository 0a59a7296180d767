"""Overhead of ``@shapecheck``: the same function plain, checked, and with the check switched off.

Run: ``python benchmarks/shapecheck.py`` (one table; per call, best of 15 alternating rounds).
"""

from __future__ import annotations

import functools
import os
import timeit
from collections.abc import Callable
from typing import Any, TypeVar

# One BLAS thread: on a shared machine, threaded matmul timings of the large case are noise.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  # reason: after the thread settings above

from nncheck.shapes import (  # noqa: E402  # reason: after the thread settings above
    ENV_VAR,
    Array,
    One,
    shapecheck,
    sum_keepdims,
)

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


def _per_call(
    fns: list[Callable[..., Any]], args: tuple[Any, ...], rounds: int = 15
) -> list[float]:
    """Best time per call of each function, measured in alternation so that load on a shared
    machine hits every variant alike."""
    timers = [timeit.Timer(functools.partial(f, *args)) for f in fns]
    number, _ = timers[0].autorange()
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, timer in enumerate(timers):
            best[i] = min(best[i], timer.timeit(number) / number)
    return best


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
            plain_t, checked_t, off_t = _per_call([fn, checked, off], args)
            rows.append((f"{fn.__name__} n={n} n_prev={n_prev} m={m}", plain_t, checked_t, off_t))
    print(f"{'call':42} {'plain':>10} {'@shapecheck':>12} {'overhead':>10} {'off (env)':>10}")
    for name, plain_t, checked_t, off_t in rows:
        print(
            f"{name:42} {plain_t * 1e6:8.2f}µs {checked_t * 1e6:10.2f}µs "
            f"{(checked_t - plain_t) * 1e6:8.2f}µs {off_t * 1e6:8.2f}µs"
        )


if __name__ == "__main__":
    main()
