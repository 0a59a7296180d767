"""What every convention adapter shares: calling the person's functions, test cases, comparison,
mutation.

Adapters compose these helpers (no base classes): a convention is a table of checks, each a plain
function ``Context -> Finding``.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nncheck._binding import bind_arguments
from nncheck._findings import Finding, Status
from nncheck.diagnose import Diagnosis, Mutant, explain, match_mistake
from nncheck.diagnose.catalogue import Mistake
from nncheck.properties import check_no_mutation_call
from nncheck.strategies import NetworkCase, find_counterexample, make_network_case, network_cases

__all__ = [
    "Case",
    "Check",
    "Context",
    "Mismatch",
    "Prerequisite",
    "Trial",
    "WrongResult",
    "bind_call",
    "compare",
    "describe_value",
    "first",
    "is_scalar",
    "make_cases",
    "mutation_check",
    "require_right",
    "scalar_cost",
    "shapes_check",
    "takes",
    "to_float",
    "values_check",
    "wrong_return",
]

RTOL = 1e-5
"""Relative tolerance of value comparisons (rounding differences of correct code are ~1e-15)."""


class WrongResult(TypeError):
    """The person's function returned something of the wrong kind (reported as their failure)."""


def describe_value(value: Any) -> str:
    """What a person's function returned, in words: "a float (0.0075)", "a tuple of 2 items",
    "an array of shape (3, 1)", "a dict with keys 'W1', 'b1'", "None"."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"a bool ({value})"
    if isinstance(value, (int, float, np.number)):
        kind = type(value).__name__
        return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} ({value:.4g})"
    if isinstance(value, str):
        return f"a string ({value[:20]!r})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, Mapping):
        keys = ", ".join(repr(k) for k in list(value)[:6])
        return f"a dict with keys {keys}" if keys else "an empty dict"
    if isinstance(value, (tuple, list)):
        kinds = ", ".join(describe_value(v).split(" (")[0] for v in value[:4])
        n = len(value)
        return f"a {type(value).__name__} of {n} item{'s' * (n != 1)}" + (
            f" ({kinds})" if kinds else ""
        )
    return f"a {type(value).__name__}"


def wrong_return(function: str, value: Any, what: str) -> WrongResult:
    """The error of ``function`` returning ``value`` where the course returns ``what``."""
    return WrongResult(
        f"{function} returned {describe_value(value)} where the course returns {what}"
    )


class Prerequisite(Exception):
    """A check cannot run because something it needs is missing or failed (becomes a skip)."""


def require_right(function: str, actual: Any, expected: Any, needed_by: str) -> None:
    """Raise :class:`Prerequisite` unless the person's ``function`` returned ``expected``: a check
    that builds on it would otherwise blame ``needed_by`` for ``function``'s mistake."""
    try:
        a = np.asarray(actual, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
        same = a.size == e.size and np.allclose(a.reshape(e.shape), e, rtol=1e-5, atol=1e-8)
    except (TypeError, ValueError):
        same = False
    if not same:
        raise Prerequisite(
            f"{needed_by} is checked through your {function}, which returns wrong values: "
            f"fix {function} first"
        )


def scalar_cost(value: Any, function: str, needed_by: str) -> float:
    """The person's cost as a float; :class:`Prerequisite` unless it is one finite number.

    A gradient check differentiates the person's cost: when that cost is an array (an outer
    product, a missing sum) or not finite, the check cannot blame ``needed_by``; it says to fix
    ``function`` first.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.size != 1 or not np.all(np.isfinite(arr)):
        what = (
            f"an array of shape {arr.shape}"
            if arr is not None and arr.size != 1
            else "no finite number"
            if arr is not None
            else f"a {type(value).__name__}"
        )
        raise Prerequisite(
            f"{needed_by} is checked through the cost of your {function}, which returns {what} "
            f"instead of one finite number: fix {function} first"
        )
    return float(arr.reshape(()))


@dataclass(frozen=True)
class Case:
    """One example network: widths ``dims`` = [n[0], …, n[L]], ``m`` examples, float64 data."""

    dims: tuple[int, ...]
    m: int
    seed: int
    label: str
    X: np.ndarray[Any, np.dtype[np.float64]]
    Y: np.ndarray[Any, np.dtype[np.float64]]
    params: Mapping[str, np.ndarray[Any, np.dtype[np.float64]]]
    rng_seed: int

    def example(self) -> dict[str, Any]:
        """The JSON-safe description shown as "smallest failing example"."""
        return {"dims": list(self.dims), "m": self.m, "seed": self.seed, "case": self.label}

    def rng(self, salt: int = 0) -> np.random.Generator:
        """A generator for extra random inputs of this case (dZ, dA…), reproducible."""
        return np.random.default_rng([self.rng_seed, salt])

    @property
    def size(self) -> int:
        """How big the example is (for choosing the smallest failing one)."""
        return self.m * sum(self.dims)


def _case(nc: NetworkCase, seed: int, label: str) -> Case:
    """A drawn or seeded :class:`~nncheck.strategies.NetworkCase` as the checks' :class:`Case`."""
    Y = np.array(nc.Y, dtype=np.float64).reshape(nc.dims[-1], nc.m)
    if nc.m > 1 and Y.min() == Y.max():  # both classes present
        Y[0, 0] = 1.0 - Y[0, 0]
    X = np.array(nc.X, dtype=np.float64)
    params = {k: np.array(v, dtype=np.float64) for k, v in nc.params.items()}
    for arr in (X, Y, *params.values()):
        arr.setflags(write=False)  # shared by every check: a person's in-place edit must
        # happen on a copy (the trials copy what they pass), never on the cached case
    return Case(tuple(nc.dims), int(nc.m), seed, label, X, Y, params, rng_seed=int(nc.seed))


def make_cases(
    seed: int, depth: int = 3, *, n_x: int | None = None, dims: Sequence[int] | None = None
) -> list[Case]:
    """The examples every check runs on, largest (most informative) first.

    ``depth`` is L (number of layers). The first case has unequal widths and m different from every
    width (so a transposed product or a wrong axis shows as a shape and a missing 1/m as a factor);
    the second has m equal to a hidden width (n[l] = m, where a transposed product has the right
    shape); the last has m = 1. Widths come from ``seed``, values from
    :func:`nncheck.strategies.make_network_case` (nonzero b, hidden pre-activations clear of
    ReLU's kink).
    """
    rng = np.random.default_rng(seed)
    pool = list(rng.permutation(np.arange(2, 8)))
    widths = [int(n_x)] if n_x is not None else [int(pool.pop())]
    pool = [p for p in pool if p != widths[0]]
    widths += [int(pool.pop()) for _ in range(depth - 1)] + [1]
    if dims is not None:
        widths = [int(n) for n in dims]
    used = set(widths)
    m_main = int(rng.choice([m for m in range(5, 12) if m not in used]))
    specs = [
        ("unequal widths", m_main),
        ("n[1] = m", widths[1]),
        ("m = 1", 1),
    ]
    return [
        _case(make_network_case(widths, m, "relu", seed * 7919 + i), seed, label)
        for i, (label, m) in enumerate(specs)
    ]


@dataclass
class Context:
    """The person's module, the convention's name mapping, the seed and the cases."""

    module: types.ModuleType
    names: Mapping[str, str]
    seed: int
    path: str | None
    convention: str
    _cases: dict[Any, list[Case]] = field(default_factory=dict)
    provided: frozenset[str] = frozenset()
    depth: int = 3
    """L of the networks built for the model-level checks (a convention's ``configure`` may
    change it after probing the person's forward pass)."""
    hidden: str = "relu"
    """The hidden activation of the model-level reference (likewise)."""
    hidden_activation: str | None = None
    """The hidden activation the person chose (a front door's option), or None: a convention
    with ``VARIANTS`` then uses it instead of probing."""

    def has(self, name: str) -> bool:
        """True when the person's module defines the function the convention calls ``name``
        (course helpers that nncheck provided because an import was missing do not count)."""
        attr = self.names.get(name, name)
        return attr not in self.provided and callable(getattr(self.module, attr, None))

    def fn(self, name: str) -> Callable[..., Any]:
        """The person's function for ``name``; :class:`Prerequisite` when it is absent."""
        f = getattr(self.module, self.names.get(name, name), None)
        if not callable(f):
            raise Prerequisite(f"needs {name}(), which is not defined")
        return f  # type: ignore[no-any-return]

    def cases(
        self, depth: int | None = None, n_x: int | None = None, dims: Sequence[int] | None = None
    ) -> list[Case]:
        """The cases for an L = ``depth`` network (default :attr:`depth`), or for fixed widths
        ``dims`` (cached)."""
        depth = self.depth if depth is None else depth
        key = (depth, n_x, tuple(dims) if dims is not None else None)
        if key not in self._cases:
            self._cases[key] = make_cases(self.seed, depth, n_x=n_x, dims=dims)
        return self._cases[key]


@dataclass(frozen=True)
class Check:
    """One check of one function: ``run(ctx)`` returns its finding."""

    function: str
    check: str
    run: Callable[[Context], Finding]
    explain_exception: Callable[[Context], Diagnosis | None] | None = None
    """Replays that name the mistake when the person's function raised a shape error."""


def bind_call(
    func: Callable[..., Any],
    order: Sequence[str],
    values: Mapping[str, Any],
    extra_aliases: Mapping[str, tuple[str, ...]] | None = None,
) -> Any:
    """Call ``func`` with the canonical ``values``, bound by :func:`nncheck._binding.bind_arguments`
    (by parameter name when possible, else in the course's ``order``, dropping trailing values the
    function does not take)."""
    args, kwargs = bind_arguments(func, order, values, extra_aliases)
    return func(*args, **kwargs)


def takes(module: types.ModuleType, name: str, argument: str) -> bool:
    """True when ``module.name`` is a function with a parameter called ``argument``."""
    f = getattr(module, name, None)
    if not callable(f):
        return False
    try:
        return argument in inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False


def first(result: Any) -> Any:
    """The first element of a tuple result (``(A, cache)`` → ``A``), else the result."""
    if isinstance(result, tuple) and result:
        return result[0]
    return result


def is_scalar(value: Any) -> bool:
    """True for a Python or numpy number, or a 0-d array."""
    return isinstance(value, (int, float, np.number)) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def to_float(value: Any) -> float:
    """A cost or scalar returned as anything with exactly one element, as a float."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise WrongResult(f"expected a single number, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


@dataclass(frozen=True)
class Mismatch:
    """Where ``actual`` differs from ``expected`` (first differing output)."""

    key: str
    kind: str  # "shape" | "value" | "type" | "missing"
    message: str
    expected: Any
    actual: Any
    worst_index: list[Any] | None


def _shape(x: Any) -> tuple[int, ...]:
    try:
        return tuple(np.shape(x))
    except ValueError:  # a ragged list: no shape at all
        raise WrongResult(f"an output is {describe_value(x)}, not an array") from None


def compare(
    expected: Mapping[str, Any], actual: Mapping[str, Any], *, rtol: float = RTOL
) -> list[Mismatch]:
    """Compare named outputs; one :class:`Mismatch` per differing output, in ``expected`` order.

    Scalars compare with scalars whatever their container (``float``, 0-d array); arrays must
    have the expected shape exactly.
    """
    out: list[Mismatch] = []
    for key, exp in expected.items():
        if key not in actual:
            out.append(Mismatch(key, "missing", f"{key} is missing", key, None, None))
            continue
        act = actual[key]
        exp_arr = np.asarray(exp, dtype=np.float64)
        try:
            act_arr = np.asarray(act, dtype=np.float64)
        except (TypeError, ValueError):
            out.append(
                Mismatch(
                    key, "type", f"{key} is a {type(act).__name__}, not a number", None, None, None
                )
            )
            continue
        if exp_arr.ndim == 0 and act_arr.size == 1:
            act_arr = act_arr.reshape(())
        if exp_arr.shape != act_arr.shape:
            out.append(
                Mismatch(
                    key,
                    "shape",
                    f"{key} has shape {act_arr.shape}, expected {exp_arr.shape}",
                    str(exp_arr.shape),
                    str(act_arr.shape),
                    None,
                )
            )
            continue
        err = np.abs(act_arr - exp_arr)
        atol = 1e-8 * max(1.0, float(np.max(np.abs(exp_arr), initial=0.0)))
        bad = ~(err <= atol + rtol * np.abs(exp_arr))  # NaN counts as bad
        if np.any(bad):
            score = np.where(np.isnan(err), np.inf, err)
            idx = np.unravel_index(int(np.argmax(score)), exp_arr.shape) if exp_arr.ndim else ()
            e, a = float(exp_arr[idx]), float(act_arr[idx])
            where = f"{key}{list(int(i) for i in idx)}" if idx else key
            out.append(
                Mismatch(
                    key,
                    "value",
                    f"{where} is {a:.6g}, expected {e:.6g}",
                    e,
                    a,
                    [key, *(int(i) for i in idx)],
                )
            )
    return out


@dataclass
class Trial:
    """One call of a person's function on one case, with what it should return.

    ``invoke()`` calls the function (arguments bound already); ``outputs(result)`` names the
    parts of its result; ``expected`` holds the reference outputs; ``mutants()`` replays known
    mistakes on the same inputs; ``args`` are the inputs (checked for mutation, except the
    ``mutable`` ones).
    """

    invoke: Callable[[], Any]
    outputs: Callable[[Any], Mapping[str, Any]]
    expected: Mapping[str, Any]
    args: Mapping[str, Any]
    mutants: Callable[[], Iterable[Mutant]] = lambda: ()
    mutable: frozenset[str] = frozenset()
    m: int = 1
    formula: str | None = None
    rules: Mapping[str, str] = field(default_factory=dict)


TrialFactory = Callable[[Context, Case], Trial]


def _finding(
    function: str,
    check: str,
    status: Status,
    message: str,
    **kw: Any,
) -> Finding:
    return Finding(function, check, status, message, **kw)


def _diagnose(
    trial: Trial, actual: Mapping[str, Any], mismatches: list[Mismatch]
) -> Diagnosis | None:
    try:
        mutants = list(trial.mutants())
    except Exception:  # a replay that cannot be built names nothing; never blame the person
        mutants = []
    found = match_mistake(trial.expected, actual, mutants)
    if found is not None:
        return found
    explained: list[Diagnosis] = []
    for mm in mismatches:
        if mm.key in actual and mm.kind in ("shape", "value"):
            d = explain(mm.key, trial.expected[mm.key], actual[mm.key], m=trial.m)
            if d is not None:
                explained.append(d)
    if not explained:
        return None
    first_d = explained[0]
    return Diagnosis(first_d.mistake, "; ".join(d.message for d in explained), first_d.formula)


SEARCH_EXAMPLES = 6
"""Examples Hypothesis draws per values/shapes check once the fixed cases pass."""


def _search(
    ctx: Context,
    factory: TrialFactory,
    judge: Callable[[Trial, Any, Case], Finding | None],
    depth: int | None,
    n_x: int | None,
) -> tuple[Case, Finding] | None:
    """Let Hypothesis draw more networks (widths 1…6, m 1…6, equal and unequal widths) and
    shrink the first failure to the smallest example; None when every draw passes."""
    depth = ctx.depth if depth is None else depth
    strategy = network_cases(
        hidden="relu", min_layers=depth, max_layers=depth, n_x=n_x, max_width=6, max_m=6
    ).map(lambda nc: _case(nc, ctx.seed, "drawn by Hypothesis"))

    def passes(case: Case) -> bool:
        trial = factory(ctx, case)
        return judge(trial, trial.invoke(), case) is None

    found = find_counterexample(passes, strategy, seed=ctx.seed, max_examples=SEARCH_EXAMPLES)
    if found is None:
        return None
    case = found.example
    trial = factory(ctx, case)
    finding = judge(trial, trial.invoke(), case)  # an exception here is the person's, reported
    return None if finding is None else (case, finding)


def _run_cases(
    ctx: Context,
    function: str,
    check: str,
    factory: TrialFactory,
    cases: Sequence[Case],
    judge: Callable[[Trial, Any, Case], Finding | None],
    passed: str,
    search: tuple[int | None, int | None] | None = None,
) -> Finding:
    """Run ``judge`` on every case; the largest failing case decides the diagnosis, and the
    smallest failing case with the same diagnosis is reported (its own numbers and example)."""
    failures: list[tuple[Case, Finding]] = []
    for case in cases:
        trial = factory(ctx, case)
        result = trial.invoke()
        f = judge(trial, result, case)
        if f is not None:
            failures.append((case, f))
    if not failures and search is not None:
        drawn = _search(ctx, factory, judge, *search)
        if drawn is not None:
            failures.append(drawn)
        else:
            passed += f" (and on {SEARCH_EXAMPLES} networks drawn by Hypothesis)"
    if not failures:
        return _finding(function, check, "pass", passed)
    # the largest failing case decides the diagnosis (the first of equal size): on a small case
    # two mistakes can give the same numbers; the example shown is the smallest case agreeing
    decider = max(failures, key=lambda cf: cf[0].size)[1]
    agreeing = [cf for cf in failures if cf[1].diagnosis == decider.diagnosis]
    if len(agreeing) < 2:  # the words name this example's m: agree on the mistake instead
        agreeing = [cf for cf in failures if cf[1].mistake == decider.mistake]
    case, chosen = min(agreeing, key=lambda cf: cf[0].size)
    if decider.mistake == Mistake.SCALED and any(
        f.diagnosis != decider.diagnosis for _, f in failures
    ):
        # "a wrong constant factor" must be the same factor on every failing example
        chosen = replace(chosen, diagnosis=None, mistake=None)
    return replace(chosen, example=case.example())


def values_check(
    function: str,
    factory: TrialFactory,
    depth: int | None = 3,
    n_x: int | None = None,
    dims: Sequence[int] | None = None,
) -> Check:
    """The "values" check: outputs match the reference on every case (diagnosed on mismatch)."""

    def judge(trial: Trial, result: Any, case: Case) -> Finding | None:
        actual = trial.outputs(result)
        mismatches = compare(trial.expected, actual)
        if not mismatches:
            return None
        mm = mismatches[0]
        d = _diagnose(trial, actual, mismatches)
        others = [m.key for m in mismatches[1:]]
        also = f" (also wrong: {', '.join(others)})" if others else ""
        return _finding(
            function,
            "values",
            "fail",
            f"{mm.message}{also}",
            diagnosis=d.message if d else None,
            mistake=d.mistake if d else None,
            expected=mm.expected,
            actual=mm.actual,
            worst_index=mm.worst_index,
            formula=(d.formula if d and d.formula else trial.formula),
        )

    def run(ctx: Context) -> Finding:
        return _run_cases(
            ctx,
            function,
            "values",
            factory,
            ctx.cases(depth, n_x, dims),
            judge,
            "outputs match the reference on every case",
            search=(depth, n_x) if dims is None else None,
        )

    return Check(function, "values", run)


def shapes_check(
    function: str,
    factory: TrialFactory,
    depth: int | None = 3,
    n_x: int | None = None,
    dims: Sequence[int] | None = None,
) -> Check:
    """The "shapes" check: every output has the shape of the dimension rules (no rank-1 arrays)."""

    def judge(trial: Trial, result: Any, case: Case) -> Finding | None:
        actual = trial.outputs(result)
        for key, exp in trial.expected.items():
            if key not in actual:
                return _finding(function, "shapes", "fail", f"{key} is missing from the result")
            es, as_ = _shape(exp), _shape(actual[key])
            if np.ndim(exp) == 0:
                if np.size(actual[key]) != 1:
                    return _finding(
                        function,
                        "shapes",
                        "fail",
                        f"{key} should be a single number but has shape {as_}",
                        expected="()",
                        actual=str(as_),
                    )
                continue
            if es != as_:
                rule = trial.rules.get(key, "")
                d = _diagnose(trial, actual, compare(trial.expected, actual))
                if len(as_) == 1:
                    what = "a rank-1 array (lost a dimension)"
                elif as_ == es[::-1] and (d is None or d.mistake == Mistake.TRANSPOSED_PRODUCT):
                    # (1, n) for (n, 1) is also a sum over the wrong axis: the diagnosis decides
                    what = "the transpose of what the rule needs"
                else:
                    what = "the wrong shape"
                rule_txt = f" by the rule {rule}" if rule else ""
                return _finding(
                    function,
                    "shapes",
                    "fail",
                    f"{key} has shape {as_}: {what}; expected {es}{rule_txt}",
                    diagnosis=d.message if d else None,
                    mistake=d.mistake if d else None,
                    expected=str(es),
                    actual=str(as_),
                    formula=rule or None,
                )
        return None

    def run(ctx: Context) -> Finding:
        return _run_cases(
            ctx,
            function,
            "shapes",
            factory,
            ctx.cases(depth, n_x, dims),
            judge,
            "every output has the shape of the dimension rules",
        )

    return Check(function, "shapes", run)


def mutation_check(
    function: str,
    factory: TrialFactory,
    depth: int | None = 3,
    n_x: int | None = None,
    dims: Sequence[int] | None = None,
) -> Check:
    """The "mutation" check: the function leaves its inputs unchanged (the rule is
    :func:`nncheck.properties.check_no_mutation_call`; ``trial.mutable`` inputs may change)."""

    def run(ctx: Context) -> Finding:
        case = ctx.cases(depth, n_x, dims)[0]
        trial = factory(ctx, case)
        raised: list[Exception] = []

        def call(**_: Any) -> None:  # the arguments are bound in the trial already
            try:
                trial.invoke()
            except Exception as exc:  # the engine reports the person's exception itself
                raised.append(exc)
                raise

        result = check_no_mutation_call(call, kwargs=trial.args, ignore=tuple(trial.mutable))
        if raised:
            raise raised[0]
        if result.status != "fail":
            return _finding(function, "mutation", "pass", "inputs are left unchanged")
        where = str(result.details["argument"])
        name = where.split("[", 1)[0]
        return _finding(
            function,
            "mutation",
            "fail",
            f"{function} changes its input {where} in place",
            diagnosis=(
                f"input mutation: {name} is modified in place (for example "
                "dZ = dA; dZ[Z <= 0] = 0, or W -= ... on the caller's array); "
                "work on a copy: np.array(dA, copy=True) or dA.copy()"
            ),
            mistake=Mistake.INPUT_MUTATION,
            expected="unchanged",
            actual="modified",
            example=case.example(),
        )

    return Check(function, "mutation", run)
