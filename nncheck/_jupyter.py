"""Checking the functions of a live namespace (a notebook's kernel, a script's globals).

:func:`check` is ``nncheck conform`` for code that was never saved to a file. It must not disturb
the notebook it looks at:

- the checks see a module built from a shallow *copy* of the namespace, with the person's
  functions rebound to that copy: a course helper nncheck provides, or a ``global`` their code
  assigns, lands in the copy, never in the notebook;
- the checks run in a forked child process (where ``os.fork`` exists): whatever the person's code
  does to shared objects or to numpy's global random state stays in the child, and a function
  whose checks do not finish within ``timeout`` seconds is stopped; the child sends each
  function's findings as soon as they are done, so a hanging function fails alone;
- numpy's global random state (and :mod:`random`'s) is saved and restored around the run, so
  ``np.random.randn`` after a check gives the numbers it would have given without it.

Without ``os.fork`` (Windows) the checks run in the calling process, on the copy, with the random
state restored and no time limit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import pickle
import random
import re
import secrets
import select
import signal
import struct
import sys
import time
import traceback
import types
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nncheck.conformance import ConformanceReport, Finding

__all__ = [
    "DEFAULT_TIMEOUT",
    "check",
    "convention_names",
    "course_functions",
    "namespace_module",
    "run_gradcheck",
    "user_namespace",
]

DEFAULT_TIMEOUT = 5.0
"""Seconds the checks of one function (or the whole gradient check) may take before they are
stopped: the command line's limit."""

_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "_ih", "_oh", "_dh"})
_HISTORY = re.compile(r"_+|_i+|_i?\d+")  # IPython's output and input history: _, __, _i, _5, _i5

Send = Callable[[tuple[Any, ...]], None]


# --------------------------------------------------------------------------------------------
# the namespace as a module


def namespace_module(namespace: Mapping[str, Any], name: str = "notebook") -> types.ModuleType:
    """A module whose ``__dict__`` is a shallow copy of ``namespace``, minus IPython's history.

    Functions defined in ``namespace`` (their ``__globals__`` is it) are rebound to the copy, so
    the names they look up, and the globals they assign, are the copy's.
    """
    module = types.ModuleType(name)
    copy = module.__dict__
    for key, value in namespace.items():
        if key in _IPYTHON_NAMES or _HISTORY.fullmatch(key) or key == "__name__":
            continue
        copy[key] = value
    for key, value in list(copy.items()):
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            copy[key] = _rebound(value, copy)
    return module


