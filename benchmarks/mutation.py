"""Mutation test of ``nncheck conform``: how many one-line mistakes of a course file it kills.

Run from the repository root::

    python benchmarks/mutation.py                      # week2, week3 and week4, every mutant
    python benchmarks/mutation.py week3 --sample 20    # a fixed sample of 20 mutants
    python benchmarks/mutation.py --seed 7 --timeout 20 --list-equivalent

For each convention a correct course-style file (``tests/corpus/w*_correct_course.py``) is parsed
and every one-line mutant an AST operator can make of it is built: arithmetic and comparison swaps,
constants, axes, keepdims, ``.T``, ``np.dot`` order, 1/m, off-by-one keys and ranges, returning
another variable, dropped copies, swapped dict keys, activation swaps, dropped conversions.

A mutant whose functions all return the same values as the original's on random inputs (and
leave their inputs the same) is *equivalent* and removed. Every other mutant is run through
``nncheck.conform`` in a child process with a time limit; it is *killed* when the report fails.
A survivor is *allowed* when :func:`allowed_reason` finds a reason the course accepts it (a
random initialisation drawing the same distribution, a weight scale merely off, which conform
warns about, an ``n_h`` other than 4, an int where the course has an equal float); every other
survivor is a miss and is listed. Internal errors of nncheck (findings with mistake
``internal_error``) are counted apart: they fail the report but are nncheck's bug, not a kill.
"""

from __future__ import annotations

import argparse
import ast
import copy
import dataclasses
import multiprocessing as mp
import os
import random
import sys
import tempfile
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    "week2": ROOT / "tests" / "corpus" / "w2_correct_course.py",
    "week3": ROOT / "tests" / "corpus" / "w3_correct_course.py",
    "week4": ROOT / "tests" / "corpus" / "w4_correct_course.py",
}


