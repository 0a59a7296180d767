"""Copying and comparing values (arrays inside dicts, lists, tuples, dataclasses): the one rule
shared by :mod:`nncheck.properties` and :mod:`nncheck.strategies`."""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Change",
    "clone",
    "compare_values",
    "describe_changes",
    "fmt",
    "fmt_index",
    "jsonable",
]


def jsonable(value: object) -> object:
    """Convert numpy scalars/arrays and tuples into JSON-able Python values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


@dataclass(frozen=True)
class Change:
    """One difference between two values: where (``path``) and what (``description``)."""

    path: str
    description: str
    details: dict[str, object] = field(default_factory=dict)


def clone(value: object) -> object:
    """A deep copy of arrays and containers; other objects are deep-copied when possible."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        items = {k: clone(v) for k, v in value.items()}
        if type(value) is dict:
            return items
        try:
            return type(value)(items)
        except Exception:  # reason: a dict subclass we cannot rebuild is compared as a dict
            return items
    if isinstance(value, list):
        return [clone(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(clone(v) for v in value)
    try:
        return copy.deepcopy(value)
    except Exception:  # reason: an object we cannot copy is compared by identity only
        return value


def fmt_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def fmt(x: float) -> str:
    return f"{x:.6g}"


def compare_values(
    before: object, after: object, path: str, *, rtol: float = 0.0, atol: float = 0.0
) -> list[Change]:
    """Every difference between ``before`` and ``after``, walking dicts, sequences and dataclasses.

    Arrays are compared by shape, dtype and values (NaN equals NaN; ``rtol``/``atol`` as in
    ``np.isclose``); a value change reports the index of the largest change.
    """
    changes: list[Change] = []
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        if not (isinstance(before, np.ndarray) and isinstance(after, np.ndarray)):
            changes.append(
                Change(path, f"changed from {type(before).__name__} to {type(after).__name__}")
            )
            return changes
        if before.shape != after.shape:
            changes.append(
                Change(
                    path,
                    f"shape changed from {before.shape} to {after.shape}",
                    {"before_shape": list(before.shape), "after_shape": list(after.shape)},
                )
            )
            return changes
        if before.dtype != after.dtype:
            changes.append(Change(path, f"dtype changed from {before.dtype} to {after.dtype}"))
        if before.size == 0:
            return changes
        try:
            b = (
                before.astype(np.complex128)
                if before.dtype.kind == "c"
                else before.astype(np.float64)
            )
            a = after.astype(np.complex128) if after.dtype.kind == "c" else after.astype(np.float64)
        except (TypeError, ValueError):
            if not np.array_equal(before, after):
                changes.append(Change(path, "values changed"))
            return changes
        with np.errstate(all="ignore"):
            same = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True) | (a == b)
        if not np.all(same):
            with np.errstate(all="ignore"):
                diff = np.where(same, 0.0, np.abs(np.nan_to_num(a - b, nan=np.inf)))
            index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
            count = int(np.sum(~same))
            bv, av = b[index], a[index]
            changes.append(
                Change(
                    path,
                    f"{count} of {b.size} values changed; e.g. {path}{fmt_index(index)} "
                    f"went from {fmt(bv.real if isinstance(bv, complex) else float(bv))} "
                    f"to {fmt(av.real if isinstance(av, complex) else float(av))}",
                    {
                        "index": list(index),
                        "before": jsonable(bv),
                        "after": jsonable(av),
                        "changed": count,
                        "size": int(b.size),
                    },
                )
            )
        return changes
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in before:
            if key not in after:
                changes.append(Change(f"{path}[{key!r}]", "was removed"))
            else:
                changes.extend(
                    compare_values(
                        before[key], after[key], f"{path}[{key!r}]", rtol=rtol, atol=atol
                    )
                )
        for key in after:
            if key not in before:
                changes.append(Change(f"{path}[{key!r}]", "was added"))
        return changes
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        if len(before) != len(after):
            changes.append(Change(path, f"length changed from {len(before)} to {len(after)}"))
            return changes
        for i, (x, y) in enumerate(zip(before, after, strict=True)):
            changes.extend(compare_values(x, y, f"{path}[{i}]", rtol=rtol, atol=atol))
        return changes
    if (
        dataclasses.is_dataclass(before)
        and not isinstance(before, type)
        and type(before) is type(after)
    ):
        for f in dataclasses.fields(before):
            changes.extend(
                compare_values(
                    getattr(before, f.name),
                    getattr(after, f.name),
                    f"{path}.{f.name}",
                    rtol=rtol,
                    atol=atol,
                )
            )
        return changes
    if type(before) is not type(after) and not (
        isinstance(before, (int, float, np.number)) and isinstance(after, (int, float, np.number))
    ):
        changes.append(
            Change(path, f"changed from {type(before).__name__} to {type(after).__name__}")
        )
        return changes
    if type(before).__eq__ is object.__eq__:
        # an object without its own ==: compare its attributes; without any, we cannot judge
        if hasattr(before, "__dict__") and hasattr(after, "__dict__"):
            return compare_values(vars(before), vars(after), path, rtol=rtol, atol=atol)
        return changes
    try:
        if isinstance(before, (float, np.floating)) and isinstance(after, (float, np.floating)):
            equal = (
                bool(before == after)
                or (math.isnan(before) and math.isnan(after))
                or bool(np.isclose(float(after), float(before), rtol=rtol, atol=atol))
            )
        else:
            equal = bool(before == after)
    except Exception:  # reason: objects without a usable == are compared by identity
        equal = before is after
    if not equal:
        changes.append(
            Change(
                path,
                f"changed from {before!r} to {after!r}",
                {"before": jsonable(before), "after": jsonable(after)},
            )
        )
    return changes


def describe_changes(changes: Sequence[Change], limit: int = 3) -> str:
    text = "; ".join(f"{c.path} {c.description}" for c in changes[:limit])
    if len(changes) > limit:
        text += f"; and {len(changes) - limit} more"
    return text
