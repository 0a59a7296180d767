"""pytest plugin: ``pytest --nncheck=TARGET`` (registered through the ``pytest11`` entry point).

Collects one test item per function and check of :func:`nncheck.conform`, named like
``nncheck::linear_backward::gradient``; a failing item shows the finding (message, diagnosis,
expected vs actual, formula, smallest failing example), not an internal traceback.

The target's code runs in a child process (:mod:`nncheck.runner`), never in pytest's: a
function that hangs, exits or crashes fails its items with a one-line message ("propagate did
not return within 5 s") and the session goes on.

Options: ``--nncheck=TARGET`` (repeatable: a ``.py`` file or a module name),
``--nncheck-seed=N`` (replay), ``--nncheck-convention=NAME``, ``--nncheck-hidden-activation=NAME``
(week 3: tanh or relu), ``--nncheck-defs-only``, ``--nncheck-timeout=SECONDS`` (per function),
``--nncheck-memory=MB`` (Linux). Without
``--nncheck``, the targets come from ``pyproject.toml``::

    [tool.nncheck]
    target = "my_assignment.py"     # or a list of targets
    seed = 0                        # optional
    convention = "week4"            # optional
    defs_only = true                # optional
    timeout = 5                     # optional, seconds per function
    memory = 1000                   # optional, MB

``pyproject.toml`` is read with ``tomllib`` (Python ≥ 3.11) or ``tomli`` (which pytest itself
requires on Python 3.10), because pytest's own ini handling only sees ``[tool.pytest.ini_options]``.

The header prints the seed and each target's convention. Under pytest-xdist the controller draws
the seed and hands it to every worker, so all workers collect and run the same examples.

Kept thin and lazy: this module imports only pytest and the standard library; nncheck's checks are
imported the first time a target is planned, so a pytest run without ``--nncheck`` (or
``[tool.nncheck]``) imports none of nncheck's checks and no sympy.
"""

from __future__ import annotations

import os
import secrets
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from nncheck.conformance import Finding
    from nncheck.runner import Isolated

__all__ = ["NncheckFailure", "NncheckItem", "NncheckWarning"]

_SEED_KEY = "nncheck_seed"


