"""The layers of docs/architecture.md, enforced on the import graph (parsed with ast, nothing
imported): a module imports only its own layer or lower ones, and no modules import each other
in a circle. Imports under ``if TYPE_CHECKING:`` are annotations, not dependencies."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1] / "nncheck"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("reference and specs", ("nncheck.reference", "nncheck.specs")),
    ("shape annotations", ("nncheck.shapes",)),
    (
        "support",
        (
            "nncheck.errors",
            "nncheck._arrays",
            "nncheck._binding",
            "nncheck._compare",
            "nncheck._callees",
            "nncheck.examples",
        ),
    ),
    (
        "checks and their results",
        (
            "nncheck.diagnose",
            "nncheck.properties",
            "nncheck.numeric",
            "nncheck.strategies",
            "nncheck._findings",
        ),
    ),
    ("conventions", ("nncheck.conventions",)),
    ("loader", ("nncheck.loader", "nncheck._defs_only")),
    ("engines", ("nncheck.gradcheck", "nncheck.conformance")),
    ("reports", ("nncheck.report", "nncheck.plots", "nncheck._gradcheck_report")),
    ("runner", ("nncheck.runner", "nncheck._runner_child")),
    (
        "front doors",
        (
            "nncheck._frontdoor",
            "nncheck._api",
            "nncheck._grade_cli",
            "nncheck.grade",
            "nncheck.magic",
            "nncheck._jupyter",
            "nncheck.cli",
            "nncheck.plugin",
            "nncheck.__main__",
            "nncheck",
        ),
    ),
]
"""Lowest first; docs/architecture.md draws the same picture."""


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _files() -> Iterator[Path]:
    # os.walk, not rglob: nncheck/reference and nncheck/specs are symlinks to the top-level folders
    for folder, _, files in os.walk(ROOT, followlinks=True):
        yield from (Path(folder) / f for f in files if f.endswith(".py"))


MODULES = {_name(p): p for p in sorted(_files())}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, lazy: bool = True) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements of ``tree``; with ``lazy=False`` only those that run at import
    time (not inside a function)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield from _imports(child, lazy)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not lazy:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node, lazy)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The nncheck modules an import statement runs (a package's ``__init__`` included)."""
    names: set[str] = set()
    if isinstance(node, ast.Import):
        names = {a.name for a in node.names}
    else:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            source = ".".join([*base, *([node.module] if node.module else [])])
        else:
            source = node.module or ""
        names = {source}
        names |= {f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in MODULES}
    # importing a.b.c runs a/__init__ and a/b/__init__ too, except the importer's own packages
    # (already running: a submodule importing its sibling is no circle)
    own = {module.rsplit(".", i)[0] for i in range(module.count(".") + 1)}
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        if parts[0] != "nncheck":
            continue
        out |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & MODULES.keys()
        out |= {name} & MODULES.keys()
    return out - (own - names)


def _graph(lazy: bool) -> dict[str, set[str]]:
    return {
        module: set().union(
            *(_targets(module, n) for n in _imports(ast.parse(path.read_text()), lazy))
        )
        for module, path in MODULES.items()
    }


GRAPH = _graph(lazy=True)
"""Every import, also inside functions: what the layering rule is about."""

AT_IMPORT = _graph(lazy=False)
"""Imports that run when the module is imported: what an import circle is made of."""


def layer_of(module: str) -> int:
    """Index in LAYERS of the longest prefix naming ``module``'s layer."""
    best = (-1, -1)
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module.startswith(prefix + ".") and prefix != "nncheck"  # the root: itself
            if (module == prefix or inside) and len(prefix) > best[0]:
                best = (len(prefix), index)
    return best[1]


def test_every_module_has_a_layer() -> None:
    assert layer_of("nncheck.something_new") == -1  # the root names only nncheck/__init__
    unplaced = sorted(m for m in MODULES if layer_of(m) < 0)
    assert not unplaced, f"place these modules in a layer of tests/test_layers.py: {unplaced}"


def test_nothing_lower_imports_higher() -> None:
    wrong = [
        f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
        for a, targets in sorted(GRAPH.items())
        for b in sorted(targets)
        if layer_of(b) > layer_of(a)
        and not (a == "nncheck" or b == "nncheck")  # the package's lazy front door
    ]
    assert not wrong, "\n".join(wrong)


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), over the imports that run
    at import time."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in AT_IMPORT[v] - {"nncheck"}:  # every module runs nncheck/__init__: not a circle
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(AT_IMPORT):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert _cycles() == []


def test_the_graph_is_real() -> None:
    # the parser sees the imports the layers are about (else the tests above prove nothing)
    assert "nncheck.reference" in GRAPH["nncheck.diagnose._faulty"]
    assert "nncheck.conventions" in GRAPH["nncheck.gradcheck"]
    assert "nncheck.diagnose.catalogue" in GRAPH["nncheck.conformance._run"]


@pytest.mark.parametrize(
    ("source", "importer", "expected"),
    [
        ("from nncheck.cli import main\n", "nncheck.reference.layers", "reference and specs"),
        (
            "import nncheck.conventions.week2\n",
            "nncheck.diagnose._match",
            "checks and their results",
        ),
        # the four upward imports issue 11 removed, planted back
        ("from nncheck.cli import EXIT_PROBLEMS\n", "nncheck.runner", "runner"),
        ("from nncheck import runner\n", "nncheck.conformance._run", "engines"),
        ("from nncheck.loader import load_target\n", "nncheck.errors", "support"),
        ("from nncheck.loader import load_notes\n", "nncheck.conventions", "conventions"),
    ],
)
def test_a_planted_upward_import_is_caught(source: str, importer: str, expected: str) -> None:
    targets = set().union(*(_targets(importer, n) for n in _imports(ast.parse(source))))
    assert LAYERS[layer_of(importer)][0] == expected
    assert any(layer_of(t) > layer_of(importer) for t in targets)
