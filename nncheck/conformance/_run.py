"""``conform``: load a person's implementation, pick its convention, run every check."""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import types
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from nncheck._findings import ConformanceReport, Finding
from nncheck.diagnose.catalogue import Mistake
from nncheck.errors import UsageError

__all__ = ["Plan", "PlannedCheck", "conform", "plan"]

Target = str | os.PathLike[str] | types.ModuleType


@dataclass(frozen=True)
class PlannedCheck:
    """One check of one function, ready to run (``run()`` never raises for the person's errors)."""

    function: str
    check: str
    run: Callable[[], Finding]
    calls: tuple[str, ...] = ()
    """The course functions of the person's that this function's code uses (from its AST)."""
    alone: Callable[[], Finding] | None = None
    """The same check with nncheck's reference in place of the person's other course functions
    (run by :meth:`Plan.run` when a callee fails, to judge the function on its own)."""

    @property
    def nodeid(self) -> str:
        """``nncheck::function::check``."""
        return f"nncheck::{self.function}::{self.check}"


@dataclass(frozen=True)
class Plan:
    """The checks :func:`conform` would run, in order; the pytest plugin runs them one by one."""

    target: str
    convention: str
    seed: int
    items: tuple[PlannedCheck, ...]
    notes: tuple[str, ...] = ()
    """What loading the file skipped or stood in for (:func:`nncheck.loader.load_notes`)."""

    def run(self) -> ConformanceReport:
        """Run every check and gather the report.

        Each function is judged on its own: when it fails and calls a function of the person's
        that fails too, or when its check was skipped because another function fails, the check
        runs again with nncheck's reference in place of the person's other functions, and the
        finding says both ("with your linear_backward it fails because of it; with the reference
        in its place it still fails: …").
        """
        findings = [item.run() for item in self.items]
        failing = {f.function for f in findings if f.status == "fail"}
        return ConformanceReport(
            self.target,
            self.convention,
            self.seed,
            tuple(self.judged(findings, failing)),
            self.notes,
        )

    def judged(self, findings: list[Finding], failing: set[str]) -> list[Finding]:
        """``findings`` (one per item) with each function judged on its own where ``failing``
        (the functions that fail) calls for it; the runner calls this per function."""
        findings = list(findings)
        for i, (item, f) in enumerate(zip(self.items, findings, strict=True)):
            if item.alone is None or f.check == "missing":
                continue
            if f.status == "fail":
                culprits = [d for d in item.calls if d in failing]
                if culprits:
                    findings[i] = _judged_alone(f, item.alone(), culprits)
            elif f.status == "skip" and failing - {f.function}:
                alone = item.alone()
                if alone.status in ("pass", "fail"):
                    findings[i] = replace(
                        alone,
                        message=f"{f.message.removeprefix('skipped: ')}; judged on its own with "
                        f"nncheck's reference in place of your other functions: {alone.message}",
                    )
        return findings


def _them(names: list[str]) -> tuple[str, str, str]:
    one = len(names) == 1
    return ", ".join(names), "it" if one else "them", "its" if one else "their"


def _judged_alone(finding: Finding, alone: Finding, culprits: list[str]) -> Finding:
    """``finding`` (a failure of a function that calls the failing ``culprits``) told apart
    from ``alone``, the same check with nncheck's reference in the culprits' place."""
    names, it, its = _them(culprits)
    with_yours = f"with your {names} it fails because of {it}"
    if alone.status == "pass":
        return replace(
            finding,
            message=f"{finding.message} — {with_yours}: with nncheck's reference in {its} place "
            f"it passes; fix {names} first",
            diagnosis=(f"{finding.diagnosis} — " if finding.diagnosis else "")
            + f"{finding.function} itself is right; it fails only through your {names}",
            mistake=finding.mistake or Mistake.CALLEE_FAILS,
        )
    if alone.status == "fail":
        return replace(
            alone,
            message=f"{with_yours}; with nncheck's reference in {its} place it still fails: "
            f"{alone.message}",
        )
    return replace(
        finding,
        message=f"{finding.message} (it calls {names}, which also fail"
        f"{'s' if len(culprits) == 1 else ''}: fix {it} first)",
    )


