"""``@shapecheck``: the runtime twin of the ``Array[R, C]`` annotations."""

from __future__ import annotations

import functools
import inspect
import os
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, Union, cast

from ._array import Array, Dim
from ._errors import ShapeError

__all__ = ["ENV_VAR", "shapecheck"]

ENV_VAR = "NNCHECK_SHAPECHECK"
"""``NNCHECK_SHAPECHECK=0`` (or false/no/off) in the environment at decoration: no checks."""

F = TypeVar("F", bound=Callable[..., Any])

_OFF = frozenset({"0", "false", "no", "off"})
_MISSING = object()

# A dimension is a name that must agree (TypeVar or Dim subclass), a fixed size (Literal[k],
# One), or None: unchecked (Any, int, anything else).
_DimSpec = str | int | None


@dataclass(frozen=True)
class _ArraySpec:
    dims: tuple[_DimSpec, _DimSpec]
    text: str  # how the annotation reads, e.g. "Array[N, P]"
    optional: bool  # Array[...] | None: None passes


@dataclass(frozen=True)
class _ParamSpec:
    name: str
    index: int | None  # position when it may be passed positionally
    spec: _ArraySpec


@dataclass(frozen=True)
class _Problem:
    message: str
    name: str
    shape: tuple[int, ...]
    spec: _ArraySpec


@dataclass(frozen=True)
class _Plan:
    params: tuple[_ParamSpec, ...]
    returns: tuple[tuple[str, _ArraySpec], ...]  # ("the result", spec) or ("result[i]", spec)
    returns_tuple: bool


def _enabled() -> bool:
    return os.environ.get(ENV_VAR, "1").strip().lower() not in _OFF


def _dim_spec(dim: object) -> tuple[_DimSpec, str]:
    if isinstance(dim, TypeVar):
        return dim.__name__, dim.__name__
    if isinstance(dim, type) and issubclass(dim, Dim):
        return dim.__name__, dim.__name__
    if typing.get_origin(dim) is Literal:
        (value,) = typing.get_args(dim)
        if isinstance(value, int):
            return value, "One" if value == 1 else f"Literal[{value}]"
    return None, getattr(dim, "__name__", repr(dim))


def _array_spec(annotation: object) -> _ArraySpec | None:
    optional = False
    origin = typing.get_origin(annotation)
    if origin is Union or type(annotation).__name__ == "UnionType":
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            return None
        optional = True
        annotation = members[0]
        origin = typing.get_origin(annotation)
    if origin is not Array:
        return None
    (r, r_text), (c, c_text) = (_dim_spec(d) for d in typing.get_args(annotation))
    return _ArraySpec((r, c), f"Array[{r_text}, {c_text}]", optional)


def _plan(fn: Callable[..., Any], localns: Mapping[str, Any] | None) -> _Plan:
    hints = typing.get_type_hints(fn, localns=dict(localns) if localns is not None else None)
    params: list[_ParamSpec] = []
    for i, p in enumerate(inspect.signature(fn).parameters.values()):
        spec = _array_spec(hints.get(p.name))
        if spec is None:
            continue
        positional = p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        params.append(_ParamSpec(p.name, i if positional else None, spec))
    ret = hints.get("return")
    returns: list[tuple[str, _ArraySpec]] = []
    returns_tuple = False
    single = _array_spec(ret)
    if single is not None:
        returns.append(("the result", single))
    elif typing.get_origin(ret) is tuple:
        returns_tuple = True
        for k, item in enumerate(typing.get_args(ret)):
            spec = _array_spec(item)
            if spec is not None:
                returns.append((f"result[{k}]", spec))
    return _Plan(tuple(params), tuple(returns), returns_tuple)


def _dims_text(spec: _ArraySpec) -> list[str]:
    inner = spec.text[len("Array[") : -1]
    return [part.strip() for part in inner.split(",")]


def _check_one(
    where: str,
    name: str,
    value: object,
    spec: _ArraySpec,
    bound: dict[str, tuple[int, str]],
    problems: list[_Problem],
) -> None:
    """Bind the dimension names of ``value`` or append one problem explaining why it is wrong."""
    shape = getattr(value, "shape", None)
    if type(shape) is tuple and len(shape) == 2:  # the fast path: no allocation when it fits
        added: list[str] = []
        for dim, size in zip(spec.dims, shape, strict=True):
            if dim is None:
                continue
            if isinstance(dim, int):
                if size != dim:
                    break
            else:
                seen = bound.get(dim)
                if seen is None:
                    bound[dim] = (size, name)
                    added.append(dim)
                elif seen[0] != size:
                    break
        else:
            return
        for dim in added:  # a wrong array binds nothing: judge later ones against the others
            del bound[dim]
    if value is None and spec.optional:
        return
    actual = tuple(int(n) for n in shape) if isinstance(shape, tuple) else ()
    problems.append(_Problem(_explain(where, name, value, shape, spec, bound), name, actual, spec))


