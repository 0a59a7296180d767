"""Calling a person's functions: arguments bound by name, return values checked.

:func:`bind_arguments` is the one argument binder: it matches the canonical values (``X``, ``Y``,
``parameters``, ``cache``, ``AL``, …) to the person's argument names, else passes them in the
course's order. :class:`_Caller` calls with it and turns crashes into
:class:`~nncheck.errors.UserCodeError`;
:class:`GradProblem` is what a convention's closures become, ready for the numeric core.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final

import numpy as np

from nncheck._arrays import FloatArray
from nncheck.errors import ProtocolError, UserCodeError, _safe_str, _trim

__all__ = ["ALIASES", "CostFn", "GradFn", "GradProblem", "Unbindable", "bind_arguments"]

CostFn = Callable[[Mapping[str, Any]], Any]
GradFn = Callable[[Mapping[str, Any]], dict[str, FloatArray]]

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "A_prev": ("A_prev", "A", "A_previous", "a_prev", "Aprev", "A_prev_", "inputs"),
    "W": ("W", "w", "weights"),
    "b": ("b", "bias"),
    "Z": ("Z", "z", "x", "cache", "activation_cache"),
    "dZ": ("dZ", "dz"),
    "dA": ("dA", "da", "dA_curr"),
    "activation": ("activation", "act", "activation_name", "function"),
    "cache": ("cache", "caches", "linear_cache", "activation_cache"),
    "caches": ("caches", "cache"),
    "X": ("X", "x", "inputs", "data"),
    "Y": ("Y", "y", "labels", "Y_true"),
    "AL": ("AL", "A2", "A", "y_hat", "Yhat", "A_L", "AL_", "Y_hat", "A3", "yhat"),
    "parameters": ("parameters", "params", "param", "parameter", "parms"),
    "grads": ("grads", "gradients", "grad"),
    "learning_rate": ("learning_rate", "lr", "alpha", "rate"),
    "layer_dims": ("layer_dims", "layers_dims", "dims", "layer_sizes", "layers"),
    "n_x": ("n_x", "nx", "n_in", "input_size"),
    "n_h": ("n_h", "nh", "n_hidden", "hidden_size"),
    "n_y": ("n_y", "ny", "n_out", "output_size"),
    "dim": ("dim", "n", "n_x", "size"),
    "num_iterations": ("num_iterations", "iterations", "n_iter", "epochs", "num_iters"),
    "print_cost": ("print_cost", "verbose"),
    "epsilon": ("epsilon", "eps", "h"),
    "print_msg": ("print_msg", "verbose"),
}
"""Names people give each canonical argument (matched as written, then lower-cased; the first
canonical name claiming an alias wins)."""


class Unbindable(TypeError):
    """The person's function cannot be called with the course's arguments (a ``TypeError`` about
    arguments, like Python's own; gradient checking turns it into a usage error)."""


def bind_arguments(
    fn: Callable[..., Any],
    order: Sequence[str],
    values: Mapping[str, Any],
    aliases: Mapping[str, tuple[str, ...]] | None = None,
    *,
    minimum: int = 1,
    name: str | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """The arguments that call ``fn`` with the canonical ``values``: ``fn(*args, **kwargs)``.

    ``order`` is the course's positional order of the canonical names. Each parameter of ``fn``
    is matched by name against :data:`ALIASES` (plus ``aliases``) of the names in ``order``, then
    of the other names in ``values`` (those reach only parameters without a default). When every
    parameter without a default is matched, the call is by name; otherwise it is by position in
    the course's order, as the course's own tests call it: ``order`` cut to the positional
    parameters ``fn`` takes (so ``compute_cost(A2, Y)`` works when the older ``(A2, Y,
    parameters)`` is asked for). ``f(*args)`` and builtins get the whole order.

    Raises :class:`Unbindable` when no call fits: more positional parameters without a default
    than ``order`` has, fewer than ``minimum``, or an unknown keyword-only parameter.
    """
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # builtins and C functions: the course's order
        return [values[k] for k in order], {}
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return [values[k] for k in order], {}  # f(*args): the course's order
    lookup: dict[str, str] = {}
    for canon in [*order, *(k for k in values if k not in order)]:
        for alias in (canon, *(aliases or {}).get(canon, ()), *ALIASES.get(canon, ())):
            lookup.setdefault(alias, canon)
            lookup.setdefault(alias.lower(), canon)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    used: set[str] = set()
    by_name = True
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            continue
        found = lookup.get(p.name) or lookup.get(p.name.lower())
        required = p.default is p.empty
        if found is None or found in used or not (required or found in order):
            by_name = by_name and not required
            continue
        used.add(found)
        if p.kind is p.POSITIONAL_ONLY:
            by_name = by_name and len(args) == params.index(p)  # none skipped before it
            args.append(values[found])
        else:
            kwargs[p.name] = values[found]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if by_name and (used or not positional):
        return args, kwargs
    # unknown argument names: the course's positional order
    n_required = sum(1 for p in positional if p.default is p.empty)
    keyword_only = [p for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
    n = min(len(positional), len(order))
    if keyword_only or n_required > len(order) or n < minimum:
        label = name or getattr(fn, "__name__", "the function")
        raise Unbindable(
            f"cannot call {label}{inspect.signature(fn)}: nncheck expects "
            f"{label}({', '.join(order)}) (arguments are matched by name, else by this order)"
        )
    return [values[k] for k in order[:n]], {}


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
        minimum = len(self.order) if self.minimum < 0 else self.minimum
        try:
            args, kwargs = bind_arguments(fn, self.order, values, minimum=minimum, name=self.name)
        except Unbindable as exc:
            raise ProtocolError(str(exc)) from None
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
