"""Opt-in mypy plugin: literal shapes for numpy constructors, and a rank-1 lint.

Enable it in your mypy configuration::

    [tool.mypy]
    plugins = ["nncheck.shapes.mypy_plugin"]

Then

- ``np.zeros((4, 1))``, ``np.ones``, ``np.empty``, ``np.full``, ``np.random.randn(4, 1)``,
  ``np.random.rand``, ``np.random.standard_normal((4, 1))`` and ``Generator.standard_normal`` /
  ``random`` / ``normal`` / ``uniform`` with a literal 2-D shape are typed
  ``Array[Literal[4], Literal[1]]``, so ``W @ X`` with mismatched literal shapes is an ``operator``
  error; an unknown size becomes ``Any``.
- A rank-1 construction (``np.random.randn(5)``, ``np.zeros(5)``, ``np.zeros((5,))``) and an axis
  reduction without ``keepdims=True`` (``np.sum(dZ, axis=1)``, ``dZ.sum(axis=1)``, ``np.mean``)
  are reported with error code ``nncheck-rank1`` (silence it with
  ``# type: ignore[nncheck-rank1]`` or ``disable_error_code``).
- ``np.sum(x, axis=1, keepdims=True)`` of an ``Array[R, C]`` is ``Array[R, Literal[1]]``
  (``axis=0``: ``Array[Literal[1], C]``); ``ndarray @ Array`` keeps the Array's column dimension
  (``ndarray.__matmul__`` and ``ndarray.__rmatmul__`` are hooked, since numpy's own ``@`` accepts
  an Array through ``__array__`` and would drop it).

The hooks are keyed by the fully qualified names in numpy's stubs, which moved between releases
(``numpy.core`` → ``numpy._core``; in numpy 2.3+ ``zeros``/``ones``/``empty`` are instances of
``_ConstructorEmpty``). Every known spelling from numpy 1.24 to 2.4 is listed below; the call
arguments are read from the call expression itself, not from the stub signatures.
tests/typing_cases/plugin_shapes.py has one line per hooked name that errs only if the hook fired;
it passes unchanged with numpy 1.26.4, 2.2.6 and 2.4.6 (``mypy --python-executable``).
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.errorcodes import OPERATOR, ErrorCode
from mypy.messages import format_type
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Expression,
    Import,
    ImportAll,
    ImportFrom,
    IntExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    TupleExpr,
    TypeInfo,
    UnaryExpr,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext, Plugin
from mypy.subtypes import is_same_type
from mypy.types import AnyType, Instance, LiteralType, ProperType, Type, TypeOfAny, get_proper_type

__all__ = ["RANK1", "plugin"]

RANK1 = ErrorCode(
    "nncheck-rank1",
    "Rank-1 numpy arrays (shape (n,)) break the course's dimension rules",
    "nncheck",
)
"""The error code of the rank-1 lint."""

ARRAY_MODULE = "nncheck.shapes._array"
ARRAY = f"{ARRAY_MODULE}.Array"
ADVICE = (
    "the course notes advise never to use rank-1 arrays: keep vectors 2-D, "
    "(n, 1) for a column or (1, m) for a row"
)

_SHAPE_FIRST = {  # shape is the first argument (or ``shape=``)
    f"{mod}.{name}"
    for mod in (
        "numpy.core.multiarray",
        "numpy.core.numeric",
        "numpy._core.multiarray",
        "numpy._core.numeric",
    )
    for name in ("zeros", "ones", "empty", "full")
}
_SHAPE_FIRST_METHODS = {"numpy._core.multiarray._ConstructorEmpty.__call__"}
_SHAPE_VARARGS = {  # np.random.randn(4, 1), np.random.rand(4, 1)
    "numpy.random.mtrand.randn",
    "numpy.random.mtrand.rand",
    "numpy.random.mtrand.RandomState.randn",
    "numpy.random.mtrand.RandomState.rand",
}
# shape given as ``size``: (name of callee, position of size among the call's arguments)
_SHAPE_SIZE: dict[str, int] = {
    "numpy.random.mtrand.standard_normal": 0,
    "numpy.random.mtrand.random_sample": 0,
    "numpy.random.mtrand.random": 0,
    "numpy.random.mtrand.normal": 2,
    "numpy.random.mtrand.uniform": 2,
    "numpy.random.mtrand.RandomState.standard_normal": 0,
    "numpy.random.mtrand.RandomState.random_sample": 0,
    "numpy.random.mtrand.RandomState.normal": 2,
    "numpy.random.mtrand.RandomState.uniform": 2,
    "numpy.random._generator.Generator.standard_normal": 0,
    "numpy.random._generator.Generator.random": 0,
    "numpy.random._generator.Generator.normal": 2,
    "numpy.random._generator.Generator.uniform": 2,
}
_REDUCTIONS = {
    f"{mod}.{name}"
    for mod in ("numpy.core.fromnumeric", "numpy._core.fromnumeric")
    for name in ("sum", "mean", "max", "min", "amax", "amin")
}
_REDUCTION_METHODS = {
    f"{cls}.{name}" for cls in ("numpy.ndarray", ARRAY) for name in ("sum", "mean", "max", "min")
}
_MATMUL = {"numpy.ndarray.__matmul__": "left", "numpy.ndarray.__rmatmul__": "right"}
_UFUNCS = {  # np.tanh(Z), np.exp, np.log, np.power(A, 2), np.maximum(Z, 0): the shape is kept
    "numpy._typing._ufunc._UFunc_Nin1_Nout1.__call__",
    "numpy._typing._ufunc._UFunc_Nin2_Nout1.__call__",
}
_DOT = {f"{mod}.dot" for mod in ("numpy.core.multiarray", "numpy._core.multiarray")}

Dim = int | None  # a literal size, or unknown


def _int(expr: Expression) -> int | None:
    if isinstance(expr, IntExpr):
        return expr.value
    if isinstance(expr, UnaryExpr) and expr.op == "-" and isinstance(expr.expr, IntExpr):
        return -expr.expr.value
    return None


def _shape_of(expr: Expression) -> list[Dim] | None:
    """The dims of a literal shape expression; None when it is not a tuple/int expression."""
    if isinstance(expr, TupleExpr):
        return [_int(item) for item in expr.items]
    if isinstance(expr, (IntExpr, NameExpr, MemberExpr)):
        # a single size: rank 1 (a NameExpr may be a tuple variable; only IntExpr is certain)
        return [_int(expr)] if isinstance(expr, IntExpr) else None
    return None


def _arg(call: CallExpr, position: int | None, name: str) -> Expression | None:
    for i, (kind, arg_name) in enumerate(zip(call.arg_kinds, call.arg_names, strict=True)):
        if kind == ARG_NAMED and arg_name == name:
            return call.args[i]
    if position is not None:
        positional = [a for a, k in zip(call.args, call.arg_kinds, strict=True) if k == ARG_POS]
        if position < len(positional):
            return positional[position]
    return None


def _callee_text(call: CallExpr) -> str:
    def text(expr: Expression) -> str:
        if isinstance(expr, NameExpr):
            return expr.name
        if isinstance(expr, MemberExpr):
            return f"{text(expr.expr)}.{expr.name}"
        return "…"

    return text(call.callee)


def _literal(api: CheckerPluginInterface, value: int) -> LiteralType:
    fallback = api.named_generic_type("builtins.int", [])
    return LiteralType(value, fallback)


_ARRAY_INFO: list[TypeInfo] = []  # set by the plugin once nncheck.shapes._array is loaded


def _array_of(args: list[Type]) -> Type:
    if not _ARRAY_INFO:
        return AnyType(TypeOfAny.special_form)  # pragma: no cover - Array failed to load
    return Instance(_ARRAY_INFO[0], args)


def _array_type(api: CheckerPluginInterface, dims: list[Dim]) -> Type:
    args: list[Type] = [
        _literal(api, d) if d is not None else AnyType(TypeOfAny.special_form) for d in dims
    ]
    return _array_of(args)


def _construct(ctx: FunctionContext | MethodContext, dims: list[Dim] | None, where: str) -> Type:
    if dims is None:
        return ctx.default_return_type
    call = ctx.context
    if len(dims) == 1:
        n = "n" if dims[0] is None else str(dims[0])
        ctx.api.fail(
            f"{where} makes a rank-1 array of shape ({n},); {ADVICE} (e.g. shape ({n}, 1))",
            call,
            code=RANK1,
        )
        return ctx.default_return_type
    if len(dims) == 2 and any(d is not None for d in dims):
        return _array_type(ctx.api, dims)
    return ctx.default_return_type


def _shape_first(ctx: FunctionContext | MethodContext) -> Type:
    call = ctx.context
    if not isinstance(call, CallExpr):
        return ctx.default_return_type
    shape = _arg(call, 0, "shape")
    return _construct(ctx, _shape_of(shape) if shape is not None else None, _callee_text(call))


def _shape_varargs(ctx: FunctionContext | MethodContext) -> Type:
    call = ctx.context
    if not isinstance(call, CallExpr) or not call.args:
        return ctx.default_return_type
    if any(k != ARG_POS for k in call.arg_kinds):
        return ctx.default_return_type
    return _construct(ctx, [_int(a) for a in call.args], _callee_text(call))


def _shape_size(position: int) -> Callable[[FunctionContext | MethodContext], Type]:
    def hook(ctx: FunctionContext | MethodContext) -> Type:
        call = ctx.context
        if not isinstance(call, CallExpr):
            return ctx.default_return_type
        size = _arg(call, position, "size")
        if size is None:
            return ctx.default_return_type
        return _construct(ctx, _shape_of(size), _callee_text(call))

    return hook


def _as_array(typ: Type) -> Instance | None:
    proper = get_proper_type(typ)
    if isinstance(proper, Instance) and proper.type.fullname == ARRAY:
        return proper
    return None


def _reduction(is_method: bool) -> Callable[[FunctionContext | MethodContext], Type]:
    def hook(ctx: FunctionContext | MethodContext) -> Type:
        call = ctx.context
        if not isinstance(call, CallExpr):
            return ctx.default_return_type
        offset = 0 if is_method else 1
        axis_expr = _arg(call, offset, "axis")
        if axis_expr is None:
            return ctx.default_return_type  # a full reduction to a scalar is fine
        keep = _arg(call, offset + 3, "keepdims")
        keep_true = isinstance(keep, NameExpr) and keep.name == "True"
        axis = _int(axis_expr)
        if keep is None or (isinstance(keep, NameExpr) and keep.name == "False"):
            ctx.api.fail(
                f"{_callee_text(call)}(…, axis=…) without keepdims=True drops the reduced axis "
                f"and returns a rank-1 array; {ADVICE} (e.g. np.sum(dZ, axis=1, keepdims=True))",
                call,
                code=RANK1,
            )
            return ctx.default_return_type
        if keep_true and axis is not None:
            if is_method:
                source: ProperType | None = get_proper_type(
                    getattr(ctx, "type", None) or AnyType(TypeOfAny.special_form)
                )
            else:
                source = get_proper_type(ctx.arg_types[0][0]) if ctx.arg_types[0] else None
            arr = _as_array(source) if source is not None else None
            if arr is not None:
                one = _literal(ctx.api, 1)
                rows, cols = arr.args
                if axis in (1, -1):
                    return _array_of([rows, one])
                if axis in (0, -2):
                    return _array_of([one, cols])
        return ctx.default_return_type

    return hook


def _matmul(side: str) -> Callable[[MethodContext], Type]:
    """``ndarray @ Array`` (left) / ``Array @ ndarray`` via ``ndarray.__rmatmul__`` (right)."""

    def hook(ctx: MethodContext) -> Type:
        if not ctx.arg_types or not ctx.arg_types[0]:
            return ctx.default_return_type
        other = _as_array(ctx.arg_types[0][0])
        if other is None:
            return ctx.default_return_type
        unknown = AnyType(TypeOfAny.special_form)
        rows, cols = other.args
        dims: list[Type] = [unknown, cols] if side == "left" else [rows, unknown]
        return _array_of(dims)

    return hook


def _ufunc(ctx: MethodContext) -> Type:
    """An elementwise ufunc of an Array (and scalars or plain arrays) has the Array's type."""
    arrays = [a for group in ctx.arg_types for t in group if (a := _as_array(t)) is not None]
    if arrays and all(is_same_type(a, arrays[0]) for a in arrays):
        return arrays[0]
    return ctx.default_return_type


