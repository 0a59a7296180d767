"""Argument validation and the counted, guarded cost evaluator of the gradient checker.

Everything a person can get wrong about the arguments is caught here and reported as a
:class:`GradientInputError` that says what was expected, what was found and how to fix it.
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nncheck.errors import UserCodeError

from ._errors import GradientInputError

FloatArray = npt.NDArray[np.float64]
Cost = Callable[[Any], Any]
"""``cost(params) -> scalar``: a float, a 0-d array or a size-1 array."""


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _as_real_array(value: Any, what: str, fix: str) -> npt.NDArray[Any]:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # reason: any conversion failure is the user's input
        raise GradientInputError(f"{what} is not an array ({type(value).__name__}): {exc}") from exc
    if arr.dtype.kind not in "biuf":
        raise GradientInputError(
            f"{what} must be a real numeric array, found dtype {arr.dtype} "
            f"({type(value).__name__}); {fix}"
        )
    return arr


def _check_finite(arr: npt.NDArray[Any], what: str) -> None:
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr.reshape(-1)))[0])
        count = int(np.sum(~np.isfinite(arr)))
        index = list(_index(bad, arr.shape))
        raise GradientInputError(
            f"{what} has {count} non-finite value(s), first {what}{index} = "
            f"{float(arr.reshape(-1)[bad])!r}; expected finite numbers. Look for a division by "
            "zero, log(0) or an overflow (e.g. a sigmoid computed as 1/(1+exp(-z)) with a huge z)."
        )


@dataclass
class Problem:
    """The normalised arguments: private float64 copies made once, perturbed in place."""

    names: list[str]
    shapes: list[tuple[int, ...]]
    single: bool
    work: dict[str, FloatArray]
    pristine: dict[str, FloatArray]
    grads: dict[str, FloatArray]
    param_dtypes: dict[str, np.dtype[Any]]
    grad_dtypes: dict[str, np.dtype[Any]]
    grad_keys: dict[str, str]

    @property
    def size(self) -> int:
        return sum(int(np.prod(s)) for s in self.shapes)

    def restore(self) -> None:
        for n in self.names:
            np.copyto(self.work[n], self.pristine[n])


def _normalise_params(params: Any) -> tuple[list[str], bool, dict[str, npt.NDArray[Any]]]:
    if isinstance(params, Mapping):
        if not params:
            raise GradientInputError(
                "params is an empty dict; expected the parameters to check, e.g. "
                "{'W1': W1, 'b1': b1, ...}"
            )
        arrays: dict[str, npt.NDArray[Any]] = {}
        for key, value in params.items():
            if not isinstance(key, str):
                raise GradientInputError(
                    f"params has a non-string key {key!r}; expected names like 'W1', 'b1'"
                )
            arr = _as_real_array(
                value, f"params[{key!r}]", "convert it with np.asarray(..., dtype=float)"
            )
            _check_finite(arr, f"params[{key!r}]")
            arrays[key] = arr
        return list(arrays), False, arrays
    arr = _as_real_array(
        params,
        "params",
        "pass one ndarray or a dict of ndarrays such as {'W1': W1, 'b1': b1}",
    )
    _check_finite(arr, "params")
    return ["theta"], True, {"theta": arr}


def _call_gradients(gradients: Callable[..., Any], params: Any) -> Any:
    try:
        signature = inspect.signature(gradients)
        required = [
            p
            for p in signature.parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        takes_params = bool(required) or any(
            p.kind is p.VAR_POSITIONAL for p in signature.parameters.values()
        )
    except (TypeError, ValueError):  # builtins without a signature: try with params
        takes_params = True
    try:
        return gradients(params) if takes_params else gradients()
    except Exception as exc:  # reason: report the user's exception with context
        raise GradientInputError(
            f"calling gradients({'params' if takes_params else ''}) raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def _match_gradients(
    names: list[str], single: bool, arrays: dict[str, npt.NDArray[Any]], gradients: Any
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, str]]:
    if single:
        if isinstance(gradients, Mapping):
            raise GradientInputError(
                "params is a single array but gradients is a dict with keys "
                f"{', '.join(map(str, gradients))}; pass the gradient as one array of shape "
                f"{arrays['theta'].shape}, or pass params as a dict too"
            )
        g = _as_real_array(gradients, "the gradient", "return it as a float ndarray")
        return {"theta": g}, {"theta": "gradient"}
    if not isinstance(gradients, Mapping):
        raise GradientInputError(
            f"params is a dict (keys {', '.join(names)}) but gradients is a "
            f"{type(gradients).__name__}; pass a dict such as {{'dW1': dW1, 'db1': db1, ...}}"
        )
    found: dict[str, npt.NDArray[Any]] = {}
    keys: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        for key in ("d" + name, name):
            if key in gradients:
                found[name] = _as_real_array(
                    gradients[key], f"gradients[{key!r}]", "return it as a float ndarray"
                )
                keys[name] = key
                break
        else:
            missing.append(name)
    if missing:
        wanted = ", ".join(f"'d{m}' (or '{m}')" for m in missing)
        have = ", ".join(map(str, gradients)) or "none"
        raise GradientInputError(
            f"gradients is missing {len(missing)} of {len(names)} entries: {wanted}. "
            f"It has keys: {have}. Every parameter needs its gradient: params['W1'] pairs with "
            "gradients['dW1']."
        )
    return found, keys


def shape_hint(grad: tuple[int, ...], param: tuple[int, ...]) -> str:
    """Why a gradient of shape ``grad`` may not fit a parameter of shape ``param``, in words that
    are true in that direction (an extra axis of length 1 is dropped, a missing one is kept)."""
    # transposition first: reshaping a transposed gradient gives silently wrong values
    if len(grad) == len(param) == 2 and grad[::-1] == param and grad != param:
        return " (it is the transpose: use .T / check the order of the factors)"
    if math.prod(grad) != math.prod(param):
        return ""
    squeezed_g = tuple(n for n in grad if n != 1)
    squeezed_p = tuple(n for n in param if n != 1)
    target = f"({param[0]},)" if len(param) == 1 else str(param)
    if squeezed_g != squeezed_p and len(squeezed_g) == 1:
        return (
            f" (same number of elements, flattened: .reshape{target} if it was flattened from it)"
        )
    if squeezed_g != squeezed_p:
        return (
            " (same number of elements, arranged differently: check which axis you summed or "
            "multiplied over; reshaping would mix up the values)"
        )
    extra = len(grad) - len(param)
    if extra > 0:
        axes = "an extra axis" if extra == 1 else f"{extra} extra axes"
        return f" (it has {axes} of length 1: sum without keepdims=True, or .reshape{target})"
    if extra < 0:
        axes = "an axis" if extra == -1 else f"{-extra} axes"
        return f" (it lost {axes} of length 1: sum with keepdims=True, or .reshape{target})"
    return f" (its axes of length 1 are in other places: .reshape{target})"


def prepare(params: Any, gradients: Any) -> Problem:
    """Validate ``params`` and ``gradients`` and make the private float64 working copies."""
    names, single, arrays = _normalise_params(params)
    if callable(gradients):
        user_view: Any = (
            arrays["theta"].copy() if single else {k: v.copy() for k, v in arrays.items()}
        )
        gradients = _call_gradients(gradients, user_view)
    grads, keys = _match_gradients(names, single, arrays, gradients)
    for name in names:
        p, g, key = arrays[name], grads[name], keys[name]
        what = "the gradient" if single else f"gradients[{key!r}]"
        pwhat = "params" if single else f"params[{name!r}]"
        if g.shape != p.shape:
            raise GradientInputError(
                f"{what} has shape {g.shape} but {pwhat} has shape {p.shape}; a gradient "
                f"must have the shape of its parameter (dW like W, db like b)"
                f"{shape_hint(g.shape, p.shape)}"
            )
        _check_finite(g, what)
    work = {n: np.array(arrays[n], dtype=np.float64, copy=True, order="C") for n in names}
    pristine = {n: w.copy() for n, w in work.items()}
    return Problem(
        names=names,
        shapes=[arrays[n].shape for n in names],
        single=single,
        work=work,
        pristine=pristine,
        grads={n: np.asarray(grads[n], dtype=np.float64) for n in names},
        param_dtypes={n: arrays[n].dtype for n in names},
        grad_dtypes={n: grads[n].dtype for n in names},
        grad_keys=keys,
    )


def to_scalar(value: Any, *, allow_complex: bool = False) -> complex | float:
    """The cost's return value as a Python number, or a :class:`GradientInputError`."""
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return float(value)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # reason: anything unconvertible is the user's error
        raise GradientInputError(
            f"cost returned a {type(value).__name__}, expected a scalar number"
        ) from exc
    if arr.size != 1:
        raise GradientInputError(
            f"cost returned an array of shape {arr.shape}; expected a scalar (a float, a 0-d "
            "or size-1 array). Reduce it to one number, e.g. J = np.mean(losses) or "
            "np.sum(losses) / m, and np.squeeze a (1, 1) result."
        )
    if arr.dtype.kind == "c":
        if allow_complex:
            return complex(arr.reshape(-1)[0])
        raise GradientInputError("cost returned a complex number for real parameters")
    if arr.dtype.kind not in "biuf":
        raise GradientInputError(
            f"cost returned {value!r} (dtype {arr.dtype}); expected a real scalar number"
        )
    return float(arr.reshape(-1)[0])


