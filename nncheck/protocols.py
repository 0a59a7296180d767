"""Gradient-check protocols: how ``nncheck gradcheck`` finds and calls a person's model.

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

Errors: :class:`ProtocolError` (no usable protocol or unusable input — a usage error) and
:class:`UserCodeError` (the person's function crashed or returned something unusable — a
problem found in their code).
"""

from __future__ import annotations

import inspect
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from nncheck.numeric import GradReport

__all__ = [
    "DEFAULT_DIMS",
    "DEFAULT_M",
    "MAX_VALUES",
    "PROTOCOLS",
    "GradProblem",
    "ProtocolError",
    "UserCodeError",
    "build_problem",
    "check_problem",
    "detect_protocol",
    "draw_data",
    "load_arrays",
    "parse_dims",
    "preflight",
    "rename",
]

FloatArray = npt.NDArray[np.float64]
CostFn = Callable[[Mapping[str, Any]], Any]
GradFn = Callable[[Mapping[str, Any]], dict[str, FloatArray]]

PROTOCOLS: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "week4": (("L_model_forward", "compute_cost", "L_model_backward"),),
    "canonical": (("model_forward", "cost", "model_backward"),),
    "course2": (("forward_propagation_n", "backward_propagation_n"),),
    "course2_1d": (("forward_propagation", "backward_propagation"),),
    "week3": (("forward_propagation", "compute_cost", "backward_propagation"),),
    "week2": (("propagate",),),
    "generic": (("cost_and_gradients",), ("cost", "gradients")),
}
"""Protocol name -> alternative sets of function names that make it (any one set suffices)."""

DEFAULT_DIMS: Final[dict[str, tuple[int, ...]]] = {
    "week4": (5, 4, 3, 1),
    "canonical": (5, 4, 3, 1),
    "course2": (4, 5, 3, 1),
    "course2_1d": (1, 1),
    "week3": (3, 4, 1),
    "week2": (4, 1),
    "generic": (5, 4, 3, 1),
}
"""Layer widths [n[0], …, n[L]] used when neither ``--dims`` nor ``--params`` gives them."""

DEFAULT_M: Final = 8
"""Number of examples drawn when ``--data`` is not given."""


class ProtocolError(Exception):
    """No protocol fits, or the inputs (dims, data, params) cannot be used: a usage error."""


class UserCodeError(Exception):
    """The person's function crashed or returned something unusable: a problem in their code.

    ``function`` names it; ``traceback`` is their traceback trimmed to their file ("" when the
    function returned a wrong value rather than raising).
    """

    def __init__(self, function: str, message: str, traceback: str = "") -> None:
        self.function = function
        self.message = message
        self.traceback = traceback
        super().__init__(f"{function}: {message}")

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form: ``{"kind": "user_code", "function", "message", "traceback"}``."""
        return {
            "kind": "user_code",
            "function": self.function,
            "message": self.message,
            "traceback": self.traceback,
        }


# --------------------------------------------------------------------------------------------
# inputs: dims, arrays from .npz, random data


def parse_dims(text: str) -> tuple[int, ...]:
    """Parse ``"5,4,3,1"`` into layer widths; raise ``ValueError`` with a fix otherwise."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    raw = [p.strip() for p in text.strip().split(",")]
    if len(parts) >= 2 and any(not p for p in raw):
        where = next(i for i, p in enumerate(raw) if not p) + 1
        raise ValueError(
            f"--dims {text!r}: entry {where} is empty; give every layer width once, "
            "separated by single commas, e.g. --dims 5,4,3,1"
        )
    if len(parts) < 2:
        raise ValueError(
            f"--dims {text!r}: give every layer width, input and output included, separated "
            "by commas, e.g. --dims 4,1 (logistic regression) or --dims 5,4,3,1"
        )
    dims: list[int] = []
    for part in parts:
        try:
            value = int(part)
        except ValueError:
            raise ValueError(
                f"--dims {text!r}: {part!r} is not a whole number; e.g. --dims 5,4,3,1"
            ) from None
        if value < 1:
            raise ValueError(f"--dims {text!r}: every width must be at least 1, got {value}")
        dims.append(value)
    return tuple(dims)