# ------------------------------------------------------------------ the mutator


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One mutant of a source file: what changed, where, and the new source."""

    index: int
    function: str
    line: int
    operator: str
    description: str
    source: str
    original_line: str


_BINOP_SWAPS: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult, ast.FloorDiv),
    ast.Pow: (ast.Mult,),
    ast.FloorDiv: (ast.Div,),
    ast.Mod: (ast.FloorDiv,),
    ast.MatMult: (ast.Mult,),
}
_CMP_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
}
_ACTIVATIONS = {"sigmoid": "relu", "relu": "sigmoid", "tanh": "sigmoid"}
_CONVERSIONS = {"float", "int", "squeeze", "array", "asarray", "deepcopy", "copy", "reshape"}


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name):
            return f.id
        if isinstance(f, ast.Attribute):
            return f.attr
    return None


def _sites(node: ast.AST, names: Sequence[str]) -> Iterator[tuple[str, str, Callable[[], ast.AST]]]:
    """``(operator, description, make)`` for every mutation of ``node`` itself; ``make()`` builds
    the replacement node. ``names`` are the local names of the enclosing function."""
    if isinstance(node, ast.BinOp):
        for new in _BINOP_SWAPS.get(type(node.op), ()):
            yield (
                "arithmetic",
                f"{type(node.op).__name__} → {new.__name__}",
                lambda new=new: ast.BinOp(node.left, new(), node.right),
            )
        if isinstance(node.op, (ast.Sub, ast.Div)):
            yield (
                "arithmetic",
                "operands swapped",
                lambda: ast.BinOp(node.right, node.op, node.left),
            )
        if isinstance(node.op, (ast.Mult, ast.Div)):
            yield "arithmetic", "left factor dropped", lambda: node.right
            yield "arithmetic", "right factor dropped", lambda: node.left
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for new in _CMP_SWAPS.get(type(node.ops[0]), ()):
            yield (
                "comparison",
                f"{type(node.ops[0]).__name__} → {new.__name__}",
                lambda new=new: ast.Compare(node.left, [new()], node.comparators),
            )
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "arithmetic", "unary minus dropped", lambda: node.operand
    elif isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            yield "constant", f"{v} → {not v}", lambda: ast.Constant(not v)
        elif isinstance(v, (int, float)):
            for new in sorted({v + 1, v - 1, 0, v * 10, v / 10} - {v}, key=str):
                if isinstance(v, int) and not isinstance(new, int):
                    continue
                yield "constant", f"{v!r} → {new!r}", lambda new=new: ast.Constant(new)
        elif isinstance(v, str):
            if v in _ACTIVATIONS:
                yield (
                    "activation",
                    f"{v!r} → {_ACTIVATIONS[v]!r}",
                    lambda: ast.Constant(_ACTIVATIONS[v]),
                )
            elif v and v[-1].isdigit():
                digit = int(v[-1])
                for new in (digit - 1, digit + 1):
                    if new >= 0:
                        text = v[:-1] + str(new)
                        yield "key", f"{v!r} → {text!r}", lambda text=text: ast.Constant(text)
            elif len(v) <= 3 and v.startswith("d") and len(v) > 1:
                yield "key", f"{v!r} → {v[1:]!r}", lambda: ast.Constant(v[1:])
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose", ".T dropped", lambda: node.value
    elif (
        isinstance(node, ast.Attribute)
        and node.attr in _ACTIVATIONS
        and isinstance(node.value, ast.Name)
    ):
        new_attr = "exp" if node.attr == "tanh" else "tanh"
        yield (
            "activation",
            f"np.{node.attr} → np.{new_attr}",
            lambda: ast.Attribute(node.value, new_attr, ast.Load()),
        )
    elif isinstance(node, ast.Call):
        name = _call_name(node)
        if name in ("dot", "matmul", "multiply") and len(node.args) == 2:
            yield (
                "dot",
                f"{name} arguments swapped",
                lambda: ast.Call(node.func, node.args[::-1], node.keywords),
            )
            for i in range(2):
                yield (
                    "transpose",
                    f"{name} argument {i + 1} transposed",
                    lambda i=i: ast.Call(
                        node.func,
                        [
                            ast.Attribute(a, "T", ast.Load()) if j == i else a
                            for j, a in enumerate(node.args)
                        ],
                        node.keywords,
                    ),
                )
        if name in _ACTIVATIONS and isinstance(node.func, ast.Name):
            other = _ACTIVATIONS[name] if name != "tanh" else "relu"
            if other in names or other in ("sigmoid", "relu"):
                yield (
                    "activation",
                    f"{name}() → {other}()",
                    lambda: ast.Call(ast.Name(other, ast.Load()), node.args, node.keywords),
                )
        if name in _CONVERSIONS and node.args:
            target = (
                node.func.value
                if name == "reshape" and isinstance(node.func, ast.Attribute)
                else node.args[0]
            )
            if name == "copy" and isinstance(node.func, ast.Attribute) and not node.args:
                target = node.func.value
            yield "conversion", f"{name}() dropped", lambda target=target: target
        elif name == "copy" and isinstance(node.func, ast.Attribute) and not node.args:
            yield "conversion", ".copy() dropped", lambda: node.func.value  # type: ignore[attr-defined]
        if name == "range":
            args = node.args
            for i, a in enumerate(args):
                for delta, word in ((1, "+ 1"), (-1, "- 1")):
                    yield (
                        "range",
                        f"range argument {i + 1} {word}",
                        lambda i=i, a=a, delta=delta: ast.Call(
                            node.func,
                            [
                                ast.BinOp(a, ast.Add(), ast.Constant(delta)) if j == i else b
                                for j, b in enumerate(args)
                            ],
                            [],
                        ),
                    )
            yield (
                "range",
                "reversed",
                lambda: ast.Call(ast.Name("reversed", ast.Load()), [node], []),
            )
        for k, kw in enumerate(node.keywords):
            if kw.arg in ("axis", "keepdims"):
                yield (
                    f"{kw.arg}",
                    f"{kw.arg}= dropped",
                    lambda k=k: ast.Call(
                        node.func, node.args, [w for j, w in enumerate(node.keywords) if j != k]
                    ),
                )
            if kw.arg == "axis" and isinstance(kw.value, ast.Constant):
                new_axis = 1 - int(kw.value.value) if kw.value.value in (0, 1) else 0
                yield (
                    "axis",
                    f"axis={kw.value.value} → {new_axis}",
                    lambda k=k, new_axis=new_axis: ast.Call(
                        node.func,
                        node.args,
                        [
                            ast.keyword("axis", ast.Constant(new_axis)) if j == k else w
                            for j, w in enumerate(node.keywords)
                        ],
                    ),
                )
            if kw.arg == "keepdims":
                yield (
                    "keepdims",
                    "keepdims flipped",
                    lambda k=k: ast.Call(
                        node.func,
                        node.args,
                        [
                            ast.keyword("keepdims", ast.UnaryOp(ast.Not(), w.value))
                            if j == k
                            else w
                            for j, w in enumerate(node.keywords)
                        ],
                    ),
                )
    elif isinstance(node, ast.Dict) and len(node.keys) >= 2:
        for i in range(len(node.keys) - 1):
            yield (
                "dict",
                f"values of keys {i + 1} and {i + 2} swapped",
                lambda i=i: ast.Dict(
                    node.keys,
                    [
                        node.values[i + 1] if j == i else node.values[i] if j == i + 1 else v
                        for j, v in enumerate(node.values)
                    ],
                ),
            )
    elif isinstance(node, ast.Return) and node.value is not None:
        values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        for i, v in enumerate(values):
            if not isinstance(v, ast.Name):
                continue
            for other in names:
                if other == v.id:
                    continue
                new_values = [
                    ast.Name(other, ast.Load()) if j == i else w for j, w in enumerate(values)
                ]
                yield (
                    "return",
                    f"returns {other} in place of {v.id}",
                    lambda nv=new_values: ast.Return(
                        ast.Tuple(nv, ast.Load()) if isinstance(node.value, ast.Tuple) else nv[0]
                    ),
                )


def _local_names(func: ast.FunctionDef) -> list[str]:
    """Names a function binds (its arguments and assignment targets), in order of appearance."""
    out = [a.arg for a in func.args.args]
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in out:
            out.append(node.id)
    return out


def _parents(tree: ast.AST) -> dict[int, tuple[ast.AST, str, int | None]]:
    """For every node, its parent, the field holding it and its index in that field's list."""
    out: dict[int, tuple[ast.AST, str, int | None]] = {}
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                out[id(value)] = (parent, name, None)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        out[id(item)] = (parent, name, i)
    return out


