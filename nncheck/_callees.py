"""What a person's function calls, read from its own code, and a copy of its module's namespace
with other functions in place of some of its callees.

The calls are decided from the function's code (the AST of its body), never from the course's
call graph: a learner who inlines ``linear_backward`` in ``linear_activation_backward`` does not
call it. The copy leaves the person's module untouched: every function the file defines is
re-bound to the copy, so a replaced callee is what the copy's functions see.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CallSite",
    "attribute_calls",
    "call_sites",
    "calls",
    "free_names",
    "numbered_keys",
    "rebound",
]


@dataclass(frozen=True)
class CallSite:
    """One call ``name(...)`` in a function's body: how many positional arguments it passes, the
    keywords it names, and the source text of its arguments (for messages)."""

    name: str
    positional: int
    keywords: tuple[str, ...]
    starred: bool
    text: str


def _body(func: Callable[..., Any]) -> ast.AST | None:
    try:
        source = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
    return None


def call_sites(func: Callable[..., Any]) -> list[CallSite] | None:
    """Every call of a plain name in ``func``'s body, in source order; None when the source of
    ``func`` cannot be read (then nothing is claimed about what it calls)."""
    body = _body(func)
    if body is None:
        return None
    nodes = [n for n in ast.walk(body) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    return [
        CallSite(
            node.func.id if isinstance(node.func, ast.Name) else "",
            sum(1 for a in node.args if not isinstance(a, ast.Starred)),
            tuple(k.arg for k in node.keywords if k.arg is not None),
            any(isinstance(a, ast.Starred) for a in node.args)
            or any(k.arg is None for k in node.keywords),
            ast.unparse(node),
        )
        for node in nodes
    ]


def attribute_calls(func: Callable[..., Any]) -> frozenset[str]:
    """The attribute names ``func``'s body calls (``np.squeeze(x)``, ``x.squeeze()`` → squeeze)."""
    body = _body(func)
    if body is None:
        return frozenset()
    return frozenset(
        n.func.attr
        for n in ast.walk(body)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    )


def _key_index(node: ast.AST, prefix: str) -> str | None:
    """``e`` of a key written ``prefix + str(e)`` or ``f"{prefix}{e}"`` (as source text)."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and isinstance(node.left, ast.Constant)
        and node.left.value == prefix
        and isinstance(node.right, ast.Call)
        and isinstance(node.right.func, ast.Name)
        and node.right.func.id == "str"
        and len(node.right.args) == 1
    ):
        return ast.unparse(node.right.args[0])
    if (
        isinstance(node, ast.JoinedStr)
        and len(node.values) == 2
        and isinstance(node.values[0], ast.Constant)
        and node.values[0].value == prefix
        and isinstance(node.values[1], ast.FormattedValue)
    ):
        return ast.unparse(node.values[1].value)
    return None


def numbered_keys(func: Callable[..., Any], prefix: str) -> tuple[set[str], set[str]]:
    """The index expressions of the keys ``prefix + str(i)`` that ``func`` stores and reads
    (``grads["dA" + str(l + 1)] = …`` stores ``l + 1``): (stored, read)."""
    body = _body(func)
    stored: set[str] = set()
    read: set[str] = set()
    for node in ast.walk(body) if body is not None else ():
        if isinstance(node, ast.Subscript):
            index = _key_index(node.slice, prefix)
            if index is not None:
                (stored if isinstance(node.ctx, ast.Store) else read).add(index.replace(" ", ""))
    return stored, read


def _loaded_names(func: Callable[..., Any]) -> list[str] | None:
    body = _body(func)
    if body is None:
        return None
    seen: dict[str, None] = {}
    for node in ast.walk(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            seen.setdefault(node.id, None)
    return list(seen)


def calls(func: Callable[..., Any], names: Iterable[str]) -> tuple[str, ...]:
    """The names among ``names`` that ``func``'s body uses (calls, or passes on as a value such
    as ``act = relu``), in the order of ``names``; empty when the source cannot be read."""
    loaded = _loaded_names(func)
    if loaded is None:
        return ()
    own = getattr(func, "__name__", None)
    return tuple(n for n in names if n in loaded and n != own)


def free_names(func: Callable[..., Any], namespace: Mapping[str, Any]) -> tuple[str, ...]:
    """Names ``func`` reads that are neither its own (arguments, locals), nor bound in
    ``namespace``, nor builtins: the names a skipped import or top-level line would have bound."""
    loaded = _loaded_names(func)
    code = getattr(func, "__code__", None)
    if loaded is None or code is None:
        return ()
    local = set(code.co_varnames) | set(code.co_cellvars) | set(code.co_freevars)
    return tuple(
        n for n in loaded if n not in local and n not in namespace and not hasattr(builtins, n)
    )


def rebound(module: types.ModuleType, replacements: Mapping[str, Any]) -> types.ModuleType:
    """A copy of ``module`` whose names in ``replacements`` are replaced, every function the
    module defines re-bound to the copy (so they call the replacements); ``module`` is unchanged."""
    copy = types.ModuleType(module.__name__, module.__doc__)
    space = copy.__dict__
    space.update(module.__dict__)
    for name, value in module.__dict__.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is module.__dict__:
            f = types.FunctionType(
                value.__code__, space, value.__name__, value.__defaults__, value.__closure__
            )
            f.__kwdefaults__ = value.__kwdefaults__
            f.__dict__.update(value.__dict__)
            f.__qualname__ = value.__qualname__
            f.__module__ = value.__module__
            space[name] = f
    space.update(replacements)
    return copy
