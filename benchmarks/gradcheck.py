"""Side-by-side gradient checks: nncheck (full, auto), the course's loop, torch, jax.

Run from the repository root:

    python benchmarks/gradcheck.py              # big net's O(P) methods projected from a sample
    python benchmarks/gradcheck.py --complete   # run every method in full (minutes)

Nets [5,4,3,1] m=8, [20,16,8,1] m=32, [64,32,16,1] m=64, [784,128,64,1] m=64: ReLU hidden layers,
sigmoid output, cross-entropy cost, float64, He initialisation, Gaussian inputs. Every checker
checks the same hand-written numpy backprop (torch and jax through a custom backward that returns
it), so they all count evaluations of the same numpy cost.

Each row prints wall time, cost evaluations and the verdict on the correct gradient; "bugs"
counts how many of four planted bugs (missing 1/m, inverted ReLU mask, sigmoid derivative applied
twice, sign flip) the method caught. BLAS is pinned to one thread (set before numpy is imported)
so that timings are not dominated by thread contention on a shared machine.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402 - the environment must be set before numpy is imported
import importlib.util  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from nncheck.numeric import check_gradients  # noqa: E402

Params = dict[str, np.ndarray]
NETS: list[tuple[list[int], int]] = [
    ([5, 4, 3, 1], 8),
    ([20, 16, 8, 1], 32),
    ([64, 32, 16, 1], 64),
    ([784, 128, 64, 1], 64),
]
BUGS = ("missing 1/m", "inverted mask", "double sigmoid'", "sign flip")


# -- the network, written the way the course writes it -----------------------------------------
def make_net(dims: list[int], m: int, seed: int = 0) -> tuple[Params, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params: Params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2.0 / dims[l - 1])
        params[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return params, X, Y


def cost_fn(X: np.ndarray, Y: np.ndarray) -> Callable[[Params], float]:
    L = None

    def cost(params: Params) -> float:
        nonlocal L
        if L is None:
            L = len(params) // 2
        A = X
        for l in range(1, L):
            A = np.maximum(params[f"W{l}"] @ A + params[f"b{l}"], 0.0)
        Z = params[f"W{L}"] @ A + params[f"b{L}"]
        return float(np.mean(np.logaddexp(0.0, Z) - Y * Z))

    return cost


def backprop(params: Params, X: np.ndarray, Y: np.ndarray, bug: str | None = None) -> Params:
    L = len(params) // 2
    m = X.shape[1]
    A, cache = X, []
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        cache.append((A, Z))
        A = 1.0 / (1.0 + np.exp(-Z)) if l == L else np.maximum(Z, 0.0)
    dZ = A - Y
    if bug == "sign flip":
        dZ = -dZ
    if bug == "double sigmoid'":
        dZ = dZ * A * (1.0 - A)
    grads: Params = {}
    for l in range(L, 0, -1):
        A_prev, _ = cache[l - 1]
        scale = 1.0 if bug == "missing 1/m" else 1.0 / m
        grads[f"dW{l}"] = scale * dZ @ A_prev.T
        grads[f"db{l}"] = scale * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = cache[l - 2][1]
            mask = Z_prev <= 0 if bug == "inverted mask" else Z_prev > 0
            dZ = (params[f"W{l}"].T @ dZ) * mask
    return grads


class Counted:
    """Wraps a cost and counts its evaluations."""

    def __init__(self, cost: Callable[[Params], float]) -> None:
        self.cost, self.count = cost, 0

    def __call__(self, params: Params) -> float:
        self.count += 1
        return self.cost(params)


@dataclass
class Row:
    net: str
    method: str
    seconds: float
    evaluations: int
    verdict: str
    bugs: str = ""
    note: str = ""


# -- the checkers -----------------------------------------------------------------------------
def course_check(
    cost: Callable[[Params], float],
    params: Params,
    grads: Params,
    sample: np.ndarray | None = None,
) -> bool:
    """The course's gradient_check_n: dict → vector, one copy per element, ε = 1e-7, threshold
    2e-7 on ‖g − g̃‖ / (‖g‖ + ‖g̃‖). Returns True when it reports a mistake."""
    keys = list(params)
    theta = np.concatenate([params[k].reshape(-1, 1) for k in keys])
    g = np.concatenate([grads["d" + k].reshape(-1, 1) for k in keys])

    def vector_to_dictionary(t: np.ndarray) -> Params:
        out, i = {}, 0
        for k in keys:
            out[k] = t[i : i + params[k].size].reshape(params[k].shape)
            i += params[k].size
        return out

    indices = np.arange(theta.shape[0]) if sample is None else sample
    approx = np.empty(indices.size)
    eps = 1e-7
    for j, i in enumerate(indices):
        plus = np.copy(theta)
        plus[i] += eps
        minus = np.copy(theta)
        minus[i] -= eps
        approx[j] = (cost(vector_to_dictionary(plus)) - cost(vector_to_dictionary(minus))) / (
            2 * eps
        )
    gs = g[indices, 0]
    difference = np.linalg.norm(gs - approx) / (np.linalg.norm(gs) + np.linalg.norm(approx))
    return bool(difference > 2e-7)


def torch_check(
    cost: Callable[[Params], float], params: Params, grads: Params, fast: bool
) -> bool | None:
    """torch.autograd.gradcheck on a Function whose backward returns the numpy gradient."""
    import torch

    keys = list(params)

    class NumpyCost(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *tensors: torch.Tensor) -> torch.Tensor:
            p = {k: t.detach().numpy() for k, t in zip(keys, tensors, strict=True)}
            return torch.tensor(cost(p), dtype=torch.float64)

        @staticmethod
        def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor, ...]:
            return tuple(grad_output * torch.from_numpy(grads["d" + k]) for k in keys)

    inputs = tuple(torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in keys)
    ok = torch.autograd.gradcheck(
        NumpyCost.apply, inputs, fast_mode=fast, raise_exception=False, nondet_tol=0.0
    )
    return not ok


def jax_check(cost: Callable[[Params], float], params: Params, grads: Params) -> bool:
    """jax.test_util.check_grads (order 1, reverse mode) with a custom VJP returning the numpy
    gradient; the cost runs in numpy through jax.pure_callback."""
    import jax
    import jax.numpy as jnp
    from jax.test_util import check_grads

    jax.config.update("jax_enable_x64", True)
    keys = list(params)

    def host_cost(*arrays: Any) -> np.ndarray:
        return np.asarray(cost({k: np.asarray(a) for k, a in zip(keys, arrays, strict=True)}))

    shape = jax.ShapeDtypeStruct((), jnp.float64)

    @jax.custom_vjp
    def f(*arrays: Any) -> Any:
        return jax.pure_callback(host_cost, shape, *arrays)

    def f_fwd(*arrays: Any) -> Any:
        return f(*arrays), None

    def f_bwd(_: Any, g: Any) -> Any:
        return tuple(g * jnp.asarray(grads["d" + k]) for k in keys)

    f.defvjp(f_fwd, f_bwd)
    try:
        check_grads(f, tuple(jnp.asarray(params[k]) for k in keys), order=1, modes=["rev"])
    except AssertionError:
        return True
    return False


# -- the run ----------------------------------------------------------------------------------
def seconds_per_cost(cost: Callable[[Params], float], params: Params) -> float:
    reps = 200 if sum(v.size for v in params.values()) < 10_000 else 50
    cost(params)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(reps):
            cost(params)
        best = min(best, (time.perf_counter() - t) / reps)
    return best


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def run(complete: bool, sample: int, seed: int, nets: list[int] | None = None) -> list[Row]:
    rows: list[Row] = []
    have_torch = importlib.util.find_spec("torch") is not None
    have_jax = importlib.util.find_spec("jax") is not None
    for number, (dims, m) in enumerate(NETS, start=1):
        if nets and number not in nets:
            continue
        params, X, Y = make_net(dims, m, seed)
        P = sum(v.size for v in params.values())
        net = f"{dims} m={m} (P={P:,})"
        cost = cost_fn(X, Y)
        grads = backprop(params, X, Y)
        t_eval = seconds_per_cost(cost, params)
        big = P > 50_000
        rows.append(
            Row(net, "bare 2P cost evaluations", 2 * P * t_eval, 2 * P, "-", note="reference")
        )

        # nncheck full and auto
        for mode in ("full", "auto"):
            if mode == "full" and big and not complete:
                rows.append(
                    Row(net, "nncheck full", float("nan"), 2 * P + 2, "-", note="--complete")
                )
                continue
            counted = Counted(cost)
            report, dt = timed(check_gradients, counted, params, grads, mode=mode, seed=seed)
            caught = 0
            for bug in BUGS:
                bad = backprop(params, X, Y, bug)
                caught += not check_gradients(cost, params, bad, mode=mode, seed=seed).ok
            note = f"{report.mode}; {dt / t_eval:.0f} evaluations' time"
            rows.append(
                Row(
                    net,
                    f"nncheck {mode}",
                    dt,
                    counted.count,
                    "ok" if report.ok else "MISMATCH",
                    f"{caught}/{len(BUGS)}",
                    note,
                )
            )

        # the course's loop
        rng = np.random.default_rng(seed)
        sampled = big and not complete
        idx = np.sort(rng.choice(P, size=min(sample, P), replace=False)) if sampled else None
        counted = Counted(cost)
        failed, dt = timed(course_check, counted, params, grads, idx)
        caught = sum(course_check(cost, params, backprop(params, X, Y, b), idx) for b in BUGS)
        scale = P / idx.size if idx is not None else 1.0
        rows.append(
            Row(
                net,
                "course loop (ε=1e-7)",
                dt * scale,
                int(counted.count * scale),
                "MISMATCH" if failed else "ok",
                f"{caught}/{len(BUGS)}",
                f"projected from {idx.size:,} sampled elements" if idx is not None else "",
            )
        )

        # torch
        for fast in (False, True):
            name = f"torch gradcheck ({'fast' if fast else 'slow'})"
            if not have_torch:
                rows.append(Row(net, name, float("nan"), 0, "-", note="torch not installed"))
                continue
            if big and not fast and not complete:
                rows.append(Row(net, name, float("nan"), 2 * P, "-", note="--complete"))
                continue
            counted = Counted(cost)
            failed, dt = timed(torch_check, counted, params, grads, fast)
            caught = sum(
                bool(torch_check(cost, params, backprop(params, X, Y, b), fast)) for b in BUGS
            )
            rows.append(
                Row(
                    net,
                    name,
                    dt,
                    counted.count,
                    "MISMATCH" if failed else "ok",
                    f"{caught}/{len(BUGS)}",
                )
            )

        # jax
        if not have_jax:
            rows.append(Row(net, "jax check_grads", float("nan"), 0, "-", note="jax not installed"))
        else:
            counted = Counted(cost)
            failed, dt = timed(jax_check, counted, params, grads)
            caught = sum(jax_check(cost, params, backprop(params, X, Y, b)) for b in BUGS)
            rows.append(
                Row(
                    net,
                    "jax check_grads",
                    dt,
                    counted.count,
                    "MISMATCH" if failed else "ok",
                    f"{caught}/{len(BUGS)}",
                )
            )
        for row in rows:
            if row.net == net:
                print(_format(row), flush=True)
    return rows


def _format(row: Row) -> str:
    seconds = "-" if row.seconds != row.seconds else f"{row.seconds:9.3f}"
    return (
        f"| {row.net:<28} | {row.method:<26} | {seconds:>9} | {row.evaluations:>9,} "
        f"| {row.verdict:<8} | {row.bugs:<4} | {row.note}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complete", action="store_true", help="run every method in full")
    parser.add_argument("--sample", type=int, default=2000, help="elements sampled on big nets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nets", type=int, nargs="*", help="which nets to run (1-4; default all)")
    args = parser.parse_args(argv)
    print(
        f"# python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cpus, BLAS threads "
        f"{os.environ['OPENBLAS_NUM_THREADS']}"
    )
    print(
        f"| {'net':<28} | {'method':<26} | {'seconds':>9} | {'cost evals':>9} | verdict  | bugs"
        " | note"
    )
    print("|" + "---|" * 7)
    run(args.complete, args.sample, args.seed, args.nets)


if __name__ == "__main__":
    main()
