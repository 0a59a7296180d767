"""Gradient checking of a person's model: how ``nncheck gradcheck`` finds, calls and checks it.

A protocol maps a module's functions onto two closures over a parameter dict, ``cost(params)``
and ``gradients(params)``, which is what :func:`nncheck.numeric.check_gradients` needs. The
protocols, tried in this order when ``protocol="auto"``:

``week4``
    ``L_model_forward(X, parameters) -> (AL, caches)``, ``compute_cost(AL, Y) -> cost``,
    ``L_model_backward(AL, Y, caches) -> grads`` (``dW1``, ``db1``, …). Parameters come from
    ``--params``, else the module's ``initialize_parameters_deep(layer_dims)``, else nncheck's
    He initialisation.
``canonical``
    The reference's names (conform's ``generic`` convention): ``model_forward(X, parameters)``,
    ``cost(AL, Y)``, ``model_backward(AL, Y, caches)``, parameters from ``--params``, else the
    module's ``initialize_parameters(layer_dims)``, else nncheck's He initialisation.
``course2``
    ``forward_propagation_n(X, Y, parameters) -> (cost, cache)``,
    ``backward_propagation_n(X, Y, cache) -> gradients`` (three layers: ``--dims`` has 4 widths).
``course2_1d``
    Course 2's one-dimensional warm-up: ``forward_propagation(x, theta) -> J`` and
    ``backward_propagation(x, theta) -> dtheta`` (told from week 3 by the ``theta`` argument).
``week3``
    ``forward_propagation(X, parameters) -> (A2, cache)``, ``compute_cost(A2, Y)`` (or the older
    ``compute_cost(A2, Y, parameters)``), ``backward_propagation(parameters, cache, X, Y)``.
``week2``
    ``propagate(w, b, X, Y) -> (grads, cost)`` with ``grads = {"dw": …, "db": …}``, w: (n_x, 1)
    and a scalar b.
``generic``
    ``cost(params, X, Y) -> float`` and ``gradients(params, X, Y) -> dict``, or one
    ``cost_and_gradients(params, X, Y) -> (cost, dict)``. ``params`` is a dict of arrays (from
    ``--params``, else ``W1, b1, …`` from ``--dims``); the gradient dict uses either the same keys
    or the keys prefixed with ``d`` (``dW1``). Extra keys are ignored.

Arguments are bound by name (``inspect``), so ``backward_propagation(X, Y, cache, parameters)``
works as well as the course's order; unknown names fall back to the course's positional order.
Caches are never inspected: the person's forward runs and its cache goes to their backward.

The protocols and their detection live in :mod:`nncheck.conventions`: each convention's home binds
its protocols (``GRADCHECK``: functions, default widths, closures and the hooks where a protocol
differs), so this module has no branch on a protocol's name; it builds the :class:`GradProblem`,
calls it once (preflight) and hands it to the numeric core. Errors (:mod:`nncheck.errors`):
:class:`ProtocolError` (no usable protocol or unusable input — a usage error) and
:class:`UserCodeError` (the person's function crashed or returned something unusable — a problem
found in their code).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from nncheck._arrays import FloatArray, _reference_params, draw_data
from nncheck._binding import GradProblem
from nncheck.conventions import DEFAULT_M, detect_protocol, protocol_home, protocols
from nncheck.errors import ProtocolError, UserCodeError

if TYPE_CHECKING:
    from nncheck.numeric import GradReport

__all__ = ["MAX_VALUES", "GradProblem", "build_problem", "check_problem", "preflight"]


def _module_path(module: ModuleType) -> str:
    return str(getattr(module, "__file__", "") or "")


def build_problem(
    module: ModuleType,
    *,
    protocol: str = "auto",
    dims: Sequence[int] | None = None,
    m: int = DEFAULT_M,
    seed: int = 0,
    data: Mapping[str, FloatArray] | None = None,
    params: Mapping[str, FloatArray] | None = None,
) -> GradProblem:
    """Detect the protocol of ``module`` and build the :class:`GradProblem` to check.

    ``data`` (arrays ``X`` and ``Y``) replaces the drawn data; ``params`` replaces the
    initialised parameters. Raises :class:`ProtocolError` or :class:`UserCodeError`.
    """
    name, functions = detect_protocol(module, protocol)
    binding = protocols()[name]
    path = _module_path(module)
    if binding.build is not None:
        return binding.build(module, functions, params, seed, path)
    notes: list[str] = []
    dims_given = tuple(int(d) for d in dims) if dims is not None else None

    # parameters and widths
    param_dict: dict[str, FloatArray] | None = None
    if params is not None:
        param_dict = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        param_dict, dims_given = binding.given_params(param_dict, dims_given)
    X = Y = None
    if data is not None:
        X, Y = _data_arrays(data, dims_given)
    layer_dims, inferred = binding.layer_dims(dims_given, X, Y, param_dict)
    notes.extend(inferred)
    if binding.check_dims is not None:
        binding.check_dims(layer_dims)
    _check_size(layer_dims, m if data is None else 1)
    if data is None:
        X, Y = draw_data(layer_dims, m, seed)
    else:
        X, Y = _data_arrays(data, layer_dims)
        largest = float(np.max(np.abs(X)))
        if largest > _UNNORMALISED_X:
            notes.append(
                f"data: X reaches {largest:g} in magnitude; unnormalised inputs (image pixels "
                "not divided by 255) saturate a sigmoid and make the cost overflow"
            )

    if binding.helpers:
        from nncheck.conventions import provide_helpers

        # the course's helper modules (dnn_utils, gc_utils, …) when the file imports them but
        # they are not installed (skipped under --defs-only)
        provided = provide_helpers(module, protocol_home(name))
        if provided:
            notes.append(f"course helpers provided by nncheck: {', '.join(sorted(provided))}")
    if param_dict is None and binding.initial_params is not None:
        param_dict, note = binding.initial_params(module, layer_dims, seed, path)
        notes.append(note)
    if dims is None and params is None and binding.probe is not None:
        layer_dims, probed = binding.probe(module, layer_dims, X, seed, path)
        notes.extend(probed)
    assert binding.closures is not None  # a protocol without closures builds its own problem
    cost, gradients = binding.closures(module, functions, X, Y, path)
    if param_dict is None:
        param_dict = _reference_params(layer_dims, seed)
        notes.append(f"parameters: nncheck's He initialisation with seed {seed}")
    if data is None:
        labels = "one-hot columns" if Y.shape[0] > 1 else "in {0, 1}"
        notes.append(f"data: X ~ N(0, 1) of shape {X.shape}, Y {labels} from default_rng({seed})")
    return GradProblem(
        protocol=name,
        functions=functions,
        dims=tuple(int(d) for d in layer_dims),
        params=param_dict,
        X=X,
        Y=Y,
        cost=cost,
        gradients=gradients,
        notes=tuple(notes),
    )


MAX_VALUES: Final = 50_000_000
"""Largest number of parameters, or of entries of X, that gradcheck will allocate."""


def _check_size(dims: Sequence[int], m: int) -> None:
    """Refuse sizes that would exhaust memory before a single cost evaluation."""
    size = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
    shown = ",".join(map(str, dims))
    if size > MAX_VALUES:
        raise ProtocolError(
            f"--dims {shown} means {size:,} parameters, more than nncheck allocates "
            f"({MAX_VALUES:,}); check a smaller network with the same structure"
        )
    if dims[0] * m > MAX_VALUES:
        raise ProtocolError(
            f"--m {m} with n[0] = {dims[0]} means an X of {dims[0] * m:,} values; a few "
            "examples (the default is 8) are enough to check gradients"
        )


def _data_arrays(
    data: Mapping[str, FloatArray], dims: Sequence[int] | None
) -> tuple[FloatArray, FloatArray]:
    missing = [k for k in ("X", "Y") if k not in data]
    if missing:
        raise ProtocolError(
            f"--data needs arrays X and Y; missing {', '.join(missing)} (found {sorted(data)})"
        )
    X, Y = np.asarray(data["X"], dtype=np.float64), np.asarray(data["Y"], dtype=np.float64)
    if X.ndim != 2:
        raise ProtocolError(
            f"--data: X has shape {X.shape}; the rule X: (n[0], m) needs 2 dimensions"
        )
    if X.shape[1] == 0:
        raise ProtocolError("--data: X has no examples (m = 0); the cost of zero examples is 0/0")
    if Y.ndim == 1:
        Y = Y.reshape(1, -1)
    if Y.ndim != 2 or Y.shape[1] != X.shape[1]:
        raise ProtocolError(
            f"--data: Y has shape {np.shape(data['Y'])} but X has m = {X.shape[1]} columns; "
            "the rule Y: (n[L], m) needs the same m"
        )
    if dims is not None and (X.shape[0] != dims[0] or Y.shape[0] != dims[-1]):
        raise ProtocolError(
            f"--data: X {X.shape} and Y {Y.shape} do not fit --dims {','.join(map(str, dims))} "
            f"(X needs {dims[0]} rows, Y needs {dims[-1]})"
        )
    return X, Y


def _match_gradients(
    params: Mapping[str, FloatArray], grads: Mapping[str, FloatArray], function: str
) -> dict[str, FloatArray]:
    """Pick the gradient of every parameter (key ``d<name>`` or ``<name>``) and check it."""
    from nncheck.reference import RULES, ShapeError

    out: dict[str, FloatArray] = {}
    missing: list[str] = []
    for name, value in params.items():
        g = grads.get("d" + name, grads.get(name))
        if g is None:
            missing.append("d" + name)
            continue
        if g.shape != value.shape:
            rule = RULES.get(
                "d" + name.rstrip("0123456789"), f"d{name}: like {name}, {value.shape}"
            )
            raise UserCodeError(
                function, str(ShapeError("d" + name, tuple(g.shape), rule, tuple(value.shape)))
            )
        bad = ~np.isfinite(g)
        if np.any(bad):
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise UserCodeError(
                function,
                f"returned d{name} with a non-finite value {float(g[index])} at index "
                f"{list(index)}",
            )
        out["d" + name] = g
    if missing:
        raise UserCodeError(
            function,
            f"returned gradients without {', '.join(missing)} (it returned keys {sorted(grads)})",
        )
    return out


_UNNORMALISED_X: Final = 50.0
"""Largest |X| above which a non-finite cost is blamed on unnormalised data, not the code."""


def preflight(problem: GradProblem) -> dict[str, FloatArray]:
    """Call the person's cost and gradients once at ``problem.params`` and check the results.

    Returns the gradient of every parameter, keyed ``d<name>``. Raises :class:`UserCodeError`
    for a crash, a cost that is not one finite number, or a gradient that is missing, of the
    wrong shape (a :class:`~nncheck.reference.ShapeError` message) or not finite.
    """
    params = problem.params
    before = _snapshot(problem)
    first = problem.cost(params)
    function = problem.functions[-1]
    cost_function, cost_calls = protocols()[problem.protocol].cost_functions(problem.functions)
    _require_unchanged(before, problem, cost_calls)
    if not np.isfinite(first):
        largest = float(np.max(np.abs(problem.X))) if problem.X.size else 0.0
        if largest > _UNNORMALISED_X:
            # course-correct code overflows too: an input problem, not the person's mistake
            raise ProtocolError(
                f"{cost_function} returned a non-finite cost ({first}) because X looks "
                f"unnormalised: its largest magnitude is {largest:g} (over {_UNNORMALISED_X:g}). "
                "The sigmoid saturates to exactly 0 or 1 and the cost takes log(0); normalise "
                "the data first (divide image pixels by 255) and save it again"
            )
        raise UserCodeError(
            cost_function,
            f"returned a non-finite cost ({first}) at the starting parameters; look for the "
            "log of a value that rounds to 0 or 1",
        )
    grads = problem.gradients(params)
    _require_unchanged(before, problem, function)
    return _match_gradients(params, grads, function)


def _inputs(problem: GradProblem) -> dict[str, Any]:
    named: dict[str, Any] = {"X": problem.X, "Y": problem.Y}
    named.update({f"parameters[{k!r}]": v for k, v in problem.params.items()})
    return named


def _snapshot(problem: GradProblem) -> dict[str, FloatArray]:
    return {k: np.array(v, copy=True) for k, v in _inputs(problem).items()}


def _require_unchanged(
    before: Mapping[str, FloatArray], problem: GradProblem, function: str
) -> None:
    """Changing X, Y or the parameters in place would make every later evaluation wrong."""
    now = _inputs(problem)
    for name, old in before.items():
        new = np.asarray(now[name])
        if new.shape == old.shape and np.array_equal(new, old, equal_nan=True):
            continue
        where = ""
        if new.shape == old.shape:
            index = tuple(int(i) for i in np.argwhere(new != old)[0])
            where = f" ({name}{list(index)} was {float(old[index])}, is now {float(new[index])})"
        raise UserCodeError(
            function,
            f"changed {name} in place{where}; work on a copy (e.g. {name.split('[')[0]} = "
            f"{name.split('[')[0]}.copy()) so that the caller's arrays stay as they were",
        )


def check_problem(
    problem: GradProblem,
    *,
    mode: Literal["auto", "full", "directional"] = "auto",
    seed: int | None = None,
    on_evaluation: Callable[[], None] | None = None,
) -> GradReport:
    """Check ``problem``'s gradients against finite differences of its own cost.

    Calls the person's cost and gradients once first, so that a crash, a non-scalar or
    non-finite cost, or a gradient of the wrong shape becomes a :class:`UserCodeError` rather
    than a failure deep inside the numeric core. ``on_evaluation`` is called after every cost
    evaluation (progress reporting).
    """
    params = problem.params
    grads = preflight(problem)
    base_cost = problem.cost

    def cost(p: Mapping[str, Any]) -> Any:
        try:
            value = base_cost(p)
        except UserCodeError as exc:
            # a complex-step probe the person's code does not support: hand the original
            # exception back so the numeric core falls back to real differences
            if exc.__cause__ is not None and any(np.iscomplexobj(v) for v in p.values()):
                raise exc.__cause__ from None
            raise
        if on_evaluation is not None:
            on_evaluation()
        return value

    from nncheck.numeric import check_gradients

    return check_gradients(cost, params, grads, mode=mode, seed=seed)