def _same(finding: Finding) -> Finding:
    return finding


def _describe(target: Target) -> str:
    if isinstance(target, types.ModuleType):
        return getattr(target, "__file__", None) or target.__name__
    return os.fspath(target)


def _location(exc: BaseException, path: str | None) -> str:
    from nncheck.errors import user_traceback

    try:
        tb = user_traceback(exc, path)
    except Exception:  # the traceback is a courtesy; never let it hide the error itself
        return ""
    lines = [ln.strip() for ln in tb.splitlines() if ln.strip().startswith("File ")]
    return f" ({lines[-1]})" if lines else ""


def _guarded(
    ctx: object,
    check: object,
    path: str | None,
    values: Callable[[], Finding] | None = None,
    memo: dict[str, Finding] | None = None,
) -> Callable[[], Finding]:
    """``check`` run safely. A failing ``gradient`` check takes the diagnosis of the function's
    ``values`` check (``values``, run once and kept in ``memo``) when that names the mistake: the
    values check replays known mistakes on every output, the gradient check sees one array."""
    from nncheck.conventions._common import Check, Context

    assert isinstance(ctx, Context) and isinstance(check, Check)
    run_once = _guarded_once(ctx, check, path)
    if check.check != "gradient" or values is None:
        if memo is not None and check.check == "values":
            key = check.function

            def remembered() -> Finding:
                memo[key] = run_once()
                return memo[key]

            return remembered
        return run_once

    def deferring() -> Finding:
        finding = run_once()
        if finding.status != "fail":
            return finding
        known = memo.get(check.function) if memo is not None else None
        if known is None:
            known = values()
            if memo is not None:
                memo[check.function] = known
        if (
            known.status == "fail"
            and known.diagnosis
            and known.mistake not in (None, Mistake.SCALED)
        ):
            if finding.mistake == known.mistake and finding.diagnosis:
                # same mistake: keep this example's own numbers (its m may differ)
                diagnosis = f"{finding.diagnosis} (the values check found the same mistake)"
            else:
                m = known.example.get("m") if known.example is not None else None
                where = f" on its example with m = {m}" if m is not None else ""
                diagnosis = f"the values check found{where}: {known.diagnosis}"
            return replace(
                finding,
                diagnosis=diagnosis,
                mistake=known.mistake,
                formula=known.formula or finding.formula,
            )
        if known.status == "fail" and known.mistake is None and finding.mistake == Mistake.SCALED:
            # one example's ratio; the values check saw it change between examples: no factor
            return replace(finding, diagnosis=None, mistake=None)
        return finding

    return deferring


def _guarded_once(ctx: object, check: object, path: str | None) -> Callable[[], Finding]:
    from nncheck.conventions._common import Check, Context, Prerequisite, WrongResult

    assert isinstance(ctx, Context) and isinstance(check, Check)

    def run() -> Finding:
        out = io.StringIO()
        try:
            with (
                contextlib.redirect_stdout(out),
                warnings.catch_warnings(),
                np.errstate(all="ignore"),
            ):
                # overflow in a naive sigmoid, or a (1,1)→float conversion, is the person's style,
                # not a failure; the checks look at the values
                warnings.simplefilter("ignore")
                return _refined(check.run(ctx), ctx)
        except Prerequisite as exc:
            return Finding(check.function, check.check, "skip", f"skipped: {exc}")
        except Exception as exc:  # the person's code raised: that is a finding, not a crash
            if isinstance(exc, WrongResult):  # what came back is not what the course returns
                return Finding(
                    check.function,
                    check.check,
                    "fail",
                    str(exc),
                    mistake=Mistake.WRONG_RETURN,
                    example={"seed": ctx.seed, "dims": list(ctx.cases()[0].dims)},
                )
            if not _raised_in_persons_code(exc, path, ctx.module):
                # never a pass: the report fails (exit 1) and says whose problem it is
                return Finding(
                    check.function,
                    check.check,
                    "fail",
                    f"nncheck could not run this check ({type(exc).__name__}: {exc}): this is a "
                    "bug in nncheck, not a verdict on your code — please report it with your "
                    f"file and --seed {ctx.seed}",
                    mistake=Mistake.INTERNAL_ERROR,
                )
            where = _location(exc, path)
            diagnosis, mistake = _exception_diagnosis(exc)
            explain = getattr(check, "explain_exception", None)
            if explain is not None and mistake in (
                Mistake.SHAPE_MISMATCH,
                Mistake.EXCEPTION,
                Mistake.LAYER_SKIPPED,
            ):
                try:
                    with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
                        better = explain(ctx)
                except Exception:  # the replay is a courtesy: keep the plain diagnosis
                    better = None
                if better is not None:
                    diagnosis, mistake = better.message, better.mistake
            return Finding(
                check.function,
                check.check,
                "fail",
                _crash_message(check.function, exc, where),
                diagnosis=diagnosis,
                mistake=mistake,
                example={"seed": ctx.seed, "dims": list(ctx.cases()[0].dims)},
            )

    return run


