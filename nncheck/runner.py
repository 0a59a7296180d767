"""Isolation: the person's code runs in a warm child process with time and memory limits.

nncheck's own process never imports the person's file. A pool of one worker process, forked from
the parent after numpy and nncheck's checks are imported (so it starts in milliseconds), loads the
target, builds :func:`nncheck.conformance.plan` once and runs the checks of one function per task;
the parent receives each function's findings as soon as that function is done. A function that
hangs, exits, kills the interpreter or runs out of memory fails *that function only*: the parent
records a finding with status ``"fail"`` and ``mistake`` one of :data:`RUNNER_MISTAKES`, the pool
replaces the worker, and the remaining functions run in the fresh one. A later function whose
source calls a function that timed out is reported without spending another timeout.

Process management is pebble's ``ProcessPool`` (per-task timeouts, worker replacement, the exit
code of a worker that died). Each worker leads its own process group, so processes started by the
person's code are killed with it; threads die with the worker. ``memory_mb`` caps the worker's
address space (``RLIMIT_AS``, on top of what the warm worker maps at start; Linux only).

Internal API for other front doors (the Jupyter helper calls these)::

    run_conform(target, *, convention="auto", seed=None, defs_only=False,
                timeout=DEFAULT_TIMEOUT, memory_mb=None, rename_hint=...,
                on_finding=None, require_all=False) -> ConformanceReport
        target: a path (.py / .ipynb), a module name, or a ``types.ModuleType`` (with fork the
        worker inherits the in-memory module). on_finding(finding) is called in the parent as
        each finding arrives. Raises nncheck.loader.LoadError (the file fails, exits or hangs
        while loading) and ValueError (unknown convention, bad seed), like ``conform``.

    run_gradcheck(target, *, timeout=DEFAULT_TIMEOUT, memory_mb=None, seed, **options)
        -> GradcheckRun
        the whole gradient check of ``nncheck gradcheck`` (options, all optional: dims, m,
        data, params, mode, protocol, renames, defs_only, as_json, plot) in one task; returns
        GradcheckRun(code, output, mistake, message): the exit code and the rendered report
        (text, or JSON with as_json=True), or, when the person's code stopped the check, its
        mistake ("timeout", "exit", "crash", "memory") and message. Raises LoadError when the
        file exits or hangs while loading.

    Isolated(target, **same options as run_conform) -> .outline(), .findings(function),
        .report(on_finding), .close(): one target kept in its child across calls (the pytest
        plugin's items each read one finding).

    call(function, *args, timeout=DEFAULT_TIMEOUT, memory_mb=None) -> result of function(*args)
        any top-level function in a fresh warm child; raises :class:`RunnerEvent` when the
        child times out, exits or crashes.

The workers are started with the ``fork`` method: they inherit the parent's imports and
in-memory modules. The runner needs POSIX (Linux; macOS, where ``RLIMIT_AS`` is not enforced);
on Windows, which has no fork and no process groups, only the in-process library runs.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import tempfile
import textwrap
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from nncheck.conformance import ConformanceReport, Finding, Plan

__all__ = [
    "DEFAULT_TIMEOUT",
    "RUNNER_MISTAKES",
    "GradcheckRun",
    "Isolated",
    "RunnerEvent",
    "call",
    "run_conform",
    "run_gradcheck",
]

DEFAULT_TIMEOUT = 5.0
"""Seconds each function's checks may take: more than 10x the slowest correct function of the
corpus in a warm worker (0.42 s, ``python benchmarks/isolation.py --timings``), and small enough
that a file with one hanging function finishes well under 20 s (docs/readme/grade.md)."""

LOAD_TIMEOUT_FACTOR = 6
"""Loading a file gets this many function timeouts (30 s by default): learners' files often
train, plot or load data at import, which is slow but not a hang."""

RUNNER_MISTAKES = ("timeout", "exit", "crash", "memory")
"""``mistake`` ids of findings the runner records when the person's code stops the worker."""

