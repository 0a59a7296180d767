"""Checking the functions of a live namespace (a notebook's kernel, a script's globals).

:func:`check` is ``nncheck conform`` for code that was never saved to a file. It must not disturb
the notebook it looks at:

- the checks see a module built from a shallow *copy* of the namespace, with the person's
  functions rebound to that copy: a course helper nncheck provides, or a ``global`` their code
  assigns, lands in the copy, never in the notebook;
- the checks run in :mod:`nncheck.runner`'s forked warm child, as on the command line: whatever
  the person's code does to shared objects or to numpy's global random state stays in the child,
  and a function whose checks do not finish within ``timeout`` seconds fails alone;
- numpy's global random state (and :mod:`random`'s) is saved and restored around the run, so
  ``np.random.randn`` after a check gives the numbers it would have given without it.

Without ``os.fork`` (Windows, where the runner does not run) the checks run in the calling
process, on the copy, with the random state restored and no time limit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import random
import re
import secrets
import sys
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nncheck.runner import DEFAULT_TIMEOUT  # the command line's limit, per function

if TYPE_CHECKING:
    from nncheck.conformance import ConformanceReport

__all__ = [
    "DEFAULT_TIMEOUT",
    "check",
    "convention_names",
    "course_functions",
    "namespace_module",
    "run_gradcheck",
    "user_namespace",
]

_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "_ih", "_oh", "_dh"})
_HISTORY = re.compile(r"_+|_i+|_i?\d+")  # IPython's output and input history: _, __, _i, _5, _i5


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
# conform in the runner's child


def _can_fork() -> bool:
    return hasattr(os, "fork")


def _conform(
    module: types.ModuleType,
    *,
    convention: str | Mapping[str, str],
    seed: int,
    wanted: frozenset[str],
    timeout: float | None,
) -> ConformanceReport:
    """The report of ``module``: in the runner's child (only the ``wanted`` functions' checks
    when some are named), or in this process without fork."""
    from nncheck.conformance import ConformanceReport, conform

    hint = "or pass --rename COURSE=YOURS (convention={course name: yours})"
    if not _can_fork():
        with contextlib.redirect_stdout(io.StringIO()):
            report = conform(module, convention=convention, seed=seed, rename_hint=hint)
        if wanted:
            found = tuple(f for f in report.findings if f.function in wanted)
            report = dataclasses.replace(report, findings=found)
        return report
    from nncheck.runner import Isolated

    limit = timeout if timeout is not None else float("inf")
    with Isolated(
        module, convention=convention, seed=seed, timeout=limit, rename_hint=hint
    ) as isolated:
        if not wanted:
            return isolated.report()
        outline = isolated.outline()
        found = tuple(
            f
            for function in outline.functions
            if function in wanted
            for f in isolated.findings(function)
        )
        return ConformanceReport(isolated.spec.target, outline.convention, seed, found)


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
        seed = secrets.randbelow(100_000)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    module = namespace_module(namespace)
    wanted = _wanted(functions, module)
    with _random_state_kept():
        report = _conform(module, convention=convention, seed=seed, wanted=wanted, timeout=timeout)
    return _for_notebook(dataclasses.replace(report, target=_label(namespace)), wanted)


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
    options: dict[str, Any] = {"seed": seed, "dims": dims, "m": m, "mode": mode}
    options.update(protocol=protocol, renames=dict(renames or {}), as_json=as_json)
    with _random_state_kept():
        if not _can_fork():
            return _gradcheck_output(module, label, options)
        from nncheck.runner import RunnerEvent, call

        token = f"{label}:{id(module)}"
        _SHARED[token] = module  # the runner's child is forked after this: it inherits it
        try:
            limit = timeout if timeout is not None else float("inf")
            return call(_gradcheck_in_child, token, label, options, timeout=limit)
        except RunnerEvent as event:
            return _stopped_gradcheck(label, event.mistake, event.detail, as_json)
        finally:
            _SHARED.pop(token, None)


_SHARED: dict[str, types.ModuleType] = {}
"""Namespace modules handed to the runner's forked child (a module cannot be pickled)."""


def _gradcheck_in_child(token: str, label: str, options: Mapping[str, Any]) -> tuple[int, str]:
    return _gradcheck_output(_SHARED[token], label, options)


def _gradcheck_output(
    module: types.ModuleType, label: str, options: Mapping[str, Any]
) -> tuple[int, str]:
    """The CLI's gradcheck of ``module``: exit code and output (errors first, as on a terminal)."""
    from nncheck._gradcheck_report import check_and_report
    from nncheck.conventions import rename
    from nncheck.errors import ProtocolError
    from nncheck.report import fail

    settings = dict(options)
    renames, as_json = settings.pop("renames"), settings.pop("as_json")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            target = rename(module, renames)
        except ProtocolError as exc:
            code = fail(str(exc), kind="usage", as_json=as_json, out=out)
        else:
            code = check_and_report(out, target, target=label, as_json=as_json, **settings)
    text = out.getvalue() if as_json else err.getvalue() + out.getvalue()
    return code, _cells(text.rstrip())


def _stopped_gradcheck(label: str, mistake: str, detail: str, as_json: bool) -> tuple[int, str]:
    """The gradient check stopped by the person's code (it hung, exited or crashed): code 1."""
    import json

    message = f"your code {detail} while its gradients were checked"
    if as_json:
        error = {"kind": mistake, "message": message}
        return 1, json.dumps({"ok": False, "target": label, "error": error}, indent=2)
    advice = "; if it is only slow, allow more time with --timeout" if mistake == "timeout" else ""
    return 1, f"nncheck gradcheck {label}\n\nFAIL: {message}{advice}"
