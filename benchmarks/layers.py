"""Checking a layer's backward pass: nncheck.check_layer vs torch gradcheck vs CS231n's helper.

Run from the repository root:

    python benchmarks/layers.py                 # all sizes
    python benchmarks/layers.py --sizes 0 1     # the two smallest

The layer is batch normalisation (train mode) written in numpy: forward(x, gamma, beta, bn_param)
-> (out, cache), backward(dout, cache) -> (dx, dgamma, dbeta), x of shape (N, D). Each checker
checks the same numpy forward and backward:

* nncheck.check_layer in full, directional and auto mode: every input's gradient against error-
  bounded finite differences of sum(out * dout) for one seeded dout.
* torch.autograd.gradcheck (slow and fast mode) on a torch.autograd.Function whose forward and
  backward call the numpy layer (torch is optional: ``pip install torch==2.13.0``); slow mode
  builds the full Jacobian, (N·D) × P, so it is skipped when that would exceed 1 GB.
* CS231n's ``eval_numerical_gradient_array(f, x, df)`` (central differences with h = 1e-5, one
  input at a time, all outputs per evaluation), judged by the assignment's ``rel_error`` (max of
  |a − n| / max(1e-8, |a| + |n|)) below 1e-7 — the notebooks expect ~1e-8 or smaller.

"bugs" counts how many of four planted bugs each method caught (run only for methods whose check
of the correct layer took under 20 s): dx missing the projection term
xhat·Σ(dxhat·xhat), dx missing the 1/N, dgamma and dbeta swapped, the sign of dgamma flipped.
A "bare 2P forward passes" row per size times the forward passes a full finite-difference check
cannot avoid, as a reference for the load of the (shared) machine. BLAS is pinned to one thread
(set before numpy is imported).
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
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from nncheck import check_layer  # noqa: E402

SIZES = [(8, 16), (32, 64), (64, 128), (128, 256)]
BUG_BUDGET = 20.0
"""Seconds: a method whose check of the correct layer takes longer is not run on the bugs."""
BUGS = ("no projection term", "no 1/N", "dgamma/dbeta swapped", "dgamma sign")
Array = np.ndarray[Any, Any]


# -- the layer ---------------------------------------------------------------------------------
def bn_forward(x: Array, gamma: Array, beta: Array, bn_param: dict[str, Any]) -> tuple[Array, Any]:
    eps = bn_param.get("eps", 1e-5)
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, var, eps)


def bn_backward(dout: Array, cache: Any, bug: str | None = None) -> tuple[Array, Array, Array]:
    xhat, gamma, var, eps = cache
    n = dout.shape[0]
    dxhat = dout * gamma
    proj = 0.0 if bug == "no projection term" else xhat * (dxhat * xhat).sum(axis=0)
    dx = (n * dxhat - dxhat.sum(axis=0) - proj) / (
        (1 if bug == "no 1/N" else n) * np.sqrt(var + eps)
    )
    dgamma, dbeta = (dout * xhat).sum(axis=0), dout.sum(axis=0)
    if bug == "dgamma/dbeta swapped":
        dgamma, dbeta = dbeta, dgamma
    if bug == "dgamma sign":
        dgamma = -dgamma
    return dx, dgamma, dbeta


def make(n: int, d: int, seed: int = 0) -> tuple[Array, Array, Array]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), 1 + 0.1 * rng.standard_normal(d), rng.standard_normal(d)


Backward = Callable[[Array, Any], tuple[Array, Array, Array]]


def backward_with(bug: str | None) -> Backward:
    return lambda dout, cache: bn_backward(dout, cache, bug)


# -- the checkers: each returns True when it accepts the gradients -----------------------------
def nncheck_check(mode: str) -> Callable[[Array, Array, Array, Backward], bool]:
    def run(x: Array, gamma: Array, beta: Array, backward: Backward) -> bool:
        return check_layer(bn_forward, backward, x, gamma, beta, {}, mode=mode, seed=0).ok

    return run


def eval_numerical_gradient_array(f: Callable[[Array], Array], x: Array, df: Array) -> Array:
    """CS231n's helper, as its docstring describes it: a numeric gradient for a function that
    takes an array and returns an array, x perturbed in place, h = 1e-5."""
    h = 1e-5
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def rel_error(a: Array, b: Array) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def cs231n_check(x: Array, gamma: Array, beta: Array, backward: Backward) -> bool:
    dout = np.random.default_rng(1).standard_normal(x.shape)
    _, cache = bn_forward(x, gamma, beta, {})
    dx, dgamma, dbeta = backward(dout, cache)
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()
    dx_num = eval_numerical_gradient_array(lambda v: bn_forward(v, gamma, beta, {})[0], x, dout)
    dg_num = eval_numerical_gradient_array(lambda v: bn_forward(x, v, beta, {})[0], gamma, dout)
    db_num = eval_numerical_gradient_array(lambda v: bn_forward(x, gamma, v, {})[0], beta, dout)
    worst = max(rel_error(dx, dx_num), rel_error(dgamma, dg_num), rel_error(dbeta, db_num))
    return worst < 1e-7


def torch_check(fast: bool) -> Callable[[Array, Array, Array, Backward], bool]:
    def run(x: Array, gamma: Array, beta: Array, backward: Backward) -> bool:
        import torch

        class NumpyBatchNorm(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, *tensors: torch.Tensor) -> torch.Tensor:
                out, cache = bn_forward(*(t.detach().numpy() for t in tensors), {})
                ctx.cache = cache
                return torch.from_numpy(out)

            @staticmethod
            def backward(ctx: Any, dout: torch.Tensor) -> tuple[torch.Tensor, ...]:
                grads = backward(dout.detach().numpy().copy(), ctx.cache)
                return tuple(torch.from_numpy(np.ascontiguousarray(g)) for g in grads)

        inputs = tuple(
            torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta)
        )
        return bool(
            torch.autograd.gradcheck(
                NumpyBatchNorm.apply, inputs, fast_mode=fast, raise_exception=False
            )
        )

    return run


def timed(
    check: Callable[[Array, Array, Array, Backward], bool], inputs: tuple[Array, ...], repeat: int
) -> tuple[float, bool]:
    best, result = float("inf"), False
    for _ in range(repeat):
        start = time.perf_counter()
        result = check(*inputs, backward_with(None))
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(range(len(SIZES))))
    parser.add_argument("--only", default="", help="run only the methods whose name contains this")
    args = parser.parse_args()
    has_torch = importlib.util.find_spec("torch") is not None
    version = ""
    if has_torch:
        import torch

        torch.set_num_threads(1)
        version = f", torch {torch.__version__}"
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}{version}; "
        "BLAS one thread; best of 3 for runs under 1 s\n"
    )
    print("| (N, D) | P | method | seconds | verdict (correct) | bugs caught | note |")
    print("|---|---:|---|---:|---|---|---|")
    for index in args.sizes:
        n, d = SIZES[index]
        x, gamma, beta = make(n, d)
        p = x.size + gamma.size + beta.size
        methods: list[tuple[str, Callable[[Array, Array, Array, Backward], bool], str]] = [
            ("nncheck check_layer full", nncheck_check("full"), ""),
            ("nncheck check_layer directional", nncheck_check("directional"), ""),
            (
                "nncheck check_layer auto",
                nncheck_check("auto"),
                "full" if p <= 4096 else "directional",
            ),
            ("CS231n eval_numerical_gradient_array", cs231n_check, "rel_error < 1e-7"),
        ]
        if has_torch:
            jacobian_gb = x.size * p * 8 / 1e9
            if jacobian_gb <= 1.0:
                methods.append(("torch gradcheck (slow)", torch_check(False), ""))
            else:
                print(
                    f"| ({n}, {d}) | {p:,} | torch gradcheck (slow) | - | - | - | skipped: its "
                    f"Jacobian would take {jacobian_gb:.0f} GB |"
                )
            # on a mismatch, fast mode re-runs slow mode to build its message: the same Jacobian
            fast_note = (
                f"bugs not run: on a mismatch it builds the {jacobian_gb:.0f} GB Jacobian"
                if jacobian_gb > 1.0
                else ""
            )
            methods.append(("torch gradcheck (fast)", torch_check(True), fast_note))
        if not args.only:
            start = time.perf_counter()
            for _ in range(2 * p):
                bn_forward(x, gamma, beta, {})
            bare = time.perf_counter() - start
            print(
                f"| ({n}, {d}) | {p:,} | bare 2P forward passes | {bare:.3f} | - | - | reference |"
            )
        for name, check, note in methods:
            if args.only not in name:
                continue
            seconds, ok = timed(check, (x, gamma, beta), 1)
            if seconds < 1.0:
                seconds, ok = timed(check, (x, gamma, beta), 3)
            bugs = "-"
            if note.startswith("bugs not run"):
                pass
            elif seconds < BUG_BUDGET:
                caught = sum(not check(x, gamma, beta, backward_with(bug)) for bug in BUGS)
                bugs = f"{caught}/{len(BUGS)}"
            else:
                note = (note + "; " if note else "") + f"bugs not run (over {BUG_BUDGET:.0f} s)"
            print(
                f"| ({n}, {d}) | {p:,} | {name} | {seconds:.3f} | {'ok' if ok else 'MISMATCH'} | "
                f"{bugs} | {note} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
