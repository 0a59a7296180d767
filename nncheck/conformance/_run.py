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
from dataclasses import dataclass, field, replace
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
    depends: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def run(self) -> ConformanceReport:
        """Run every check and gather the report.

        A failure of a function that calls another failing function of the person's says so
        ("it calls linear_backward, which fails too: fix that first").
        """
        findings = [item.run() for item in self.items]
        failing = {f.function for f in findings if f.status == "fail"}
        for i, f in enumerate(findings):
            if f.status != "fail":
                continue
            culprits = [d for d in self.depends.get(f.function, ()) if d in failing]
            if culprits:
                note = (
                    f" (it calls {', '.join(culprits)}, which also "
                    f"fail{'s' if len(culprits) == 1 else ''}: fix "
                    f"{'it' if len(culprits) == 1 else 'them'} first)"
                )
                findings[i] = replace(f, message=f.message + note)
        return ConformanceReport(self.target, self.convention, self.seed, tuple(findings))


def _same(finding: Finding) -> Finding:
    return finding


def _describe(target: Target) -> str:
    if isinstance(target, types.ModuleType):
        return getattr(target, "__file__", None) or target.__name__
    return os.fspath(target)


def _location(exc: BaseException, path: str | None) -> str:
    from nncheck.loader import user_traceback

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
    from nncheck.conventions._common import Check, Context, Prerequisite

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
                return check.run(ctx)
        except Prerequisite as exc:
            return Finding(check.function, check.check, "skip", f"skipped: {exc}")
        except Exception as exc:  # the person's code raised: that is a finding, not a crash
            if not _raised_in_persons_code(exc, path):
                return Finding(
                    check.function,
                    check.check,
                    "warn",
                    f"nncheck could not run this check ({type(exc).__name__}: {exc}); "
                    "this is nncheck's problem, not yours — please report it",
                )
            where = _location(exc, path)
            diagnosis, mistake = _exception_diagnosis(exc)
            explain = getattr(check, "explain_exception", None)
            if mistake == Mistake.SHAPE_MISMATCH and explain is not None:
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
                f"{check.function} raised {type(exc).__name__}: {exc}{where}",
                diagnosis=diagnosis,
                mistake=mistake,
                example={"seed": ctx.seed, "dims": list(ctx.cases()[0].dims)},
            )

    return run


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


def _raised_in_persons_code(exc: BaseException, path: str | None) -> bool:
    """True unless the exception comes from nncheck itself.

    The person's code is their file and whatever it imports (their helpers); nncheck's code is
    the nncheck package and its reference. The innermost frame that is neither numpy nor the
    standard library decides; a frame in the person's file anywhere in the stack also counts.
    """
    from nncheck.conventions._common import WrongResult

    if isinstance(exc, WrongResult):
        return True
    if isinstance(exc, TypeError) and "argument" in str(exc):
        return True  # the person's function does not take the arguments of the convention
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
    return innermost is None or not innermost.startswith(ours)


def _exception_diagnosis(exc: BaseException) -> tuple[str | None, Mistake]:
    """A diagnosis of the person's exception and its mistake id (``"exception"`` by default)."""
    text = str(exc)
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
) -> Plan:
    """Load ``target`` and list the checks of its convention (see :func:`conform`).

    ``rename_hint`` ends the message of a file with no known function names: how the front door
    calling ``plan`` lets a person map the course's names to theirs (the Python API's
    ``convention={...}`` by default; the CLI and the pytest plugin pass their own).
    """
    from nncheck import conventions
    from nncheck.conventions._common import Context
    from nncheck.loader import load_target

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
    configure = getattr(conv, "configure", None)
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
    for function in conv.FUNCTIONS:
        if not ctx.has(function):
            why = (
                f"{function} is not defined (the course's helper is used by your other functions)"
                if function in provided
                else f"{function} is not defined"
            )
            skipped = Finding(function, "defined", "skip", why)
            items.append(PlannedCheck(function, "defined", partial(_same, skipped)))
            continue
        values = values_of.get(function)
        values_run = _guarded_once(ctx, values, path) if values is not None else None
        for check in all_checks:
            if check.function == function:
                run = _guarded(ctx, check, path, values_run, memo)
                items.append(PlannedCheck(function, check.check, run))
    return Plan(shown, chosen, seed, tuple(items), dict(getattr(conv, "DEPENDS", {})))


def conform(
    target: Target,
    *,
    convention: str | Mapping[str, str] = "auto",
    seed: int | None = None,
    defs_only: bool = False,
    rename_hint: str = "or pass convention={course name: your name}",
    hidden_activation: str | None = None,
) -> ConformanceReport:
    """Check a person's implementation against the reference, the dimension rules and finite
    differences of their own cost; diagnose every mismatch.

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
    ).run()
