"""Defs-only loading: run a learner file's imports and definitions, and nothing else.

A statement at the module's top level runs only when it defines something (an import, a ``def``,
a ``class``, an assignment whose value calls nothing: ``LAYERS = [5, 4, 1]``,
``sigmoid = lambda z: …``) **and** every name it reads at that moment is bound, by a statement
that ran before it or as a builtin. The names are found by walking the statement's syntax tree
(names read now; a ``def``'s or ``lambda``'s body runs later and does not count), and "bound" is
the module's namespace itself, so a star import binds what it really binds.

Top-level ``try``/``with``/``if``/``for``/``while``/``match`` blocks contribute only the imports
and definitions inside them. An import that fails (a module that is not installed, or a local
course module that needs one: ``lr_utils`` → ``h5py``) is skipped and reported; the course's
helper modules that nncheck knows (``dnn_utils``, ``gc_utils``, ``planar_utils``…) are then served
by a stand-in module holding nncheck's versions of their helpers. A name that was never bound
because its statement did not run raises, when a function needs it, a ``NameError`` that names
that statement's line.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_BLOCKS: tuple[type[ast.stmt], ...] = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    getattr(ast, "TryStar", ast.Try),  # try/except* (Python 3.11+)
    ast.Match,
)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORTS = (ast.Import, ast.ImportFrom)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)

COURSE_MODULE = re.compile(
    r"^(dnn_utils|dnn_app_utils|testCases|testcases|test_cases|public_tests|test_utils|gc_utils|"
    r"planar_utils|init_utils|reg_utils|opt_utils|lr_utils)\w*$"
)
"""Modules the course ships next to the notebook: what they define is not the learner's code."""

_STAND_INS = {
    "dnn_utils": "week4",
    "dnn_app_utils": "week4",
    "planar_utils": "week3",
    "gc_utils": "course2",
}
"""Course helper modules nncheck can stand in for, and the convention whose helpers they hold."""


def stand_in(module_name: str) -> types.ModuleType | None:
    """nncheck's stand-in for the course helper module ``module_name`` (``dnn_utils``,
    ``dnn_app_utils_v3``, ``gc_utils``, ``planar_utils``…), or None for any other module."""
    top = module_name.split(".")[0]
    convention = next((c for p, c in _STAND_INS.items() if top.startswith(p)), None)
    if convention is None or top != module_name:
        return None
    from nncheck.conventions import convention_module

    module = types.ModuleType(top, f"nncheck's stand-in for the course's {top} helpers")
    helpers: dict[str, Any] = getattr(convention_module(convention), "HELPERS", {})
    module.__dict__.update(helpers)
    module.__all__ = sorted(helpers)  # type: ignore[attr-defined]
    return module


class SkippedNames(dict[str, Any]):
    """A module's ``__builtins__`` under defs-only loading: a name the loading left unbound
    raises a ``NameError`` that says which statement did not run, and why."""

    def __init__(self) -> None:
        super().__init__(vars(builtins))
        self.why: dict[str, str] = {}

    def __missing__(self, name: str) -> Any:
        why = self.why.get(name)
        if why is None:
            raise KeyError(name)
        raise NameError(f"name {name!r} is not defined: {why}", name=name)


@dataclass
class Outcome:
    """What defs-only loading did besides running definitions."""

    notes: list[str] = field(default_factory=list)
    """Skipped imports and definitions, and stand-ins used: one sentence each, for the report."""
    course: dict[str, Any] = field(default_factory=dict)
    """Names bound from the course's own modules (or their stand-ins), with the bound object."""


def run_definitions(
    tree: ast.Module, namespace: dict[str, Any], source: str, filename: str
) -> Outcome:
    """Run the imports and definitions of ``tree`` in ``namespace`` (see the module doc)."""
    runner = _Runner(namespace, source, filename)
    for node in tree.body:
        runner.statement(node)
    runner.outcome.course = {
        n: v for n, v in runner.outcome.course.items() if namespace.get(n) is v
    }
    return runner.outcome


