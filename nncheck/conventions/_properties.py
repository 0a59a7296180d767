"""Property checks shared by conventions: scalar cost, update direction, predict threshold."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nncheck import reference as ref
from nncheck._findings import Finding
from nncheck.conventions._common import (
    Case,
    Check,
    Context,
    Trial,
    bind_call,
    compare,
    describe_value,
    first,
    wrong_return,
)
from nncheck.diagnose.catalogue import CATALOGUE, Mistake
from nncheck.properties import check_update_direction

__all__ = ["cost_scalar_check", "predict_check", "stability_check", "update_direction_check"]


def cost_scalar_check(
    function: str, factory: Callable[[Context, Case], Trial], depth: int | None = 3
) -> Check:
    """The cost is a single number (the rule of :func:`nncheck.properties.check_scalar_cost`):
    under the course's conventions a (1, 1) array, a 1-element list or a string fails, as in the
    course's own tests; under ``generic`` a single number in an array only warns."""

    def run(ctx: Context) -> Finding:
        from nncheck.properties import check_scalar_cost

        case = ctx.cases(depth)[0]
        trial = factory(ctx, case)
        value = trial.outputs(trial.invoke())["cost"]
        verdict = check_scalar_cost(value, nonnegative=False, strict=ctx.convention != "generic")
        shape = np.shape(value) if isinstance(value, (np.ndarray, list, tuple)) else None
        if verdict.status == "pass":
            return Finding(function, "scalar", "pass", "the cost is a single number")
        many = shape is not None and int(np.prod(shape)) > 1
        return Finding(
            function,
            "scalar",
            "fail" if verdict.status == "fail" else "warn",
            f"{function} returned {describe_value(value)}: {verdict.message}",
            diagnosis="the sum over examples is missing or taken over the wrong axis"
            if many
            else None,
            mistake=Mistake.WRONG_SUM_AXIS if many else Mistake.NOT_A_SCALAR,
            expected="()",
            actual=str(shape) if shape is not None else type(value).__name__,
            example=case.example(),
        )

    return Check(function, "scalar", run)


def update_direction_check(
    function: str, factory: Callable[[Context, Case], Trial], depth: int | None = 3
) -> Check:
    """Every parameter steps by −α·dθ: the rule of :func:`nncheck.properties.check_update_direction`
    (exact), on the trial's parameters, gradients and learning rate."""

    def run(ctx: Context) -> Finding:
        case = ctx.cases(depth)[0]
        trial = factory(ctx, case)
        old = copy.deepcopy(dict(trial.args["parameters"]))
        raised: list[Exception] = []

        def call(*_: Any) -> Mapping[str, Any]:  # the arguments are bound in the trial already
            try:
                return trial.outputs(trial.invoke())
            except Exception as exc:  # the engine reports the person's exception itself
                raised.append(exc)
                raise

        call.__name__ = call.__qualname__ = function
        result = check_update_direction(
            call, old, trial.args["grads"], learning_rate=float(trial.args["learning_rate"])
        )
        if raised:
            raise raised[0]
        if result.status != "fail":
            return Finding(function, "direction", "pass", "every parameter steps by −α·dθ")
        found = result.details.get("mistake")
        mistake = Mistake(found) if isinstance(found, str) else None
        return Finding(
            function,
            "direction",
            "fail",
            result.message,
            diagnosis=CATALOGUE[mistake].summary if mistake else None,
            mistake=mistake,
            formula="θ := θ − α·dθ for every W[l] and b[l]",
            example=case.example(),
        )

    return Check(function, "direction", run)


