"""Bug fingerprints: replay known mistakes of the reference and name the one that reproduces
a person's numbers.

Each ``*_mutants`` function takes the inputs a person's function received and returns
``(Diagnosis, thunk)`` pairs; the thunk computes what the reference would return *with that mistake*
(only the outputs the mistake changes), by injecting the fault into the reference's own passes.
:func:`match_mistake` picks the mutant that reproduces every output of the person's function (the
catalogue's priority decides between two that both do); :func:`explain` is the fallback for one
array (a constant factor such as m or −1, a transpose, a lost dimension).

Every mistake has an id (:class:`Mistake`) and an entry in :data:`CATALOGUE`
(:mod:`nncheck.diagnose.catalogue`): its summary, the formula it breaks, its priority; the docs'
list of diagnoses (docs/readme/diagnoses.md) is generated from it.

Layout: ``catalogue`` (ids, formulas, factors), ``_match`` (matching and :func:`explain`),
``_faulty`` (the reference with fault hooks), ``_layer`` (one layer's mistakes), ``_network``
(a whole network's, the cost's, the update's, logistic regression's, initialisation),
``_checker`` (course 2's gradient checker).
"""

from __future__ import annotations

from nncheck.diagnose._checker import CHECKER_FORMULA, checker_mutants
from nncheck.diagnose._layer import (
    activation_backward_mutants,
    activation_forward_mutants,
    linear_activation_backward_mutants,
    linear_activation_forward_mutants,
    linear_backward_mutants,
    linear_forward_mutants,
)
from nncheck.diagnose._match import Diagnosis, Mutant, explain, match_mistake, squeezed
from nncheck.diagnose._network import (
    LOG_EPSILONS,
    cost_mutants,
    init_diagnosis,
    logistic_propagate_mutants,
    model_backward_mutants,
    model_forward_mutants,
    model_forward_skip_mutants,
    update_mutants,
)
from nncheck.diagnose.catalogue import CATALOGUE, FORMULAS, SPEC_FORMULAS, Mistake, formula

__all__ = [
    "CATALOGUE",
    "CHECKER_FORMULA",
    "FORMULAS",
    "LOG_EPSILONS",
    "SPEC_FORMULAS",
    "Diagnosis",
    "Mistake",
    "Mutant",
    "activation_backward_mutants",
    "activation_forward_mutants",
    "checker_mutants",
    "cost_mutants",
    "explain",
    "formula",
    "init_diagnosis",
    "linear_activation_backward_mutants",
    "linear_activation_forward_mutants",
    "linear_backward_mutants",
    "linear_forward_mutants",
    "logistic_propagate_mutants",
    "match_mistake",
    "model_backward_mutants",
    "model_forward_mutants",
    "model_forward_skip_mutants",
    "squeezed",
    "update_mutants",
]
