"""What runs in the runner's worker process: its set-up, the tasks, and the person's code.

:mod:`nncheck.runner` (the parent) schedules these functions on its pool; each is a top-level
function, so the pool sends it to the worker by name. The worker loads the target once
(:data:`MODULES` hands it in-memory modules, :func:`load_task`), plans the checks once and keeps
the plan, runs one function's checks per :func:`function_task`, and sends findings back as
JSON-safe dicts (:func:`finding` rebuilds them in the parent). :func:`_watch` notes which of the
person's functions the worker is in, so that a timeout can name it.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import os
import signal
import sys
import textwrap
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from nncheck.conformance import Finding, Plan

__all__ = [
    "MODULES",
    "RUNNING",
    "WHERE",
    "GradcheckRun",
    "Outline",
    "Spec",
    "event",
    "finding",
    "function_task",
    "gradcheck_task",
    "init_worker",
    "judged_task",
    "load_task",
    "outline_task",
    "task",
]

_T = TypeVar("_T")


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


def init_worker(memory_mb: int | None, registry: str) -> None:
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
    # the person's plt.show() must not open a window and wait for it (a GUI backend): draw to Agg
    os.environ["MPLBACKEND"] = "Agg"
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    if memory_mb is not None:
        limit = _address_space() + memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


RUNNING = "running"


def task(registry: str, function: Callable[..., _T], *args: Any) -> tuple[_T, str, str]:
    """In the worker: note which process runs the task, run it; return the result and what was
    printed to streams that have no descriptor to share with the parent."""
    with open(os.path.join(registry, RUNNING), "w") as fh:
        fh.write(str(os.getpid()))
    with contextlib.suppress(OSError):
        os.remove(os.path.join(registry, WHERE))
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


@dataclass(frozen=True)
class Spec:
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
class Outline:
    """The plan as the parent sees it: no closures, only names."""

    convention: str
    functions: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = ()
    calls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    """What loading skipped or stood in for (the plan's notes)."""


MODULES: dict[str, types.ModuleType] = {}
"""In-memory targets, registered in the parent before the pool forks (the worker inherits)."""


_PLANS: dict[Spec, Plan] = {}


_LOADED: dict[tuple[str, bool], types.ModuleType] = {}
"""The target this worker has loaded (one at a time), so that the tasks after the load (which
had the longer loading budget) do not load it again within a function's timeout."""


def _loaded(spec: Spec) -> types.ModuleType:
    from nncheck.loader import load_target

    if spec.module_token is not None:
        return load_target(MODULES[spec.module_token], defs_only=spec.defs_only)
    key = (spec.target, spec.defs_only)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load_target(spec.target, defs_only=spec.defs_only)
    return _LOADED[key]


def _convention_arg(spec: Spec) -> str | dict[str, str]:
    return spec.convention if isinstance(spec.convention, str) else dict(spec.convention)


def _worker_plan(spec: Spec) -> tuple[Plan, Mapping[str, tuple[str, ...]]]:
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


def outline_task(spec: Spec, registry: str) -> Outline | tuple[str, dict[str, Any]]:
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
            "advice": exc.advice,
            "path": exc.path,
            "line": exc.line,
            "cell": exc.cell,
        }
    except ValueError as exc:
        return "value", {"message": str(exc)}
    functions = tuple(dict.fromkeys(item.function for item in built.items))
    checks = tuple((item.function, item.check) for item in built.items)
    return Outline(built.convention, functions, checks, calls, built.notes)


def function_task(spec: Spec, function: str, registry: str) -> list[dict[str, Any]]:
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


def judged_task(
    spec: Spec, function: str, found: list[dict[str, Any]], failing: frozenset[str]
) -> list[dict[str, Any]]:
    """In the worker: ``function``'s findings judged on its own (``Plan.judged``), given the
    functions that fail."""
    from dataclasses import replace as replaced

    built = _PLANS.get(spec)
    if built is None:
        built, _ = _worker_plan(spec)
    mine = replaced(built, items=tuple(i for i in built.items if i.function == function))
    findings = [finding(d) for d in found]
    if len(findings) != len(mine.items):
        return found  # stopped part way (a runner event): nothing to judge
    return [f.to_dict() for f in mine.judged(findings, set(failing))]


def _stopped(name: str, check: str, exc: BaseException) -> Finding:
    """The finding of a check stopped by a ``BaseException`` of the person's code."""
    if isinstance(exc, SystemExit):
        code = "" if exc.code is None else repr(exc.code)
        return event(name, check, "exit", f"called sys.exit({code}) (or exit())")
    if isinstance(exc, MemoryError):
        return event(name, check, "memory", f"ran out of memory (MemoryError: {exc})")
    return event(
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


def event(function: str, check: str, mistake: str, detail: str) -> Finding:
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


def finding(data: Mapping[str, Any]) -> Finding:
    from nncheck.conformance import Finding
    from nncheck.diagnose.catalogue import Mistake

    mistake = data.get("mistake")  # a plain str across the process boundary: the catalogue's id
    return Finding(**{**data, "mistake": Mistake(mistake) if mistake is not None else None})


def load_task(spec: Spec) -> None:
    from nncheck.loader import LoadError

    with contextlib.suppress(LoadError):  # reported by the task that needs the module
        _loaded(spec)


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


WHERE = "where"


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
                partial = os.path.join(registry, f"{WHERE}.{os.getpid()}")
                with open(partial, "w") as fh:
                    fh.write(str(name))
                os.replace(partial, os.path.join(registry, WHERE))  # never seen half-written

    threading.Thread(target=look, name="nncheck-watch", daemon=True).start()


def gradcheck_task(target: str, options: Mapping[str, Any], registry: str) -> GradcheckRun:
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