class Evaluator:
    """Calls ``cost`` on the private working copy, counts calls and guards the result."""

    def __init__(self, cost: Cost, problem: Problem) -> None:
        if not callable(cost):
            raise GradientInputError(
                f"cost must be a callable cost(params) -> float, found {type(cost).__name__}"
            )
        self.cost = cost
        self.problem = problem
        self.count = 0
        self.arg: Any = (
            problem.work["theta"] if problem.single else {n: problem.work[n] for n in problem.names}
        )
        self.context = "at the given parameters"
        self.element: tuple[str, int, tuple[int, ...]] | None = None
        """(label, flat index, shape) of the perturbed element, formatted only for errors."""
        self.float32_result = False

    def where(self) -> str:
        """Where the cost was being evaluated, for error messages."""
        if self.element is not None:
            label, flat, shape = self.element
            return f"with {label}{list(_index(flat, shape))} perturbed"
        return self.context

    def __call__(self) -> float:
        self.count += 1
        try:
            value = self.cost(self.arg)
        except (GradientInputError, UserCodeError):
            raise  # a caller's UserCodeError is the person's crash: it passes through unchanged
        except Exception as exc:  # reason: the user's cost failed; say where
            raise GradientInputError(
                f"cost(params) raised {type(exc).__name__}: {exc} (evaluation "
                f"{self.count}, {self.where()})"
            ) from exc
        if type(value) is float or type(value) is np.float64:
            result = float(value)
        else:
            if (
                isinstance(value, np.floating | np.ndarray)
                and np.asarray(value).dtype == np.float32
            ):
                self.float32_result = True
            result = float(to_scalar(value).real)
        if not math.isfinite(result):
            raise GradientInputError(
                f"cost returned {result} {self.where()} (evaluation {self.count}); expected a "
                "finite number. A cross-entropy cost is infinite when a prediction is exactly "
                "0 or 1: compute it from the logits or clip the predictions."
            )
        return result

    def check_untouched(self) -> None:
        """Raise if the cost mutated the parameters it was given."""
        p = self.problem
        if p.single:
            changed = [("params", p.work["theta"], p.pristine["theta"])]
            if self.arg is not p.work["theta"]:  # pragma: no cover - arg is ours
                changed = []
        else:
            if set(self.arg) != set(p.names):
                added = sorted(set(self.arg) - set(p.names))
                removed = sorted(set(p.names) - set(self.arg))
                raise GradientInputError(
                    f"cost changed the keys of params (added {added}, removed {removed}); a cost "
                    "must not modify its input: work on a copy"
                )
            for n in p.names:
                if self.arg[n] is not p.work[n]:
                    raise GradientInputError(
                        f"cost replaced params[{n!r}] with another object; a cost must not "
                        "modify its input: work on a copy (e.g. params = dict(params))"
                    )
            changed = [(f"params[{n!r}]", p.work[n], p.pristine[n]) for n in p.names]
        for what, now, before in changed:
            if not np.array_equal(now, before):
                flat = int(np.flatnonzero(now.reshape(-1) != before.reshape(-1))[0])
                index = list(_index(flat, before.shape))
                was, now_value = float(before.reshape(-1)[flat]), float(now.reshape(-1)[flat])
                raise GradientInputError(
                    f"cost modified {what} in place: {what}{index} was {was!r} and is now "
                    f"{now_value!r}. A cost must not mutate its input "
                    "(e.g. W -= ..., W[...] = ..., np.clip(W, ..., out=W)); copy first."
                )