def _unparse_with(
    tree: ast.AST,
    parents: dict[int, tuple[ast.AST, str, int | None]],
    node: ast.AST,
    replacement: ast.AST,
) -> str:
    """The source of ``tree`` with ``node`` replaced (in place for the unparse, then restored)."""
    parent, name, index = parents[id(node)]
    if index is None:
        setattr(parent, name, replacement)
    else:
        getattr(parent, name)[index] = replacement
    try:
        return ast.unparse(tree)
    finally:
        if index is None:
            setattr(parent, name, node)
        else:
            getattr(parent, name)[index] = node


def mutants(source: str) -> list[Mutant]:
    """Every one-operator mutant of the functions of ``source`` (duplicates removed)."""
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    owner: dict[int, ast.FunctionDef] = {}
    for func in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        for sub in ast.walk(func):
            owner[id(sub)] = func
    out: list[Mutant] = []
    lines = source.splitlines()
    parents = _parents(tree)
    seen = {ast.unparse(tree)}
    for node in nodes:
        func = owner.get(id(node))
        if func is None or node is func:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node is func.body[0]:
            continue  # a docstring
        local = _local_names(func)
        for operator, description, make in _sites(node, local):
            try:
                text = _unparse_with(tree, parents, node, make())
            except (KeyError, ValueError, TypeError, AttributeError):
                continue
            if text in seen:
                continue
            seen.add(text)
            line = getattr(node, "lineno", func.lineno)
            out.append(
                Mutant(len(out), func.name, line, operator, description, text, lines[line - 1])
            )
    return out


