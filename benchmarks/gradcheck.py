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
import functools  # noqa: E402
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


def _torch_failed(
    cost: Callable[[Params], float], grads: Params, *, params: Params, fast: bool
) -> bool:
    return bool(torch_check(cost, params, grads, fast))


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
    # warm-up (imports, tracing, first-call overhead) so that no method pays it in the table
    p0, X0, Y0 = make_net([3, 2, 1], 2, seed)
    c0, g0 = cost_fn(X0, Y0), backprop(p0, X0, Y0)
    check_gradients(c0, p0, g0, seed=seed)
    if have_torch:
        torch_check(c0, p0, g0, fast=True)
    if have_jax:
        jax_check(c0, p0, g0)
    for number, (dims, m) in enumerate(NETS, start=1):
        if not nets or number in nets:
            rows.extend(run_net(dims, m, complete, sample, seed, have_torch, have_jax))
    return rows


def run_net(
    dims: list[int],
    m: int,
    complete: bool,
    sample: int,
    seed: int,
    have_torch: bool,
    have_jax: bool,
) -> list[Row]:
    """Every method on one net; prints and returns its rows."""
    rows: list[Row] = []
    params, X, Y = make_net(dims, m, seed)
    P = sum(v.size for v in params.values())
    net = f"{dims} m={m} (P={P:,})"
    cost = cost_fn(X, Y)
    grads = backprop(params, X, Y)
    bad = {bug: backprop(params, X, Y, bug) for bug in BUGS}
    t_eval = seconds_per_cost(cost, params)
    big = P > 50_000
    rows.append(Row(net, "bare 2P cost evaluations", 2 * P * t_eval, 2 * P, "-", note="reference"))

    def add(
        method: str,
        check: Callable[[Callable[[Params], float], Params], bool],
        *,
        skip: str = "",
        bugs: bool = True,
        scale: float = 1.0,
        note: str = "",
    ) -> None:
        if skip:
            rows.append(Row(net, method, float("nan"), 0, "-", note=skip))
            return
        counted = Counted(cost)
        failed, dt = timed(check, counted, grads)
        for _ in range(2 if dt < 1.0 else 0):  # best of 3 for quick methods
            dt = min(dt, timed(check, cost, grads)[1])
        caught = ""
        bug_evals = 0
        if bugs:
            hits = 0
            for b in BUGS:
                counted_bug = Counted(cost)
                hits += bool(check(counted_bug, bad[b]))
                bug_evals = max(bug_evals, counted_bug.count)
            caught = f"{hits}/{len(BUGS)}"
        notes = [note] if note else []
        notes.append(f"{dt * scale / t_eval:,.0f} evaluations' time")
        if bugs and bug_evals > 3 * counted.count:
            notes.append(f"up to {int(bug_evals * scale):,} evaluations per bug")
        rows.append(
            Row(
                net,
                method,
                dt * scale,
                int(counted.count * scale),
                "MISMATCH" if failed else "ok",
                caught,
                "; ".join(notes),
            )
        )

    def nncheck(mode: str) -> Callable[[Callable[[Params], float], Params], bool]:
        return lambda c, g: not check_gradients(c, params, g, mode=mode, seed=seed).ok

    expensive = "" if complete or not big else "skipped (2P evaluations; run --complete)"
    add("nncheck full", nncheck("full"), skip=expensive, bugs=not big)
    report = check_gradients(cost, params, grads, mode="auto", seed=seed)
    add("nncheck auto", nncheck("auto"), note=f"ran {report.mode}")

    rng = np.random.default_rng(seed)
    idx = (
        np.sort(rng.choice(P, size=min(sample, P), replace=False)) if big and not complete else None
    )
    add(
        "course loop (ε=1e-7)",
        lambda c, g: course_check(c, params, g, idx),
        scale=P / idx.size if idx is not None else 1.0,
        bugs=idx is not None or not big,
        note=f"projected from {idx.size:,} sampled elements" if idx is not None else "",
    )

    for fast in (False, True):
        name = f"torch gradcheck ({'fast' if fast else 'slow'})"
        if not have_torch:
            add(name, nncheck("full"), skip="torch not installed")
            continue
        add(
            name,
            functools.partial(_torch_failed, params=params, fast=fast),
            skip="" if fast else expensive,
            # fast mode re-runs the slow mode to report a mismatch: 2P evaluations per bug
            bugs=not big,
        )
    if not have_jax:
        add("jax check_grads", nncheck("full"), skip="jax not installed")
    else:
        add("jax check_grads", lambda c, g: jax_check(c, params, g))
    for row in rows:
        print(_format(row), flush=True)
    return rows


def _format(row: Row) -> str:
    seconds = "-" if row.seconds != row.seconds else f"{row.seconds:9.3f}"
    return (
        f"| {row.net:<28} | {row.method:<26} | {seconds:>9} | {row.evaluations:>9,} "
        f"| {row.verdict:<8} | {row.bugs:<4} | {row.note}"
    )


def _kink_tests() -> Any:
    """tests/test_gradcheck_kinks.py, imported: the stress nets and bugs are the tests' own, so
    the two cannot drift."""
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    import tests.test_gradcheck_kinks as kinks

    return kinks