def predict_check(
    function: str,
    order: Sequence[str],
    *,
    hidden: str | None,
    depth: int | None = 3,
    params_of: Callable[[Case], Mapping[str, Any]] | None = None,
) -> Check:
    """Predictions are 1 where the network's output is above 0.5, else 0, shape (1, m): on every
    case, and with the output bias shifted so that every example is labelled 1, then 0 (a loop
    that skips an example shows)."""

    def run(ctx: Context) -> Finding:
        f = ctx.fn(function)
        runs = [(case, shift) for case in ctx.cases(depth) for shift in (0.0, 50.0, -50.0)]
        for case, shift in runs:
            params = {
                k: np.array(v) for k, v in (params_of(case) if params_of else case.params).items()
            }
            last = f"b{len(params) // 2}"
            if last in params:
                params[last] = params[last] + shift
            X, Y = case.X.copy(), case.Y.copy()
            AL, _ = ref.model_forward(X, params, hidden or ctx.hidden)
            expected = (AL > 0.5).astype(np.float64)
            got = first(bind_call(f, order, {"X": X, "Y": Y, "parameters": params}))
            _labels_or_fail(function, got)
            mm = compare({"predictions": expected}, {"predictions": got})
            if not mm:
                continue
            return threshold_failure(
                function,
                AL,
                expected,
                got,
                mm[0],
                case,
                name="AL",
                formula="ŷ = 1 if a > 0.5 else 0",
            )
        return Finding(function, "threshold", "pass", "predicts 1 exactly where AL > 0.5")

    return Check(function, "threshold", run)


def _labels_or_fail(function: str, got: Any) -> None:
    """:class:`WrongResult` unless ``got`` is an array of numbers (labels can be compared)."""
    try:
        np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise wrong_return(function, got, "the predictions, an array of shape (1, m)") from None


def stability_check(function: str) -> Check:
    """σ at extreme inputs (z = ±750, ±1e4): overflow or NaN only warns, a wrong value fails."""

    def run(ctx: Context) -> Finding:
        from nncheck.properties import EXTREME_Z, check_stability

        f = ctx.fn(function)
        Z = np.array(EXTREME_Z)

        def persons(z: Any) -> Any:
            return np.asarray(first(bind_call(f, ["Z"], {"Z": z})), dtype=np.float64)

        persons.__name__ = persons.__qualname__ = function
        verdict = check_stability(persons, Z, expected=ref.sigmoid(Z))
        status = verdict.status if verdict.status in ("pass", "fail", "warn") else "skip"
        return Finding(
            function,
            "stability",
            "pass"
            if status == "pass"
            else "fail"
            if status == "fail"
            else "warn"
            if status == "warn"
            else "skip",
            verdict.message,
            example={"Z": [float(z) for z in Z.ravel()], "seed": ctx.seed},
            formula="σ(z) = 1/(1+e^(−z))",
        )

    return Check(function, "stability", run)


def threshold_failure(
    function: str,
    probabilities: Any,
    expected: Any,
    got: Any,
    mismatch: Any,
    case: Case,
    *,
    name: str,
    formula: str,
) -> Finding:
    """The failing ``threshold`` finding of a predict function, with the mistake its labels show.

    ``probabilities`` is the model's output (``name`` in messages: ``AL`` or ``A``), ``expected``
    the right labels 1{p > 0.5}, ``got`` the person's labels, ``mismatch`` the first difference.
    """
    P = np.asarray(probabilities, dtype=np.float64)
    g = np.asarray(got, dtype=np.float64)
    diagnosis = mistake = None
    if g.shape == P.shape and np.allclose(g, P):
        diagnosis, mistake = (
            f"returns the probabilities {name}, not 0/1 labels",
            Mistake.NO_THRESHOLD,
        )
    elif g.size == P.size and g.shape != P.shape and np.array_equal(g.ravel(), expected.ravel()):
        diagnosis, mistake = f"predictions have shape {g.shape}, not (1, m)", Mistake.LOST_KEEPDIMS
    elif g.shape == P.shape and any(np.array_equal(g, (P > t) * 1.0) for t in (0.0, 0.25, 0.75)):
        t = next(t for t in (0.0, 0.25, 0.75) if np.array_equal(g, (P > t) * 1.0))
        diagnosis, mistake = f"thresholds at {t} instead of 0.5", Mistake.WRONG_THRESHOLD
    elif g.shape == P.shape and np.array_equal(g, 1.0 - expected):
        diagnosis, mistake = f"labels are inverted (1 where {name} ≤ 0.5)", Mistake.SIGN_FLIP
    return Finding(
        function,
        "threshold",
        "fail",
        f"predictions differ from 1{{{name} > 0.5}}: {mismatch.message}",
        diagnosis=diagnosis,
        mistake=mistake,
        expected=mismatch.expected,
        actual=mismatch.actual,
        worst_index=mismatch.worst_index,
        example=case.example(),
        formula=formula,
    )