_RENAME_HINT = "or pass convention={course name: your name}"
_T = TypeVar("_T")


class RunnerEvent(Exception):
    """The child running the person's code timed out, exited, crashed or ran out of memory.

    Attributes:
        mistake: one of :data:`RUNNER_MISTAKES`.
        detail: what happened, to follow the name of whatever was running ("did not return
            within 5 s", "called sys.exit(0)", ...).
    """

    def __init__(self, mistake: str, detail: str) -> None:
        super().__init__(detail)
        self.mistake = mistake
        self.detail = detail


# --------------------------------------------------------------------------------------------
# the pool


def _mp_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _die_with_parent() -> None:
    """Linux: the worker is killed when nncheck dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _address_space() -> int:
    with contextlib.suppress(OSError, ValueError), open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    return 0


def _init_worker(memory_mb: int | None, registry: str) -> None:
    """Runs in each new worker: own process group, fresh std streams, limits."""
    os.setpgrp()  # processes started by the person's code join this group and die with it
    with open(os.path.join(registry, str(os.getpid())), "w"):
        pass
    _die_with_parent()
    import resource

    # a crash of the person's code must not write a core dump of the worker (slow, and litter),
    # nor print Python's fatal-error traceback (pytest enables faulthandler; the parent reports)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    import faulthandler

    faulthandler.disable()
    # fresh stream objects (a lock held by a parent thread at fork time must not block a print)
    # on the descriptors the parent's streams use (--json sends stdout to stderr)
    sys.stdout = _fresh_stream(sys.stdout)
    sys.stderr = _fresh_stream(sys.stderr)
    if memory_mb is not None:
        limit = _address_space() + memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_RUNNING = "running"


def _task(registry: str, function: Callable[..., _T], *args: Any) -> tuple[_T, str, str]:
    """In the worker: note which process runs the task, run it; return the result and what was
    printed to streams that have no descriptor to share with the parent."""
    with open(os.path.join(registry, _RUNNING), "w") as fh:
        fh.write(str(os.getpid()))
    with contextlib.suppress(OSError):
        os.remove(os.path.join(registry, _WHERE))
    result = function(*args)
    return result, _drain(sys.stdout), _drain(sys.stderr)


def _drain(stream: Any) -> str:
    if not isinstance(stream, io.StringIO):
        return ""
    text = stream.getvalue()
    stream.seek(0)
    stream.truncate()
    return text


def _fresh_stream(stream: Any) -> Any:
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        # no descriptor (pytest's capture, a notebook): the text goes back with the result
        return io.StringIO()
    return open(os.dup(fd), "w", encoding="utf-8", errors="replace", buffering=1)


def _warm() -> None:
    """Import what the checks need before forking, so every worker starts warm (the checks
    import hypothesis and the conventions lazily: ~1 s a worker would pay again each time)."""
    import hypothesis.strategies  # noqa: F401

    import nncheck.conformance
    import nncheck.diagnose
    import nncheck.gradcheck
    import nncheck.loader
    import nncheck.properties
    import nncheck.strategies  # noqa: F401
    from nncheck import conventions

    for name in conventions.CONVENTIONS:
        conventions.convention_module(name)


class _Pool:
    """A pebble ``ProcessPool`` of warm workers whose process groups are killed with them."""

    def __init__(self, workers: int = 1, *, memory_mb: int | None = None) -> None:
        from pebble import ProcessPool

        _warm()
        self.registry = tempfile.mkdtemp(prefix="nncheck-workers-")
        with warnings.catch_warnings():
            # Python ≥ 3.12 warns that forking a threaded process may deadlock; the worker
            # replaces the std streams (the one lock it may need) and imports nothing new
            warnings.simplefilter("ignore", DeprecationWarning)
            self.pool = ProcessPool(
                max_workers=workers,
                initializer=_init_worker,
                initargs=(memory_mb, self.registry),
                context=_mp_context(),
            )
        self.memory_mb = memory_mb
        self.loaded = False
        """Whether the current worker has loaded the target (a replaced worker has not)."""

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, function: Callable[..., _T], *args: Any, timeout: float) -> _T:
        """``function(*args)`` in a worker; :class:`RunnerEvent` when it does not come back."""
        from concurrent.futures import wait

        from pebble import ProcessExpired

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            future = self.pool.schedule(
                _task, args=(self.registry, function, *args), timeout=timeout
            )
        gone = 0
        while not wait([future], timeout=0.05).done:
            # pebble takes a worker that ended with status 0 for one it stopped on purpose and
            # leaves its task waiting for the timeout: notice the death of the task's worker
            gone = gone + 1 if not self._running_alive() else 0
            if gone > 4:
                future.cancel()  # type: ignore[no-untyped-call]
                self.reap()
                raise _expired(0, self.memory_mb)
        try:
            result, printed, errors = future.result()
        except FutureTimeout:
            self.reap()
            raise RunnerEvent("timeout", f"did not return within {_seconds(timeout)}") from None
        except ProcessExpired as exc:
            self.reap()
            raise _expired(exc.exitcode, self.memory_mb) from None
        sys.stdout.write(printed)
        sys.stderr.write(errors)
        return cast(_T, result)

    def _running_alive(self) -> bool:
        try:
            with open(os.path.join(self.registry, _RUNNING)) as fh:
                pid = int(fh.read())
        except (OSError, ValueError):
            return True  # no task has started yet
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    def reap(self) -> None:
        """Kill what is left of the process groups of workers that are gone."""
        self.loaded = False
        for name in os.listdir(self.registry):
            if not name.isdigit():
                continue
            pid = int(name)
            try:
                os.kill(pid, 0)
                continue  # still a live worker
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.remove(os.path.join(self.registry, name))

    def close(self) -> None:
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join(timeout=10)
        for name in os.listdir(self.registry):
            if name.isdigit():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(name), signal.SIGKILL)
        shutil.rmtree(self.registry, ignore_errors=True)


def _seconds(timeout: float) -> str:
    return f"{timeout:g} s"


def _expired(exitcode: int | None, memory_mb: int | None) -> RunnerEvent:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        hint = ""
        if memory_mb is not None and -exitcode in (signal.SIGKILL, signal.SIGABRT):
            hint = f"; with --memory {memory_mb} this can mean it ran out of memory"
        return RunnerEvent("crash", f"killed the Python process (signal {-exitcode}, {name}){hint}")
    return RunnerEvent(
        "exit",
        f"ended the Python process with exit status {exitcode} (os._exit, or a crash in C code)",
    )


def call(
    function: Callable[..., _T],
    *args: Any,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int | None = None,
) -> _T:
    """``function(*args)`` in a fresh warm child; :class:`RunnerEvent` if it does not return."""
    with _Pool(memory_mb=memory_mb) as pool:
        return pool.run(function, *args, timeout=timeout)


# --------------------------------------------------------------------------------------------
# the worker's side of conform


@dataclass(frozen=True)
class _Spec:
    """What to plan: picklable, and the key of the worker's cache."""

    target: str
    module_token: str | None
    convention: str | tuple[tuple[str, str], ...]
    seed: int
    defs_only: bool
    rename_hint: str
    require_all: bool = False
    probe: bool = True
    hidden_activation: str | None = None


