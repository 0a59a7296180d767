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

What runs in the worker (its set-up, the tasks, the findings sent back) is in
:mod:`nncheck._runner_child`; this module is the parent's side.

The workers are started with the ``fork`` method: they inherit the parent's imports and
in-memory modules. The runner needs POSIX (Linux; macOS, where ``RLIMIT_AS`` is not enforced);
on Windows, which has no fork and no process groups, only the in-process library runs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import tempfile
import types
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from nncheck import _runner_child as child
from nncheck._runner_child import GradcheckRun

if TYPE_CHECKING:
    from nncheck.conformance import ConformanceReport, Finding

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
                initializer=child.init_worker,
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
                child.task, args=(self.registry, function, *args), timeout=timeout
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
            with open(os.path.join(self.registry, child.RUNNING)) as fh:
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
) -> child.Spec:
    if seed is None:
        seed = secrets.randbelow(100_000)
    token: str | None = None
    if isinstance(target, types.ModuleType):
        token = f"{target.__name__}:{id(target)}"
        child.MODULES[token] = target
        shown = getattr(target, "__file__", None) or target.__name__
    else:
        shown = os.fspath(target)
    conv: str | tuple[tuple[str, str], ...] = (
        convention if isinstance(convention, str) else tuple(sorted(convention.items()))
    )
    return child.Spec(
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
        self._outline: tuple[child.Outline, str | None, child.Spec] | None = None
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
            child.MODULES.pop(self.spec.module_token, None)

    def outline(self) -> child.Outline:
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
            return [child.event(function, "values", "timeout", detail)]
        if waits:
            detail = (
                f"calls {', '.join(waits)}, which did not return within {limit}; so it hangs "
                "too (not run again)"
            )
            self._hung.add(function)
            return [child.event(function, "values", "timeout", detail)]
        _require_loads(self._pool, self.spec, self.timeout)  # a replaced worker loads again
        try:
            found = self._pool.run(
                child.function_task, self.spec, function, self._pool.registry, timeout=self.timeout
            )
        except RunnerEvent as event:
            detail = event.detail
            if event.mistake == "timeout":
                self._hung.add(function)
                inside = _noted(self._pool)
                if inside is not None and inside != self._names.get(function, function):
                    detail += f" (it was in {inside}, which nncheck runs to check it)"
            return [child.event(function, "values", event.mistake, detail)]
        return [child.finding(d) for d in found]

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
                child.judged_task,
                self.spec,
                function,
                [f.to_dict() for f in mine],
                failing,
                timeout=self.timeout,
            )
        except RunnerEvent:
            return mine
        return [child.finding(d) for d in judged]


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


def _outline(
    pool: _Pool, spec: child.Spec, timeout: float
) -> tuple[child.Outline, str | None, child.Spec]:
    """The target's outline, the function that hung while planning probed it (or None), and
    the spec to plan with from now on (without the probe when it hung)."""
    from nncheck.loader import LoadError

    try:
        result = pool.run(child.outline_task, spec, pool.registry, timeout=timeout)
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
    if isinstance(result, child.Outline):
        return result, None, spec
    kind, data = result
    if kind == "value":
        raise ValueError(data["message"])
    error = LoadError(
        data["kind"], data["message"], path=data["path"], line=data["line"], advice=data["advice"]
    )
    error.cell = data["cell"]
    raise error


def _require_loads(pool: _Pool, spec: child.Spec, timeout: float) -> None:
    """Load the file in the pool's worker (``LOAD_TIMEOUT_FACTOR`` function timeouts for it);
    raise a LoadError when it hangs, exits or crashes while it is being loaded."""
    from nncheck.loader import LoadError

    if spec.module_token is not None or pool.loaded:
        return
    budget = timeout * LOAD_TIMEOUT_FACTOR
    try:
        pool.run(child.load_task, spec, timeout=budget)
        pool.loaded = True
    except RunnerEvent as event:
        advice = (
            " — its top-level code hangs; if it trains or waits at import, use defs-only "
            "loading ({defs_only})"
            if event.mistake == "timeout" and not spec.defs_only
            else ""
        )
        raise LoadError(
            "runtime",
            f"your file {event.detail} while it was being loaded",
            path=spec.target,
            advice=advice,
        ) from None


# --------------------------------------------------------------------------------------------
# gradcheck


def _noted(pool: _Pool) -> str | None:
    """The person's function the last worker was in (see :func:`_watch`)."""
    try:
        with open(os.path.join(pool.registry, child.WHERE)) as fh:
            return fh.read() or None
    except OSError:
        return None


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
            return pool.run(child.gradcheck_task, target, options, pool.registry, timeout=timeout)
        except RunnerEvent as event:
            what = _noted(pool) or "your code"
            message = f"{what} {event.detail} (while its gradients were checked)"
            return GradcheckRun(EXIT_PROBLEMS, "", event.mistake, message)
