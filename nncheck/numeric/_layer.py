"""A layer's backward pass against its forward pass: :func:`check_layer`, :func:`assert_layer`.

A layer is a pair ``forward(*inputs) -> out | (out, cache)`` and ``backward(dout, cache) ->
gradients``. nncheck draws a seeded upstream gradient ``dout`` of ``out``'s shape, runs the
backward pass once, and checks every floating-point input's gradient against finite differences
of the scalar ``sum(forward(*inputs)[0] * dout)`` with :func:`check_gradients` — the same error
bounds, kink handling and directional mode. Everything a person can get wrong about the pair is
caught before that and said in a :class:`GradientInputError` that names the argument.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._engine import COORDINATES, DIRECTIONS, FULL_THRESHOLD, _seed, check_gradients
from ._errors import GradientInputError, GradientMismatch
from ._inputs import draw_upstream, shape_hint
from ._report import GradReport, ParameterReport

Forward = Callable[..., Any]
Backward = Callable[[Any, Any], Any]


def _fresh(value: Any) -> Any:
    """A copy of a constant input for one call of ``forward`` (it may mutate a ``bn_param``
    dict or a label array; the person's own objects are never touched)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict | list | set):
        try:
            return copy.deepcopy(value)
        except Exception:  # reason: an uncopyable constant is passed as it is
            return value
    return value


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {value.shape}"
    if isinstance(value, str):
        return f"str {value!r}"
    return type(value).__name__ + (f" {value!r}" if isinstance(value, int | float) else "")


def _first_difference(before: npt.NDArray[Any], after: npt.NDArray[Any]) -> str:
    flat = np.flatnonzero(before.reshape(-1) != after.reshape(-1))
    if before.shape != after.shape or not flat.size:
        return f"its shape went from {before.shape} to {after.shape}"
    k = int(flat[0])
    index = [int(i) for i in np.unravel_index(k, before.shape)] if before.shape else []
    return f"{index} was {before.reshape(-1)[k]!r} and is now {after.reshape(-1)[k]!r}"


@dataclass
class _Layer:
    """The bound pair: names of the positional inputs, which of them are checked, the calls."""

    forward: Forward
    inputs: tuple[Any, ...]
    kwargs: dict[str, Any]
    names: list[str]
    checked: list[int]
    call_text: str

    def call(self, replaced: Mapping[int, Any] | None = None) -> Any:
        args = [
            replaced[i] if replaced is not None and i in replaced else _fresh(v)
            for i, v in enumerate(self.inputs)
        ]
        kwargs = {k: _fresh(v) for k, v in self.kwargs.items()}
        return self.forward(*args, **kwargs)


def _positional_names(
    forward: Forward, inputs: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[str]:
    """``forward``'s parameter names for the positional inputs (``args[0]`` for ``*args``);
    raises when the inputs do not fit the signature."""
    try:
        signature = inspect.signature(forward)
    except (TypeError, ValueError):  # no introspectable signature: number the inputs
        return [f"input{i}" for i in range(len(inputs))]
    try:
        signature.bind(*inputs, **kwargs)
    except TypeError as exc:
        given = ", ".join([*(f"<{_describe(v)}>" for v in inputs), *map(str, kwargs)])
        raise GradientInputError(
            f"forward{signature} cannot be called with ({given}): {exc}. Pass forward's "
            "inputs after backward, in forward's parameter order: "
            "check_layer(forward, backward, x, w, b, ...)."
        ) from exc
    names: list[str] = []
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            names += [f"{p.name}[{k}]" for k in range(len(inputs) - len(names))]
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
        if len(names) >= len(inputs):
            break
    return names[: len(inputs)]


def _bind(
    forward: Forward,
    backward: Backward,
    inputs: tuple[Any, ...],
    kwargs: dict[str, Any],
    wrt: Sequence[str] | None,
) -> _Layer:
    for what, fn, shape in (
        ("forward", forward, "forward(*inputs) -> out or (out, cache)"),
        ("backward", backward, "backward(dout, cache) -> gradients"),
    ):
        if not callable(fn):
            raise GradientInputError(
                f"{what} must be a function {shape}, found {_describe(fn)}; call "
                "check_layer(forward, backward, *inputs)"
            )
    if not inputs:
        raise GradientInputError(
            "no inputs given: pass forward's inputs after backward, e.g. "
            "check_layer(affine_forward, affine_backward, x, w, b)"
        )
    names = _positional_names(forward, inputs, kwargs)
    floating = [
        i for i, v in enumerate(inputs) if isinstance(v, np.ndarray) and v.dtype.kind == "f"
    ]
    if wrt is not None:
        if isinstance(wrt, str):
            wrt = (wrt,)
        unknown = [w for w in wrt if w not in names]
        if unknown:
            raise GradientInputError(
                f"wrt={tuple(wrt)!r} names {', '.join(map(repr, unknown))}, which is not among "
                f"forward's positional inputs ({', '.join(names)}); use those names"
            )
        not_float = [w for w in wrt if names.index(w) not in floating]
        if not_float:
            w = not_float[0]
            raise GradientInputError(
                f"wrt names {w!r}, but {w} is a {_describe(inputs[names.index(w)])}; only "
                f"floating-point arrays have gradients: pass {w}.astype(float)"
            )
        checked = sorted(names.index(w) for w in wrt)
    else:
        checked = floating
    if not checked:
        found = ", ".join(f"{n} ({_describe(v)})" for n, v in zip(names, inputs, strict=True))
        raise GradientInputError(
            f"no input is a floating-point array, so there is no gradient to check; found "
            f"{found}. Pass the differentiable inputs as float arrays, e.g. x.astype(float)."
        )
    for i in checked:
        x = inputs[i]
        if not np.all(np.isfinite(x)):
            raise GradientInputError(
                f"input {names[i]} has {int(np.sum(~np.isfinite(x)))} non-finite value(s); "
                "pass finite numbers"
            )
    call_text = f"{getattr(forward, '__name__', 'forward')}({', '.join(names)})"
    return _Layer(forward, inputs, kwargs, names, checked, call_text)


def _split(layer: _Layer, result: Any) -> tuple[npt.NDArray[Any], Any]:
    """(out, cache) from what ``forward`` returned, validated."""
    has_cache = isinstance(result, tuple)
    if has_cache and len(result) != 2:
        raise GradientInputError(
            f"{layer.call_text} returned a tuple of {len(result)} items; expected out or "
            "(out, cache)"
        )
    out = result[0] if has_cache else result
    where = f"{layer.call_text} returned" + (" (out, cache) with out" if has_cache else "")
    if isinstance(out, bool) or not isinstance(out, np.ndarray | float | int | np.number):
        raise GradientInputError(
            f"{where} a {type(out).__name__}; expected out as a float ndarray (or a float for a "
            "scalar output) — return out or (out, cache), with np.asarray(...) around a list"
        )
    arr = np.asarray(out)
    if arr.dtype.kind != "f":
        raise GradientInputError(
            f"{where} {_describe(out)}; a layer's output must be floating-point to have a "
            "gradient (an argmax or a comparison has none)"
        )
    if not np.all(np.isfinite(arr)):
        raise GradientInputError(
            f"{where} {int(np.sum(~np.isfinite(arr)))} non-finite value(s) at the given inputs; "
            "expected finite numbers (look for log(0), a division by zero or an overflow)"
        )
    if has_cache:
        cache = result[1]
    else:  # no cache: backward gets the inputs (the one input itself when there is one)
        cache = _fresh(layer.inputs[0]) if len(layer.inputs) == 1 else layer.inputs
    return arr, cache


def _forward_twice(layer: _Layer) -> tuple[npt.NDArray[Any], Any]:
    """Run forward at the inputs: validate its output, that it leaves its inputs alone and that
    it is deterministic. Returns (out, cache) of the first call."""
    args = {i: _fresh(layer.inputs[i]) for i in layer.checked}
    try:
        result = layer.call(args)
    except Exception as exc:  # reason: the user's forward failed at their own inputs
        raise GradientInputError(
            f"{layer.call_text} raised {type(exc).__name__}: {exc} (called with your inputs)"
        ) from exc
    for i, arg in args.items():
        before = layer.inputs[i]
        if not (isinstance(arg, np.ndarray) and np.array_equal(arg, before, equal_nan=True)):
            change = _first_difference(before, np.asarray(arg))
            raise GradientInputError(
                f"{layer.call_text} modified its input {layer.names[i]} in place: "
                f"{layer.names[i]}{change}. A forward pass must not mutate its inputs "
                "(x -= mean, x[...] = ..., np.maximum(x, 0, out=x)); compute on a copy."
            )
    out, cache = _split(layer, result)
    try:
        again = np.asarray(_split(layer, layer.call())[0])
    except GradientInputError:
        raise
    except Exception as exc:  # reason: a second call that fails is the user's forward
        raise GradientInputError(
            f"{layer.call_text} raised {type(exc).__name__}: {exc} when called a second time "
            "with the same inputs"
        ) from exc
    scale = float(np.max(np.abs(out), initial=0.0))
    if again.shape != out.shape or np.any(np.abs(again - out) > 1e-12 * scale):
        raise GradientInputError(
            f"{layer.call_text} is not deterministic: two calls with the same inputs returned "
            "different outputs. Fix its random seed (dropout: a fixed mask or "
            "np.random.seed inside), or check the layer in a deterministic mode."
        )
    return out, cache


def _gradients(layer: _Layer, result: Any, dout_shape: tuple[int, ...]) -> dict[int, Any]:
    """The gradients ``backward`` returned, keyed by input position, validated."""
    names, checked = layer.names, layer.checked
    wanted = ", ".join("d" + names[i] for i in checked)
    order = f"({wanted}{',' if len(checked) == 1 else ''})"
    if result is None:
        raise GradientInputError(
            f"backward returned None; expected the gradients {order} — is a return statement "
            "missing?"
        )
    found: dict[int, Any] = {}
    if isinstance(result, Mapping):
        missing = []
        for i in checked:
            key = next((k for k in ("d" + names[i], names[i]) if k in result), None)
            if key is None:  # "dW" for a parameter w: accepted when no other key could match
                wanted_keys = {("d" + names[i]).lower(), names[i].lower()}
                close = [k for k in result if isinstance(k, str) and k.lower() in wanted_keys]
                key = close[0] if len(close) == 1 else None
            if key is None:
                missing.append(names[i])
            else:
                found[i] = result[key]
        if missing:
            have = ", ".join(map(repr, result)) or "none"
            raise GradientInputError(
                f"backward returned a dict without a gradient for {', '.join(missing)}: "
                f"expected keys {', '.join(repr('d' + m) for m in missing)} (or "
                f"{', '.join(map(repr, missing))}), found {have}. Name each gradient after "
                "forward's parameter, or pass wrt=(...) to check fewer inputs."
            )
    elif isinstance(result, tuple | list):
        if len(result) == len(checked):
            found = dict(zip(checked, result, strict=True))
        elif len(result) == len(names):  # one entry per positional input, None for constants
            found = {i: result[i] for i in checked}
        else:
            constants = [n for k, n in enumerate(names) if k not in checked]
            left = f"; {', '.join(constants)} are left alone" if constants else ""
            raise GradientInputError(
                f"backward returned {len(result)} gradients, but {layer.call_text} has "
                f"{len(checked)} floating-point input(s) to check{left}: return {order} in "
                "forward's parameter order, a dict {'dx': ...}, or pass wrt=(...) to choose "
                "the inputs"
            )
    elif isinstance(result, np.ndarray | float | np.floating):
        shape = np.shape(result)
        fits = [i for i in checked if layer.inputs[i].shape == shape]
        if len(checked) == 1 or fits:
            found = {checked[0] if len(checked) == 1 else fits[0]: result}
        else:
            raise GradientInputError(
                f"backward returned one array of shape {shape}, but {layer.call_text} has "
                f"{len(checked)} inputs to check and none has that shape: return {order}"
            )
    else:
        raise GradientInputError(
            f"backward returned a {type(result).__name__}; expected {order} in forward's "
            "parameter order, a dict {'dx': ...}, or one array for a layer with one input"
        )
    for i, g in found.items():
        name = names[i]
        x = layer.inputs[i]
        if g is None:
            raise GradientInputError(
                f"backward returned None as the gradient of {name}; expected an array of shape "
                f"{x.shape} (or pass wrt=(...) to leave {name} unchecked)"
            )
        arr = np.asarray(g) if isinstance(g, np.ndarray | float | int | np.number) else None
        if arr is None or arr.dtype.kind not in "biuf":
            raise GradientInputError(
                f"backward returned a {type(g).__name__} as d{name}; expected a float array of "
                f"shape {x.shape}"
            )
        if arr.shape != x.shape:
            same = [names[k] for k in checked if k != i and layer.inputs[k].shape == arr.shape]
            hint = shape_hint(arr.shape, x.shape)
            if same:
                hint += (
                    f" (that is the shape of {same[0]}: are the gradients in forward's parameter "
                    f"order, {order}?)"
                )
            elif not hint and arr.shape == dout_shape:
                hint = " (that is the shape of dout, the layer's output)"
            raise GradientInputError(
                f"backward's d{name} has shape {arr.shape} but {name} has shape {x.shape}; a "
                f"gradient has the shape of its input{hint}"
            )
        found[i] = np.array(arr, copy=True)
    return found


def _sizes(layer: _Layer) -> tuple[tuple[str, int], ...]:
    """Every axis length of the checked inputs, named (``x.shape[0]``), first name per length."""
    seen: dict[int, str] = {}
    for i in layer.checked:
        for axis, n in enumerate(layer.inputs[i].shape):
            seen.setdefault(int(n), f"{layer.names[i]}.shape[{axis}]")
    return tuple((label, n) for n, label in seen.items())


def check_layer(
    forward: Forward,
    backward: Backward,
    *inputs: Any,
    wrt: Sequence[str] | None = None,
    mode: Literal["auto", "full", "directional"] = "auto",
    seed: int | None = None,
    directions: int = DIRECTIONS,
    coordinates: int = COORDINATES,
    full_threshold: int = FULL_THRESHOLD,
    rtol: float | None = None,
    atol: float = 0.0,
    method: Literal["central", "complex"] = "central",
    **kwargs: Any,
) -> GradReport:
    """Check a layer's ``backward`` against finite differences of its ``forward``.

    Parameters
    ----------
    forward:
        ``forward(*inputs, **kwargs)`` returns ``out`` or ``(out, cache)``. It gets copies of
        the inputs and must not mutate them; it must be deterministic.
    backward:
        ``backward(dout, cache)`` returns the gradients of the checked inputs: a tuple in the
        order of ``forward``'s parameters (``dx, dw, db = affine_backward(dout, cache)``; one
        entry per positional input with ``None`` for constants also works), a dict keyed by
        parameter name (``"dx"`` or ``"x"``), or one array for a layer with one input
        (``relu_backward(dA, cache) -> dZ``). When ``forward`` returns ``out`` alone, ``cache``
        is its input (one input) or the tuple of its inputs.
    inputs:
        ``forward``'s positional inputs. Every floating-point ndarray among them is checked;
        anything else — int labels, an ``int`` stride, a ``str``, a Python ``float`` such as
        ``eps``, a ``bn_param`` dict — is passed unchanged (a fresh copy each call) and never
        differentiated. Your objects are never modified.
    wrt:
        Names of the inputs to check (``wrt=("x",)``), when ``backward`` returns gradients for
        only some of the floating-point inputs (e.g. float one-hot labels).
    mode, seed, directions, coordinates, full_threshold, rtol, atol, method:
        As in :func:`check_gradients`. ``seed`` also draws ``dout``.
    kwargs:
        Keyword arguments for ``forward`` (``eps=1e-5``), passed unchanged, never checked. A
        keyword of ``forward`` that shares a name with an option above must be passed
        positionally (or bound with ``functools.partial``).

    ``dout`` is standard normal of ``out``'s shape (in ``out``'s dtype); for a scalar output
    (a loss) it is ``1.0``. The rows of the report are named after ``forward``'s parameters
    (``x``, ``gamma``, ``beta``), and a failing row gets a one-line diagnosis (a constant factor
    such as ``x.shape[0]`` = N, a sign, or a ratio that varies between elements).

    The course's layers (examples in columns: the first input and ``out`` share their last axis
    m) divide the parameters' gradients by m but not the input's (``dW = dZ A_prevᵀ / m``,
    ``dA_prev = Wᵀ dZ``). When the parameters' gradients disagree with the plain gradient along
    a random direction, they are checked as 1/m × the gradient instead, and a note says so.

    Returns a :class:`GradReport` (it never raises for a wrong gradient, see
    :func:`assert_layer`); raises :class:`GradientInputError` for an unusable layer or input.
    """
    if mode not in ("auto", "full", "directional"):
        clash = (
            " (forward has a parameter 'mode' too: pass it positionally)"
            if _takes(forward, "mode")
            else ""
        )
        raise GradientInputError(f"mode={mode!r}; expected 'auto', 'full' or 'directional'{clash}")
    seed_value = _seed(seed)
    layer = _bind(forward, backward, inputs, kwargs, wrt)
    out, cache = _forward_twice(layer)
    scalar = out.ndim == 0
    dout: Any = (
        np.ones((), dtype=out.dtype)[()]
        if scalar
        else draw_upstream(seed_value, out.shape, out.dtype)
    )
    try:
        result = backward(dout.copy() if isinstance(dout, np.ndarray) else dout, cache)
    except Exception as exc:  # reason: the user's backward failed
        raise GradientInputError(
            f"backward(dout, cache) raised {type(exc).__name__}: {exc} (dout of shape "
            f"{out.shape}, cache as {layer.call_text} returned it)"
        ) from exc
    grads = _gradients(layer, result, out.shape)
    checked = sorted(grads)
    params = {layer.names[i]: layer.inputs[i] for i in checked}
    positions = {layer.names[i]: i for i in checked}

    def cost(values: Mapping[str, npt.NDArray[np.float64]]) -> Any:
        try:
            value = layer.call({positions[n]: values[n] for n in values})
        except Exception as exc:  # reason: forward failed at a perturbed input
            raise GradientInputError(
                f"{layer.call_text} raised {type(exc).__name__}: {exc} while nncheck moved "
                f"its inputs slightly (the call at your inputs worked)"
            ) from exc
        result_out = value[0] if isinstance(value, tuple) else value
        return np.sum(np.asarray(result_out) * dout)

    def run(course_m: int | None, probe: bool = False) -> GradReport:
        """The check with the parameters' gradients scaled by ``course_m`` (the course's
        convention) or not; ``probe``: one random direction over the parameters only."""
        names = [n for n in positions if n != data] if probe else list(positions)
        scaled = {
            "d" + n: grads[positions[n]] * (course_m if course_m and n != data else 1)
            for n in names
        }
        report = check_gradients(
            cost,
            {n: params[n] for n in names},
            scaled,
            mode="directional" if probe else mode,
            seed=seed_value,
            directions=1 if probe else directions,
            coordinates=0 if probe else coordinates,
            full_threshold=full_threshold,
            rtol=rtol,
            atol=atol,
            method=method,
        )
        if not course_m:
            return report
        rows = tuple(p if p.name == data else _rescaled(p, course_m) for p in report.parameters)
        return replace(report, parameters=rows)

    data = layer.names[checked[0]]
    m, ambiguous = _course_batch(layer, checked, out)
    course, probed = False, 0
    if m is not None:
        plain = run(None, probe=True)
        probed += plain.evaluations
        if not plain.ok:  # the plain gradient disagrees along a random direction: course or bug?
            scaled = run(m, probe=True)
            probed += scaled.evaluations
            # a wrong layer: report it in the course's terms when its layout is the course's
            # (examples only in columns, or a column bias b of shape (n, 1))
            column_bias = any(
                layer.inputs[i].ndim == 2 and layer.inputs[i].shape[-1] == 1 for i in checked[1:]
            )
            course = scaled.ok or not ambiguous or column_bias
    report = run(m if course else None)
    report = replace(report, evaluations=report.evaluations + probed)
    course_note = []
    if course:
        others = ", ".join(n for n in params if n != data)
        course_note = [
            f"the course's convention (examples in columns, m = out.shape[-1] = {m}): "
            f"{others} checked as 1/m × the gradient of sum(out * dout) — dW = dZ A_prevᵀ / m — "
            f"and {data} as the gradient itself"
        ]
    projection = (
        "dout = 1.0 (scalar output)"
        if scalar
        else f"a seeded standard-normal dout of shape {out.shape}"
    )
    notes = [
        f"layer: checked {', '.join(params)} against finite differences of sum(out * dout), "
        f"out from {layer.call_text}, {projection}",
        *course_note,
    ]
    left = [
        f"{layer.names[i]} ({_describe(v)})" for i, v in enumerate(layer.inputs) if i not in grads
    ]
    left += [f"{k} (keyword, {_describe(v)})" for k, v in kwargs.items()]
    if left:
        notes.append(f"left alone (not differentiated): {', '.join(left)}")
    return replace(report, notes=(*notes, *report.notes), sizes=_sizes(layer))


def _course_batch(
    layer: _Layer, checked: list[int], out: npt.NDArray[Any]
) -> tuple[int | None, bool]:
    """(m, ambiguous) when the layer may follow the course's convention — examples in columns:
    the first input and the output share their last axis m > 1 and there are parameters, whose
    gradients the course averages over the m examples (dW = dZ A_prevᵀ / m) while the input's
    gradient is not (dA_prev = Wᵀ dZ). ``ambiguous`` when examples could be rows as well."""
    x = layer.inputs[checked[0]]
    if len(checked) < 2 or x.ndim < 2 or out.ndim < 2:
        return None, False
    m = int(out.shape[-1])
    if m < 2 or x.shape[-1] != m:
        return None, False
    return m, x.shape[0] == out.shape[0]


def _rescaled(p: ParameterReport, m: int) -> ParameterReport:
    """A row checked as m × the person's gradient, shown in the person's units again."""

    def unscale(v: float | None) -> float | None:
        return None if v is None else v / m

    return replace(
        p,
        max_abs_error=p.max_abs_error / m,
        bound=p.bound / m,
        analytic=unscale(p.analytic),
        numeric=unscale(p.numeric),
    )


def _takes(fn: Forward, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def assert_layer(
    forward: Forward,
    backward: Backward,
    *inputs: Any,
    wrt: Sequence[str] | None = None,
    mode: Literal["auto", "full", "directional"] = "auto",
    seed: int | None = None,
    directions: int = DIRECTIONS,
    coordinates: int = COORDINATES,
    full_threshold: int = FULL_THRESHOLD,
    rtol: float | None = None,
    atol: float = 0.0,
    method: Literal["central", "complex"] = "central",
    **kwargs: Any,
) -> GradReport:
    """Like :func:`check_layer` (``forward``, ``backward``, ``*inputs`` and the same options),
    but raise :class:`GradientMismatch` (an ``AssertionError`` whose message is the report's
    table and diagnosis) when a gradient mismatches; returns the report otherwise. In pytest
    the failure shows your test's line and the report, not nncheck's frames."""
    __tracebackhide__ = True  # pytest shows the caller's line and the report, not this frame
    report = check_layer(
        forward,
        backward,
        *inputs,
        wrt=wrt,
        mode=mode,
        seed=seed,
        directions=directions,
        coordinates=coordinates,
        full_threshold=full_threshold,
        rtol=rtol,
        atol=atol,
        method=method,
        **kwargs,
    )
    if not report.ok:
        raise GradientMismatch(report)
    return report
