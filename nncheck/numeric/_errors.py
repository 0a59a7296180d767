"""Exceptions raised by the gradient checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ._report import GradReport


class GradientInputError(ValueError):
    """The arguments of a gradient check are unusable; the message says what was expected,
    what was found and how to fix it (non-finite cost or gradient, shape mismatch, missing
    gradient keys, non-scalar cost, a cost that mutates ``params`` or is not deterministic)."""

    __module__ = "nncheck"  # the public name, shown by tracebacks and pytest


class GradientMismatch(AssertionError):
    """Raised by :func:`assert_gradients` and :func:`assert_layer` when a gradient disagrees
    with the numeric one; ``str(error)`` is the readable report (table, diagnosis, notes) and
    ``error.report`` the :class:`GradReport`."""

    __module__ = "nncheck"  # the public name, shown by tracebacks and pytest

    def __init__(self, report: GradReport) -> None:
        super().__init__(str(report))
        self.report = report