def _explain(
    where: str,
    name: str,
    value: object,
    shape: object,
    spec: _ArraySpec,
    bound: Mapping[str, tuple[int, str]],
) -> str:
    if not isinstance(shape, tuple):
        return (
            f"{where}: {name} is a {type(value).__name__}, not an array; "
            f"{name}: {spec.text} needs a 2-D numpy array"
        )
    if len(shape) == 1:
        r, c = spec.dims
        fix = (
            f"make it a column with {name}.reshape(-1, 1) (create it with np.zeros((n, 1)), "
            "and sum with keepdims=True)"
            if c == 1
            else f"make it a row with {name}.reshape(1, -1)"
            if r == 1
            else "keep it 2-D (np.random.randn(n, 1), not np.random.randn(n))"
        )
        return (
            f"{where}: {name} has shape {shape}, a rank-1 array, but {name}: {spec.text} "
            f"is 2-D; {fix}"
        )
    if len(shape) != 2:
        return (
            f"{where}: {name} has shape {shape}, a rank-{len(shape)} array, "
            f"but {name}: {spec.text} is 2-D"
        )
    texts = _dims_text(spec)
    local: dict[str, int] = {}
    reasons: list[str] = []
    for axis, (dim, size) in enumerate(zip(spec.dims, shape, strict=True)):
        if isinstance(dim, int):
            if size != dim:
                reasons.append(f"its axis {axis} must be {dim} ({texts[axis]})")
        elif dim is not None:
            seen = bound.get(dim)
            if seen is not None and seen[0] != size:
                reasons.append(f"{dim} = {seen[0]} from {seen[1]}")
            elif seen is None and local.setdefault(dim, size) != size:
                reasons.append(f"both of its axes are {dim}")
    message = (
        f"{where}: {name} has shape {shape}, but {' and '.join(reasons)} ({name}: {spec.text})"
    )
    if _fits(shape[::-1], spec, bound):
        message += f"; its transpose would fit: is {name} transposed?"
    return message


def _fits(shape: tuple[int, ...], spec: _ArraySpec, bound: Mapping[str, tuple[int, str]]) -> bool:
    local: dict[str, int] = {k: v[0] for k, v in bound.items()}
    for dim, size in zip(spec.dims, shape, strict=True):
        if isinstance(dim, int):
            if size != dim:
                return False
        elif dim is not None:
            if local.setdefault(dim, size) != size:
                return False
    return True


def _raise(problems: list[_Problem]) -> typing.NoReturn:
    messages = [p.message for p in problems]
    head = messages[0]
    message = (
        head if len(problems) == 1 else "\n".join([head, *("  also: " + m for m in messages[1:])])
    )
    first = problems[0]
    raise ShapeError(
        message,
        name=first.name,
        shape=first.shape,
        rule=f"{first.name}: {first.spec.text}",
        problems=tuple(messages),
    )


def shapecheck(fn: F) -> F:
    """Check at every call that the arguments and results match their ``Array[R, C]`` annotations.

    Equal dimension names (TypeVars or :class:`Dim` subclasses) must have equal sizes across all
    arguments and the result, :data:`One` must be 1, and every annotated array must be 2-D.
    Violations raise :class:`ShapeError` naming the function, the argument, its shape and where
    the conflicting size came from, e.g.
    ``linear_forward: W has shape (3, 4), but P = 3 from A_prev (axis 1 of W: Array[N, P])``.
    Arguments are checked before the call, results after it; every violation is reported.

    Annotations are resolved once (``typing.get_type_hints``; string annotations from
    ``from __future__ import annotations`` work), at decoration or, if a name is not defined yet,
    at the first call. With ``NNCHECK_SHAPECHECK=0`` in the environment at decoration time the
    function is returned undecorated (zero overhead).
    """
    if not _enabled():
        return fn
    frame = sys._getframe(1)
    localns: Mapping[str, Any] | None = (
        frame.f_locals if frame.f_locals is not frame.f_globals else None
    )
    plan: _Plan | None
    try:
        plan = _plan(fn, localns)
    except NameError:
        plan = None  # a forward reference: resolve at the first call
    where = getattr(fn, "__qualname__", getattr(fn, "__name__", "function"))

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal plan
        if plan is None:
            plan = _plan(fn, localns)
        bound: dict[str, tuple[int, str]] = {}
        problems: list[_Problem] = []
        n = len(args)
        for p in plan.params:
            if p.index is not None and p.index < n:
                value = args[p.index]
            else:
                value = kwargs.get(p.name, _MISSING)
                if value is _MISSING:
                    continue  # a default: not checked
            _check_one(where, p.name, value, p.spec, bound, problems)
        if problems:
            _raise(problems)
        result = fn(*args, **kwargs)
        if plan.returns:
            if plan.returns_tuple:
                if not isinstance(result, tuple):
                    spec = plan.returns[0][1]
                    text = f"{where}: the result is a {type(result).__name__}, not a tuple"
                    _raise([_Problem(text, "the result", (), spec)])
                for label, spec in plan.returns:
                    k = int(label[len("result[") : -1])
                    if k < len(result):
                        _check_one(where, label, result[k], spec, bound, problems)
            else:
                _check_one(where, plan.returns[0][0], result, plan.returns[0][1], bound, problems)
            if problems:
                _raise(problems)
        return result

    return cast(F, wrapper)