class NncheckFailure(AssertionError):
    """A failing finding, raised by an item and rendered by :meth:`NncheckItem.repr_failure`."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class NncheckWarning(UserWarning):
    """A finding with status "warn" (the item passes; the warning shows in pytest's summary)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nncheck", "check hand-written neural-network math")
    group.addoption(
        "--nncheck",
        action="append",
        default=[],
        metavar="TARGET",
        help="check this implementation (.py file or module name); repeatable",
    )
    group.addoption(
        "--nncheck-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of nncheck's examples (default: random, printed in the header)",
    )
    group.addoption(
        "--nncheck-convention",
        default=None,
        metavar="NAME",
        help="auto (default), week2, week3, week4, course2 or generic",
    )
    group.addoption(
        "--nncheck-hidden-activation",
        default=None,
        metavar="NAME",
        help="the hidden activation of a week-3 network: tanh or relu (default: detected)",
    )
    group.addoption(
        "--nncheck-defs-only",
        action="store_true",
        default=None,
        help="run only imports and definitions of the target (skip training at import time)",
    )
    group.addoption(
        "--nncheck-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time each function's checks may take (default 5)",
    )
    group.addoption(
        "--nncheck-memory",
        type=int,
        default=None,
        metavar="MB",
        help="memory the target may use, in MB (address-space limit; Linux only)",
    )
    group.addoption(
        "--nncheck-require-all",
        action="store_true",
        default=None,
        help="a course function the target does not define fails (default: skipped as missing)",
    )


def _pyproject_settings(rootpath: Path) -> dict[str, Any]:
    path = rootpath / "pyproject.toml"
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib as toml
    else:  # Python 3.10: pytest itself depends on tomli there
        try:
            import tomli as toml  # type: ignore[import-not-found, unused-ignore]
        except ModuleNotFoundError:
            return {}
    try:
        with path.open("rb") as fh:
            data = toml.load(fh)
    except (OSError, ValueError) as exc:
        raise pytest.UsageError(f"nncheck: cannot read {path}: {exc}") from None
    section = data.get("tool", {}).get("nncheck", {})
    if not isinstance(section, dict):
        raise pytest.UsageError(f"nncheck: [tool.nncheck] in {path} must be a table")
    return section


class _Settings:
    """Targets, seed, convention and loading mode, from the command line or pyproject.toml."""

    def __init__(self, config: pytest.Config) -> None:
        targets: list[str] = list(config.getoption("nncheck") or [])
        from_file = _pyproject_settings(config.rootpath) if not targets else {}
        if not targets:
            raw = from_file.get("target", from_file.get("targets", []))
            raw_list = [raw] if isinstance(raw, str) else list(raw)
            targets = [
                str(t if os.path.isabs(t) or not t.endswith(".py") else config.rootpath / t)
                for t in raw_list
            ]
        self.targets = targets
        seed = config.getoption("nncheck_seed")
        if seed is None:
            seed = from_file.get("seed")
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None and _SEED_KEY in workerinput:
            seed = workerinput[_SEED_KEY]
        if seed is None:
            seed = secrets.randbelow(100_000)
        if not isinstance(seed, int) or seed < 0:
            raise pytest.UsageError(
                f"nncheck: the seed must be a non-negative integer, got {seed!r}"
            )
        self.seed: int = seed
        self.convention: str = (
            config.getoption("nncheck_convention") or from_file.get("convention") or "auto"
        )
        hidden = config.getoption("nncheck_hidden_activation") or from_file.get("hidden_activation")
        self.hidden_activation: str | None = str(hidden) if hidden is not None else None
        defs_only = config.getoption("nncheck_defs_only")
        self.defs_only = bool(defs_only if defs_only is not None else from_file.get("defs_only"))
        require_all = config.getoption("nncheck_require_all")
        self.require_all = bool(
            require_all if require_all is not None else from_file.get("require_all")
        )
        timeout = config.getoption("nncheck_timeout") or from_file.get("timeout")
        memory = config.getoption("nncheck_memory") or from_file.get("memory")
        self.timeout: float | None = float(timeout) if timeout else None
        self.memory: int | None = int(memory) if memory else None
        self._isolated: dict[str, Isolated | Exception] = {}

    def isolated(self, target: str) -> Isolated:
        """``target`` loaded and planned in its child process (once; a load error is raised
        again on every call)."""
        if target not in self._isolated:
            from nncheck.runner import DEFAULT_TIMEOUT, Isolated

            isolated = Isolated(
                target,
                convention=self.convention,
                seed=self.seed,
                defs_only=self.defs_only,
                timeout=self.timeout or DEFAULT_TIMEOUT,
                memory_mb=self.memory,
                rename_hint=_RENAME_HINT,
                require_all=self.require_all,
                hidden_activation=self.hidden_activation,
            )
            try:
                isolated.outline()
                self._isolated[target] = isolated
            except Exception as exc:  # LoadError or a bad option: reported at collection
                isolated.close()
                self._isolated[target] = exc
        result = self._isolated[target]
        if isinstance(result, Exception):
            raise result
        return result

    def close(self) -> None:
        """End every target's child process."""
        for isolated in self._isolated.values():
            if not isinstance(isolated, Exception):
                isolated.close()


_RENAME_HINT = (
    "(the pytest plugin cannot map names: --nncheck-convention=NAME only picks the convention; "
    "to map yours, use `nncheck conform FILE --rename COURSE=YOURS` or "
    "nncheck.conform(FILE, convention={course name: your name}))"
)

_DEFS_ONLY = "--nncheck-defs-only, or defs_only = true under [tool.nncheck]"
"""How the plugin asks for defs-only loading (the advice of a load error names it)."""


def pytest_unconfigure(config: pytest.Config) -> None:
    settings = config.stash.get(_SETTINGS, None)
    if settings is not None:
        settings.close()


_SETTINGS = pytest.StashKey[_Settings]()


def pytest_configure(config: pytest.Config) -> None:
    settings = _Settings(config)
    config.stash[_SETTINGS] = settings
    if settings.targets and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistSeed(settings.seed), "nncheck-xdist-seed")


