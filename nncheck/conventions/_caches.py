"""The caches the course prescribes: their layouts, and where a person's cache differs in words
("cache holds A where the course keeps Z")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nncheck.conventions._common import RTOL, describe_value

__all__ = ["CacheLayout", "cache_difference", "cache_layout_text"]

CacheLayout = str | tuple["CacheLayout", ...] | Mapping[str, "CacheLayout"]
"""The layout of a cache the course prescribes: a name of a value, or a tuple or dict of them
(week 4's linear_activation_forward cache is ``(("A_prev", "W", "b"), "Z")``)."""


def cache_layout_text(layout: CacheLayout) -> str:
    """A cache layout as the course writes it: ``((A_prev, W, b), Z)``."""
    if isinstance(layout, str):
        return layout
    if isinstance(layout, tuple):
        return "(" + ", ".join(cache_layout_text(x) for x in layout) + ")"
    return "{" + ", ".join(f"{k!r}: {cache_layout_text(v)}" for k, v in layout.items()) + "}"


def _same_array(actual: Any, expected: Any) -> bool:
    try:
        a = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=RTOL, atol=1e-12))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _leaves(v)]
    return [value]


def _labels(layout: CacheLayout) -> list[str]:
    if isinstance(layout, str):
        return [layout]
    parts = layout.values() if isinstance(layout, Mapping) else layout
    return [x for p in parts for x in _labels(p)]


def cache_difference(
    actual: Any,
    layout: CacheLayout,
    known: Mapping[str, Any],
    path: str = "cache",
    loose: list[str] | None = None,
) -> str | None:
    """Where a cache differs from the course's ``layout`` (values named in ``known``), in words,
    or None when it matches: "cache holds A where the course keeps Z".

    A dict where the course has a tuple or an array (a person's own layout, read by their own
    backward functions) matches when it holds every value the course keeps; its path is then
    appended to ``loose``.
    """
    if isinstance(actual, Mapping) and not isinstance(layout, Mapping):
        held = _leaves(actual)
        for label in _labels(layout):
            if not any(_same_array(v, known[label]) for v in held):
                others = [k for k, v in known.items() if any(_same_array(h, v) for h in held)]
                kept = f" (it holds {', '.join(others)})" if others else ""
                return f"{path} is a dict without {label}{kept}; the course keeps {label}"
        if loose is not None:
            loose.append(path)
        return None
    if isinstance(layout, str):
        if _same_array(actual, known[layout]):
            return None
        other = next((k for k, v in known.items() if k != layout and _same_array(actual, v)), None)
        if other is not None:
            return f"{path} holds {other} where the course keeps {layout}"
        return f"{path} is {describe_value(actual)}, not {layout} (the course keeps {layout})"
    if isinstance(layout, tuple):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(layout):
            return (
                f"{path} is {describe_value(actual)}; the course's is the tuple "
                f"{cache_layout_text(layout)}"
            )
        for i, (a, sub) in enumerate(zip(actual, layout, strict=True)):
            d = cache_difference(a, sub, known, f"{path}[{i}]", loose)
            if d is not None:
                return d
        return None
    if not isinstance(actual, Mapping):
        shown = cache_layout_text(layout)
        return f"{path} is {describe_value(actual)}; the course's is the dict {shown}"
    for key, sub in layout.items():
        if key not in actual:
            return f"{path} has no key {key!r} (the course's cache is {cache_layout_text(layout)})"
        d = cache_difference(actual[key], sub, known, f"{path}[{key!r}]", loose)
        if d is not None:
            return d
    return None