class _Runner:
    def __init__(self, namespace: dict[str, Any], source: str, filename: str) -> None:
        self.ns = namespace
        self.source = source
        self.filename = filename
        self.flags = 0  # `from __future__ import ...` applies to every later statement
        self.unbound = SkippedNames()
        namespace["__builtins__"] = self.unbound
        self.outcome = Outcome()

    # -- dispatch ---------------------------------------------------------------------------
    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, _IMPORTS):
            self._import(node)
        elif isinstance(node, _BLOCKS):
            kind = type(node).__name__.lower().removeprefix("async")
            why = f"inside the `{kind}` block at line {node.lineno}, which defs-only loading skips"
            for inner, runs in _block_statements(node):
                if runs:
                    self.statement(inner)
                else:
                    self._not_run(inner, why)
        elif isinstance(node, _DEFS) or _is_constant_definition(node):
            missing = sorted(n for n in _reads(node) if n not in self.ns and n not in self.unbound)
            if missing:
                self._needs(node, missing)
            else:
                self._run(node)
        else:
            self._not_run(node, "defs-only loading runs only imports, definitions and constants")

    # -- outcomes ---------------------------------------------------------------------------
    def _snippet(self, node: ast.stmt) -> str:
        if isinstance(node, _IMPORTS):
            text = ast.unparse(node)
        elif isinstance(node, _DEFS):
            text = f"{'class' if isinstance(node, ast.ClassDef) else 'def'} {node.name}"
        else:
            text = (ast.get_source_segment(self.source, node) or ast.unparse(node)).strip()
        text = text.splitlines()[0] if text else ""
        return text if len(text) <= 60 else text[:57] + "..."

    def _where(self, node: ast.stmt) -> str:
        return f"line {node.lineno} `{self._snippet(node)}`"

    def _unbind(self, node: ast.stmt, why: str) -> None:
        for name in _binds(node):
            if name not in self.ns:
                self.unbound.why.setdefault(name, why)

    def _not_run(self, node: ast.stmt, why: str) -> None:
        self._unbind(node, f"{self._where(node)} was not run ({why})")

    def _needs(self, node: ast.stmt, missing: list[str]) -> None:
        first = missing[0]
        cause = self.unbound.why.get(first)
        why = f"it needs {first}" + (f": {cause}" if cause else ", which is never defined")
        self._unbind(node, f"{self._where(node)} was not run ({why})")
        if isinstance(node, _DEFS):
            self._note(node, why)

    def _note(self, node: ast.stmt, why: str) -> None:
        self.outcome.notes.append(f"skipped: `{self._snippet(node)}` (line {node.lineno}: {why})")

    def _run(self, node: ast.stmt) -> bool:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                self.flags |= getattr(feature, "compiler_flag", 0)
        module = ast.Module(body=[node], type_ignores=[])
        code = compile(module, self.filename, "exec", flags=self.flags, dont_inherit=True)
        try:
            exec(code, self.ns)
        except (KeyboardInterrupt, SyntaxError):
            raise
        except BaseException as exc:  # a definition that raised (incl. SystemExit): skip it
            if isinstance(node, _IMPORTS):
                raise
            reason = f"it raised {type(exc).__name__}: {exc}"
            self._unbind(node, f"{self._where(node)} was skipped ({reason})")
            self._note(node, reason)
            return False
        return True

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        before = set(self.ns)
        try:
            ok = self._run(node)
        except (KeyboardInterrupt, SyntaxError):
            raise
        except BaseException as exc:
            ok = False
            self._failed_import(node, exc)
        if ok:
            self._remember_course(node, before)

    def _remember_course(self, node: ast.Import | ast.ImportFrom, before: set[str]) -> None:
        if isinstance(node, ast.ImportFrom) and COURSE_MODULE.match(
            (node.module or "").split(".")[0]
        ):
            for name in set(self.ns) - before | {a.asname or a.name for a in node.names}:
                if name in self.ns and callable(self.ns[name]):
                    self.outcome.course[name] = self.ns[name]

    def _failed_import(self, node: ast.Import | ast.ImportFrom, exc: BaseException) -> None:
        reason = _import_failure(exc)
        snippet = self._snippet(node)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = stand_in(node.module)
            if module is not None:
                self._from_stand_in(node, module, reason)
                return
        if isinstance(node, ast.Import):
            kept = []
            for alias in node.names:
                module = stand_in(alias.name)
                if module is not None:
                    self.ns[alias.asname or alias.name] = module
                    kept.append(alias.name)
            if kept:
                self.outcome.notes.append(
                    f"nncheck's stand-in for the course's {', '.join(kept)} is used "
                    f"(line {node.lineno}: {reason})"
                )
        self._unbind(node, f"line {node.lineno} `{snippet}` was skipped ({reason})")
        if any(n not in self.ns for n in _binds(node)) or not _binds(node):
            self._note(node, reason)

    def _from_stand_in(self, node: ast.ImportFrom, module: types.ModuleType, reason: str) -> None:
        lacking = []
        for alias in node.names:
            names = module.__all__ if alias.name == "*" else [alias.name]
            for name in names:
                if hasattr(module, name):
                    bound = alias.asname or name
                    self.ns[bound] = getattr(module, name)
                    self.outcome.course[bound] = self.ns[bound]
                else:
                    lacking.append(alias.asname or name)
        snippet = self._snippet(node)
        provided = sorted(set(self.outcome.course) & {a.asname or a.name for a in node.names})
        if provided or any(a.name == "*" for a in node.names):
            self.outcome.notes.append(
                f"nncheck's stand-in for the course's {node.module} is used for `{snippet}` "
                f"(line {node.lineno}: {reason})"
            )
        if lacking:
            why = f"line {node.lineno} `{snippet}` was skipped ({reason}; no stand-in has it)"
            for name in lacking:
                self.unbound.why.setdefault(name, why)
            self.outcome.notes.append(
                f"skipped: {', '.join(lacking)} of `{snippet}` (line {node.lineno}: {reason})"
            )