@dataclass(frozen=True)
class _Outline:
    """The plan as the parent sees it: no closures, only names."""

    convention: str
    functions: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = ()
    calls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    """What loading skipped or stood in for (the plan's notes)."""


_MODULES: dict[str, types.ModuleType] = {}
"""In-memory targets, registered in the parent before the pool forks (the worker inherits)."""

_PLANS: dict[_Spec, Plan] = {}

_LOADED: dict[tuple[str, bool], types.ModuleType] = {}
"""The target this worker has loaded (one at a time), so that the tasks after the load (which
had the longer loading budget) do not load it again within a function's timeout."""


def _loaded(spec: _Spec) -> types.ModuleType:
    from nncheck.loader import load_target

    if spec.module_token is not None:
        return load_target(_MODULES[spec.module_token], defs_only=spec.defs_only)
    key = (spec.target, spec.defs_only)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load_target(spec.target, defs_only=spec.defs_only)
    return _LOADED[key]


def _convention_arg(spec: _Spec) -> str | dict[str, str]:
    return spec.convention if isinstance(spec.convention, str) else dict(spec.convention)


def _worker_plan(spec: _Spec) -> tuple[Plan, Mapping[str, tuple[str, ...]]]:
    from nncheck.conformance import plan

    module = _loaded(spec)
    built = plan(
        module,
        convention=_convention_arg(spec),
        seed=spec.seed,
        defs_only=spec.defs_only,
        rename_hint=spec.rename_hint,
        require_all=spec.require_all,
        probe=spec.probe,
        hidden_activation=spec.hidden_activation,
    )
    convention = spec.convention
    names = {} if isinstance(convention, str) else dict(convention)
    names.pop("convention", None)
    functions = list(dict.fromkeys(item.function for item in built.items))
    _PLANS.clear()  # one target per worker at a time: a fresh worker serves each target
    _PLANS[spec] = built
    return built, _calls(module, functions, names)