def _crash_message(function: str, exc: Exception, where: str) -> str:
    """What went wrong in the person's function: what it raised and where, or, when it cannot
    take the course's arguments at all, the binder's own words (their code raised nothing, and
    where nncheck noticed is no help to them)."""
    from nncheck._binding import Unbindable

    if isinstance(exc, Unbindable):
        return str(exc)
    return f"{function} raised {type(exc).__name__}: {exc}{where}"


def _refined(finding: Finding, ctx: object) -> Finding:
    """A lost dimension in a function that calls ``np.squeeze`` is the squeeze, not a missing
    ``keepdims=True`` (which the sum may well have)."""
    from nncheck._callees import attribute_calls
    from nncheck.conventions._common import Context
    from nncheck.diagnose import squeezed

    assert isinstance(ctx, Context)
    if finding.status != "fail" or finding.mistake is not Mistake.LOST_KEEPDIMS:
        return finding
    if "squeeze" not in attribute_calls(ctx.fn(finding.function)):
        return finding
    key = str(finding.worst_index[0]) if finding.worst_index else "the result"
    if finding.diagnosis:
        key = finding.diagnosis.split(" ", 1)[0]
    d = squeezed(key)
    return replace(finding, diagnosis=d.message, mistake=d.mistake)


def _nncheck_dirs() -> tuple[str, ...]:
    import nncheck
    import nncheck.reference

    return tuple(
        os.path.realpath(os.path.dirname(m.__file__ or "")) + os.sep
        for m in (nncheck, nncheck.reference)
    )


def _library_dirs() -> tuple[str, ...]:
    return tuple(
        os.path.realpath(os.path.dirname(m.__file__ or "")) + os.sep for m in (np, os, contextlib)
    )


def _raised_in_persons_code(
    exc: BaseException, path: str | None, module: types.ModuleType | None = None
) -> bool:
    """True unless the exception comes from nncheck itself.

    The person's code is their file and whatever it imports (their helpers); nncheck's code is
    the nncheck package and its reference. The innermost frame that is neither numpy nor the
    standard library decides; a frame in the person's file anywhere in the stack also counts.
    A person's function that does not take the convention's arguments is theirs although the
    error is raised in nncheck's frame that calls it: :class:`nncheck._binding.Unbindable`, or
    Python's own ``TypeError`` for that call (:func:`_wrong_arguments_for`).
    """
    from nncheck._binding import Unbindable
    from nncheck.conventions._common import WrongResult

    if isinstance(exc, (WrongResult, Unbindable)):
        return True
    real = os.path.realpath(path) if path else None
    ours, libraries = _nncheck_dirs(), _library_dirs()
    innermost: str | None = None
    tb = exc.__traceback__
    while tb is not None:
        filename = os.path.realpath(tb.tb_frame.f_code.co_filename)
        if filename == real:
            return True
        if not filename.startswith(libraries):
            innermost = filename
        tb = tb.tb_next
    if innermost is None or not innermost.startswith(ours):
        return True
    return module is not None and _wrong_arguments_for(exc, module, ours)


