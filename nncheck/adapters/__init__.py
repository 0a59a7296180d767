"""Convention adapters: map a person's module onto the checks of one course convention.

A convention is a module with ``NAME``, ``FUNCTIONS`` (the names it checks, in order),
``MARKERS`` (names that identify it) and ``checks()`` (a list of :class:`Check`). Composition, not
inheritance: the checks are built from the helpers of ``nncheck.adapters._common``.

Conventions: ``week2`` (logistic regression), ``week3`` (one hidden tanh layer), ``week4``
(L layers, ReLU/sigmoid), ``course2`` (gradient checking and initialisation), ``generic`` (the
canonical names documented in the README).
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Mapping

from nncheck.adapters._common import Check, Context, Prerequisite

__all__ = [
    "CONVENTIONS",
    "Check",
    "Context",
    "Prerequisite",
    "available_conventions",
    "convention_module",
    "detect_convention",
    "provide_helpers",
]

CONVENTIONS = ("week4", "week3", "week2", "course2", "generic")
"""Known conventions, in the order ties are broken."""


def convention_module(name: str) -> types.ModuleType:
    """The adapter module of convention ``name``; ``ValueError`` listing the known names."""
    if name not in CONVENTIONS:
        raise ValueError(
            f"unknown convention {name!r}; expected 'auto' or one of: {', '.join(CONVENTIONS)}"
        )
    return importlib.import_module(f"nncheck.adapters.{name}")


def provide_helpers(module: types.ModuleType, convention: str) -> frozenset[str]:
    """Define the course helpers of ``convention`` (its module's ``HELPERS``) that ``module``
    lacks — the course ships them in ``dnn_utils``/``planar_utils``/``gc_utils``, which learners
    import rather than write. Returns the names provided (they are not checked as the person's),
    with the functions that came from the course's own modules (a local ``dnn_utils.py``)."""
    from nncheck.loader import course_names

    helpers = getattr(convention_module(convention), "HELPERS", {})
    provided = list(course_names(module))
    for name, f in helpers.items():
        if not callable(getattr(module, name, None)):
            setattr(module, name, f)
            provided.append(name)
    return frozenset(provided)


def available_conventions() -> list[str]:
    """The conventions whose adapters are installed (all of :data:`CONVENTIONS` normally)."""
    out = []
    for name in CONVENTIONS:
        try:
            convention_module(name)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def detect_convention(
    module: types.ModuleType, names: Mapping[str, str] | None = None
) -> str | None:
    """The convention whose marker functions the module defines most of (None when none).

    ``names`` maps a convention's function name to the person's name for it. A convention may
    adjust its score from signatures (``score_adjustment(module, names)``): course 2's
    one-dimensional ``forward_propagation(x, theta)`` is not week 3's.
    """
    names = dict(names or {})
    best: tuple[int, str] | None = None
    for conv in available_conventions():
        mod = convention_module(conv)
        score = sum(1 for n in mod.MARKERS if callable(getattr(module, names.get(n, n), None)))
        adjust = getattr(mod, "score_adjustment", None)
        if callable(adjust):
            score += adjust(module, names)
        if score > 0 and (best is None or score > best[0]):
            best = (score, conv)
    return None if best is None else best[1]
