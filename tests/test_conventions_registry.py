"""The registry of conventions: the docs' table, the CLI's choices and the plugin's help agree
with it, and every gradient-check protocol has one home."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from nncheck import _frontdoor, conventions
from nncheck.cli import build_parser

DOC = Path(__file__).parents[1] / "docs" / "readme" / "conventions.md"


def test_the_docs_table_of_conventions_is_current() -> None:
    # regenerate with: python -m nncheck.conventions > docs/readme/conventions.md
    assert DOC.read_text() == conventions.render_markdown()
    out = subprocess.run(
        [sys.executable, "-m", "nncheck.conventions"], capture_output=True, text=True, check=True
    )
    assert out.stdout == DOC.read_text()


def test_the_registry_describes_every_home() -> None:
    registry = conventions.registry()
    assert tuple(registry) == conventions.CONVENTIONS
    week3 = registry["week3"]
    assert week3.variants == ("tanh", "relu") and "forward_propagation" in week3.markers
    assert ("course2_1d", (1, 1)) in [(p.name, p.dims) for p in registry["course2"].protocols]
    assert all(c.functions and c.markers and callable(c.module.checks) for c in registry.values())


def test_every_gradient_check_protocol_has_one_home() -> None:
    homes = [(p.name, c.name) for c in conventions.registry().values() for p in c.protocols]
    assert sorted(p for p, _ in homes) == sorted(conventions.PROTOCOLS)  # each exactly once
    assert tuple(conventions.protocols()) == conventions.PROTOCOLS
    for protocol, home in homes:
        assert conventions.protocol_home(protocol) == home
        binding = conventions.protocols()[protocol]
        assert (binding.closures is None) != (binding.build is None)  # one way to build it


def test_the_engine_has_no_branch_on_a_protocol_name() -> None:
    import ast
    import inspect

    from nncheck import gradcheck

    names = set(conventions.PROTOCOLS) | set(conventions.CONVENTIONS)
    constants = {
        node.value
        for node in ast.walk(ast.parse(inspect.getsource(gradcheck)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not names & constants


def _choices(subcommand: str, option: str) -> tuple[str, ...]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command" or a.choices)  # the subparsers
    assert isinstance(sub.choices, dict)
    action = next(a for a in sub.choices[subcommand]._actions if option in a.option_strings)
    return tuple(action.choices or ())


def test_the_cli_choices_come_from_the_registry() -> None:
    registry = conventions.registry()
    # the CLI spells them out so that `--help` imports no numpy; they must agree
    assert _frontdoor.CONVENTIONS == conventions.CONVENTIONS == tuple(registry)
    assert _frontdoor.PROTOCOLS == conventions.PROTOCOLS
    for subcommand in ("conform", "grade"):
        choices = _choices(subcommand, "--convention")
        assert choices[0] == "auto" and sorted(choices[1:]) == sorted(registry), subcommand
    choices = _choices("gradcheck", "--protocol")
    assert choices[0] == "auto" and choices[1:] == conventions.PROTOCOLS
    variants = {v for c in registry.values() for v in c.variants}
    assert set(_choices("conform", "--hidden-activation")) == variants
    assert variants == set(_frontdoor.HIDDEN_ACTIVATIONS)


def test_the_plugin_help_names_every_convention() -> None:
    source = (Path(conventions.__file__).parents[1] / "plugin.py").read_text()
    found = re.search(r'"--nncheck-convention",.*?help="([^"]*)"', source, re.S)
    assert found is not None
    assert all(name in found.group(1) for name in conventions.CONVENTIONS), found.group(1)


def test_one_detector_decides_for_gradcheck_too(tmp_path: Path) -> None:
    # a week-2 file that also defines a week-3 style forward/cost/backward triple: the first
    # matching protocol in list order was week3; conform's detector (markers) says week2
    from nncheck.loader import load_target

    source = (Path(__file__).parent / "corpus" / "w2_correct_course.py").read_text()
    extra = (
        "\n\ndef forward_propagation(X, parameters):\n    return X, {}\n"
        "\n\ndef compute_cost(A2, Y):\n    return 0.0\n"
        "\n\ndef backward_propagation(parameters, cache, X, Y):\n    return {}\n"
    )
    path = tmp_path / "hw.py"
    path.write_text(source + extra)
    module = load_target(path, defs_only=True)
    assert conventions.detect_convention(module) == "week2"
    assert conventions.detect_protocol(module)[0] == "week2"
    # files that only define a protocol's functions still fall back to the list order
    generic = load_target(Path(__file__).parent / "cli_models" / "generic_correct.py")
    assert conventions.detect_protocol(generic)[0] == "generic"
