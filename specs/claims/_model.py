"""What a claim is: data (id, section, statement, status, method) and how it is established."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Status = Literal["proved", "demonstrated"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Outcome:
    """The result of establishing a claim: whether it holds, and the evidence (JSON-safe)."""

    holds: bool
    evidence: Mapping[str, Any]


@dataclass(frozen=True)
class Picture:
    """The data behind a claim's picture: curves on one pair of axes.

    ``series`` maps a label to (x, y) arrays; ``marks`` are vertical lines (label → x);
    ``shaded`` are x-intervals to shade (label → (x0, x1)); ``log`` puts both axes on a log
    scale. Tests read these arrays; :mod:`nncheck.plots` draws them.
    """

    title: str
    xlabel: str
    ylabel: str
    series: Mapping[str, tuple[FloatArray, FloatArray]]
    marks: Mapping[str, float] = field(default_factory=dict)
    shaded: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    log: bool = False


@dataclass(frozen=True)
class Claim:
    """A claim of the course notes, with a stable ``id`` and the way nncheck establishes it.

    ``status`` is "proved" (SymPy derives it exactly) or "demonstrated" (seeded numbers anyone
    can re-run; the evidence records the seed). ``establish()`` does the work each time it is
    called and returns an :class:`Outcome`; ``picture`` (when there is one) returns the data of
    the claim's drawing.
    """

    id: str
    section: str
    statement: str
    status: Status
    method: str
    establish: Callable[[], Outcome] = field(repr=False, compare=False)
    picture: Callable[[], Picture] | None = field(default=None, repr=False, compare=False)

    def to_dict(self, outcome: Outcome) -> dict[str, Any]:
        """The JSON object of the claim: id, section, statement, status, method, holds, evidence."""
        return {
            "id": self.id,
            "section": self.section,
            "statement": self.statement,
            "status": self.status,
            "method": self.method,
            "holds": outcome.holds,
            "evidence": dict(outcome.evidence),
        }