_BINDING = re.compile(
    r"(?P<name>[\w.<>]+)\(\) (?:"
    r"takes (?:from (?P<low>\d+) to )?(?P<high>\d+) positional arguments? but|"
    r"missing \d+ required (?:positional|keyword-only) arguments?: (?P<missing>.+)|"
    r"got an unexpected keyword argument '(?P<unexpected>\w+)'|"
    r"got multiple values for argument '(?P<multiple>\w+)')"
)


def _wrong_arguments_for(
    exc: BaseException, module: types.ModuleType, ours: tuple[str, ...]
) -> bool:
    """Whether ``exc`` is the ``TypeError`` Python raises when a call does not fit the signature
    of one of the person's functions in ``module`` (named in the message, and its signature is
    the one the message describes); a function of nncheck's with the same name and signature
    cannot be told apart."""
    import inspect

    match = _BINDING.match(str(exc)) if isinstance(exc, TypeError) else None
    if match is None:
        return False
    for fn in vars(module).values():
        if not isinstance(fn, types.FunctionType) or fn.__qualname__ != match["name"]:
            continue
        if os.path.realpath(fn.__code__.co_filename).startswith(ours):
            continue  # a course helper nncheck provided
        try:
            parameters = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            return True
        names = {p.name for p in parameters}
        positional = [
            p
            for p in parameters
            if p.kind
            in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        ]
        required = sum(p.default is inspect.Parameter.empty for p in positional)
        if match["high"] is not None:
            low = int(match["low"]) if match["low"] is not None else int(match["high"])
            if (low, int(match["high"])) == (required, len(positional)):
                return True
        elif match["missing"] is not None:
            if set(re.findall(r"'(\w+)'", match["missing"])) <= names:
                return True
        elif match["unexpected"] is not None:
            if match["unexpected"] not in names:
                return True
        elif match["multiple"] in names:
            return True
    return False


def _exception_diagnosis(exc: BaseException) -> tuple[str | None, Mistake]:
    """A diagnosis of the person's exception and its mistake id (``"exception"`` by default)."""
    text = str(exc)
    if isinstance(exc, MemoryError):
        return (
            "it ran out of memory (with the runner's --memory limit, or the machine's)",
            Mistake.MEMORY,
        )
    if isinstance(exc, KeyError) and re.fullmatch(r"'(dA|dW|db|dZ|W|b|A|Z)\d+'", text):
        return (
            f"a layer is skipped: the key {text} is missing — a loop probably stops one layer "
            "early or runs one too far (layers are numbered 1 … L; L = len(parameters) // 2)",
            Mistake.LAYER_SKIPPED,
        )
    if isinstance(exc, ValueError) and ("matmul" in text or ("shapes" in text and "align" in text)):
        return (
            "a matrix product has mismatched shapes: check the order of the factors and the "
            "dimension rules W[l]: (n[l], n[l−1]), A[l]: (n[l], m)",
            Mistake.SHAPE_MISMATCH,
        )
    return None, Mistake.EXCEPTION