# ------------------------------------------------------------------ equivalence


def _load(source: str, name: str = "mutant") -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _week2_probes(seed: int) -> list[tuple[str, tuple[Any, ...]]]:
    rng = _rng(seed)
    probes: list[tuple[str, tuple[Any, ...]]] = []
    for n, m in ((3, 5), (4, 1), (2, 2)):
        X = rng.standard_normal((n, m))
        Y = (rng.random((1, m)) < 0.5).astype(float)
        w = 0.5 * rng.standard_normal((n, 1))
        b = float(rng.standard_normal())
        probes += [
            ("sigmoid", (rng.standard_normal((n, m)) * 3,)),
            ("initialize_with_zeros", (n,)),
            ("propagate", (w, b, X, Y)),
            ("optimize", (w, b, X, Y, 250, 0.05, False)),
            ("predict", (w, b, X)),
        ]
    return probes


def _net(rng: np.random.Generator, dims: Sequence[int]) -> dict[str, Any]:
    p: dict[str, Any] = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        p[f"b{l}"] = 0.3 * rng.standard_normal((dims[l], 1))
    return p


def _week3_probes(seed: int) -> list[tuple[str, tuple[Any, ...]]]:
    rng = _rng(seed)
    probes: list[tuple[str, tuple[Any, ...]]] = []
    for n_x, n_h, n_y, m in ((3, 5, 1, 7), (2, 4, 2, 1), (4, 3, 1, 3)):
        X = rng.standard_normal((n_x, m))
        Y = (rng.random((n_y, m)) < 0.5).astype(float)
        p = _net(rng, (n_x, n_h, n_y))
        Z1 = p["W1"] @ X + p["b1"]
        A1 = np.tanh(Z1)
        Z2 = p["W2"] @ A1 + p["b2"]
        A2 = 1 / (1 + np.exp(-Z2))
        cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
        grads = {k2: rng.standard_normal(v.shape) for k, v in p.items() for k2 in ["d" + k]}
        probes += [
            ("layer_sizes", (X, Y)),
            ("initialize_parameters", (n_x, n_h, n_y)),
            ("forward_propagation", (X, p)),
            ("compute_cost", (A2[:1], Y[:1], p)),
            ("backward_propagation", (p, cache, X, Y)),
            ("update_parameters", (p, grads, 0.7)),
            ("predict", (p, X)),
        ]
    return probes


def _week4_probes(seed: int) -> list[tuple[str, tuple[Any, ...]]]:
    rng = _rng(seed)
    probes: list[tuple[str, tuple[Any, ...]]] = []
    for dims, m in (((4, 3, 5, 1), 6), ((3, 2, 1), 1), ((5, 4, 3, 2, 1), 3)):
        X = rng.standard_normal((dims[0], m))
        Y = (rng.random((1, m)) < 0.5).astype(float)
        p = _net(rng, dims)
        Z = rng.standard_normal((dims[1], m)) * 2
        dA = rng.standard_normal(Z.shape)
        A_prev = np.abs(rng.standard_normal((dims[0], m)))
        W, b = p["W1"], p["b1"]
        dZ = rng.standard_normal((dims[1], m))
        lin_cache = (A_prev, W, b)
        act_cache = W @ A_prev + b
        AL = 1 / (1 + np.exp(-rng.standard_normal((1, m)) * 2))
        L = len(dims) - 1
        caches = []
        A = X
        for l in range(1, L + 1):
            Zl = p[f"W{l}"] @ A + p[f"b{l}"]
            caches.append(((A, p[f"W{l}"], p[f"b{l}"]), Zl))
            A = 1 / (1 + np.exp(-Zl)) if l == L else np.maximum(0, Zl)
        grads = {"d" + k: rng.standard_normal(v.shape) for k, v in p.items()}
        probes += [
            ("sigmoid", (Z,)),
            ("relu", (Z,)),
            ("sigmoid_backward", (dA, Z)),
            ("relu_backward", (dA, Z)),
            ("initialize_parameters", (dims[0], dims[1], dims[-1] + 1)),
            ("initialize_parameters_deep", (list(dims),)),
            ("linear_forward", (A_prev, W, b)),
            ("linear_activation_forward", (A_prev, W, b, "relu")),
            ("linear_activation_forward", (A_prev, W, b, "sigmoid")),
            ("L_model_forward", (X, p)),
            ("compute_cost", (AL, Y)),
            ("linear_backward", (dZ, lin_cache)),
            ("linear_activation_backward", (dZ, (lin_cache, act_cache), "relu")),
            ("linear_activation_backward", (dZ, (lin_cache, act_cache), "sigmoid")),
            ("L_model_backward", (A, Y, caches)),
            ("update_parameters", (p, grads, 0.3)),
            ("predict", (X, Y, p)),
        ]
    return probes


