"""Property checks: small, independent checks that take a function (or its outputs) and return data.

Every check returns a :class:`PropertyResult` — it never asserts and never raises because of a bug
in the checked function: a crash of that function becomes a ``"fail"`` result carrying the
exception. Asserting is a separate, thin step (``assert result.ok, result.message``).
Importing this module imports numpy and ``nncheck.reference`` only (not hypothesis).

Results
-------
``PropertyResult(check, status, message, details)``; ``status`` is ``"pass"``, ``"fail"``,
``"warn"`` or ``"skip"``; ``.ok`` is ``status != "fail"``; ``details`` is JSON-able
(``to_dict()`` gives the whole result as a JSON-able dict). :func:`assert_ok` is the thin
asserting step for a test: it raises with the messages of the failing results.

Checks (``check`` name → function)
----------------------------------
- ``"shapes"``  :func:`check_output_shapes(outputs, expected, rules=None)` — every named output
  has the shape the dimension rules give; rank-1 arrays and transposes get the notes' fix.
- ``"rank1"``   :func:`check_no_rank1(arrays)` — no array of shape ``(n,)``.
- ``"scalar_cost"`` :func:`check_scalar_cost(value)` — a finite scalar (float, numpy scalar or
  0-d array), ≥ 0 for cross-entropy; a ``(1, 1)`` array fails with the ``np.squeeze`` tip.
- ``"mutation"`` :func:`check_no_mutation(fn, *args, **kwargs)` — copies every array (also inside
  dicts, lists, tuples and dataclasses) before the call and names the argument, key and index
  that changed (:func:`check_no_mutation_call` takes ``ignore=("parameters",)``).
- ``"determinism"`` :func:`check_deterministic(fn, *args, **kwargs)` — two calls on identical
  copies return identical outputs.
- ``"dtype"``   :func:`check_dtype_preserved(fn, *args, **kwargs)` — float inputs give float
  outputs of at least the input precision.
- ``"stability"`` :func:`check_stability(fn, *args, expected=None, **kwargs)` — run at extreme
  inputs (e.g. :data:`EXTREME_Z`): overflow warnings, non-finite outputs and small rounding
  losses are ``"warn"`` (never a failure of correct code); values more than 1 % off
  ``expected`` where both are finite are ``"fail"``.
- ``"symmetry_breaking"`` :func:`check_symmetry_breaking(params)` — no two hidden units are
  interchangeable (equal rows of W[l], equal entries of b[l] and equal columns of W[l+1]);
  zero b is allowed, a one-row W (an output unit, logistic regression) may be zero; given
  ``X, Y`` a failure is explained by training on the reference.
  :func:`symmetric_units(params)` lists the interchangeable pairs.
- ``"symmetry_under_training"`` :func:`check_symmetry_under_training(params, X, Y)` — trains
  with the reference and shows that interchangeable units stay equal (the notes' argument).
- ``"init_scale"`` :func:`check_init_scale(params, activation)` — warns when the weights feeding
  a sigmoid/tanh layer are large (saturation, slow learning).
- ``"update_direction"`` :func:`check_update_direction(update_fn, params, grads, cost_fn)` —
  ``update_fn(params, grads, learning_rate)`` returns θ − α·dθ and the cost decreases for a
  small α.
"""

from nncheck._compare import Change, compare_values
from nncheck._findings import Status
from nncheck.properties._calls import (
    EXTREME_Z,
    check_deterministic,
    check_dtype_preserved,
    check_no_mutation,
    check_no_mutation_call,
    check_stability,
)
from nncheck.properties._result import PropertyResult, assert_ok
from nncheck.properties._shapes import check_no_rank1, check_output_shapes, check_scalar_cost
from nncheck.properties._training import (
    check_init_scale,
    check_symmetry_breaking,
    check_symmetry_under_training,
    check_update_direction,
)
from nncheck.reference.initialization import symmetric_units

__all__ = [
    "EXTREME_Z",
    "Change",
    "PropertyResult",
    "Status",
    "assert_ok",
    "check_deterministic",
    "check_dtype_preserved",
    "check_init_scale",
    "check_no_mutation",
    "check_no_mutation_call",
    "check_no_rank1",
    "check_output_shapes",
    "check_scalar_cost",
    "check_stability",
    "check_symmetry_breaking",
    "check_symmetry_under_training",
    "check_update_direction",
    "compare_values",
    "symmetric_units",
]
