"""Checks of initialisation functions: shapes by the rules, symmetry broken, scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nncheck import diagnose as dg
from nncheck._findings import Finding
from nncheck.conventions._common import Check, Context, Prerequisite, WrongResult, bind_call
from nncheck.diagnose.catalogue import Mistake
from nncheck.properties import check_symmetry_breaking

__all__ = ["call_init", "init_checks", "init_dims", "init_scale"]


def init_dims(ctx: Context, depth: int) -> list[int]:
    """Layer widths for an init check: unequal, from the seed (last width 1)."""
    return list(ctx.cases(depth)[0].dims)


def _init_dims_variants(ctx: Context, depth: int) -> list[list[int]]:
    """The widths of :func:`init_dims`, first with several output units (the course's own test
    has n_y = 2, where ``b2 = np.zeros((1, n_y))`` shows), then as drawn."""
    dims = init_dims(ctx, depth)
    return [[*dims[:-1], 2], dims]


def call_init(ctx: Context, function: str, order: Sequence[str], dims: Sequence[int]) -> Any:
    """Call an init function with ``layer_dims`` or with ``n_x, n_h, n_y``."""
    f = ctx.fn(function)
    if list(order) == ["layer_dims"]:
        return bind_call(f, order, {"layer_dims": list(dims)})
    if len(dims) != 3:
        raise Prerequisite("initialize_parameters(n_x, n_h, n_y) needs a 2-layer network")
    return bind_call(f, order, {"n_x": dims[0], "n_h": dims[1], "n_y": dims[2]})


def _params_of(result: Any, function: str) -> Mapping[str, Any]:
    if not isinstance(result, Mapping):
        raise WrongResult(
            f"{function} must return a dict of parameters, got {type(result).__name__}"
        )
    return result


def init_shapes(function: str, order: Sequence[str], depth: int) -> Check:
    """W[l]: (n[l], n[l−1]) and b[l]: (n[l], 1) for every layer."""

    def run(ctx: Context) -> Finding:
        for dims in _init_dims_variants(ctx, depth):
            params = _params_of(call_init(ctx, function, order, dims), function)
            problem = _shape_problem(ctx, function, params, dims)
            if problem is not None:
                return problem
        return Finding(function, "shapes", "pass", f"W[l] and b[l] follow the rules for {dims}")

    return Check(function, "shapes", run)


def _shape_problem(
    ctx: Context, function: str, params: Mapping[str, Any], dims: Sequence[int]
) -> Finding | None:
    for l in range(1, len(dims)):
        for key, shape, rule in (
            (f"W{l}", (dims[l], dims[l - 1]), "W[l]: (n[l], n[l−1])"),
            (f"b{l}", (dims[l], 1), "b[l]: (n[l], 1)"),
        ):
            if key not in params:
                return Finding(
                    function,
                    "shapes",
                    "fail",
                    f"the parameters have no {key} for layer dims {dims}",
                    diagnosis=(
                        "a layer is skipped: the loop must create W[l], b[l] for l = 1 … L "
                        "(range(1, len(layer_dims)))"
                    ),
                    mistake=Mistake.LAYER_SKIPPED,
                    example={"dims": dims, "seed": ctx.seed},
                )
            got = tuple(np.shape(params[key]))
            if got != shape:
                what = (
                    "a rank-1 array"
                    if len(got) == 1
                    else "the transpose"
                    if got == shape[::-1]
                    else "the wrong shape"
                )
                return Finding(
                    function,
                    "shapes",
                    "fail",
                    f"{key} has shape {got}: {what}; the rule {rule} needs {shape}",
                    mistake=Mistake.TRANSPOSED_PRODUCT
                    if got == shape[::-1]
                    else Mistake.WRONG_SHAPE,
                    diagnosis=None,
                    expected=str(shape),
                    actual=str(got),
                    formula=rule,
                    example={"dims": dims, "seed": ctx.seed},
                )
    expected = {f"{p}{l}" for l in range(1, len(dims)) for p in "Wb"}
    extra = sorted(set(map(str, params)) - expected)
    if extra:
        return Finding(
            function,
            "shapes",
            "fail",
            f"the parameters have extra keys {', '.join(extra)} for layer dims {list(dims)}: "
            f"the course's are exactly W1, b1, …, W{len(dims) - 1}, b{len(dims) - 1}",
            diagnosis=(
                "the loop runs over a layer that does not exist: layers are numbered 1 … L "
                "(range(1, len(layer_dims)))"
                if any(k in ("W0", "b0") for k in extra)
                else None
            ),
            mistake=Mistake.EXTRA_PARAMETERS,
            expected=sorted(expected),
            actual=sorted(map(str, params)),
            example={"dims": list(dims), "seed": ctx.seed},
        )
    return None


def init_symmetry(function: str, order: Sequence[str], depth: int) -> Check:
    """No W[l] with several rows is zero or has equal rows (the notes' rule; interchangeable
    units are :func:`nncheck.properties.check_symmetry_breaking`'s failure)."""

    def run(ctx: Context) -> Finding:
        dims = init_dims(ctx, depth)
        params = _params_of(call_init(ctx, function, order, dims), function)
        verdict = check_symmetry_breaking(params)
        d = dg.init_diagnosis(params)
        if verdict.status != "fail" and d is None:
            return Finding(function, "symmetry", verdict.status, verdict.message)
        # the course's rule is stricter than symmetry: equal rows fail even when b or the next
        # layer's weights would separate the units (properties only warns there)
        return Finding(
            function,
            "symmetry",
            "fail",
            verdict.message if verdict.status == "fail" else "the initial weights have equal rows",
            diagnosis=d.message if d else None,
            mistake=d.mistake if d else Mistake.IDENTICAL_ROWS,
            formula=dg.formula("init"),
            example={"dims": dims, "seed": ctx.seed},
        )

    return Check(function, "symmetry", run)


def init_checks(function: str, order: Sequence[str], depth: int) -> list[Check]:
    """The shapes and symmetry checks of a random initialisation function."""
    return [init_shapes(function, order, depth), init_symmetry(function, order, depth)]


def he_scale(function: str, factor: float = 2.0, name: str = "He") -> Check:
    """W[l] entries have standard deviation √(factor / n[l−1]) (pooled over layers)."""

    def run(ctx: Context) -> Finding:
        dims = [40, 30, 20, 1]
        params = _params_of(call_init(ctx, function, ["layer_dims"], dims), function)
        z = []
        for l in range(1, len(dims)):
            W = np.asarray(params[f"W{l}"], dtype=np.float64)
            z.append((W / np.sqrt(factor / dims[l - 1])).ravel())
        ratio = float(np.std(np.concatenate(z)))
        if 0.85 <= ratio <= 1.15:
            return Finding(
                function, "scale", "pass", f"W[l] has the {name} scale √({factor:g}/n[l−1])"
            )
        guesses = {
            "√(1/n[l−1]) (Xavier) instead of √(2/n[l−1])": np.sqrt(0.5),
            "2/n[l−1] without the square root": float("nan"),
            "no scaling (plain randn)": float("nan"),
        }
        diagnosis = f"W[l] entries are {ratio:.3g} times the {name} scale √({factor:g}/n[l−1])"
        if abs(ratio - guesses["√(1/n[l−1]) (Xavier) instead of √(2/n[l−1])"]) < 0.1:
            diagnosis = "W[l] is scaled by √(1/n[l−1]) (Xavier) instead of √(2/n[l−1]) (He)"
        # the scale of the layer dims used (n[l] instead of n[l−1]) gives different ratios per layer
        per_layer = []
        for l in range(1, len(dims)):
            W = np.asarray(params[f"W{l}"], dtype=np.float64)
            per_layer.append(float(np.std(W)) / np.sqrt(factor / dims[l]))
        if all(0.8 <= r <= 1.2 for r in per_layer[:2]):
            diagnosis = "W[l] is scaled with n[l] (this layer's width) instead of n[l−1]"
        return Finding(
            function,
            "scale",
            "fail",
            f"W[l] has standard deviation {ratio:.3g}·√({factor:g}/n[l−1])",
            diagnosis=diagnosis,
            mistake=Mistake.WRONG_INIT_SCALE,
            expected=1.0,
            actual=ratio,
            formula=f"W[l] = randn(n[l], n[l−1])·√({factor:g}/n[l−1])",
            example={"dims": dims, "seed": ctx.seed},
        )

    return Check(function, "scale", run)


SATURATING_STD = 3.0
"""A weight standard deviation from which tanh/sigmoid units saturate on unit-scale inputs (Z of
several units: A is ±1 or 0/1 and the gradients vanish): a failure, not a style."""


def init_scale(
    function: str,
    order: Sequence[str],
    *,
    course: float = 0.01,
    written: str = "np.random.randn(n[l], n[l−1]) * 0.01",
    xavier_too: bool = False,
) -> Check:
    """W[l] entries have the course's standard deviation ``course`` (``xavier_too``: or the later
    notebooks' 1/√n[l−1]). Weights large enough to saturate the units fail; a scale merely off
    (×1 or ×0.1 instead of ×0.01) warns, citing saturation."""
    dims = [40, 30, 20, 2] if list(order) == ["layer_dims"] else [40, 30, 2]

    def run(ctx: Context) -> Finding:
        if ctx.convention == "generic":
            raise Prerequisite("the weight scale is free outside the course's conventions")
        params = _params_of(call_init(ctx, function, order, dims), function)
        stds = []
        for l in range(1, len(dims)):
            W = params.get(f"W{l}")
            if W is None or np.shape(W) != (dims[l], dims[l - 1]):
                raise Prerequisite(f"W{l} does not have the shape of the rules (see shapes)")
            stds.append(float(np.std(np.asarray(W, dtype=np.float64))))
        if not any(stds):
            raise Prerequisite("every weight is zero (see the symmetry check)")
        ratios = [s / course for s in stds]
        if all(0.5 <= r <= 2.0 for r in ratios):
            return Finding(function, "scale", "pass", f"W[l] has the course's scale ({written})")
        xavier = [s * np.sqrt(dims[l]) for l, s in enumerate(stds)]
        if xavier_too and all(0.6 <= r <= 1.6 for r in xavier):
            return Finding(function, "scale", "pass", "W[l] has the scale 1/√n[l−1]")
        worst = max(stds)
        example = {"dims": dims, "seed": ctx.seed}
        shown = ", ".join(f"W{l}: {s:.3g}" for l, s in enumerate(stds, start=1))
        if worst >= SATURATING_STD > course:
            return Finding(
                function,
                "scale",
                "fail",
                f"the weights have standard deviation {shown}, {worst / course:.3g} times the "
                f"course's {course:g}: tanh and sigmoid units saturate (Z = W·A is in the "
                "tens or hundreds, A is stuck at its limits and the gradients vanish)",
                diagnosis=f"the weights are scaled up instead of down: use {written}"
                + (" (× 0.01, not / 0.01)" if course == 0.01 else ""),
                mistake=Mistake.WRONG_INIT_SCALE,
                expected=course,
                actual=worst,
                formula=f"W[l] = {written}",
                example=example,
            )
        return Finding(
            function,
            "scale",
            "warn",
            f"the weights have standard deviation {shown}, not the course's {course:g} "
            f"({written}): large weights push tanh/sigmoid units towards saturation, where "
            "gradients vanish; tiny ones slow learning",
            expected=course,
            actual=worst,
            example=example,
        )

    return Check(function, "scale", run)