def call_complex(cost: Cost, arg: Any) -> complex | None:
    """``cost`` at complex parameters, or ``None`` when it does not accept them (raises, warns
    about discarding imaginary parts, or returns a real number)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            with np.errstate(all="ignore"):
                value = cost(arg)
        arr = np.asarray(value)
    except Exception:  # reason: any failure means "no complex step"
        return None
    if arr.size != 1 or arr.dtype.kind != "c":
        return None
    result = complex(arr.reshape(-1)[0])
    if not (math.isfinite(result.real) and math.isfinite(result.imag)):
        return None
    return result


def parameter_name(fn: Any, default: str) -> str:
    """The name of ``fn``'s first positional parameter (``def cost(theta)`` → ``"theta"``), or
    ``default`` when it has none that introspection can see."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return default
    for p in parameters:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            return p.name
    return default


def draw_upstream(seed: int, shape: tuple[int, ...], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """The seeded upstream gradient ``dout`` of an array output: standard normal, in the output's
    floating dtype (float64 for anything else), from a stream separate from the checker's."""
    kind = dtype if dtype.kind == "f" else np.dtype(np.float64)
    dout: npt.NDArray[Any] = np.random.default_rng([seed, 1]).standard_normal(shape).astype(kind)
    return dout


def project_array_cost(
    cost: Cost, params: Any, gradients: Any, seed: int
) -> tuple[Cost, Any, str] | None:
    """For a cost that returns an array: ``sum(cost(params) * dout)`` with a seeded ``dout``, the
    gradients ``gradients(params, dout)`` and a note saying so; ``None`` for a scalar cost.

    The cost is called once on a copy of ``params``; if that fails, ``None`` (the guarded
    evaluator reports the failure with its context).
    """
    copy: Any = (
        {k: np.array(v, copy=True) for k, v in params.items()}
        if isinstance(params, Mapping)
        else np.array(params, copy=True)
    )
    try:
        with np.errstate(all="ignore"):
            value = cost(copy)
    except Exception:  # reason: the evaluator reports the cost's own failure
        return None
    if not isinstance(value, np.ndarray) or value.size <= 1 or value.dtype.kind not in "biuf":
        return None
    dout = draw_upstream(seed, value.shape, value.dtype)
    takes_dout = False
    if callable(gradients):
        try:
            required = [
                p
                for p in inspect.signature(gradients).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            takes_dout = len(required) >= 2
        except (TypeError, ValueError):
            takes_dout = False
    if not takes_dout:
        raise GradientInputError(
            f"cost returned an array of shape {value.shape}, so nncheck checks the scalar "
            "sum(cost(params) * dout) for a seeded random dout of that shape; its gradient "
            "depends on dout, so gradients must be a function gradients(params, dout) that runs "
            f"your backward pass with dout as the upstream gradient (found "
            f"{type(gradients).__name__}). Or reduce the cost to one number yourself, or use "
            "nncheck.check_layer(forward, backward, *inputs)."
        )
    grad_fn = gradients

    @functools.wraps(cost)  # the report names a single array after cost's parameter
    def projected(p: Any) -> Any:
        return np.sum(np.asarray(cost(p)) * dout)

    def projected_gradients(p: Any) -> Any:
        return grad_fn(p, dout.copy())

    note = (
        f"cost returned an array of shape {value.shape}: checked sum(cost(params) * dout) with a "
        f"seeded standard-normal dout (seed {seed}), gradients(params, dout) as its gradient"
    )
    return projected, projected_gradients, note
