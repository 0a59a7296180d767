"""Conformance: run a person's implementation against everything nncheck knows.

``conform(target)`` loads the file or module, detects its convention (course week 2, 3, 4, the
course-2 gradient-checking/initialisation assignments, or the generic canonical names), and runs
small independent checks on each function it defines: values against the reference, gradients
against finite differences of the person's own cost, shapes by the dimension rules, scalar cost,
inputs left unchanged, symmetry broken by initialisation, update direction, predict threshold.
Every mismatch is replayed against known mistakes (``nncheck.diagnose``) to name the one that
reproduces the person's numbers.
"""

from __future__ import annotations

from nncheck._findings import ConformanceReport, Finding, Status
from nncheck.conformance._run import Plan, PlannedCheck, conform, plan

__all__ = ["ConformanceReport", "Finding", "Plan", "PlannedCheck", "Status", "conform", "plan"]