class _XdistSeed:
    """Hands the controller's seed to every xdist worker."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_SEED_KEY] = self.seed


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    settings = config.stash.get(_SETTINGS, None)
    if settings is None or not settings.targets:
        return None
    lines = [f"nncheck: seed {settings.seed} (replay with --nncheck-seed={settings.seed})"]
    for target in settings.targets:
        try:
            convention = settings.isolated(target).outline().convention
        except Exception as exc:  # shown again, in full, as a collection error
            convention = f"not loaded ({type(exc).__name__})"
        lines.append(f"nncheck: {target}: convention {convention}")
    return lines


class NncheckCollector(pytest.Collector):
    """The checks of one target."""

    def __init__(self, *, target: str, settings: _Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.settings = settings

    def collect(self) -> list[pytest.Item]:
        from nncheck.loader import LoadError

        try:
            isolated = self.settings.isolated(self.target)
        except LoadError as exc:
            raise self.CollectError(
                f"nncheck cannot load {self.target}: {exc.worded(_DEFS_ONLY)}"
            ) from None
        except ValueError as exc:  # no convention fits (UsageError) or a bad option
            raise self.CollectError(f"nncheck cannot check {self.target}: {exc}") from None
        return [
            NncheckItem.from_parent(
                self, name=f"{function}::{check}", isolated=isolated, function=function, check=check
            )
            for function, check in isolated.outline().checks
        ]


class NncheckItem(pytest.Item):
    """One check of one function; fails with the finding, skips when the function is absent."""

    def __init__(self, *, isolated: Isolated, function: str, check: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.isolated = isolated
        # not `function`: pytest's -k matching reads an item's `function` as a Python function
        self.nncheck_function = function
        self.nncheck_check = check

    def runtest(self) -> None:
        finding = self._finding()
        self.user_properties.append(("nncheck", finding.to_dict()))
        if finding.status == "fail":
            raise NncheckFailure(finding)
        if finding.status == "skip":
            pytest.skip(finding.message)
        if finding.status == "warn":
            warnings.warn(NncheckWarning(f"{self.name}: {finding.message}"), stacklevel=1)

    def _finding(self) -> Finding:
        """This item's finding; when the function hung, exited or crashed, that event."""
        from dataclasses import replace

        findings = self.isolated.findings(self.nncheck_function)
        for finding in findings:
            if finding.check == self.nncheck_check:
                return finding
        from nncheck.runner import RUNNER_MISTAKES

        stopped = [f for f in findings if f.mistake in RUNNER_MISTAKES]
        if stopped:
            return replace(stopped[0], check=self.nncheck_check)
        from nncheck.conformance import Finding

        return Finding(
            self.nncheck_function,
            self.nncheck_check,
            "skip",
            "not run: an earlier check stopped it",
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, NncheckFailure):
            return str(excinfo.value.finding)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        parent = self.parent
        target = parent.target if isinstance(parent, NncheckCollector) else "nncheck"
        return target, None, self.nodeid


@pytest.hookimpl(tryfirst=True)  # before -k / -m / --deselect filter the items
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    settings = config.stash.get(_SETTINGS, None)
    if settings is None or not settings.targets:
        return
    several = len(settings.targets) > 1
    for target in settings.targets:
        name = f"nncheck[{target}]" if several else "nncheck"
        collector = NncheckCollector.from_parent(
            session, name=name, nodeid=name, target=target, settings=settings
        )
        report = collector.ihook.pytest_make_collect_report(collector=collector)
        if report.failed:
            session.ihook.pytest_collectreport(report=report)
            continue
        items.extend(i for i in report.result if isinstance(i, pytest.Item))