def _import_failure(exc: BaseException) -> str:
    """Why an import failed, in a few words: the root module that is not installed, if any."""
    missing = None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ModuleNotFoundError) and current.name:
            missing = current.name
        current = current.__cause__ or current.__context__
    if missing is not None:
        return f"{missing.split('.')[0]} is not installed"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _block_statements(node: ast.stmt) -> Iterator[tuple[ast.stmt, bool]]:
    """The statements inside a compound statement, with whether defs-only runs them (imports,
    definitions and the blocks nested in them) — in source order."""
    bodies: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        bodies.append(getattr(node, name, []))
    for handler in getattr(node, "handlers", []):
        bodies.append(handler.body)
    for case in getattr(node, "cases", []):
        bodies.append(case.body)
    for stmt in sorted((s for b in bodies for s in b), key=lambda s: (s.lineno, s.col_offset)):
        yield stmt, isinstance(stmt, (*_IMPORTS, *_DEFS, *_BLOCKS))


def _is_constant_definition(node: ast.stmt) -> bool:
    """An assignment whose value calls nothing now (a lambda's body runs later), or a docstring."""
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, (ast.Assign, ast.AugAssign)) or (
        isinstance(node, ast.AnnAssign) and node.value is not None
    ):
        return not any(
            isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr))
            for n in _walk_now(node)
        )
    return False


def _walk_now(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``node`` that run when it runs: not the bodies of functions and lambdas."""
    yield node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        now: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        if not isinstance(node, ast.Lambda):
            now += node.decorator_list
        for child in now:
            yield from _walk_now(child)
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_now(child)


def _stored(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _reads(node: ast.AST) -> set[str]:
    """Names looked up when ``node`` runs now. Function and lambda bodies run later; a
    comprehension's or a class body's own names are its own."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        now: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        if not isinstance(node, ast.Lambda):
            now += node.decorator_list
        return set().union(*(_reads(n) for n in now))
    if isinstance(node, ast.ClassDef):
        outer = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
        inner = set().union(*(_reads(s) for s in node.body)) - set().union(
            *(_binds(s) for s in node.body)
        )
        return set().union(*(_reads(n) for n in outer)) | inner
    if isinstance(node, _COMPREHENSIONS):
        first, *rest = node.generators
        targets = set().union(*(_stored(g.target) for g in node.generators))
        parts: list[ast.AST] = [first.target, *first.ifs, *rest]
        parts += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        return _reads(first.iter) | (set().union(*(_reads(p) for p in parts)) - targets)
    reads = set().union(*(_reads(child) for child in ast.iter_child_nodes(node)))
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        reads.add(node.target.id)
    return reads


def _binds(node: ast.stmt) -> set[str]:
    """Names a statement binds in the module (not those of the scopes it creates)."""
    if isinstance(node, _DEFS):
        return {node.name}
    if isinstance(node, ast.Import):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):
        return {a.asname or a.name for a in node.names if a.name != "*"}
    out: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.add(n.name)
        if isinstance(n, (*_SCOPES, *_COMPREHENSIONS)) and n is not node:
            if isinstance(n, _DEFS):
                out.add(n.name)
            continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            out |= _binds(n)
            continue
        stack.extend(ast.iter_child_nodes(n))
    return out