PROBES: dict[str, Callable[[int], list[tuple[str, tuple[Any, ...]]]]] = {
    "week2": _week2_probes,
    "week3": _week3_probes,
    "week4": _week4_probes,
}


def _observe(module: types.ModuleType, convention: str, seed: int) -> list[Any]:
    """What every function of ``module`` returns on the probes, with its inputs after the call
    (an exception counts as an output: its type)."""
    out: list[Any] = []
    for name, args in PROBES[convention](seed):
        args = copy.deepcopy(args)
        np.random.seed(0)  # noqa: NPY002 - the course's functions draw from the legacy state
        try:
            with np.errstate(all="ignore"), open(os.devnull, "w") as sink:
                stdout, sys.stdout = sys.stdout, sink
                try:
                    result = getattr(module, name)(*args)
                finally:
                    sys.stdout = stdout
        except Exception as exc:  # the mutant's crash is an output like any other
            result = ("raised", type(exc).__name__)
        out.append((name, result, args))
    return out


def _same(a: Any, b: Any, *, types_too: bool) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and list(a) == list(b)
            and all(_same(a[k], b[k], types_too=types_too) for k in a)
        )
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y, types_too=types_too) for x, y in zip(a, b, strict=True))
        )
    if types_too and type(a) is not type(b):
        return False
    if types_too and isinstance(a, np.ndarray) and a.dtype != b.dtype:
        return False
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype == object or y.dtype == object or x.dtype.kind in "US" or y.dtype.kind in "US":
            return bool(a == b)
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True))
    except (TypeError, ValueError):
        return False


def _weights_only(original: Any, mutant: Any) -> list[tuple[Any, Any]] | None:
    """The (original, mutant) weight matrices when two initialisations differ only in their
    weights (same keys, in any order, same shapes, same biases); None otherwise."""
    if not (isinstance(original, dict) and isinstance(mutant, dict)):
        return None
    if set(original) != set(mutant):
        return None
    pairs = []
    for k, v in original.items():
        w, v = np.asarray(mutant[k], dtype=float), np.asarray(v, dtype=float)
        if w.shape != v.shape:
            return None
        if k.startswith("b") and not np.array_equal(w, v):
            return None
        if k.startswith("W"):
            pairs.append((v, w))
    return pairs


SATURATING_STD = 3.0
"""The weight standard deviation from which conform fails an initialisation (it saturates)."""


# ------------------------------------------------------------------ verdicts


@dataclasses.dataclass
class Outcome:
    """What happened to one mutant."""

    mutant: Mutant
    status: str  # "equivalent" | "killed" | "survived" | "allowed" | "internal" | "timeout"
    reason: str = ""


