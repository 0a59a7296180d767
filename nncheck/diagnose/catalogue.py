"""The catalogue of mistakes: one entry per mistake nncheck can name, in one place.

Every finding's ``mistake`` field (JSON) is a :class:`Mistake` value; :data:`CATALOGUE` gives each
one its plain-words summary, the formula of the notes it breaks, a priority, and where its fault is
injected into the reference (the mutant builders of :mod:`nncheck.diagnose`). When two replayed
mistakes reproduce a person's numbers equally well, the one with the lower priority number wins
(:func:`priority`), so the diagnosis does not depend on the order mutants are listed in.

Constant factors are named in one place too: :func:`factor_mistake` classifies a ratio (yours ÷
right) as m, 1/m, −m, −1, m², 1/m² or 2, with the tolerance of the caller — :data:`REPLAY_RTOL`
for an exact replay (diagnose), :data:`GRADCHECK_RTOL` for a ratio against finite differences
(gradcheck's hints), which carry truncation and rounding noise.

The docs' list (docs/readme/diagnoses.md) is generated from this module::

    python -m nncheck.diagnose > docs/readme/diagnoses.md

and a test checks that the file is current.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "CATALOGUE",
    "FORMULAS",
    "GRADCHECK_RTOL",
    "REPLAY_RTOL",
    "SPEC_FORMULAS",
    "Entry",
    "Mistake",
    "factor_mistake",
    "formula",
    "priority",
    "render_markdown",
]


class Mistake(str, Enum):
    """The stable id of a mistake, as it appears in JSON (``finding["mistake"]``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    # factors and signs
    MISSING_1_OVER_M = "missing_1_over_m"
    EXTRA_1_OVER_M = "extra_1_over_m"
    WRONG_M = "wrong_m"
    SIGN_FLIP = "sign_flip"
    SCALED = "scaled"
    # shapes and axes
    TRANSPOSED_PRODUCT = "transposed_product"
    WRONG_SUM_AXIS = "wrong_sum_axis"
    LOST_KEEPDIMS = "lost_keepdims"
    SQUEEZED = "squeezed"
    WRONG_SHAPE = "wrong_shape"
    NOT_A_SCALAR = "not_a_scalar"
    WRONG_RETURN = "wrong_return"
    EXTRA_PARAMETERS = "extra_parameters"
    WRONG_COST_RECORD = "wrong_cost_record"
    INTERNAL_ERROR = "internal_error"
    SHAPE_MISMATCH = "shape_mismatch"
    # activations
    WRONG_ACTIVATION = "wrong_activation"
    MISSING_ACTIVATION = "missing_activation"
    WRONG_ACTIVATION_DERIVATIVE = "wrong_activation_derivative"
    DERIVATIVE_AT_A = "derivative_at_A"
    MISSING_ACTIVATION_DERIVATIVE = "missing_activation_derivative"
    WRONG_RELU_MASK = "wrong_relu_mask"
    # layers and the network
    MISSING_BIAS = "missing_bias"
    LAYER_SKIPPED = "layer_skipped"
    MISSING_CACHE = "missing_cache"
    WRONG_CACHE = "wrong_cache"
    WRONG_DAL = "wrong_dAL"
    DAL_REUSED = "dAL_reused"
    SIGMOID_EVERY_LAYER = "sigmoid_every_layer"
    # cost
    MISSING_TERM = "missing_term"
    WRONG_TERM = "wrong_term"
    OUTER_PRODUCT = "outer_product"
    LOG_EPSILON = "log_epsilon"
    # update and prediction
    UPDATE_WRONG_SIGN = "update_wrong_sign"
    MISSING_LEARNING_RATE = "missing_learning_rate"
    NO_THRESHOLD = "no_threshold"
    WRONG_THRESHOLD = "wrong_threshold"
    # initialisation
    ZERO_INIT = "zero_init"
    IDENTICAL_ROWS = "identical_rows"
    WRONG_INIT_SCALE = "wrong_init_scale"
    # course 2's gradient checker
    GRADAPPROX_FACTOR_2 = "gradapprox_factor_2"
    CHECKER_FALSE_ALARM = "checker_false_alarm"
    CHECKER_INSENSITIVE = "checker_insensitive"
    DIFFERENCE_FORMULA = "difference_formula"
    CHECKER_PERTURBS_X = "checker_perturbs_X"
    CHECKER_SWAPPED_J = "checker_swapped_J"
    CHECKER_SAME_J = "checker_same_J"
    # how the person's functions fit together
    CALLEE_FAILS = "callee_fails"
    MISSING = "missing"
    DA0_MISSING = "dA0_missing"
    DA_KEYS_SHIFTED = "dA_keys_shifted"
    # training functions (optimize, nn_model, L_layer_model, …)
    WRONG_ARGUMENT_ORDER = "wrong_argument_order"
    HYPERPARAMETER_NOT_PASSED = "hyperparameter_not_passed"
    N_H_OVERRIDDEN = "n_h_overridden"
    LEARNING_RATE_HARD_CODED = "learning_rate_hard_coded"
    HARD_CODED = "hard_coded"
    MISSPELT_KEYWORD = "misspelt_keyword"
    HYPERPARAMETER_IGNORED = "hyperparameter_ignored"
    NUM_ITERATIONS_IGNORED = "num_iterations_ignored"
    HELPER_ARITY = "helper_arity"
    GLOBAL_INSTEAD_OF_ARGUMENT = "global_instead_of_argument"
    REINITIALISED_IN_LOOP = "reinitialised_in_loop"
    INITIALIZATION_IGNORED = "initialization_ignored"
    ONE_ITERATION_SHORT = "one_iteration_short"
    WRONG_ITERATION_COUNT = "wrong_iteration_count"
    UPDATES_DROPPED = "updates_dropped"
    WRONG_COSTS = "wrong_costs"
    # the person's function misbehaves
    INPUT_MUTATION = "input_mutation"
    EXCEPTION = "exception"
    TIMEOUT = "timeout"
    EXIT = "exit"
    CRASH = "crash"
    MEMORY = "memory"


SPEC_FORMULAS: dict[str, str] = {
    "linear_forward": "Z[l] = W[l]·A[l−1] + b[l]",
    "linear_backward": (
        "dW[l] = (1/m) dZ[l]·A[l−1]ᵀ; db[l] = (1/m) Σ_columns dZ[l]; dA[l−1] = W[l]ᵀ·dZ[l]"
    ),
    "activation_backward": "dZ[l] = dA[l] ∗ g′(Z[l])",
    "sigmoid": "σ(z) = 1/(1+e^(−z))",
    "relu": "ReLU(z) = max(0, z)",
    "tanh": "tanh(z) = (e^z − e^(−z))/(e^z + e^(−z))",
    "sigmoid.derivative": "σ′(z) = σ(z)(1 − σ(z))",
    "relu.derivative": "ReLU′(z) = 1 if z > 0 else 0 (0 at the kink z = 0, by convention)",
    "tanh.derivative": "tanh′(z) = 1 − tanh(z)²",
    "cost": "J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾)",
    "cross_entropy_loss": "L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ))",
    "gradient_descent_update": "θ := θ − α·dJ/dθ",
    "initialization": (
        "W[l] = randn(n[l], n[l−1])·0.01 (or ·√(2/n[l−1]), He), never two equal rows; "
        "b[l] = zeros((n[l], 1)) is fine"
    ),
    "logistic_regression": "ŷ = σ(wᵀx + b); dw = (1/m) X·(A − Y)ᵀ, db = (1/m) Σᵢ (a⁽ⁱ⁾ − y⁽ⁱ⁾)",
    "deep_network": (
        "[LINEAR → g]×(L−1) → LINEAR → SIGMOID; dZ[L] = A[L] − Y, then for l = L…1: dW[l], "
        "db[l], dA[l−1] by linear_backward and dZ[l−1] = dA[l−1] ∗ g′(Z[l−1])"
    ),
}
"""The plain-text ``formula`` (``name.derivative``: ``derivative_formula``) of the specs in
``nncheck.specs`` that messages quote, copied here so that diagnosing never imports SymPy (a test
checks the copies against the specs)."""

_OPERATION_SPECS: dict[str, tuple[str, ...]] = {
    "linear_forward": ("linear_forward",),
    "linear_backward": ("linear_backward",),
    "activation_backward": ("activation_backward",),
    "sigmoid": ("sigmoid", "sigmoid.derivative"),
    "relu": ("relu", "relu.derivative"),
    "tanh": ("activation_backward", "tanh.derivative"),
    "cost": ("cost", "cross_entropy_loss"),
    "update": ("gradient_descent_update",),
    "init": ("initialization",),
    "logistic": ("logistic_regression",),
    "model_forward": ("deep_network",),
}

FORMULAS: dict[str, str] = {
    op: "; ".join(SPEC_FORMULAS[name] for name in names) for op, names in _OPERATION_SPECS.items()
}
"""Formulas quoted in messages, keyed by operation, composed from :data:`SPEC_FORMULAS`."""


def formula(name: str) -> str | None:
    """The plain-text formula of operation ``name`` (never imports sympy)."""
    return FORMULAS.get(name)


@dataclass(frozen=True)
class Entry:
    """One mistake of the catalogue.

    Attributes:
        mistake: its id.
        summary: what the mistake is, in plain words (the docs' line; findings carry a message
            specific to the function, the layer and the factor).
        operation: the key of :data:`FORMULAS` whose formula it breaks, or None.
        priority: lower wins when two replayed mistakes reproduce the same numbers.
        found_by: how nncheck finds it besides a replay (a check, a ratio), for the docs.
        injected_in: the reference steps a mutant replays it in (the ``<step>_mutants``
            builders of :mod:`nncheck.diagnose`; a test checks this list against them).
    """

    mistake: Mistake
    summary: str
    operation: str | None
    priority: int
    found_by: str
    injected_in: tuple[str, ...] = ()

    @property
    def formula(self) -> str | None:
        """The formula of the notes the mistake breaks."""
        return FORMULAS.get(self.operation) if self.operation else None


_M = Mistake
_ENTRIES: tuple[Entry, ...] = (
    # The priorities rank the more common, simpler explanation first: a whole-array slip (a
    # missing 1/m, a sign) before a structural one (a transpose, a wrong axis) before a mistake
    # of the activation's derivative, which only some inputs tell apart.
    Entry(
        _M.MISSING_1_OVER_M,
        "the 1/m of the mean is missing: m times too large (dW, db, the cost)",
        "linear_backward",
        10,
        "a ratio of m in gradcheck",
        injected_in=(
            "cost",
            "linear_activation_backward",
            "linear_backward",
            "logistic_propagate",
            "model_backward",
        ),
    ),
    Entry(
        _M.EXTRA_1_OVER_M,
        "an extra 1/m: divided by m twice, or dA[l−1] divided by m",
        "linear_backward",
        11,
        "a ratio of 1/m in gradcheck",
        injected_in=("linear_activation_backward", "linear_backward", "model_backward"),
    ),
    Entry(
        _M.SIGN_FLIP,
        "the wrong sign: Y − A for A − Y, a subtracted bias, a missing leading "
        "minus of the cost, σ(−z), inverted labels",
        None,
        12,
        "a ratio of −1 or −m in gradcheck",
        injected_in=(
            "activation_backward",
            "activation_forward",
            "cost",
            "linear_activation_backward",
            "linear_backward",
            "linear_forward",
            "logistic_propagate",
            "model_backward",
        ),
    ),
    Entry(
        _M.MISSING_BIAS,
        "the bias b is not added (Z = W·A_prev), in one layer or all",
        "linear_forward",
        13,
        "",
        injected_in=(
            "linear_activation_forward",
            "linear_forward",
            "logistic_propagate",
            "model_forward",
        ),
    ),
    Entry(
        _M.MISSING_TERM,
        "a term of the cross-entropy is missing (y·log a or (1 − y)·log(1 − a))",
        "cost",
        14,
        "",
        injected_in=("cost", "logistic_propagate"),
    ),
    Entry(
        _M.UPDATE_WRONG_SIGN,
        "the update moves along the gradient, θ + α·dθ, increasing the cost",
        "update",
        15,
        "the update check of properties",
        injected_in=("update",),
    ),
    Entry(
        _M.MISSING_LEARNING_RATE,
        "the update ignores the learning rate: θ − dθ",
        "update",
        16,
        "",
        injected_in=("update",),
    ),
    Entry(
        _M.WRONG_M,
        "divides by n[l−1] = A_prev.shape[0] (the rows) instead of m = "
        "A_prev.shape[1] (the examples)",
        "linear_backward",
        20,
        "",
        injected_in=(
            "linear_activation_backward",
            "linear_backward",
            "logistic_propagate",
            "model_backward",
        ),
    ),
    Entry(
        _M.TRANSPOSED_PRODUCT,
        "a product with its factors transposed or swapped (A_prev·dZᵀ for "
        "dZ·A_prevᵀ, W for Wᵀ), or a transposed array",
        "linear_backward",
        21,
        "a transposed shape",
        injected_in=(
            "linear_activation_backward",
            "linear_backward",
            "linear_forward",
            "logistic_propagate",
            "model_backward",
        ),
    ),
    Entry(
        _M.WRONG_SUM_AXIS,
        "db sums over the wrong axis (the units, or everything) instead of axis=1, the examples",
        "linear_backward",
        22,
        "",
        injected_in=("linear_activation_backward", "linear_backward", "model_backward"),
    ),
    Entry(
        _M.LOST_KEEPDIMS,
        "a sum or squeeze lost a dimension: a rank-1 array where the notes keep (n, 1)",
        "linear_backward",
        23,
        "a lost dimension",
        injected_in=("linear_activation_backward", "linear_backward", "model_backward"),
    ),
    Entry(
        _M.OUTER_PRODUCT,
        "np.dot(Y.T, np.log(AL)) is an (m, m) outer product, not one sum over the examples",
        "cost",
        24,
        "",
        injected_in=("cost",),
    ),
    Entry(
        _M.WRONG_TERM,
        "the second cross-entropy term uses log(a) instead of log(1 − a)",
        "cost",
        25,
        "",
        injected_in=("cost",),
    ),
    Entry(
        _M.WRONG_DAL,
        "dAL has the wrong sign on its second term: −(Y/AL + (1−Y)/(1−AL))",
        "cost",
        26,
        "",
        injected_in=("model_backward",),
    ),
    Entry(
        _M.LAYER_SKIPPED,
        "a layer (or the biases) skipped by a loop: forward, backward, update or initialisation",
        "model_forward",
        27,
        "a missing key",
        injected_in=("model_forward_skip", "update"),
    ),
    Entry(
        _M.WRONG_ACTIVATION,
        "the wrong activation on a layer (relu for sigmoid, leaky ReLU for ReLU, …)",
        "model_forward",
        30,
        "",
        injected_in=("activation_forward", "linear_activation_forward", "model_forward"),
    ),
    Entry(
        _M.MISSING_ACTIVATION,
        "the activation is not applied: A = Z",
        "model_forward",
        31,
        "",
        injected_in=("linear_activation_forward",),
    ),
    Entry(
        _M.MISSING_ACTIVATION_DERIVATIVE,
        "dZ = dA: the derivative g′(Z) is missing",
        "activation_backward",
        32,
        "",
        injected_in=("activation_backward", "linear_activation_backward", "model_backward"),
    ),
    Entry(
        _M.DERIVATIVE_AT_A,
        "the derivative is evaluated at A = g(Z) instead of at Z",
        "activation_backward",
        33,
        "",
        injected_in=("activation_backward", "linear_activation_backward", "model_backward"),
    ),
    Entry(
        _M.WRONG_ACTIVATION_DERIVATIVE,
        "a wrong derivative: 1 − a for tanh's 1 − a², s for "
        "σ's s(1 − s), another activation's derivative, the cache Z taken for s",
        "activation_backward",
        34,
        "",
        injected_in=("activation_backward", "linear_activation_backward", "model_backward"),
    ),
    Entry(
        _M.WRONG_RELU_MASK,
        "the ReLU mask is taken where dA ≤ 0 instead of where Z ≤ 0",
        "relu",
        35,
        "",
        injected_in=("activation_backward", "linear_activation_backward", "model_backward"),
    ),
    Entry(
        _M.LOG_EPSILON,
        "the cost adds a small ε inside the logs (np.log(AL + 1e-8)): off by a little",
        "cost",
        17,
        "",
        injected_in=("cost",),
    ),
    Entry(
        _M.SQUEEZED,
        "np.squeeze removes the dimension keepdims=True kept: a rank-1 result",
        "linear_backward",
        19,
        "a function that calls np.squeeze",
    ),
    Entry(
        _M.SIGMOID_EVERY_LAYER,
        "sigmoid_backward applied to every layer, the hidden ones included",
        "activation_backward",
        29,
        "",
        injected_in=("model_backward",),
    ),
    Entry(
        _M.DAL_REUSED,
        "dAL is passed to every layer instead of the dA_prev the layer above returned",
        "linear_backward",
        36,
        "",
        injected_in=("model_backward",),
    ),
    Entry(
        _M.SCALED,
        "a constant factor other than m, 1/m or −1 (never said of one number)",
        None,
        90,
        "a constant ratio between yours and the right array",
    ),
    Entry(_M.WRONG_SHAPE, "a result of the wrong shape", None, 91, "the shape checks"),
    Entry(
        _M.SHAPE_MISMATCH,
        "a matrix product of mismatched shapes raised an error",
        None,
        92,
        "the person's exception",
    ),
    Entry(
        _M.MISSING_CACHE,
        "the forward pass does not return the caches backward needs",
        "model_forward",
        93,
        "the week-4 cache check",
    ),
    Entry(
        _M.NO_THRESHOLD,
        "predict returns probabilities, not 0/1 labels",
        None,
        94,
        "the predict check",
    ),
    Entry(
        _M.WRONG_THRESHOLD,
        "predict thresholds at a value other than 0.5",
        None,
        95,
        "the predict check",
    ),
    Entry(
        _M.ZERO_INIT,
        "W[l] is all zeros: symmetry is never broken",
        "init",
        96,
        "the initialisation check",
    ),
    Entry(
        _M.IDENTICAL_ROWS,
        "W[l] has identical rows: those units stay identical",
        "init",
        97,
        "the initialisation check",
    ),
    Entry(
        _M.WRONG_INIT_SCALE,
        "the initialisation scale is not the one asked for (He: √(2/n[l−1]))",
        "init",
        98,
        "the initialisation check",
    ),
    Entry(
        _M.CHECKER_PERTURBS_X,
        "course 2's checker perturbs the data X as well as (or instead of) θ",
        None,
        100,
        "the course-2 checker checks",
        injected_in=("checker",),
    ),
    Entry(
        _M.CHECKER_SWAPPED_J,
        "course 2's checker swaps J_plus and J_minus: gradapprox = −gradient",
        None,
        101,
        "the course-2 checker checks",
        injected_in=("checker",),
    ),
    Entry(
        _M.CHECKER_SAME_J,
        "course 2's checker evaluates J at the same θ for θ + ε and θ − ε: gradapprox = 0",
        None,
        102,
        "the course-2 checker checks",
        injected_in=("checker",),
    ),
    Entry(
        _M.GRADAPPROX_FACTOR_2,
        "course 2's gradapprox is off by 2 (divided by ε, or θ⁺ not a fresh copy)",
        None,
        103,
        "the course-2 checker checks",
        injected_in=("checker",),
    ),
    Entry(
        _M.CHECKER_FALSE_ALARM,
        "course 2's checker flags a correct gradient (e.g. its loop skips a parameter)",
        None,
        104,
        "the course-2 checker checks",
        injected_in=("checker",),
    ),
    Entry(
        _M.CHECKER_INSENSITIVE,
        "course 2's checker passes a wrong gradient",
        None,
        105,
        "the course-2 checker checks",
    ),
    Entry(
        _M.DIFFERENCE_FORMULA,
        "course 2's difference is not ‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂)",
        None,
        106,
        "the course-2 checker checks",
    ),
    Entry(
        _M.INPUT_MUTATION,
        "the function changes its inputs in place",
        None,
        110,
        "the mutation check",
    ),
    Entry(_M.EXCEPTION, "the function raised an exception", None, 111, "any check"),
    Entry(_M.TIMEOUT, "the function did not return in time", None, 112, "the runner"),
    Entry(_M.EXIT, "the function ended the program (sys.exit)", None, 113, "the runner"),
    Entry(_M.CRASH, "the function killed the process", None, 114, "the runner"),
    Entry(_M.MEMORY, "the function ran out of memory", None, 115, "the runner"),
    Entry(
        _M.CALLEE_FAILS,
        "the function is right but fails through another of the person's functions it calls",
        None,
        120,
        "the conformance engine",
    ),
    Entry(
        _M.MISSING,
        "a course function the file does not define",
        None,
        121,
        "the conformance engine",
    ),
    Entry(
        _M.DA0_MISSING,
        "L_model_backward stores no dA0 (the last step of the loop)",
        None,
        122,
        "the conformance engine",
    ),
    Entry(
        _M.DA_KEYS_SHIFTED,
        "the dA keys of L_model_backward are shifted by one layer",
        None,
        123,
        "the conformance engine",
    ),
    Entry(
        _M.WRONG_ARGUMENT_ORDER,
        "a training function passes hyperparameters to a helper in the wrong positional order",
        None,
        130,
        "the training checks",
    ),
    Entry(
        _M.HYPERPARAMETER_NOT_PASSED,
        "a training function does not pass a hyperparameter on: the helper uses its default",
        None,
        131,
        "the training checks",
    ),
    Entry(
        _M.N_H_OVERRIDDEN,
        "the hidden width n_h given to the model is overridden",
        None,
        132,
        "the training checks",
    ),
    Entry(
        _M.LEARNING_RATE_HARD_CODED,
        "the learning rate is hard-coded instead of the one given",
        None,
        133,
        "the training checks",
    ),
    Entry(
        _M.HARD_CODED,
        "a hyperparameter is hard-coded instead of the one given",
        None,
        134,
        "the training checks",
    ),
    Entry(
        _M.MISSPELT_KEYWORD,
        "a hyperparameter keyword is misspelt, so the default is used",
        None,
        135,
        "the training checks",
    ),
    Entry(
        _M.HYPERPARAMETER_IGNORED,
        "a hyperparameter the training function takes is ignored",
        None,
        136,
        "the training checks",
    ),
    Entry(
        _M.NUM_ITERATIONS_IGNORED,
        "the training loop ignores num_iterations",
        None,
        137,
        "the training checks",
    ),
    Entry(
        _M.HELPER_ARITY,
        "a training function calls a helper with the wrong number of arguments",
        None,
        138,
        "the training checks",
    ),
    Entry(
        _M.GLOBAL_INSTEAD_OF_ARGUMENT,
        "a training function reads a global instead of its argument",
        None,
        139,
        "the training checks",
    ),
    Entry(
        _M.REINITIALISED_IN_LOOP,
        "the parameters are re-initialised inside the training loop",
        None,
        140,
        "the training checks",
    ),
    Entry(
        _M.INITIALIZATION_IGNORED,
        "the training function ignores the initialisation asked for",
        None,
        141,
        "the training checks",
    ),
    Entry(
        _M.ONE_ITERATION_SHORT,
        "the training loop runs one iteration short",
        None,
        142,
        "the training checks",
    ),
    Entry(
        _M.WRONG_ITERATION_COUNT,
        "the training loop runs the wrong number of iterations",
        None,
        143,
        "the training checks",
    ),
    Entry(
        _M.UPDATES_DROPPED,
        "the updated parameters are dropped: they never change, or every iteration starts again "
        "from (or computes its gradients at) the initial ones",
        None,
        144,
        "the training checks",
    ),
    Entry(
        _M.WRONG_COSTS,
        "the costs a training function records are not the costs of its iterations",
        None,
        145,
        "the training checks",
    ),
    Entry(
        _M.WRONG_CACHE,
        "a cache holds other values than the course prescribes (activation cache = Z; linear "
        "cache = (A_prev, W, b))",
        "model_forward",
        146,
        "the cache checks",
    ),
    Entry(
        _M.NOT_A_SCALAR,
        "the cost is not one number (a (1, 1) array, a list or a string under the course's rules)",
        "cost",
        147,
        "the scalar-cost check",
    ),
    Entry(
        _M.WRONG_RETURN,
        "a function returns another kind of value than the course's (a number where a dict is "
        "due, an array where sizes are ints)",
        None,
        148,
        "the return-type checks",
    ),
    Entry(
        _M.EXTRA_PARAMETERS,
        "the initialisation returns extra parameters (W0, b0 from range(0, L))",
        "init",
        149,
        "the initialisation shape check",
    ),
    Entry(
        _M.WRONG_COST_RECORD,
        "optimize records its costs at other iterations than every 100th",
        None,
        150,
        "week 2's optimize check",
    ),
    Entry(
        _M.INTERNAL_ERROR,
        "nncheck itself failed on this check: a bug in nncheck, to be reported (never a pass)",
        None,
        151,
        "the check runner",
    ),
)

CATALOGUE: dict[Mistake, Entry] = {entry.mistake: entry for entry in _ENTRIES}
"""Every mistake nncheck names, by id."""


def priority(mistake: Mistake) -> int:
    """The rank of ``mistake`` when two replayed mistakes both match (lower wins)."""
    return CATALOGUE[mistake].priority


REPLAY_RTOL = 1e-6
"""Relative tolerance of a factor in an exact replay: both arrays come from the same inputs."""

GRADCHECK_RTOL = 1e-3
"""Relative tolerance of a factor against finite differences, whose own error is about 1e-6
relative at the chosen step: 1e-3 keeps a true m from being missed and 2 from being taken for m."""

Factor = str
"""Which known factor a ratio is: ``"m"``, ``"1/m"``, ``"m²"``, ``"1/m²"``, ``"−m"``, ``"−1"``,
``"2"`` or ``"1/2"``."""


def factor_mistake(ratio: float, m: int, rtol: float) -> tuple[Factor, Mistake] | None:
    """The known factor ``ratio`` (yours ÷ right) is within ``rtol``, with the mistake it shows.

    m² and 1/m² are a missing or extra 1/m carried back through dA; 2 and 1/2 are
    :data:`Mistake.SCALED`. None when the ratio is none of these (1 is no mistake).
    """

    def near(target: float) -> bool:
        return abs(ratio - target) <= rtol * abs(target)

    if m > 1:
        for target, name, mistake in (
            (m, "m", _M.MISSING_1_OVER_M),
            (1.0 / m, "1/m", _M.EXTRA_1_OVER_M),
            (m * m, "m²", _M.MISSING_1_OVER_M),
            (1.0 / (m * m), "1/m²", _M.EXTRA_1_OVER_M),
            (-m, "−m", _M.SIGN_FLIP),
        ):
            if near(target):
                return name, mistake
    if near(-1.0):
        return "−1", _M.SIGN_FLIP
    if near(2.0):
        return "2", _M.SCALED
    if near(0.5):
        return "1/2", _M.SCALED
    return None


def render_markdown() -> str:
    """The docs' list of diagnoses (docs/readme/diagnoses.md), generated from :data:`CATALOGUE`."""
    lines = [
        "# Diagnoses",
        "",
        "<!-- generated by `python -m nncheck.diagnose > docs/readme/diagnoses.md`;",
        "     tests/test_diagnose_catalogue.py checks that this file is current -->",
        "",
        "Every mistake nncheck names, by the id a finding's `mistake` field carries (JSON).",
        "When two replayed mistakes reproduce your numbers equally well, the lower priority",
        "number wins.",
        "",
        "| id | mistake | formula it breaks | replayed in | also found by | priority |",
        "|---|---|---|---|---|---|",
    ]
    for e in sorted(_ENTRIES, key=lambda e: e.priority):
        replayed = ", ".join(f"`{step}`" for step in e.injected_in)
        cells = (
            f"`{e.mistake.value}`",
            e.summary,
            e.formula or "",
            replayed,
            e.found_by,
            str(e.priority),
        )
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