def plan(
    target: Target,
    *,
    convention: str | Mapping[str, str] = "auto",
    seed: int | None = None,
    defs_only: bool = False,
    rename_hint: str = "or pass convention={course name: your name}",
    hidden_activation: str | None = None,
    require_all: bool = False,
    probe: bool = True,
) -> Plan:
    """Load ``target`` and list the checks of its convention (see :func:`conform`).

    ``rename_hint`` ends the message of a file with no known function names: how the front door
    calling ``plan`` lets a person map the course's names to theirs (the Python API's
    ``convention={...}`` by default; the CLI and the pytest plugin pass their own).
    ``probe=False`` skips the convention's probe of the forward pass (the runner plans again
    without it when that probe hangs).
    """
    from nncheck import conventions
    from nncheck.conventions._common import Context
    from nncheck.loader import load_notes, load_target

    if seed is None:
        seed = secrets.randbelow(100_000)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    names: dict[str, str] = {}
    if isinstance(convention, Mapping):
        names = {str(k): str(v) for k, v in convention.items() if k != "convention"}
        convention = str(convention.get("convention", "auto"))
    if convention != "auto":
        conventions.convention_module(convention)  # validates the name eagerly
    module = load_target(target, defs_only=defs_only)
    path = getattr(module, "__file__", None)
    shown = _describe(target)
    chosen = convention if convention != "auto" else conventions.detect_convention(module, names)
    if chosen is None:
        known = "; ".join(
            f"{c}: {', '.join(conventions.convention_module(c).MARKERS[:3])}"
            for c in conventions.CONVENTIONS
        )
        raise UsageError(
            f"{shown}: found none of the functions of a known convention ({known}); name yours "
            f"like the course {rename_hint}"
        )
    conv = conventions.convention_module(chosen)
    variants: tuple[str, ...] = getattr(conv, "VARIANTS", ())
    if hidden_activation is not None and hidden_activation not in variants:
        offer = f"one of {', '.join(variants)}" if variants else "none (it has one network)"
        raise UsageError(
            f"convention {chosen} has no hidden activation {hidden_activation!r}; it takes {offer}"
        )
    provided = conventions.provide_helpers(module, chosen)
    ctx = Context(
        module, names, seed, path, chosen, provided=provided, hidden_activation=hidden_activation
    )
    configure = getattr(conv, "configure", None) if probe else None
    if callable(configure):
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                warnings.catch_warnings(),
                np.errstate(all="ignore"),
            ):
                warnings.simplefilter("ignore")
                configure(ctx)  # probes the person's forward pass for the network's shape
        except Exception:  # a forward pass that fails here is reported by its own checks
            pass
    items: list[PlannedCheck] = []
    all_checks = list(conv.checks())
    values_of = {c.function: c for c in all_checks if c.check == "values"}
    memo: dict[str, Finding] = {}
    defined = {f for f in conv.FUNCTIONS if ctx.has(f)}
    elsewhere = _other_assignments(getattr(conv, "ASSIGNMENTS", {}), defined)
    for function in conv.FUNCTIONS:
        if not ctx.has(function):
            missing = _missing(
                function,
                required=require_all,
                shipped=function in provided,
                callers=_callers(ctx, function, conv.FUNCTIONS) if function in provided else (),
                elsewhere=elsewhere.get(function) if require_all else None,
            )
            items.append(PlannedCheck(function, "missing", partial(_same, missing)))
            continue
        values = values_of.get(function)
        values_run = _guarded_once(ctx, values, path) if values is not None else None
        uses = _uses(ctx, function, conv.FUNCTIONS)
        for check in all_checks:
            if check.function == function:
                run = _guarded(ctx, check, path, values_run, memo)
                alone = _alone(ctx, check, path, values)
                items.append(PlannedCheck(function, check.check, run, uses, alone))
    return Plan(shown, chosen, seed, tuple(items), load_notes(module))


def _missing(
    function: str,
    *,
    required: bool,
    shipped: bool = False,
    callers: tuple[str, ...] = (),
    elsewhere: str | None = None,
) -> Finding:
    """The finding of a course function the file does not define: a skip, or a failure when
    every course function is ``required`` — unless the course ships it (``shipped``; ``callers``
    are the person's functions that use it) or it belongs to an assignment the file is not
    (``elsewhere``: the note that says which assignment the file is)."""
    why = f"{function} is missing: the file does not define it"
    if shipped and (callers or elsewhere is None):  # not the learner's to write
        use = "uses" if len(callers) == 1 else "use"
        uses = f"; your {', '.join(callers)} {use} it" if callers else ""
        shipped_note = f"{why} (the course ships it{uses})"
        return Finding(function, "missing", "skip", shipped_note, mistake=Mistake.MISSING)
    if elsewhere is not None:
        return Finding(function, "missing", "skip", elsewhere)
    if not required:
        return Finding(function, "missing", "skip", why, mistake=Mistake.MISSING)
    return Finding(
        function,
        "missing",
        "fail",
        f"{why}; every function of the assignment is required",
        diagnosis=f"define {function} with the course's name and arguments (or map yours to it)",
        mistake=Mistake.MISSING,
    )


def _other_assignments(
    assignments: Mapping[str, tuple[str, ...]], defined: set[str]
) -> dict[str, str]:
    """The functions of the assignments the file does not start (it defines none of their
    functions), each with a note naming the assignment(s) the file is; empty when the file
    starts every assignment, or none (then every function is asked for, as with one)."""
    started = [name for name, functions in assignments.items() if defined & set(functions)]
    if not started:
        return {}
    this = " and ".join(started) + (" assignments" if len(started) > 1 else " assignment")
    return {
        function: f"{function} is not checked: this file is the {this}"
        for name, functions in assignments.items()
        if name not in started
        for function in functions
    }