def _calls(
    module: types.ModuleType, functions: Sequence[str], names: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """Which of ``functions`` each one's source calls by name (none claimed without source)."""
    yours = {names.get(f, f): f for f in functions}
    found: dict[str, tuple[str, ...]] = {}
    for function in functions:
        fn = getattr(module, names.get(function, function), None)
        if not callable(fn):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        except (OSError, TypeError, SyntaxError):
            continue
        scope = getattr(fn, "__globals__", {})
        called = {
            yours[node.func.id]
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in yours
            and yours[node.func.id] != function
            # the name must resolve to the module's function, not to another module's
            and scope.get(node.func.id) is getattr(module, node.func.id, None)
        }
        if called:
            found[function] = tuple(sorted(called))
    return found


def _outline_task(spec: _Spec, registry: str) -> _Outline | tuple[str, dict[str, Any]]:
    """Load and plan in the worker; a load error comes back as data (LoadError does not
    pickle), ``("load", {...})`` or ``("value", {...})``."""
    from nncheck.loader import LoadError

    if spec.module_token is None:
        _watch(spec.target, registry)  # planning probes the forward pass, which may hang
    try:
        built, calls = _worker_plan(spec)
    except LoadError as exc:
        return "load", {
            "kind": exc.kind,
            "message": exc.message,
            "path": exc.path,
            "line": exc.line,
            "cell": exc.cell,
        }
    except ValueError as exc:
        return "value", {"message": str(exc)}
    functions = tuple(dict.fromkeys(item.function for item in built.items))
    checks = tuple((item.function, item.check) for item in built.items)
    return _Outline(built.convention, functions, checks, calls, built.notes)


def _function_task(spec: _Spec, function: str, registry: str) -> list[dict[str, Any]]:
    """Run one function's checks in the worker; findings as JSON-safe dicts."""
    if spec.module_token is None:
        _watch(spec.target, registry)  # a timeout can then say which function hung
    built = _PLANS.get(spec)
    if built is None:  # a fresh worker (the last one was replaced): plan again
        built, _ = _worker_plan(spec)
    findings: list[dict[str, Any]] = []
    for item in built.items:
        if item.function != function:
            continue
        try:
            findings.append(item.run().to_dict())
        except BaseException as exc:  # the person's exit, interrupt or MemoryError
            stopped = _stopped(function, item.check, exc)
            inner = _innermost_user_function(exc, built.target)
            if inner is not None and inner != function:
                message = f"{stopped.message} (in {inner}, which it calls)"
                stopped = replace(stopped, message=message)
            findings.append(stopped.to_dict())
            break
    return findings


def _judged_task(
    spec: _Spec, function: str, found: list[dict[str, Any]], failing: frozenset[str]
) -> list[dict[str, Any]]:
    """In the worker: ``function``'s findings judged on its own (``Plan.judged``), given the
    functions that fail."""
    from dataclasses import replace as replaced

    built = _PLANS.get(spec)
    if built is None:
        built, _ = _worker_plan(spec)
    mine = replaced(built, items=tuple(i for i in built.items if i.function == function))
    findings = [_finding(d) for d in found]
    if len(findings) != len(mine.items):
        return found  # stopped part way (a runner event): nothing to judge
    return [f.to_dict() for f in mine.judged(findings, set(failing))]


def _stopped(name: str, check: str, exc: BaseException) -> Finding:
    """The finding of a check stopped by a ``BaseException`` of the person's code."""
    if isinstance(exc, SystemExit):
        code = "" if exc.code is None else repr(exc.code)
        return _event(name, check, "exit", f"called sys.exit({code}) (or exit())")
    if isinstance(exc, MemoryError):
        return _event(name, check, "memory", f"ran out of memory (MemoryError: {exc})")
    return _event(
        name,
        check,
        "crash",
        f"raised {type(exc).__name__}, which is not an Exception and stops Python "
        f"(a BaseException{': ' + str(exc) if str(exc) else ''})",
    )


_ADVICE = {
    "timeout": "look for a loop that never ends or a wait that is never answered",
    "exit": "a function must return its result, never end the program",
    "crash": "the process died or was stopped by this function; no result could be checked",
    "memory": "it needs more memory than allowed; look for an array that grows with a loop",
}


def _event(function: str, check: str, mistake: str, detail: str) -> Finding:
    from nncheck.conformance import Finding
    from nncheck.diagnose.catalogue import Mistake

    return Finding(
        function,
        check,
        "fail",
        f"{function} {detail}",
        diagnosis=_ADVICE[mistake],
        mistake=Mistake(mistake),  # one of RUNNER_MISTAKES, the catalogue's ids
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    from nncheck.conformance import Finding
    from nncheck.diagnose.catalogue import Mistake

    mistake = data.get("mistake")  # a plain str across the process boundary: the catalogue's id
    return Finding(**{**data, "mistake": Mistake(mistake) if mistake is not None else None})


# --------------------------------------------------------------------------------------------
# the parent's side of conform


def _spec(
    target: str | os.PathLike[str] | types.ModuleType,
    *,
    convention: str | Mapping[str, str],
    seed: int | None,
    defs_only: bool,
    rename_hint: str,
    require_all: bool = False,
    hidden_activation: str | None = None,
) -> _Spec:
    if seed is None:
        seed = secrets.randbelow(100_000)
    token: str | None = None
    if isinstance(target, types.ModuleType):
        token = f"{target.__name__}:{id(target)}"
        _MODULES[token] = target
        shown = getattr(target, "__file__", None) or target.__name__
    else:
        shown = os.fspath(target)
    conv: str | tuple[tuple[str, str], ...] = (
        convention if isinstance(convention, str) else tuple(sorted(convention.items()))
    )
    return _Spec(
        shown,
        token,
        conv,
        seed,
        defs_only,
        rename_hint,
        require_all,
        hidden_activation=hidden_activation,
    )


def run_conform(
    target: str | os.PathLike[str] | types.ModuleType,
    *,
    convention: str | Mapping[str, str] = "auto",
    seed: int | None = None,
    defs_only: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int | None = None,
    rename_hint: str = _RENAME_HINT,
    on_finding: Callable[[Finding], None] | None = None,
    require_all: bool = False,
    hidden_activation: str | None = None,
) -> ConformanceReport:
    """:func:`nncheck.conform` with the person's code in a warm child process (see the module
    docstring). Every function gets ``timeout`` seconds for its checks."""
    with Isolated(
        target,
        convention=convention,
        seed=seed,
        defs_only=defs_only,
        timeout=timeout,
        memory_mb=memory_mb,
        rename_hint=rename_hint,
        require_all=require_all,
        hidden_activation=hidden_activation,
    ) as isolated:
        return isolated.report(on_finding)


class Isolated:
    """One target checked in a child process, function by function (the pytest plugin keeps
    one per target for the session; :func:`run_conform` runs it through).

    ``outline()`` loads and plans in the child (raises LoadError / ValueError like ``plan``);
    ``findings(function)`` runs that function's checks once and keeps them; ``report()`` runs
    every function and assembles the :class:`ConformanceReport`; ``close()`` ends the child.
    """

    def __init__(
        self,
        target: str | os.PathLike[str] | types.ModuleType,
        *,
        convention: str | Mapping[str, str] = "auto",
        seed: int | None = None,
        defs_only: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int | None = None,
        rename_hint: str = _RENAME_HINT,
        require_all: bool = False,
        hidden_activation: str | None = None,
    ) -> None:
        self.spec = _spec(
            target,
            convention=convention,
            seed=seed,
            defs_only=defs_only,
            rename_hint=rename_hint,
            require_all=require_all,
            hidden_activation=hidden_activation,
        )
        self.timeout = timeout
        self._pool = _Pool(memory_mb=memory_mb)
        self._outline: tuple[_Outline, str | None, _Spec] | None = None
        self._done: dict[str, list[Finding]] = {}
        self._hung: set[str] = set()
        self._names = {} if isinstance(convention, str) else dict(convention)

    def __enter__(self) -> Isolated:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child (and whatever the person's code started)."""
        self._pool.close()
        if self.spec.module_token is not None:
            _MODULES.pop(self.spec.module_token, None)

    def outline(self) -> _Outline:
        """The convention, functions and checks of the target (loaded and planned in the child)."""
        if self._outline is None:
            _require_loads(self._pool, self.spec, self.timeout)
            self._outline = _outline(self._pool, self.spec, self.timeout)
            self.spec = self._outline[2]
        return self._outline[0]

    def findings(self, function: str) -> list[Finding]:
        """The findings of ``function``'s checks (run once, in the child)."""
        if function not in self._done:
            self._done[function] = self._run(function)
        return self._done[function]

    def _run(self, function: str) -> list[Finding]:
        outline = self.outline()
        probed = self._outline[1] if self._outline is not None else None
        limit = _seconds(self.timeout)
        waits = sorted(_reaches(function, outline.calls, self._hung))
        if function == probed:
            detail = (
                f"did not return within {limit} when nncheck ran it to learn the shape of your "
                "network"
            )
            self._hung.add(function)
            return [_event(function, "values", "timeout", detail)]
        if waits:
            detail = (
                f"calls {', '.join(waits)}, which did not return within {limit}; so it hangs "
                "too (not run again)"
            )
            self._hung.add(function)
            return [_event(function, "values", "timeout", detail)]
        _require_loads(self._pool, self.spec, self.timeout)  # a replaced worker loads again
        try:
            found = self._pool.run(
                _function_task, self.spec, function, self._pool.registry, timeout=self.timeout
            )
        except RunnerEvent as event:
            detail = event.detail
            if event.mistake == "timeout":
                self._hung.add(function)
                inside = _noted(self._pool)
                if inside is not None and inside != self._names.get(function, function):
                    detail += f" (it was in {inside}, which nncheck runs to check it)"
            return [_event(function, "values", event.mistake, detail)]
        return [_finding(d) for d in found]

    def report(self, on_finding: Callable[[Finding], None] | None = None) -> ConformanceReport:
        """Every function's findings, in the plan's order, as ``conform`` reports them."""
        from nncheck.conformance import ConformanceReport

        outline = self.outline()
        found = {function: self.findings(function) for function in outline.functions}
        failing = frozenset(f.function for fs in found.values() for f in fs if f.status == "fail")
        findings: list[Finding] = []
        for function, mine in found.items():
            if failing - {function} and all(f.mistake not in RUNNER_MISTAKES for f in mine):
                mine = self._judged(function, mine, failing)
            for finding in mine:
                findings.append(finding)
                if on_finding is not None:
                    on_finding(finding)
        spec = self.spec
        return ConformanceReport(
            spec.target, outline.convention, spec.seed, tuple(findings), outline.notes
        )

    def _judged(self, function: str, mine: list[Finding], failing: frozenset[str]) -> list[Finding]:
        """``Plan.judged`` in the child; on a hang or exit there, the findings as they were."""
        _require_loads(self._pool, self.spec, self.timeout)
        try:
            judged = self._pool.run(
                _judged_task,
                self.spec,
                function,
                [f.to_dict() for f in mine],
                failing,
                timeout=self.timeout,
            )
        except RunnerEvent:
            return mine
        return [_finding(d) for d in judged]


def _reaches(function: str, calls: Mapping[str, tuple[str, ...]], hung: set[str]) -> set[str]:
    """The hung functions ``function`` calls, directly or through other functions."""
    seen: set[str] = set()
    stack = list(calls.get(function, ()))
    while stack:
        callee = stack.pop()
        if callee in seen:
            continue
        seen.add(callee)
        stack.extend(calls.get(callee, ()))
    return {c for c in seen if c in hung}


def _outline(pool: _Pool, spec: _Spec, timeout: float) -> tuple[_Outline, str | None, _Spec]:
    """The target's outline, the function that hung while planning probed it (or None), and
    the spec to plan with from now on (without the probe when it hung)."""
    from nncheck.loader import LoadError

    try:
        result = pool.run(_outline_task, spec, pool.registry, timeout=timeout)
    except RunnerEvent as event:
        probed = _noted(pool) if event.mistake == "timeout" else None
        _require_loads(pool, spec, timeout)
        if spec.probe:
            # the file loads, but the convention's probe of the forward pass hangs or exits:
            # plan without it; that function's own checks then report it
            outline, _, unprobed = _outline(pool, replace(spec, probe=False), timeout)
            return outline, probed, unprobed
        raise LoadError(
            "runtime", f"nncheck could not list the checks of your file: it {event.detail}"
        ) from None
    if isinstance(result, _Outline):
        return result, None, spec
    kind, data = result
    if kind == "value":
        raise ValueError(data["message"])
    error = LoadError(data["kind"], data["message"], path=data["path"], line=data["line"])
    error.cell = data["cell"]
    raise error


def _load_task(spec: _Spec) -> None:
    from nncheck.loader import LoadError

    with contextlib.suppress(LoadError):  # reported by the task that needs the module
        _loaded(spec)


def _require_loads(pool: _Pool, spec: _Spec, timeout: float) -> None:
    """Load the file in the pool's worker (``LOAD_TIMEOUT_FACTOR`` function timeouts for it);
    raise a LoadError when it hangs, exits or crashes while it is being loaded."""
    from nncheck.loader import LoadError

    if spec.module_token is not None or pool.loaded:
        return
    budget = timeout * LOAD_TIMEOUT_FACTOR
    try:
        pool.run(_load_task, spec, timeout=budget)
        pool.loaded = True
    except RunnerEvent as event:
        advice = (
            " — its top-level code hangs; if it trains or waits at import, use defs-only "
            "loading (--defs-only)"
            if event.mistake == "timeout"
            else ""
        )
        raise LoadError(
            "runtime",
            f"your file {event.detail} while it was being loaded{advice}",
            path=spec.target,
        ) from None


# --------------------------------------------------------------------------------------------
# gradcheck


@dataclass(frozen=True)
class GradcheckRun:
    """The outcome of an isolated ``nncheck gradcheck``.

    Attributes:
        code: the exit code (0 gradients right, 1 problems, 2 usage or load error).
        output: the rendered report (text, or JSON with ``as_json=True``); empty when stopped.
        mistake: one of :data:`RUNNER_MISTAKES` when the person's code stopped the check.
        message: then, what happened ("initialize_parameters_deep called sys.exit(0)").
    """

    code: int
    output: str
    mistake: str | None = None
    message: str = ""


_WHERE = "where"


def _noted(pool: _Pool) -> str | None:
    """The person's function the last worker was in (see :func:`_watch`)."""
    try:
        with open(os.path.join(pool.registry, _WHERE)) as fh:
            return fh.read() or None
    except OSError:
        return None


_WATCHING: list[str] = []


def _watch(target: str, registry: str, every: float = 0.1) -> None:
    """In the worker: keep noting which of the person's functions the main thread is in, so a
    timeout can name it."""
    import threading
    import time

    if _WATCHING:
        return
    _WATCHING.append(target)
    real = os.path.realpath(target)
    main = threading.main_thread().ident

    def look() -> None:
        while True:
            time.sleep(every)
            frame = sys._current_frames().get(main or 0)
            name = None
            while frame is not None:
                if name is None and os.path.realpath(frame.f_code.co_filename) == real:
                    name = frame.f_code.co_name
                frame = frame.f_back
            if name not in (None, "<module>"):
                partial = os.path.join(registry, f"{_WHERE}.{os.getpid()}")
                with open(partial, "w") as fh:
                    fh.write(str(name))
                os.replace(partial, os.path.join(registry, _WHERE))  # never seen half-written

    threading.Thread(target=look, name="nncheck-watch", daemon=True).start()


def _gradcheck_task(target: str, options: Mapping[str, Any], registry: str) -> GradcheckRun:
    from nncheck._gradcheck_report import gradcheck_output
    from nncheck.errors import EXIT_PROBLEMS

    _watch(target, registry)
    buffer = io.StringIO()
    loaded = _LOADED.get((target, bool(options.get("defs_only"))))
    try:
        code = gradcheck_output(buffer, target, module=loaded, **options)
    except BaseException as exc:  # the person's exit or interrupt
        name = _innermost_user_function(exc, target) or "your code"
        stopped = _stopped(name, "gradient", exc)
        return GradcheckRun(EXIT_PROBLEMS, "", stopped.mistake, stopped.message)
    return GradcheckRun(code, buffer.getvalue())


def _innermost_user_function(exc: BaseException, target: str) -> str | None:
    real = os.path.realpath(target)
    name = None
    tb = exc.__traceback__
    while tb is not None:
        if os.path.realpath(tb.tb_frame.f_code.co_filename) == real:
            name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return None if name in (None, "<module>") else name


def run_gradcheck(
    target: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int | None = None,
    **options: Any,
) -> GradcheckRun:
    """The whole ``nncheck gradcheck`` of ``target`` in a warm child, as one task of
    ``timeout`` seconds (``options``: those of :func:`nncheck._gradcheck_report.gradcheck_output`).

    Raises nncheck.loader.LoadError when the file exits or hangs while being loaded.
    """
    from nncheck.errors import EXIT_PROBLEMS

    spec = _spec(
        target,
        convention="auto",
        seed=0,
        defs_only=bool(options.get("defs_only")),
        rename_hint=_RENAME_HINT,
    )
    with _Pool(memory_mb=memory_mb) as pool:
        _require_loads(pool, spec, timeout)
        try:
            return pool.run(_gradcheck_task, target, options, pool.registry, timeout=timeout)
        except RunnerEvent as event:
            what = _noted(pool) or "your code"
            message = f"{what} {event.detail} (while its gradients were checked)"
            return GradcheckRun(EXIT_PROBLEMS, "", event.mistake, message)
