"""The Python front door: :func:`conform`, in this process or isolated in the runner's child.

Isolation is a front door's choice, like the command line's and the pytest plugin's: the engine
(:func:`nncheck.conformance.conform`) checks in the calling process, and ``isolate=True`` hands
the same run to :func:`nncheck.runner.run_conform`.
"""

from __future__ import annotations

import os
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nncheck.conformance import ConformanceReport

__all__ = ["conform"]


def conform(
    target: str | os.PathLike[str] | types.ModuleType,
    *,
    convention: str | Mapping[str, str] = "auto",
    seed: int | None = None,
    defs_only: bool = False,
    rename_hint: str = "or pass convention={course name: your name}",
    hidden_activation: str | None = None,
    require_all: bool = False,
    isolate: bool = False,
    timeout: float | None = None,
    memory_mb: int | None = None,
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
        require_all: a course function the file does not define is a failure (check
            ``"missing"``), not a skip.
        isolate: run the person's code in a child process (POSIX), as the command line does: a
            function that hangs, exits, crashes or runs out of memory fails alone (``mistake``
            ``"timeout"``, ``"exit"``, ``"crash"`` or ``"memory"``).
        timeout: with ``isolate``, the seconds each function's checks may take (default
            :data:`nncheck.runner.DEFAULT_TIMEOUT`).
        memory_mb: with ``isolate``, the memory the child may add, in MB (Linux).

    Returns:
        a :class:`nncheck.ConformanceReport`; ``report.ok`` is False when any check failed.

    Raises:
        nncheck.LoadError: the file is missing, has a syntax error, or fails to import (the
            message names the file and line).
        ValueError: an unknown convention or a bad seed; :class:`nncheck.errors.UsageError` (a
            ValueError) when no convention fits the file's names or the convention has no such
            hidden activation.
    """
    if not isolate:
        from nncheck.conformance import conform as in_process

        return in_process(
            target,
            convention=convention,
            seed=seed,
            defs_only=defs_only,
            rename_hint=rename_hint,
            hidden_activation=hidden_activation,
            require_all=require_all,
        )
    from nncheck import runner

    return runner.run_conform(
        target,
        convention=convention,
        seed=seed,
        defs_only=defs_only,
        rename_hint=rename_hint,
        hidden_activation=hidden_activation,
        require_all=require_all,
        timeout=runner.DEFAULT_TIMEOUT if timeout is None else timeout,
        memory_mb=memory_mb,
    )