def load_arrays(path: str | os.PathLike[str], *, what: str) -> dict[str, FloatArray]:
    """Read every array of the ``.npz`` file at ``path`` as float64, with pickling disabled.

    ``what`` names the option in messages (``"--data"``). Raises :class:`ProtocolError` for a
    missing or unreadable file, object (pickled) arrays, non-numeric or non-finite values.
    """
    name = os.fspath(path)
    if not os.path.exists(name):
        raise ProtocolError(f"{what} {name}: no such file")
    if not os.path.isfile(name):
        raise ProtocolError(f"{what} {name}: not a file; give an .npz file made with np.savez")
    try:
        with open(name, "rb") as handle:
            head = handle.read(6)
    except OSError as exc:
        raise ProtocolError(f"{what} {name}: cannot read the file ({exc.strerror})") from None
    if head.startswith(b"\x80"):
        raise ProtocolError(
            f"{what} {name}: is pickled Python data, which nncheck never loads because "
            "unpickling can run arbitrary code; save numeric arrays with np.savez(path, X=X, Y=Y)"
        )
    if head.startswith(b"\x93NUMPY"):
        raise ProtocolError(
            f"{what} {name}: is a .npy file holding one array; nncheck needs an .npz archive of "
            "named arrays, made with np.savez(path, X=X, Y=Y) or np.savez(path, **parameters)"
        )
    if not head.startswith(b"PK"):
        raise ProtocolError(
            f"{what} {name}: not an .npz file (make one with np.savez(path, X=X, Y=Y))"
        )
    try:
        with np.load(name, allow_pickle=False) as archive:
            raw = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise ProtocolError(
                f"{what} {name}: holds object (pickled) arrays, which nncheck never loads "
                "because unpickling can run arbitrary code; save plain numeric arrays, e.g. "
                "np.savez(path, X=X.astype(float), Y=Y.astype(float))"
            ) from None
        raise ProtocolError(f"{what} {name}: not a readable .npz file ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ProtocolError(f"{what} {name}: not a readable .npz file ({exc})") from None
    arrays: dict[str, FloatArray] = {}
    for key, value in raw.items():
        if value.dtype.kind not in "biuf":
            raise ProtocolError(
                f"{what} {name}: array {key!r} has dtype {value.dtype}; nncheck needs real "
                "numbers (save it with .astype(float))"
            )
        array = value.astype(np.float64)
        _require_finite(array, f"{what} {name}: array {key!r}")
        arrays[key] = array
    return arrays


def _require_finite(array: FloatArray, label: str) -> None:
    bad = ~np.isfinite(array)
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ProtocolError(
            f"{label} has a non-finite value {float(array[index])} at index {list(index)}; "
            "gradient checking needs finite inputs"
        )


def draw_data(dims: Sequence[int], m: int, seed: int) -> tuple[FloatArray, FloatArray]:
    """Draw X: (n[0], m) standard normal and Y: (n[L], m) in {0, 1} from ``default_rng(seed)``.

    With one output (n[L] = 1), both classes appear in Y when m ≥ 2. With several outputs, each
    column of Y is one-hot (sums to 1, as softmax's ``A - Y`` gradient assumes), and every class
    appears when m ≥ n[L]. Deterministic for a given seed.
    """
    if m < 1:
        raise ProtocolError(f"--m {m}: the number of examples must be at least 1")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    classes = dims[-1]
    if classes > 1:
        labels = rng.integers(0, classes, size=m)
        if m >= classes:
            labels[rng.permutation(m)[:classes]] = np.arange(classes)
        Y = np.zeros((classes, m))
        Y[labels, np.arange(m)] = 1.0
        return X, Y
    Y = rng.integers(0, 2, size=(dims[-1], m)).astype(np.float64)
    if m >= 2:
        for row in Y:
            if np.all(row == row[0]):
                row[rng.integers(0, m)] = 1.0 - row[0]
    return X, Y


# --------------------------------------------------------------------------------------------
# calling the person's functions


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


def _safe_str(exc: BaseException) -> str:
    """``str(exc)``, even when the person's exception class breaks ``__str__``."""
    try:
        return str(exc)
    except Exception:  # their __str__ raised: say so rather than crash
        return "<the exception's str() failed>"


def _trim(exc: BaseException, path: str) -> str:
    """The traceback of ``exc`` trimmed to the person's file (via the loader when available)."""
    from nncheck.loader import user_traceback

    return user_traceback(exc, path)


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


# --------------------------------------------------------------------------------------------
# the problem handed to the numeric core


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


def detect_protocol(module: ModuleType, requested: str = "auto") -> tuple[str, tuple[str, ...]]:
    """Return (protocol name, function names used) for ``module``.

    Raises :class:`ProtocolError` listing the names looked for when nothing fits.
    """
    candidates = list(PROTOCOLS) if requested == "auto" else [requested]
    if requested != "auto" and requested not in PROTOCOLS:
        raise ProtocolError(
            f"unknown protocol {requested!r}; expected auto or one of {', '.join(PROTOCOLS)}"
        )
    for name in candidates:
        for option in PROTOCOLS[name]:
            if all(callable(getattr(module, fn, None)) for fn in option):
                if name == "course2_1d" and not _takes_theta(module.forward_propagation):
                    continue  # week 3's forward_propagation(X, parameters), not J(theta)
                return name, option
    lines = []
    for name in candidates:
        for option in PROTOCOLS[name]:
            found = [fn for fn in option if callable(getattr(module, fn, None))]
            missing = [fn for fn in option if fn not in found]
            have = f" (found {', '.join(found)}; missing {', '.join(missing)})" if found else ""
            lines.append(f"  {name}: {', '.join(option)}{have}")
    where = getattr(module, "__file__", None) or module.__name__
    raise ProtocolError(
        f"{where}: no gradient-check protocol recognised. nncheck looked for these functions:\n"
        + "\n".join(lines)
        + "\nname yours like one of these, or map them with --rename COURSE_NAME=YOUR_NAME; "
        "`nncheck gradcheck --help` shows each protocol's signatures"
    )


def _takes_theta(fn: Callable[..., Any]) -> bool:
    """True for course 2's one-dimensional ``forward_propagation(x, theta)``."""
    try:
        return "theta" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def rename(module: ModuleType, names: Mapping[str, str]) -> ModuleType:
    """Make each course name of ``names`` refer to the person's function, and return ``module``.

    ``names`` maps a course name to the person's name (``{"L_model_forward": "forward"}``). The
    course names are added to ``module`` itself, so helpers nncheck provides later (the course's
    ``gc_utils``) are seen by the person's functions too. Raises :class:`ProtocolError` when a
    named function does not exist.
    """
    for course, yours in names.items():
        function = getattr(module, yours, None)
        if not callable(function):
            known = sorted(k for k, v in vars(module).items() if callable(v) and k[:1] != "_")
            raise ProtocolError(
                f"--rename {course}={yours}: the file defines no function {yours!r} "
                f"(it defines {', '.join(known) or 'no functions'})"
            )
        setattr(module, course, function)
    return module


def _module_path(module: ModuleType) -> str:
    return str(getattr(module, "__file__", "") or "")


def _reference_params(dims: Sequence[int], seed: int) -> dict[str, FloatArray]:
    from nncheck.reference import initialize_parameters

    return initialize_parameters(dims, "he", seed=seed)


def _check_param_dict(
    params: Mapping[str, FloatArray], dims: Sequence[int] | None
) -> tuple[int, ...]:
    """Check W1, b1, … against the dimension rules; return the widths they imply."""
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
    return implied


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
    path = _module_path(module)
    if name == "course2_1d":
        return _one_dimensional(module, functions, params, seed, path)
    notes: list[str] = []
    dims_given = tuple(dims) if dims is not None else None

    # parameters and widths
    param_dict: dict[str, FloatArray] | None = None
    if params is not None:
        param_dict = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        if name in ("week4", "canonical", "week3", "course2") or (
            name == "generic" and _looks_layered(param_dict)
        ):
            dims_given = _check_param_dict(param_dict, dims_given)
        elif name == "week2":
            dims_given = _check_week2_params(param_dict, dims_given)
            param_dict["b"] = param_dict["b"].reshape(1, 1)  # a scalar b, checked as (1, 1)
    if name == "generic" and param_dict is not None and not _looks_layered(param_dict):
        if dims_given is None and data is None:
            raise ProtocolError(
                "--params holds no W1, b1, …, so nncheck cannot tell the shape of X and Y: "
                "give --data (arrays X and Y) or --dims N_IN,N_OUT"
            )
    if data is not None:
        X, Y = _data_arrays(data, dims_given)
        if dims_given is None:
            if name == "generic":
                # no hidden widths to guess from: one layer, n_x -> n_y (stated in the notes)
                dims_given = (X.shape[0], Y.shape[0])
                if param_dict is None:
                    notes.append(
                        f"dims: {X.shape[0]},{Y.shape[0]} (one layer) from the shapes of X and "
                        "Y in --data; give --dims or --params for hidden layers"
                    )
            else:
                default = DEFAULT_DIMS[name]
                dims_given = (X.shape[0], *default[1:-1], Y.shape[0])
    if name == "generic" and dims_given is None:
        raise ProtocolError(
            "the generic protocol needs --dims N_IN,…,N_OUT, --data or --params to know the "
            "shapes of the parameters (e.g. --dims 4,3 for one layer from 4 inputs to 3 outputs)"
        )
    layer_dims = dims_given if dims_given is not None else DEFAULT_DIMS[name]
    _check_dims_for(name, layer_dims)
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

    convention = _CONVENTIONS.get(name)
    if convention is not None:
        from nncheck.conventions import provide_helpers

        # the course's helper modules (dnn_utils, gc_utils, …) when the file imports them but
        # they are not installed (skipped under --defs-only)
        provided = provide_helpers(module, convention)
        if provided:
            notes.append(f"course helpers provided by nncheck: {', '.join(sorted(provided))}")
    if name in ("week4", "canonical"):
        init = "initialize_parameters_deep" if name == "week4" else "initialize_parameters"
        if param_dict is None:
            param_dict, note = _module_params(module, init, layer_dims, seed, path)
            notes.append(note)
        cost, gradients = _model(module, (functions[0], functions[1], functions[2]), X, Y, path)
    elif name == "course2":
        cost, gradients = _course2(module, X, Y, path)
    elif name == "week3":
        if dims is None and params is None:
            layer_dims, probed = _probe_depth(module, layer_dims, X, seed, path)
            notes.extend(probed)
        cost, gradients = _week3(module, X, Y, path)
    elif name == "week2":
        if param_dict is None:
            rng = np.random.default_rng(seed)
            param_dict = {
                "w": rng.standard_normal((layer_dims[0], 1)) * 0.5,
                "b": np.array([[rng.standard_normal() * 0.5]]),
            }
            notes.append(f"parameters: w, b drawn from default_rng({seed})")
        cost, gradients = _week2(module, X, Y, path)
    else:
        cost, gradients = _generic(module, functions, X, Y, path)
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


def _looks_layered(params: Mapping[str, FloatArray]) -> bool:
    return "W1" in params


def _check_week2_params(
    params: Mapping[str, FloatArray], dims: tuple[int, ...] | None
) -> tuple[int, ...]:
    if set(params) != {"w", "b"}:
        raise ProtocolError(
            f"--params for propagate(w, b, X, Y) needs arrays w and b, got {sorted(params)}"
        )
    w, b = params["w"], params["b"]
    if w.ndim != 2 or w.shape[1] != 1:
        raise ProtocolError(f"--params: w has shape {w.shape}; the rule w: (n_x, 1) needs a column")
    if b.size != 1:
        raise ProtocolError(f"--params: b has shape {b.shape}; b is a single number")
    implied = (int(w.shape[0]), 1)
    if dims is not None and tuple(dims) != implied:
        raise ProtocolError(
            f"--dims {','.join(map(str, dims))} disagrees with w of shape {w.shape}"
        )
    return implied


_CONVENTIONS: Final = {
    "week4": "week4",
    "canonical": "generic",
    "course2": "course2",
    "week3": "week3",
    "week2": "week2",
}
"""Protocol -> the conformance convention whose course helpers it may provide."""

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


def _check_dims_for(name: str, dims: Sequence[int]) -> None:
    shown = ",".join(map(str, dims))
    if name == "week2" and (len(dims) != 2 or dims[1] != 1):
        raise ProtocolError(f"--dims {shown}: propagate (logistic regression) needs --dims N_X,1")
    if name == "course2" and len(dims) != 4:
        raise ProtocolError(
            f"--dims {shown}: forward_propagation_n uses three layers (W1, W2, W3): give four "
            "widths, e.g. --dims 4,5,3,1"
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


def _module_params(
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


def _takes_one_argument(fn: Callable[..., Any]) -> bool:
    """True when ``fn`` can be called with just ``layer_dims``."""
    try:
        inspect.signature(fn).bind([1, 1])
    except (TypeError, ValueError):
        return False
    return True


def _model(
    module: ModuleType, names: tuple[str, str, str], X: FloatArray, Y: FloatArray, path: str
) -> tuple[CostFn, GradFn]:
    """forward(X, parameters) -> (AL, caches); cost(AL, Y); backward(AL, Y, caches) -> grads."""
    forward = _Caller(module, names[0], ("X", "parameters"), path)
    compute_cost = _Caller(module, names[1], ("AL", "Y"), path)
    backward = _Caller(module, names[2], ("AL", "Y", "cache"), path)

    def cost(params: Mapping[str, Any]) -> Any:
        AL, _ = _unpack(forward(X=X, parameters=params), forward.name, ("AL", "caches"))
        return _scalar(compute_cost(AL=AL, Y=Y, parameters=params), compute_cost.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        AL, caches = _unpack(forward(X=X, parameters=params), forward.name, ("AL", "caches"))
        grads = backward(AL=AL, Y=Y, cache=caches, parameters=params, X=X)
        return _as_arrays(_grad_dict(grads, backward.name), backward.name)

    return cost, gradients


def _one_dimensional(
    module: ModuleType,
    functions: tuple[str, ...],
    params: Mapping[str, FloatArray] | None,
    seed: int,
    path: str,
) -> GradProblem:
    """Course 2's J(θ) = θ·x: ``forward_propagation(x, theta) -> J`` and
    ``backward_propagation(x, theta) -> dtheta``, with scalar x and θ."""
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(0.5, 3.0) * rng.choice([-1.0, 1.0]))
    notes = [f"x = {x:.6g} drawn from default_rng({seed})"]
    if params is not None:
        if set(params) != {"theta"} or np.asarray(params["theta"]).size != 1:
            raise ProtocolError("--params for forward_propagation(x, theta) needs one number theta")
        theta = float(np.asarray(params["theta"]).reshape(()))
    else:
        theta = float(rng.standard_normal() * 2.0)
        notes.append(f"theta = {theta:.6g} drawn from default_rng({seed})")
    forward = _Caller(module, "forward_propagation", ("X", "parameters"), path)
    backward = _Caller(module, "backward_propagation", ("X", "parameters"), path)

    def value(params: Mapping[str, Any]) -> Any:
        return np.asarray(params["theta"]).reshape(())[()]

    def cost(params: Mapping[str, Any]) -> Any:
        return _scalar(forward(X=x, parameters=value(params)), forward.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        dtheta = _as_arrays({"dtheta": backward(X=x, parameters=value(params))}, backward.name)
        g = dtheta["dtheta"]
        return {"dtheta": g.reshape(1, 1) if g.size == 1 else g}

    return GradProblem(
        protocol="course2_1d",
        functions=functions,
        dims=(1, 1),
        params={"theta": np.array([[theta]])},
        X=np.array([[x]]),
        Y=np.zeros((1, 1)),
        cost=cost,
        gradients=gradients,
        notes=tuple(notes),
    )


def _probe_depth(
    module: ModuleType, dims: Sequence[int], X: FloatArray, seed: int, path: str
) -> tuple[tuple[int, ...], list[str]]:
    """Add hidden layers while the person's forward_propagation asks for W[L+1] (at most 3).

    The week-3 names also serve course 2's three-layer networks, whose depth only their
    forward pass knows. Any other outcome ends the probe; the check reports it as usual.
    """
    current = tuple(dims)
    forward = _Caller(module, "forward_propagation", ("X", "parameters"), path)
    for _ in range(3):
        L = len(current) - 1
        try:
            forward(X=X, parameters=_reference_params(current, seed))
        except UserCodeError as exc:
            cause = exc.__cause__
            if isinstance(cause, KeyError) and cause.args and cause.args[0] in (f"W{L + 1}",):
                current = (*current[:-1], 4, current[-1])
                continue
        except ProtocolError:
            pass
        break
    if current == tuple(dims):
        return current, []
    shown = ",".join(map(str, current))
    return current, [
        f"forward_propagation reads W1…W{len(current) - 1}, so nncheck checked --dims {shown} "
        "(give --dims to choose the widths)"
    ]


def _week3(module: ModuleType, X: FloatArray, Y: FloatArray, path: str) -> tuple[CostFn, GradFn]:
    forward = _Caller(module, "forward_propagation", ("X", "parameters"), path)
    compute_cost = _Caller(module, "compute_cost", ("AL", "Y", "parameters"), path, minimum=2)
    backward = _Caller(module, "backward_propagation", ("parameters", "cache", "X", "Y"), path)

    def cost(params: Mapping[str, Any]) -> Any:
        A2, _ = _unpack(forward(X=X, parameters=params), forward.name, ("A2", "cache"))
        return _scalar(compute_cost(AL=A2, Y=Y, parameters=params), compute_cost.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        A2, cache = _unpack(forward(X=X, parameters=params), forward.name, ("A2", "cache"))
        grads = backward(parameters=params, cache=cache, X=X, Y=Y, AL=A2)
        return _as_arrays(_grad_dict(grads, backward.name), backward.name)

    return cost, gradients


def _course2(module: ModuleType, X: FloatArray, Y: FloatArray, path: str) -> tuple[CostFn, GradFn]:
    forward = _Caller(module, "forward_propagation_n", ("X", "Y", "parameters"), path)
    backward = _Caller(module, "backward_propagation_n", ("X", "Y", "cache"), path)

    def cost(params: Mapping[str, Any]) -> Any:
        J, _ = _unpack(forward(X=X, Y=Y, parameters=params), forward.name, ("cost", "cache"))
        return _scalar(J, forward.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        _, cache = _unpack(forward(X=X, Y=Y, parameters=params), forward.name, ("cost", "cache"))
        grads = backward(X=X, Y=Y, cache=cache, parameters=params)
        return _as_arrays(_grad_dict(grads, backward.name), backward.name)

    return cost, gradients


def _week2(module: ModuleType, X: FloatArray, Y: FloatArray, path: str) -> tuple[CostFn, GradFn]:
    propagate = _Caller(module, "propagate", ("w", "b", "X", "Y"), path)

    def call(params: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
        b = np.asarray(params["b"]).reshape(())[()]
        out = propagate(w=params["w"], b=b, X=X, Y=Y)
        grads, J = _unpack(out, propagate.name, ("grads", "cost"))
        return _grad_dict(grads, propagate.name), J

    def cost(params: Mapping[str, Any]) -> Any:
        return _scalar(call(params)[1], propagate.name)

    def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        grads = dict(_as_arrays(call(params)[0], propagate.name))
        db = grads.get("db")
        if db is not None and db.size == 1:
            grads["db"] = db.reshape(1, 1)
        return grads

    return cost, gradients


def _generic(
    module: ModuleType, functions: tuple[str, ...], X: FloatArray, Y: FloatArray, path: str
) -> tuple[CostFn, GradFn]:
    if functions == ("cost_and_gradients",):
        both = _Caller(module, "cost_and_gradients", ("parameters", "X", "Y"), path)

        def cost(params: Mapping[str, Any]) -> Any:
            J, _ = _unpack(both(parameters=params, X=X, Y=Y), both.name, ("cost", "gradients"))
            return _scalar(J, both.name)

        def gradients(params: Mapping[str, Any]) -> dict[str, FloatArray]:
            _, g = _unpack(both(parameters=params, X=X, Y=Y), both.name, ("cost", "gradients"))
            return _as_arrays(_grad_dict(g, both.name), both.name)

        return cost, gradients
    cost_fn = _Caller(module, "cost", ("parameters", "X", "Y"), path)
    grad_fn = _Caller(module, "gradients", ("parameters", "X", "Y"), path)

    def cost2(params: Mapping[str, Any]) -> Any:
        return _scalar(cost_fn(parameters=params, X=X, Y=Y), cost_fn.name)

    def gradients2(params: Mapping[str, Any]) -> dict[str, FloatArray]:
        return _as_arrays(
            _grad_dict(grad_fn(parameters=params, X=X, Y=Y), grad_fn.name), grad_fn.name
        )

    return cost2, gradients2


def _as_arrays(grads: Mapping[str, Any], function: str) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    for key, value in grads.items():
        try:
            array = np.asarray(value)
        except Exception:  # a value numpy cannot read is the person's bug
            array = np.asarray(None, dtype=object)
        if array.dtype.kind not in "biuf":
            raise UserCodeError(
                function,
                f"returned gradient {key!r} of type {type(value).__name__}"
                + (f" (dtype {array.dtype})" if isinstance(value, np.ndarray) else "")
                + "; gradients must be real numeric arrays",
            )
        out[str(key)] = array.astype(np.float64, copy=False)
    return out


# --------------------------------------------------------------------------------------------
# preflight and the check itself


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
    function = problem.functions[-1] if problem.protocol != "week2" else "propagate"
    cost_function = {
        "week4": "compute_cost",
        "canonical": "cost",
        "week3": "compute_cost",
        "course2": "forward_propagation_n",
        "week2": "propagate",
    }.get(problem.protocol, problem.functions[0])
    cost_calls = {
        "week4": "L_model_forward or compute_cost",
        "canonical": "model_forward or cost",
        "week3": "forward_propagation or compute_cost",
    }.get(problem.protocol, cost_function)
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


def _arrays(problem: GradProblem) -> dict[str, Any]:
    named: dict[str, Any] = {"X": problem.X, "Y": problem.Y}
    named.update({f"parameters[{k!r}]": v for k, v in problem.params.items()})
    return named


def _snapshot(problem: GradProblem) -> dict[str, FloatArray]:
    return {k: np.array(v, copy=True) for k, v in _arrays(problem).items()}


def _require_unchanged(
    before: Mapping[str, FloatArray], problem: GradProblem, function: str
) -> None:
    """Changing X, Y or the parameters in place would make every later evaluation wrong."""
    now = _arrays(problem)
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