def _rebound(fn: types.FunctionType, globals_: dict[str, Any]) -> types.FunctionType:
    new = types.FunctionType(fn.__code__, globals_, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    new.__doc__ = fn.__doc__
    new.__annotations__ = dict(fn.__annotations__)
    new.__dict__.update(fn.__dict__)
    return new


@contextlib.contextmanager
def _random_state_kept() -> Iterator[None]:
    """numpy's global random state and :mod:`random`'s are as they were when the block ends."""
    import numpy as np

    # the learner's legacy global stream is exactly what must be kept
    numpy_state = np.random.get_state()  # noqa: NPY002
    python_state = random.getstate()
    try:
        yield
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002
        random.setstate(python_state)


# --------------------------------------------------------------------------------------------
# a forked child that streams messages back


def _can_fork() -> bool:
    return hasattr(os, "fork")


def _run_child(work: Callable[[Send], None], receive: Send, timeout: float | None) -> str | None:
    """Run ``work(send)`` in a forked child; hand each message it sends to ``receive``.

    Returns None once the child sends ``("done",)``; otherwise why it stopped: ``"timeout"`` (no
    message for ``timeout`` seconds: the child is killed) or how it ended (``"exit code 3"``,
    ``"signal SIGSEGV"``).
    """
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() in a threaded kernel
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its work is observed through the pipe
        os.close(read_fd)
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            # never write to the kernel's streams: their threads are not in this process
            sys.stdout = sys.stderr = io.StringIO()
            with os.fdopen(write_fd, "wb") as pipe:
                try:
                    work(lambda message: _send(pipe, message))
                except Exception:  # nncheck's own failure: say so, never blame the person
                    _send(pipe, ("internal", traceback.format_exc()))
        except BaseException:  # the child must reach os._exit, whatever happened
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    stopped: str | None = "interrupted"
    try:
        stopped = _receive(read_fd, receive, timeout)
    finally:  # also on KeyboardInterrupt (the kernel was interrupted): no child outlives us
        os.close(read_fd)
        status = _reap(pid, grace=1.0 if stopped == "ended" else 0.0)
    if stopped == "ended":
        return _how_it_ended(status)
    return stopped


def _send(pipe: io.BufferedWriter, message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(struct.pack("<Q", len(data)) + data)
    pipe.flush()


def _receive(fd: int, receive: Send, timeout: float | None) -> str | None:
    """Read the child's messages until "done" (None), silence ("timeout") or end ("ended")."""
    buffer = b""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and (left <= 0 or not select.select([fd], [], [], left)[0]):
            return "timeout"
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return "ended"
        buffer += chunk
        while len(buffer) >= 8:
            (size,) = struct.unpack("<Q", buffer[:8])
            if len(buffer) < 8 + size:
                break
            message = pickle.loads(buffer[8 : 8 + size])
            buffer = buffer[8 + size :]
            if message[0] == "done":
                return None
            if message[0] == "internal":
                raise RuntimeError(
                    "nncheck failed while checking (nncheck's problem, not yours; please report "
                    f"it):\n{message[1]}"
                )
            receive(message)
            deadline = None if timeout is None else time.monotonic() + timeout


def _reap(pid: int, grace: float) -> int:
    """The child's wait status, after ``grace`` seconds to exit by itself, else killed."""
    end = time.monotonic() + grace
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= end:
            break
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"signal {signal.Signals(number).name}"
        except ValueError:
            return f"signal {number}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def _in_process(work: Callable[[Send], None], receive: Send) -> str | None:
    """``work`` in this process (no fork available): no time limit."""

    def send(message: tuple[Any, ...]) -> None:
        if message[0] != "done":
            receive(message)

    work(send)
    return None


def _isolated(work: Callable[[Send], None], receive: Send, timeout: float | None) -> str | None:
    if _can_fork():
        _warm()
        return _run_child(work, receive, timeout)
    return _in_process(work, receive)


def _warm() -> None:
    """Import what the checks use, once, here: each child starts warm, and a child restarted
    after a timeout does not pay for the imports again inside the next function's time limit."""
    import nncheck.conventions
    import nncheck.diagnose
    import nncheck.strategies

    nncheck.conventions.available_conventions()


# --------------------------------------------------------------------------------------------
# conform, one function at a time


def _conform_work(
    module: types.ModuleType,
    send: Send,
    *,
    convention: str | Mapping[str, str],
    seed: int,
    wanted: frozenset[str],
    earlier: Mapping[int, Finding],
    hung: frozenset[str],
) -> None:
    """Plan the checks of ``module``, run those not in ``earlier`` (and not of a function in
    ``hung``), sending each function's findings when it is done; then gather the report.

    The report is :meth:`Plan.run`'s, from the findings instead of running the checks again: it
    judges a function whose callee fails on its own (with the reference in the callee's place),
    which runs the person's code, so it happens here in the child too.
    """
    from nncheck.conformance import Finding, Plan, plan

    with contextlib.redirect_stdout(io.StringIO()):  # the person's prints, e.g. while probing
        try:
            planned = plan(
                module,
                convention=convention,
                seed=seed,
                rename_hint="or pass --rename COURSE=YOURS (convention={course name: yours})",
            )
        except ValueError as exc:
            send(("error", str(exc)))
            send(("done",))
            return
        items = planned.items
        send(("plan", planned.convention, [(item.function, item.check) for item in items]))
        done = dict(earlier)
        batch: list[tuple[int, Finding]] = []
        for index, item in enumerate(items):
            if index in done or item.function in hung:
                continue
            if wanted and item.function not in wanted:
                continue
            try:
                finding = item.run()
            except SystemExit as exc:  # exit() in their code: a finding, like any exception
                finding = Finding(
                    item.function,
                    item.check,
                    "fail",
                    f"{item.function} called exit({exc.code!r}): it must return, not exit",
                    mistake="exit",
                )
            done[index] = finding
            batch.append((index, _picklable(finding)))
            if index + 1 == len(items) or items[index + 1].function != item.function:
                send(("function", batch))  # the time limit is per function, as the CLI's
                batch = []
        replayed = tuple(
            dataclasses.replace(
                item,
                run=functools.partial(_same, done[index]),
                alone=None if item.function in hung else item.alone,
            )
            for index, item in enumerate(items)
            if index in done
        )
        report = Plan(planned.target, planned.convention, seed, replayed).run()
        send(("report", tuple(_picklable(f) for f in report.findings)))
    send(("done",))


def _picklable(finding: Finding) -> Finding:
    """``finding``, or its JSON-safe twin when a value in it cannot be pickled."""
    from nncheck.conformance import Finding

    try:
        pickle.dumps(finding)
    except Exception:  # e.g. the person's own object as ``actual``
        return Finding(**finding.to_dict())
    return finding


def _conform(
    module: types.ModuleType,
    *,
    label: str,
    convention: str | Mapping[str, str],
    seed: int,
    wanted: frozenset[str],
    timeout: float | None,
) -> ConformanceReport:
    """Run conform's checks in a child, function by function; a function whose checks hang or
    kill the process gets one failed finding instead, and a fresh child goes on after it."""
    from nncheck.conformance import ConformanceReport

    header: tuple[str, list[tuple[str, str]]] | None = None
    findings: dict[int, Finding] = {}
    final: tuple[Finding, ...] | None = None
    hung: set[str] = set()

    def receive(message: tuple[Any, ...]) -> None:
        nonlocal header, final
        kind = message[0]
        if kind == "error":
            raise ValueError(message[1])
        if kind == "plan":
            header = (message[1], message[2])
        elif kind == "function":
            findings.update(message[1])
        elif kind == "report":
            final = message[1]

    while final is None:
        work = functools.partial(
            _conform_work,
            module,
            convention=convention,
            seed=seed,
            wanted=wanted,
            earlier=dict(findings),  # the child is a fork: it inherits this copy
            hung=frozenset(hung),
        )
        stopped = _isolated(work, receive, timeout)
        if stopped is None:
            break
        if header is None:
            finding = _stopped("<module>", "load", stopped, timeout, "probing your functions")
            return ConformanceReport(label, "none", seed, (finding,))
        pairs = header[1]
        pending = [
            i
            for i, (function, _) in enumerate(pairs)
            if i not in findings and function not in hung and (not wanted or function in wanted)
        ]
        if not pending:  # only judging functions on their own was left: report without it
            break
        function, what = pairs[pending[0]]
        findings[pending[0]] = _stopped(function, what, stopped, timeout, f"checking {function}")
        hung.add(function)
    assert header is not None
    if final is None:
        final = tuple(f for _, f in sorted(findings.items()))
    return ConformanceReport(label, header[0], seed, final)


def _same(finding: Finding) -> Finding:
    return finding


def _stopped(function: str, what: str, why: str, timeout: float | None, doing: str) -> Finding:
    from nncheck.conformance import Finding

    if why == "timeout":
        return Finding(
            function,
            what,
            "fail",
            f"{doing} did not finish within {timeout:g} s, so it was stopped",
            diagnosis="a loop that never ends? (a while loop whose condition never changes, or a "
            "loop over a list that grows); if it is only slow, allow more time with --timeout",
            mistake="timeout",
        )
    return Finding(
        function,
        what,
        "fail",
        f"the process {doing} ended abruptly ({why}): does your code call os._exit(), or crash "
        "the interpreter?",
        mistake="crash",
    )


# --------------------------------------------------------------------------------------------
# the front door


def convention_names() -> tuple[str, ...]:
    """The course conventions nncheck knows (``"week4"``, ``"week3"``, …)."""
    from nncheck import conventions as registry

    return tuple(registry.CONVENTIONS)


def course_functions() -> dict[str, tuple[str, ...]]:
    """Every function name nncheck checks, with the conventions it belongs to."""
    from nncheck import conventions as registry

    names: dict[str, tuple[str, ...]] = {}
    for convention in convention_names():
        for name in registry.convention_module(convention).FUNCTIONS:
            names[name] = (*names.get(name, ()), convention)
    return names


def _wanted(functions: str | Iterable[str] | None, module: types.ModuleType) -> frozenset[str]:
    """The requested course function names; ValueError naming the close match for a typo."""
    import difflib

    from nncheck import conventions as registry

    if functions is None:
        return frozenset()
    chosen = [functions] if isinstance(functions, str) else list(functions)
    known = course_functions()
    for name in chosen:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            detected = registry.detect_convention(module)
            names = registry.convention_module(detected).FUNCTIONS if detected else known
            which = f"the {detected} names" if detected else "the course names"
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"{name!r} is not a function nncheck checks; {guess}{which} are: "
                + ", ".join(names)
            )
    return frozenset(chosen)


def _label(namespace: Mapping[str, Any]) -> str:
    file = namespace.get("__file__")
    if isinstance(file, str):
        return file
    if "get_ipython" in namespace:
        return "notebook"
    return str(namespace.get("__name__", "namespace"))


def check(
    namespace: Mapping[str, Any] | None = None,
    *,
    functions: str | Iterable[str] | None = None,
    convention: str | Mapping[str, str] = "auto",
    seed: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> ConformanceReport:
    """Check the course functions defined in ``namespace``: ``nncheck conform`` for a notebook.

    The notebook is left exactly as it was: no name added, removed or rebound, numpy's global
    random state unchanged; the checks run in a forked child process, those of each function
    limited to ``timeout`` seconds (as on the command line). A course function not written yet
    is listed as "not defined yet".

    Args:
        namespace: the names to look at (default: the caller's globals, which in a notebook cell
            are the notebook's).
        functions: one course function name (``"linear_backward"``) or several; default: all.
        convention: ``"auto"`` (detected from the names defined), ``"week2"``, ``"week3"``,
            ``"week4"``, ``"course2"`` or ``"generic"``; or a mapping from the course's names to
            yours, as for :func:`nncheck.conform`.
        seed: reproduces every example; drawn at random (and recorded in the report) when None.
        timeout: seconds the checks of one function may take before they are stopped and the
            function fails (``mistake="timeout"``); None for no limit.

    Returns:
        a :class:`nncheck.ConformanceReport` (shown as a table at the end of a notebook cell).

    Raises:
        ValueError: an unknown function name or convention, a bad seed or timeout.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    if seed is None:
        seed = secrets.randbelow(100_000)  # fixed here: a restarted child plans the same checks
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    module = namespace_module(namespace)
    wanted = _wanted(functions, module)
    with _random_state_kept():
        report = _conform(
            module,
            label=_label(namespace),
            convention=convention,
            seed=seed,
            wanted=wanted,
            timeout=timeout,
        )
    return _for_notebook(report, wanted)


def _for_notebook(report: ConformanceReport, wanted: frozenset[str]) -> ConformanceReport:
    """Words for a notebook: "not defined yet", cells named like IPython's tracebacks, and
    a requested function the detected convention does not have."""
    from nncheck.conformance import Finding

    findings = []
    for f in report.findings:
        message = _cells(f.message)
        if f.check == "missing" and f.status == "skip":
            message = message.replace("is missing: the file does not define it", _NOT_YET, 1)
        diagnosis = _cells(f.diagnosis) if f.diagnosis else f.diagnosis
        findings.append(dataclasses.replace(f, message=message, diagnosis=diagnosis))
    seen = {f.function for f in findings}
    for name in sorted(wanted - seen):
        if report.convention != "none":
            findings.append(
                Finding(
                    name,
                    "convention",
                    "skip",
                    f"{name} is not a function of the {report.convention} convention "
                    f"(it belongs to {', '.join(course_functions()[name])})",
                )
            )
    return dataclasses.replace(report, findings=tuple(findings))


_NOT_YET = "is not defined yet"

_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')


def _cells(text: str) -> str:
    """``File "/tmp/ipykernel_7/123.py", line 4`` → ``cell In[5], line 4`` (as IPython says)."""
    shell = _shell()
    compiler = getattr(shell, "compile", None)
    name_of = getattr(compiler, "format_code_name", None)
    if not callable(name_of):
        return text

    def label(match: re.Match[str]) -> str:
        try:
            named = name_of(match.group(1))
        except Exception:  # IPython's naming is a courtesy
            named = None
        if not named:
            return match.group(0)
        return f"{str(named[0]).lower()} {named[1]}, line {match.group(2)}"

    return _FILE_LINE.sub(label, text)


def user_namespace() -> dict[str, Any]:
    """The running IPython shell's user namespace (RuntimeError outside IPython)."""
    shell = _shell()
    if shell is None:
        raise RuntimeError("%nncheck runs in IPython or Jupyter; elsewhere call nncheck.check()")
    namespace: dict[str, Any] = shell.user_ns
    return namespace


def _shell() -> Any:
    """The running IPython shell, or None (IPython is never imported here)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get() if callable(get) else None


# --------------------------------------------------------------------------------------------
# gradcheck


def run_gradcheck(
    namespace: Mapping[str, Any],
    *,
    seed: int,
    dims: Sequence[int] | None = None,
    m: int | None = None,
    mode: str = "auto",
    protocol: str = "auto",
    renames: Mapping[str, str] | None = None,
    as_json: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> tuple[int, str]:
    """``nncheck gradcheck`` on the functions of ``namespace``, isolated like :func:`check`.

    Returns the CLI's exit code and its output (text, or JSON with ``as_json``); a run that does
    not finish within ``timeout`` seconds is stopped and reported as a failure (code 1).
    """
    module = namespace_module(namespace)
    label = _label(namespace)
    result: list[tuple[int, str]] = []

    def work(send: Send) -> None:
        from nncheck import cli
        from nncheck.conventions import rename
        from nncheck.errors import ProtocolError

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                target = rename(module, dict(renames or {}))
            except ProtocolError as exc:
                code = cli._fail(str(exc), kind="usage", as_json=as_json, out=out)
            else:
                code = cli._run_gradcheck(
                    out,
                    target,
                    target=label,
                    seed=seed,
                    dims=dims,
                    m=m,
                    mode=mode,  # type: ignore[arg-type]  # the magic's parser checks the choice
                    protocol=protocol,
                    as_json=as_json,
                )
        errors = err.getvalue()
        text = out.getvalue() if as_json else errors + out.getvalue()
        send(("gradcheck", code, text))
        send(("done",))

    with _random_state_kept():
        stopped = _isolated(work, lambda message: result.append(message[1:]), timeout)
    if stopped is not None:
        doing = "the gradient check"
        what = _stopped("gradcheck", "gradients", stopped, timeout, doing)
        text = f"nncheck gradcheck {label}\n\nFAIL: {what.message}\n{what.diagnosis or ''}"
        if as_json:
            import json

            error = {"kind": what.mistake, "message": what.message}
            text = json.dumps({"ok": False, "target": label, "error": error}, indent=2)
        return 1, _cells(text.rstrip())
    code, text = result[0]
    return code, _cells(text.rstrip())
