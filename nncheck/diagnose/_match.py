"""Matching: which replayed mistake reproduces a person's numbers; what one wrong array shows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nncheck.diagnose.catalogue import FORMULAS, REPLAY_RTOL, Mistake, factor_mistake, priority

__all__ = ["Diagnosis", "Mutant", "explain", "match_mistake", "squeezed"]


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake that reproduces the person's numbers.

    Attributes:
        mistake: its id in the catalogue (:class:`~nncheck.diagnose.catalogue.Mistake`).
        message: plain language, with the factor or the layer when there is one.
        formula: the formula of the notes the mistake breaks.
    """

    mistake: Mistake
    message: str
    formula: str | None = None

    def __str__(self) -> str:
        return self.message if not self.formula else f"{self.message} (formula: {self.formula})"


Mutant = tuple[Diagnosis, Callable[[], Mapping[str, Any]]]
"""A known mistake and a thunk computing the outputs it would produce."""


def _d(mistake: Mistake, message: str, op: str) -> Diagnosis:
    return Diagnosis(mistake, message, FORMULAS.get(op))


def _close(a: Any, b: Any, rtol: float = 1e-5) -> bool:
    try:
        x = np.asarray(a, dtype=np.float64)
        y = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if x.size == 1 and y.size == 1 and (x.ndim == 0 or y.ndim == 0):
        x, y = x.reshape(()), y.reshape(())
    if x.shape != y.shape:
        return False
    atol = 1e-8 * max(1.0, float(np.max(np.abs(y), initial=0.0)))
    return bool(np.all(np.abs(x - y) <= atol + rtol * np.abs(y)))


def match_mistake(
    expected: Mapping[str, Any], actual: Mapping[str, Any], mutants: Iterable[Mutant]
) -> Diagnosis | None:
    """The mutant that reproduces ``actual``: every output it changes matches the person's
    output, at least one of them differs from ``expected``, and every output it does not change
    is right in ``actual``.

    When several reproduce it, a mutant whose outputs also have the person's exact shapes wins
    over one that matches only the values (a number and a (1, 1) array are the same value):
    ``np.sum(dZ)`` with no axis, not ``np.sum(dZ, axis=0, keepdims=True)``, when m = 1 and db
    has shape (). Then the catalogue's priority decides
    (:func:`~nncheck.diagnose.catalogue.priority`), then the order of ``mutants``.
    """
    best: tuple[bool, int, int] | None = None  # (value only, priority, position): lowest wins
    found: Diagnosis | None = None
    for position, (diagnosis, thunk) in enumerate(mutants):
        rank = priority(diagnosis.mistake)
        if best is not None and (False, rank, position) >= best:
            continue  # cannot beat the best match so far
        try:
            outs = dict(thunk())
        except Exception:  # a mistake that cannot run on these inputs is no match
            continue
        keys = [k for k in outs if k in actual]
        if not keys:
            continue
        if not any(not _close(outs[k], expected.get(k)) for k in keys):
            continue  # indistinguishable from the right answer here (e.g. ReLU'(A) = ReLU'(Z))
        if not all(_close(actual[k], outs[k]) for k in keys):
            continue
        if not all(
            _close(actual[k], v) for k, v in expected.items() if k not in outs and k in actual
        ):
            continue
        value_only = not all(np.shape(actual[k]) == np.shape(outs[k]) for k in keys)
        if best is None or (value_only, rank, position) < best:
            best, found = (value_only, rank, position), diagnosis
    return found


_FACTOR_WORDS: dict[str, str] = {
    "m": "{key} is missing the 1/m factor: it is m = {m} times too large",
    "1/m": "{key} has an extra 1/m factor: it is m = {m} times too small",
    "−m": "{key} has the wrong sign and is missing the 1/m factor (it is −m = −{m} times the "
    "right value)",
    "−1": "{key} has the wrong sign: it is −1 times the right value",
}


def _factor_words(key: str, c: float, m: int) -> Diagnosis:
    known = factor_mistake(c, m, REPLAY_RTOL)
    if known is not None and known[0] in _FACTOR_WORDS:
        return Diagnosis(known[1], _FACTOR_WORDS[known[0]].format(key=key, m=m))
    return Diagnosis(
        Mistake.SCALED, f"{key} is {c:.6g} times the right value (a wrong constant factor)"
    )


def squeezed(key: str) -> Diagnosis:
    """The diagnosis of a rank-1 result from a function that calls ``np.squeeze``: the sum may
    well have ``keepdims=True``; the squeeze drops the dimension it kept."""
    return Diagnosis(
        Mistake.SQUEEZED,
        f"{key} is squeezed to rank 1: np.squeeze removes the dimension that keepdims=True "
        f"kept — drop the np.squeeze so that {key} stays 2-D (n, 1)",
        FORMULAS.get("linear_backward"),
    )


def explain(key: str, expected: Any, actual: Any, *, m: int = 1) -> Diagnosis | None:
    """Explain one wrong array: a constant factor (m, 1/m, −1, …), a transpose, a lost dimension."""
    try:
        e = np.asarray(expected, dtype=np.float64)
        a = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if not np.all(np.isfinite(a)):
        return None
    if e.ndim == 2 and a.ndim == 1 and a.size == e.size and _close(a, e.ravel()):
        return Diagnosis(
            Mistake.LOST_KEEPDIMS,
            f"{key} is a rank-1 array of shape {a.shape}, not {e.shape}: the sum lost its "
            f"dimension — use np.sum(..., axis=1, keepdims=True) or .reshape{e.shape}; "
            "see `nncheck claims rank-one-transpose`",
        )
    if a.ndim < e.ndim and a.size == e.size and _close(a.ravel(), e.ravel()):
        return Diagnosis(
            Mistake.LOST_KEEPDIMS,
            f"{key} has shape {a.shape}, not {e.shape}: it lost its dimensions (np.squeeze, or a "
            f"sum without keepdims=True, when a width is 1) — keep it 2-D with .reshape{e.shape}",
        )
    if e.ndim == 2 and a.shape == e.shape[::-1] and e.shape[0] != e.shape[1]:
        if _close(a.T, e):
            return Diagnosis(
                Mistake.TRANSPOSED_PRODUCT,
                f"{key} is transposed: shape {a.shape} instead of {e.shape} — swap the factors of "
                "the product (e.g. dZ·A_prevᵀ, not A_prev·dZᵀ)",
            )
        a = a.T
    if a.size != e.size:
        return None
    a = a.reshape(e.shape)
    denom = float(np.sum(e * e))
    if denom == 0.0:
        return None
    c = float(np.sum(a * e)) / denom
    if abs(c - 1.0) < 1e-9 or not _close(a, c * e, rtol=1e-6):
        return None
    words = _factor_words(key, c, m)
    if e.size == 1 and words.mistake is Mistake.SCALED:
        return None  # any two numbers differ by "a factor": one number shows no constant factor
    return words