def _dot(ctx: FunctionContext) -> Type:
    """``np.dot(W, X)`` of two Arrays is typed like ``W @ X`` (mismatch: an operator error)."""
    if len(ctx.arg_types) < 2 or not ctx.arg_types[0] or not ctx.arg_types[1]:
        return ctx.default_return_type
    left, right = _as_array(ctx.arg_types[0][0]), _as_array(ctx.arg_types[1][0])
    if left is None or right is None:
        return ctx.default_return_type
    inner_l, inner_r = (get_proper_type(t) for t in (left.args[1], right.args[0]))
    if (
        isinstance(inner_l, AnyType)
        or isinstance(inner_r, AnyType)
        or is_same_type(inner_l, inner_r)
    ):
        return _array_of([left.args[0], right.args[1]])
    ctx.api.fail(
        f"np.dot: the inner dimensions differ: {format_type(left, ctx.api.options)} and "
        f"{format_type(right, ctx.api.options)} (W·A needs W: (n, p) and A: (p, m))",
        ctx.context,
        code=OPERATOR,
    )
    return ctx.default_return_type


class ShapesPlugin(Plugin):
    """Literal shapes for numpy constructors, the rank-1 lint, and ``@`` between ndarray/Array."""

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        # Array must be loaded for the hooks to name it, also where a file uses numpy without
        # importing nncheck.shapes. Only such files get the dependency: adding it to builtins or
        # to numpy's own stubs would reorder mypy's processing of the standard library (it
        # then loses the float → complex promotion).
        if file.fullname.startswith("nncheck.shapes") or file.fullname.startswith("numpy"):
            return []
        for imp in file.imports:
            if isinstance(imp, Import):
                modules = [name for name, _ in imp.ids]
            elif isinstance(imp, (ImportFrom, ImportAll)):
                modules = [imp.id]
            else:  # pragma: no cover - no other import node exists
                continue
            if any(m == "numpy" or m.startswith("numpy.") for m in modules):
                return [(10, ARRAY_MODULE, -1)]
        return []

    def _load_array(self) -> None:
        if not _ARRAY_INFO:
            sym = self.lookup_fully_qualified(ARRAY)
            if sym is not None and isinstance(sym.node, TypeInfo):
                _ARRAY_INFO.append(sym.node)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        self._load_array()
        if fullname in _SHAPE_FIRST:
            return _shape_first
        if fullname in _SHAPE_VARARGS:
            return _shape_varargs
        if fullname in _SHAPE_SIZE:
            return _shape_size(_SHAPE_SIZE[fullname])
        if fullname in _REDUCTIONS:
            return _reduction(is_method=False)
        if fullname in _DOT:
            return _dot
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        self._load_array()
        if fullname in _SHAPE_FIRST_METHODS:
            return _shape_first
        if fullname in _SHAPE_VARARGS:
            return _shape_varargs
        if fullname in _SHAPE_SIZE:
            return _shape_size(_SHAPE_SIZE[fullname])
        if fullname in _REDUCTION_METHODS:
            return _reduction(is_method=True)
        if fullname in _MATMUL:
            return _matmul(_MATMUL[fullname])
        if fullname in _UFUNCS:
            return _ufunc
        return None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class (any mypy ≥ 1.10)."""
    return ShapesPlugin
