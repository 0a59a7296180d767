"""The course notes' claims as executable theorems: ``nncheck claims``.

Each :class:`Claim` has a stable id, the notes' section, a one-line statement, a status —
"proved" (SymPy derives it exactly, from the specs' own expressions) or "demonstrated" (seeded
numbers through the reference, re-runnable; the evidence records the seed) — and a method.
:func:`establish` does the work and returns an :class:`Outcome` (holds, JSON-safe evidence);
:func:`picture` returns the data of a claim's drawing (see ``nncheck.plots`` to draw it).
The test suite establishes every claim, so a claim that stops holding fails it.

Importing this package imports SymPy (it is part of ``nncheck.specs``); nothing is computed
until a claim is established.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from . import _activations, _convexity, _layers, _symmetry
from ._model import Claim, Outcome, Picture, Status

_ORDER = (
    *_convexity.CLAIMS,
    *_layers.CLAIMS_LINEAR,
    *_symmetry.CLAIMS,
    *_activations.CLAIMS_SATURATION,
    *_layers.CLAIMS_ARRAYS,
)
CLAIMS: Mapping[str, Claim] = MappingProxyType({c.id: c for c in _ORDER})
"""Every claim by id, in the order of the notes (read-only)."""


def get_claim(claim_id: str) -> Claim:
    """The claim with id ``claim_id``; ``KeyError`` listing the ids (and a close match) if none."""
    try:
        return CLAIMS[claim_id]
    except KeyError:
        close = difflib.get_close_matches(claim_id, list(CLAIMS), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise KeyError(f"no claim {claim_id!r}; {guess}known claims: {', '.join(CLAIMS)}") from None


def establish(claim: Claim | str) -> Outcome:
    """Prove or demonstrate ``claim`` now; returns whether it holds and the evidence."""
    return (get_claim(claim) if isinstance(claim, str) else claim).establish()


def picture(claim: Claim | str) -> Picture:
    """The data of ``claim``'s picture; ``LookupError`` naming the claims that have one."""
    c = get_claim(claim) if isinstance(claim, str) else claim
    if c.picture is None:
        drawn = ", ".join(k for k, v in CLAIMS.items() if v.picture is not None)
        raise LookupError(f"claim {c.id!r} has no picture; claims with one: {drawn}")
    return c.picture()


__all__ = ["CLAIMS", "Claim", "Outcome", "Picture", "Status", "establish", "get_claim", "picture"]