def kinked_net(seed: int) -> tuple[Params, np.ndarray, np.ndarray]:
    """Small-integer nets with hidden pre-activations exactly 0 (the tests' generator)."""
    net: tuple[Params, np.ndarray, np.ndarray] = _kink_tests().harder_kinked_net(seed)
    return net


def stress(start: int, stop: int) -> int:
    """Correct ReLU and leaky-ReLU nets on kinks, full and directional: count failures."""
    from nncheck.reference import model_cost, model_gradients

    failures = 0
    for seed in range(start, stop):
        params, X, Y = kinked_net(seed)
        for hidden in ("relu", "leaky_relu"):
            grads = model_gradients(params, X, Y, hidden)
            for mode in ("full", "directional"):
                report = check_gradients(
                    functools.partial(model_cost, X=X, Y=Y, hidden=hidden),
                    params,
                    grads,
                    mode=mode,  # type: ignore[arg-type]
                    seed=seed,
                )
                if not report.ok:
                    failures += 1
                    print(f"FAIL seed {seed} {hidden} {mode}\n{report}", flush=True)
    print(f"seeds {start}-{stop}: {4 * (stop - start)} checks, {failures} failures")
    return failures


def stress_bugs(start: int, stop: int) -> int:
    """The other side of :func:`stress`: the planted bugs of tests/test_gradcheck_kinks.py in
    the same kinked nets. Counts the bugs not caught (a bug that sits only on kinks can hide as
    inconclusive there, so this is a rate to compare between versions, not a guarantee)."""
    from nncheck.reference import model_cost

    kinks = _kink_tests()
    missed = checks = 0
    for seed in range(start, stop):
        params, X, Y = kinked_net(seed)
        for hidden in ("relu", "leaky_relu"):
            cost = functools.partial(model_cost, X=X, Y=Y, hidden=hidden)
            for bug in kinks.BUGS:
                grads = kinks.buggy_gradients(params, X, Y, hidden, bug)
                for mode in ("full", "directional"):
                    checks += 1
                    report = check_gradients(cost, params, grads, mode=mode, seed=seed)
                    missed += report.ok
    print(f"seeds {start}-{stop}: {checks} buggy checks, {missed} not caught")
    return missed


SMALL_ERRORS = (1e-8, 2e-8, 3e-8, 4e-8, 6e-8, 1e-7, 2e-7)


def small_errors(nets: int) -> dict[float, int]:
    """The other side of "never cry wolf" at the tolerance's edge: one element of a correct
    gradient moved by each of :data:`SMALL_ERRORS` (absolute) in ``nets`` smooth tanh and ``nets``
    ReLU nets (Gaussian data, no pre-activation near 0), checked in full mode. Counts how many
    checks fail per size: a loosened bound catches fewer. Compare between versions."""
    from nncheck.reference import model_cost, model_gradients

    kinks = _kink_tests()
    caught = dict.fromkeys(SMALL_ERRORS, 0)
    for hidden in ("tanh", "relu"):
        for seed in range(nets):
            params, X, Y = kinks.ordinary_net(seed, [4, 5, 3, 1], 6)
            cost = functools.partial(model_cost, X=X, Y=Y, hidden=hidden)
            grads = model_gradients(params, X, Y, hidden)
            rng = np.random.default_rng(seed)
            key = ["dW1", "db1", "dW2", "dW3"][seed % 4]
            index = tuple(int(rng.integers(n)) for n in grads[key].shape)
            for size in SMALL_ERRORS:
                moved = {k: v.copy() for k, v in grads.items()}
                moved[key][index] += size if seed % 2 else -size
                caught[size] += not check_gradients(cost, params, moved, mode="full", seed=seed).ok
    print(
        f"{2 * nets} nets, one element off by "
        + ", ".join(f"{size:g}: {n} caught" for size, n in caught.items())
    )
    return caught


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complete", action="store_true", help="run every method in full")
    parser.add_argument("--sample", type=int, default=2000, help="elements sampled on big nets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nets", type=int, nargs="*", help="which nets to run (1-4; default all)")
    parser.add_argument(
        "--stress",
        type=int,
        nargs=2,
        metavar=("START", "STOP"),
        help="instead: check correct nets on kinks for seeds START..STOP-1 and count failures",
    )
    parser.add_argument(
        "--stress-bugs",
        type=int,
        nargs=2,
        metavar=("START", "STOP"),
        help="instead: count planted bugs not caught in the kinked nets of seeds START..STOP-1",
    )
    parser.add_argument(
        "--small-errors",
        type=int,
        metavar="NETS",
        help="instead: count tiny planted errors (1e-8 to 2e-7) caught in NETS tanh, NETS ReLU "
        "nets",
    )
    args = parser.parse_args(argv)
    if args.stress:
        raise SystemExit(1 if stress(*args.stress) else 0)
    if args.stress_bugs:
        stress_bugs(*args.stress_bugs)
        return
    if args.small_errors:
        small_errors(args.small_errors)
        return
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