def _callers(ctx: object, function: str, course: tuple[str, ...]) -> tuple[str, ...]:
    """The course functions the person defines whose code uses ``function``."""
    from nncheck._callees import calls
    from nncheck.conventions._common import Context

    assert isinstance(ctx, Context)
    attr = ctx.names.get(function, function)
    return tuple(f for f in course if ctx.has(f) and calls(ctx.fn(f), [attr]))


def _uses(ctx: object, function: str, course: tuple[str, ...]) -> tuple[str, ...]:
    """The course functions the person defines that ``function``'s code uses."""
    from nncheck._callees import calls
    from nncheck.conventions._common import Context

    assert isinstance(ctx, Context)
    attr = {ctx.names.get(n, n): n for n in course}
    return tuple(attr[a] for a in calls(ctx.fn(function), attr) if ctx.has(attr[a]))


def _alone(
    ctx: object, check: object, path: str | None, values: object | None
) -> Callable[[], Finding] | None:
    """``check`` run in a copy of the person's namespace where nncheck's course-shaped reference
    stands in for every other course function (None when the convention has none)."""
    from nncheck._callees import rebound
    from nncheck.conventions._common import Check, Context
    from nncheck.conventions._course import course_functions

    assert isinstance(ctx, Context) and isinstance(check, Check)
    stand_ins = {
        ctx.names.get(n, n): f
        for n, f in course_functions(ctx.convention, ctx.depth).items()
        if n != check.function
    }
    if not stand_ins:
        return None

    def run() -> Finding:
        alone_ctx = replace(ctx, module=rebound(ctx.module, stand_ins), _cases={})
        values_run = _guarded_once(alone_ctx, values, path) if isinstance(values, Check) else None
        return _guarded(alone_ctx, check, path, values_run, {})()

    return run


def conform(
    target: Target,
    *,
    convention: str | Mapping[str, str] = "auto",
    seed: int | None = None,
    defs_only: bool = False,
    rename_hint: str = "or pass convention={course name: your name}",
    hidden_activation: str | None = None,
    require_all: bool = False,
) -> ConformanceReport:
    """Check a person's implementation against the reference, the dimension rules and finite
    differences of their own cost; diagnose every mismatch (in this process: the front doors,
    :func:`nncheck.conform` with ``isolate=True`` among them, run it in the runner's child).

    Args:
        target: a path to a ``.py`` file, an importable module name, or a module object.
        convention: ``"auto"`` (detected from the names defined), ``"week2"``, ``"week3"``,
            ``"week4"``, ``"course2"`` or ``"generic"``; or a mapping from the convention's
            function names to the person's (``{"L_model_forward": "forward"}``), optionally with
            a ``"convention"`` key.
        seed: reproduces every example; drawn at random (and recorded in the report) when None.
        defs_only: execute only imports, definitions and constant assignments of the file (for
            files that train or plot at import time).
        rename_hint: how the caller's front door maps the course's names to the person's, ending
            the message of a file with no known function names (the CLI says ``--rename``).
        hidden_activation: the hidden activation of a convention with variants (week 3:
            ``"tanh"``, the course's, or ``"relu"``); None lets the convention probe the
            person's forward pass.
        require_all: a course function the file does not define is a failure (check
            ``"missing"``), not a skip.

    Returns:
        a :class:`ConformanceReport`; ``report.ok`` is False when any check failed.

    Raises:
        nncheck.loader.LoadError: the file is missing, has a syntax error, or fails to import
            (the message names the file and line).
        ValueError: an unknown convention or a bad seed; :class:`nncheck.errors.UsageError` (a
            ValueError) when no convention fits the file's names or the convention has no such
            hidden activation.
    """
    return plan(
        target,
        convention=convention,
        seed=seed,
        defs_only=defs_only,
        rename_hint=rename_hint,
        hidden_activation=hidden_activation,
        require_all=require_all,
    ).run()