def allowed_reason(mutant: Mutant, original: list[Any], observed: list[Any]) -> str | None:
    """Why a surviving mutant is acceptable, or None when its survival is nncheck's miss."""
    differing = [
        (o, m) for o, m in zip(original, observed, strict=True) if not _same(o, m, types_too=True)
    ]
    if all(_same(o, m, types_too=False) for o, m in differing):
        return "int vs float (or another type) where the values are equal"
    names = {o[0] for o, _ in differing}
    if names == {"update_parameters"} and all(
        _same(o[1], m[1], types_too=True) for o, m in differing
    ):
        return "updates the parameters in place and returns them (the course accepts it)"
    if names == {"layer_sizes"}:
        sizes = [(o[1], m[1]) for o, m in differing]
        if all(
            isinstance(mm, tuple)
            and len(mm) == 3
            and _same(oo[0], mm[0], types_too=True)
            and _same(oo[2], mm[2], types_too=True)
            for oo, mm in sizes
        ):
            return "an n_h other than the course's 4 (a warning)"
    if names and names <= {"initialize_parameters", "initialize_parameters_deep"}:
        if "random.seed(" in mutant.original_line:
            return "another seed: the same distribution"
        pairs = [_weights_only(o[1], m[1]) for o, m in differing]
        if all(p is not None for p in pairs):
            weights = [pair for p in pairs if p is not None for pair in p]
            if all(np.allclose(np.abs(w), np.abs(v)) for v, w in weights):
                return "a sign flip of a random init: the same distribution"
            before = np.concatenate([v.ravel() for v, _ in weights])
            after = np.concatenate([w.ravel() for _, w in weights])
            drawn = all(np.any(w) for _, w in weights)
            if (
                drawn
                and 0.5 < np.std(after) / np.std(before) < 2
                and abs(np.mean(after)) < 0.5 * np.std(before)
            ):
                # pooled over every weight: the probes' matrices are too small to judge one by one
                return "another draw of the same distribution (layers drawn in another order)"
            if all(np.std(w) < SATURATING_STD for _, w in weights):
                return "a weight scale merely off the course's 0.01, unsaturated (a warning)"
    return None


def _conform_child(path: str, seed: int, first: frozenset[str], queue: Any) -> None:
    """``conform``'s verdict on ``path``. The checks of the functions in ``first`` (those whose
    outputs the mutant changed) run first: one of them failing fails the whole report, so the
    rest only runs when they all pass (the same verdict as a full run, sooner)."""
    import warnings

    warnings.simplefilter("ignore")
    from nncheck.conformance import plan

    try:
        items = plan(path, seed=seed, defs_only=True).items
    except Exception as exc:  # a load error of the mutant: a kill (the person is told)
        queue.put(("killed", f"conform raised {type(exc).__name__}: {exc}"))
        return
    ordered = [i for i in items if i.function in first] + [
        i for i in items if i.function not in first
    ]
    warns: list[str] = []
    internal = None
    for item in ordered:
        f = item.run()
        if f.status == "fail" and f.mistake == "internal_error":
            internal = internal or f"{f.function}·{f.check}: {f.message}"
        elif f.status == "fail":
            queue.put(("killed", f"{f.function}·{f.check}: {f.message}"))
            return
        elif f.status == "warn":
            warns.append(f"{f.function}·{f.check}")
    if internal is not None:
        queue.put(("internal", internal))
    else:
        queue.put(("survived", f"warnings: {', '.join(warns) or 'none'}"))


