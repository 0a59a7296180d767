"""A gradient-check protocol as its convention binds it.

Each convention home lists its protocols in ``GRADCHECK``: the functions that make one, the
default widths, the cost and gradient closures, and the hooks that
:func:`nncheck.gradcheck.build_problem` calls where a protocol differs (how given parameters are
read, how widths follow from the data, where the starting parameters come from). The engine has
no branch on a protocol's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from nncheck._arrays import FloatArray, _reference_params
from nncheck._binding import CostFn, GradFn, GradProblem, _describe, _takes_one_argument
from nncheck.errors import ProtocolError, UserCodeError, _safe_str, _trim

__all__ = ["Protocol", "layered_params", "module_params"]

Dims = tuple[int, ...]
Closures = Callable[
    [ModuleType, tuple[str, ...], FloatArray, FloatArray, str], tuple[CostFn, GradFn]
]
"""(module, function names, X, Y, path) -> the cost and gradient closures over a parameter dict."""
Builder = Callable[
    [ModuleType, tuple[str, ...], Mapping[str, FloatArray] | None, int, str], GradProblem
]
"""(module, function names, ``--params`` or None, seed, path) -> the whole problem."""


def layered_params(
    params: dict[str, FloatArray], dims: Dims | None
) -> tuple[dict[str, FloatArray], Dims | None]:
    """Check ``--params`` W1, b1, … against the dimension rules; return them with the widths
    they imply (a :class:`ProtocolError` when they disagree with ``dims``)."""
    from nncheck.reference import ShapeError, layer_dims_from_params

    extra = sorted(k for k in params if not re.fullmatch(r"[Wb]\d+", k))
    if extra:
        raise ProtocolError(
            f"--params holds {', '.join(extra)} besides the parameters W1, b1, …; save only "
            "the parameters (np.savez(path, **parameters))"
        )
    try:
        implied = tuple(layer_dims_from_params(params))
    except (ShapeError, ValueError) as exc:
        raise ProtocolError(f"--params: {exc}") from None
    if dims is not None and tuple(dims) != implied:
        raise ProtocolError(
            f"--dims {','.join(map(str, dims))} disagrees with --params, whose W and b imply "
            f"--dims {','.join(map(str, implied))}; drop --dims or fix one of them"
        )
    return params, implied


def module_params(
    module: ModuleType, fn: str, dims: Sequence[int], seed: int, path: str
) -> tuple[dict[str, FloatArray], str]:
    """Parameters from the module's own ``fn(layer_dims)``, else nncheck's He initialisation."""
    init = getattr(module, fn, None)
    if not callable(init) or not _takes_one_argument(init):
        return _reference_params(
            dims, seed
        ), f"parameters: nncheck's He initialisation, seed {seed}"
    try:
        value = init(list(dims))
    except Exception as exc:
        raise UserCodeError(
            fn, f"raised {type(exc).__name__}: {_safe_str(exc)}", _trim(exc, path)
        ) from exc
    if not isinstance(value, Mapping):
        raise UserCodeError(fn, f"must return a dict of parameters; it returned {_describe(value)}")
    try:
        params = {str(k): np.array(v, dtype=np.float64) for k, v in value.items()}
    except (TypeError, ValueError) as exc:
        raise UserCodeError(fn, f"returned a non-numeric parameter ({exc})") from None
    from nncheck.reference import ShapeError, check_parameters

    try:
        check_parameters(params, dims)
    except (ShapeError, ValueError, TypeError) as exc:
        raise UserCodeError(fn, f"returned unusable parameters: {exc}") from None
    return params, f"parameters: the module's {fn}({list(dims)})"


@dataclass(frozen=True)
class Protocol:
    """One gradient-check protocol of a convention home.

    Attributes:
        name: the protocol's name (``--protocol``; the JSON's ``protocol``).
        options: alternative sets of function names that make it (any one set suffices).
        dims: the default widths [n[0], …, n[L]] when neither ``--dims`` nor ``--params`` give
            them.
        closures: builds the cost and gradient closures (None with :attr:`build`).
        cost_steps: how many of the leading functions compute the cost (named when the cost is
            not finite or an input changed: "L_model_forward or compute_cost").
        helpers: whether the home's course helpers are provided when their import is skipped.
        accepts: whether a module defining the names really is this protocol (course 2's
            ``forward_propagation(x, theta)`` is not week 3's).
        given_params: reads ``--params`` (and the widths they imply).
        widths: the widths from ``--dims`` (or None), the data's X and Y (or None) and the given
            parameters (or None), with notes; None: ``--dims``, else the data's n[0] and n[L]
            around the default hidden widths, else :attr:`dims`.
        check_dims: rejects widths the protocol cannot use.
        initial_params: the starting parameters when ``--params`` is absent (with a note); None:
            nncheck's He initialisation.
        probe: adjusts the widths to the person's code when neither ``--dims`` nor ``--params``
            gives them (with notes).
        build: builds the whole problem instead (module, functions, params, seed, path).
    """

    name: str
    options: tuple[tuple[str, ...], ...]
    dims: Dims
    closures: Closures | None
    cost_steps: int = 1
    helpers: bool = True
    accepts: Callable[[ModuleType], bool] | None = None
    given_params: Callable[
        [dict[str, FloatArray], Dims | None], tuple[dict[str, FloatArray], Dims | None]
    ] = layered_params
    widths: (
        Callable[
            [Dims | None, FloatArray | None, FloatArray | None, Mapping[str, FloatArray] | None],
            tuple[Dims, list[str]],
        ]
        | None
    ) = None
    check_dims: Callable[[Dims], None] | None = None
    initial_params: (
        Callable[[ModuleType, Dims, int, str], tuple[dict[str, FloatArray], str]] | None
    ) = None
    probe: Callable[[ModuleType, Dims, FloatArray, int, str], tuple[Dims, list[str]]] | None = None
    build: Builder | None = None

    def layer_dims(
        self,
        given: Dims | None,
        X: FloatArray | None,
        Y: FloatArray | None,
        params: Mapping[str, FloatArray] | None,
    ) -> tuple[Dims, list[str]]:
        """The widths to check (see :attr:`widths`)."""
        if self.widths is not None:
            return self.widths(given, X, Y, params)
        if given is not None:
            return given, []
        if X is not None and Y is not None:
            return (X.shape[0], *self.dims[1:-1], Y.shape[0]), []
        return self.dims, []

    def cost_functions(self, functions: tuple[str, ...]) -> tuple[str, str]:
        """(the function that returns the cost, the functions that compute it in words)."""
        steps = functions[: self.cost_steps]
        return steps[-1], " or ".join(steps)
