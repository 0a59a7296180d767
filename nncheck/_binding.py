"""Calling a person's functions: arguments bound by name, return values checked.

:class:`_Caller` binds the canonical values (``X``, ``Y``, ``parameters``, ``cache``, ``AL``, …)
to the person's argument names and turns crashes into :class:`~nncheck.errors.UserCodeError`;
:class:`GradProblem` is what a convention's closures become, ready for the numeric core.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final

import numpy as np

from nncheck._arrays import FloatArray
from nncheck.errors import ProtocolError, UserCodeError, _safe_str, _trim

__all__ = ["CostFn", "GradFn", "GradProblem"]

CostFn = Callable[[Mapping[str, Any]], Any]
GradFn = Callable[[Mapping[str, Any]], dict[str, FloatArray]]

_ALIASES: Final[dict[str, str]] = {
    "x": "X",
    "y": "Y",
    "parameters": "parameters",
    "params": "parameters",
    "param": "parameters",
    "parms": "parameters",
    "theta": "parameters",
    "cache": "cache",
    "caches": "cache",
    "al": "AL",
    "a2": "AL",
    "a3": "AL",
    "a": "AL",
    "y_hat": "AL",
    "yhat": "AL",
    "a_l": "AL",
    "w": "w",
    "b": "b",
}
"""Lower-cased argument name -> the value it receives."""


@dataclass(frozen=True)
class _Caller:
    """Calls one of the person's functions, turning crashes into :class:`UserCodeError`."""

    module: ModuleType
    name: str
    order: tuple[str, ...]  # the course's positional order of the canonical values
    path: str = ""
    minimum: int = -1  # fewest positional arguments accepted (default: all of ``order``)

    def __call__(self, **values: Any) -> Any:
        fn = getattr(self.module, self.name)
        args, kwargs = self._bind(fn, values)
        try:
            return fn(*args, **kwargs)
        except (Exception, SystemExit) as exc:  # sys.exit() in their code is a crash too
            message = f"raised {type(exc).__name__}: {_safe_str(exc)}"
            if (
                isinstance(exc, KeyError)
                and exc.args
                and re.fullmatch(r"[Wb]\d+", str(exc.args[0]))
            ):
                message += (
                    f" — your code reads {exc.args[0]}, a layer nncheck did not create: give "
                    "--dims with every layer width of your network (e.g. --dims 2,10,5,1)"
                )
            raise UserCodeError(self.name, message, _trim(exc, self.path)) from exc

    def _bind(
        self, fn: Callable[..., Any], values: Mapping[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):  # builtins and C functions: the course's order
            return [values[n] for n in self.order], {}
        if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in sig.parameters.values()):
            return [values[n] for n in self.order], {}  # f(*args): the course's order
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        required = [
            p
            for p in sig.parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        wanted = [_ALIASES.get(p.name.lower()) for p in required]
        if all(w is not None and w in values for w in wanted) and len(set(wanted)) == len(wanted):
            args = [
                values[w] for p, w in zip(required, wanted, strict=True) if p.kind in kinds and w
            ]
            kwargs = {
                p.name: values[w]
                for p, w in zip(required, wanted, strict=True)
                if p.kind not in kinds and w
            }
            return args, kwargs
        # unknown argument names: fall back to the course's positional order
        n_pos = len([p for p in required if p.kind in kinds])
        keyword_only = [p.name for p in required if p.kind not in kinds]
        signature = f"{self.name}{sig}"
        minimum = len(self.order) if self.minimum < 0 else self.minimum
        if keyword_only or n_pos > len(self.order) or n_pos < minimum:
            raise ProtocolError(
                f"cannot call {signature}: nncheck expects {self.name}({', '.join(self.order)})"
                " (arguments are matched by name, else by this order)"
            )
        return [values[n] for n in self.order[:n_pos]], {}


def _scalar(value: Any, function: str) -> Any:
    """The cost as a numpy scalar (real or complex); any size-1 array is accepted."""
    try:
        array = np.asarray(value)
    except Exception:  # any conversion failure is the person's return value
        array = np.asarray(None, dtype=object)
    if array.dtype.kind not in "biufc" or array.size != 1:
        raise UserCodeError(
            function,
            f"returned {_describe(value)} as the cost; the cost must be a single "
            "number (e.g. float(np.squeeze(cost)))",
        )
    return array.reshape(())[()]


def _describe(value: Any) -> str:
    """A few words for what a function returned: 'an array of shape (1, 4)', 'None', …"""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a value of type {type(value).__name__}"


def _unpack(value: Any, function: str, names: tuple[str, str]) -> tuple[Any, Any]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise UserCodeError(
            function, f"must return ({names[0]}, {names[1]}); it returned {_describe(value)}"
        )
    return value[0], value[1]


def _grad_dict(value: Any, function: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UserCodeError(
            function,
            "must return a dict of gradients such as {'dW1': ..., 'db1': ...}; it returned "
            + _describe(value),
        )
    return value


def _takes_one_argument(fn: Callable[..., Any]) -> bool:
    """True when ``fn`` can be called with just ``layer_dims``."""
    try:
        inspect.signature(fn).bind([1, 1])
    except (TypeError, ValueError):
        return False
    return True


def _takes_theta(fn: Callable[..., Any]) -> bool:
    """True for course 2's one-dimensional ``forward_propagation(x, theta)``."""
    try:
        return "theta" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class GradProblem:
    """A model ready for gradient checking: parameters, data and the two closures."""

    protocol: str
    functions: tuple[str, ...]
    dims: tuple[int, ...]
    params: dict[str, FloatArray]
    X: FloatArray
    Y: FloatArray
    cost: CostFn
    gradients: GradFn
    notes: tuple[str, ...] = ()

    @property
    def m(self) -> int:
        """Number of examples (columns of X)."""
        return int(self.X.shape[1])

    @property
    def size(self) -> int:
        """Number of scalar parameters P (a full check costs about 2P cost evaluations)."""
        return int(sum(p.size for p in self.params.values()))
