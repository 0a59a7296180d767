"""Property results as data (:class:`PropertyResult`), the thin asserting step, and the
helpers every property check shares (crashes as results, argument labels, arrays in a value)."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nncheck._compare import (
    jsonable,
)
from nncheck._findings import Status


@dataclass(frozen=True)
class PropertyResult:
    """The outcome of one property check, as data.

    ``check`` names the property (e.g. ``"mutation"``), ``status`` is its verdict, ``message``
    explains it to a learner (which array, expected vs found, the fix) and ``details`` holds
    JSON-able facts (shapes, indices, values, seeds).
    """

    check: str
    status: Status
    message: str
    details: dict[str, object] = field(default_factory=dict, hash=False)

    @property
    def ok(self) -> bool:
        """True unless the check found a bug (``"warn"`` and ``"skip"`` are ok)."""
        return self.status != "fail"

    def to_dict(self) -> dict[str, object]:
        """The result as a JSON-able dict."""
        return {
            "check": self.check,
            "status": self.status,
            "message": self.message,
            "details": jsonable(self.details),
        }


def assert_ok(*results: PropertyResult) -> None:
    """Raise ``AssertionError`` listing every failing result (the thin asserting step for tests).

    ``"warn"`` and ``"skip"`` results do not raise.
    """
    failed = [r for r in results if not r.ok]
    if failed:
        raise AssertionError("\n".join(f"[{r.check}] {r.message}" for r in failed))


# --------------------------------------------------------------------------------------------
# helpers


def _not_a_mapping(check: str, status: Status, value: object, what: str) -> PropertyResult:
    return PropertyResult(
        check,
        status,
        f"{what} must be a dict of arrays such as {{'W1': ..., 'b1': ...}}, "
        f"got a {type(value).__name__}",
        {"type": type(value).__name__},
    )


def _fn_name(fn: Callable[..., object]) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn))


def _crash(check: str, fn: Callable[..., object], exc: BaseException) -> PropertyResult:
    name = _fn_name(fn)
    return PropertyResult(
        check,
        "fail",
        f"{name} raised {type(exc).__name__}: {exc} — the check could not run; fix the error first",
        {"function": name, "exception": type(exc).__name__, "error": str(exc)},
    )


def _arg_labels(
    fn: Callable[..., object], args: Sequence[object], kwargs: Mapping[str, object]
) -> list[tuple[str, object]]:
    """(name, value) of every argument, named by the function's signature when possible."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        labels = [(f"argument {i}", a) for i, a in enumerate(args)]
        labels.extend(kwargs.items())
        return labels
    out: list[tuple[str, object]] = []
    params = inspect.signature(fn).parameters
    for name, value in bound.arguments.items():
        kind = params[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            out.extend((f"{name}[{i}]", v) for i, v in enumerate(value))
        elif kind is inspect.Parameter.VAR_KEYWORD:
            out.extend(value.items())
        else:
            out.append((name, value))
    return out


def _iter_arrays(value: object, path: str) -> list[tuple[str, np.ndarray[Any, Any]]]:
    if isinstance(value, np.ndarray):
        return [(path, value)]
    if isinstance(value, Mapping):
        out: list[tuple[str, np.ndarray[Any, Any]]] = []
        for k, v in value.items():
            out.extend(_iter_arrays(v, f"{path}[{k!r}]"))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            out.extend(_iter_arrays(v, f"{path}[{i}]"))
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = []
        for f in dataclasses.fields(value):
            out.extend(_iter_arrays(getattr(value, f.name), f"{path}.{f.name}"))
        return out
    return []