def run_conform(
    source: str, convention: str, seed: int, timeout: float, first: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """Run ``conform`` on ``source`` in a child process; ``(status, detail)``."""
    ctx = mp.get_context("fork")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{convention}_mutant.py")
        with open(path, "w") as fh:
            fh.write(source)
        queue = ctx.Queue()
        child = ctx.Process(target=_conform_child, args=(path, seed, first, queue))
        child.start()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
            return "timeout", f"conform took more than {timeout:g} s"
        try:
            status, detail = queue.get(timeout=1)
        except Exception:
            return "internal", f"the child died (exit code {child.exitcode})"
        return str(status), str(detail)


def _observe_child(source: str, convention: str, seed: int, queue: Any) -> None:
    try:
        module = _load(source)
        queue.put(("ok", _observe(module, convention, seed)))
    except Exception as exc:  # does not even load: not equivalent
        queue.put(("error", repr(exc)))


def observe(source: str, convention: str, seed: int, timeout: float) -> list[Any] | None:
    """The probes' outputs of ``source`` (None when it fails to load or hangs)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_observe_child, args=(source, convention, seed, queue))
    child.start()
    try:
        status, value = queue.get(timeout=timeout)
    except Exception:
        status, value = "timeout", None
    child.join(1)
    if child.is_alive():
        child.kill()
        child.join()
    return value if status == "ok" else None


def judge(
    mutant: Mutant, convention: str, original: list[Any], seed: int, timeout: float
) -> Outcome:
    """Equivalence first (on two probe seeds), then ``conform``."""
    observed = observe(mutant.source, convention, seed, timeout)
    if observed is not None and _same(original, observed, types_too=True):
        second = observe(mutant.source, convention, seed + 1, timeout)
        again = _observe(_load(SOURCES_TEXT[convention]), convention, seed + 1)
        if second is not None and _same(again, second, types_too=True):
            return Outcome(mutant, "equivalent")
    changed = frozenset(
        o[0] for o, m in zip(original, observed or original, strict=True)
        if observed is None or not _same(o, m, types_too=True)
    )  # fmt: skip
    status, detail = run_conform(mutant.source, convention, seed, timeout, changed)
    if status == "survived" and observed is not None:
        reason = allowed_reason(mutant, original, observed)
        if reason is not None:
            return Outcome(mutant, "allowed", reason)
    return Outcome(mutant, status, detail)


SOURCES_TEXT: dict[str, str] = {}


def evaluate(
    convention: str,
    *,
    seed: int = 0,
    timeout: float = 30.0,
    sample: int | None = None,
    progress: bool = False,
) -> list[Outcome]:
    """Every mutant of the convention's correct file (or a fixed sample of ``sample``), judged."""
    source = SOURCES[convention].read_text()
    SOURCES_TEXT[convention] = source
    every = mutants(source)
    if sample is not None and sample < len(every):
        every = random.Random(f"{convention}-{seed}").sample(every, sample)
    original = _observe(_load(source, "original"), convention, seed)
    out = []
    for m in every:
        out.append(judge(m, convention, original, seed, timeout))
        if progress:
            print(out[-1].status[0], end="", file=sys.stderr, flush=True)
    return out


def summary(convention: str, outcomes: Sequence[Outcome]) -> str:
    """The kill rate and the survivors, as text."""
    counts = {
        s: sum(1 for o in outcomes if o.status == s)
        for s in ("equivalent", "killed", "allowed", "survived", "internal", "timeout")
    }
    considered = len(outcomes) - counts["equivalent"] - counts["allowed"]
    killed = counts["killed"] + counts["timeout"]
    rate = 100.0 * killed / considered if considered else 100.0
    lines = [
        f"{convention}: {len(outcomes)} mutants, {counts['equivalent']} equivalent, "
        f"{counts['allowed']} allowed survivors, {considered} judged: {killed} killed "
        f"({rate:.1f} %), {counts['survived']} survived, {counts['internal']} internal errors"
        f", {counts['timeout']} timeouts (counted as killed)"
    ]
    for o in outcomes:
        if o.status in ("survived", "internal"):
            m = o.mutant
            lines.append(
                f"  {o.status.upper():8} #{m.index} {m.function}:{m.line} {m.operator}: "
                f"{m.description} — {o.reason}"
            )
    for o in outcomes:
        if o.status == "allowed":
            m = o.mutant
            lines.append(f"  allowed  #{m.index} {m.function}:{m.line} {m.description}: {o.reason}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conventions", nargs="*", default=list(SOURCES), choices=list(SOURCES))
    parser.add_argument("--seed", type=int, default=0, help="conform's seed and the probes'")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per mutant")
    parser.add_argument("--sample", type=int, default=None, help="a fixed sample of N mutants")
    args = parser.parse_args(argv)
    missed = 0
    for convention in args.conventions:
        outcomes = evaluate(
            convention, seed=args.seed, timeout=args.timeout, sample=args.sample, progress=True
        )
        print(summary(convention, outcomes), flush=True)
        missed += sum(1 for o in outcomes if o.status in ("survived", "internal"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
