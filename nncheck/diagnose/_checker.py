"""Mistakes of course 2's gradient checker, replayed as the differences it would report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nncheck.diagnose._faulty import Array
from nncheck.diagnose._match import Diagnosis, Mutant
from nncheck.diagnose.catalogue import Mistake

__all__ = ["CHECKER_FORMULA", "checker_mutants"]

CHECKER_FORMULA = (
    "gradapprox[i] = (J(θ + ε·eᵢ) − J(θ − ε·eᵢ)) / (2ε); "
    "difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)"
)
"""The formula of the course's gradient check (quoted by a checker's diagnoses)."""


def _difference(grad: Array, approx: Array) -> float:
    den = float(np.linalg.norm(grad) + np.linalg.norm(approx))
    return float(np.linalg.norm(grad - approx)) / den if den else 0.0


def checker_mutants(
    right: Array, probes: Mapping[str, Array], offset: float, key: str = "difference"
) -> list[Mutant]:
    """Mistakes of a gradient checker, as the differences it reports for each probe.

    ``right`` is the true gradient as one vector (what a right gradapprox is, to ~1e-7);
    ``probes`` maps a name to the gradient vector handed to the checker (``"right"`` among them);
    ``offset`` is the change of J per unit change of every entry of X at once, Σ dJ/dX (what
    perturbing the data adds to every entry of gradapprox). Outputs are keyed
    ``"{key}[{probe}]"``.
    """
    g = np.asarray(right, dtype=np.float64).reshape(-1)
    P = {name: np.asarray(v, dtype=np.float64).reshape(-1) for name, v in probes.items()}
    op = CHECKER_FORMULA

    def reported(approx: Array) -> dict[str, Any]:
        return {f"{key}[{name}]": _difference(v, approx) for name, v in P.items()}

    return [
        (
            Diagnosis(
                Mistake.CHECKER_PERTURBS_X,
                "the checker perturbs the data X as well as θ (forward_propagation_n(X + ε, …)): "
                f"every entry of gradapprox is off by the same {offset:.3g} (Σ dJ/dX) — perturb "
                "only thetaplus[i] / thetaminus[i] and pass X unchanged",
                op,
            ),
            lambda: reported(g + offset),
        ),
        (
            Diagnosis(
                Mistake.CHECKER_PERTURBS_X,
                "the checker perturbs the data X instead of θ: every entry of gradapprox is the "
                f"same {offset:.3g} (Σ dJ/dX), whatever the parameter — perturb thetaplus[i] and "
                "thetaminus[i], and pass X unchanged",
                op,
            ),
            lambda: reported(np.full_like(g, offset)),
        ),
        (
            Diagnosis(
                Mistake.CHECKER_SWAPPED_J,
                "J_plus and J_minus are swapped: gradapprox = (J(θ − ε) − J(θ + ε)) / (2ε) = "
                "−gradient, so right gradients get a difference of exactly 1 (and negated ones "
                "0) — gradapprox[i] = (J_plus[i] − J_minus[i]) / (2ε)",
                op,
            ),
            lambda: reported(-g),
        ),
        (
            Diagnosis(
                Mistake.CHECKER_SAME_J,
                "θ + ε and θ − ε give the same J: gradapprox is 0, so every difference is "
                "exactly 1 — J_plus must be computed at thetaplus and J_minus at thetaminus, "
                "each a fresh np.copy of θ with only entry i moved",
                op,
            ),
            lambda: reported(np.zeros_like(g)),
        ),
        (
            Diagnosis(
                Mistake.GRADAPPROX_FACTOR_2,
                "gradapprox is twice the gradient (‖g − 2g‖ / (‖g‖ + ‖2g‖) = 1/3): divide "
                "J⁺ − J⁻ by 2ε, not ε",
                op,
            ),
            lambda: reported(2 * g),
        ),
        (
            Diagnosis(
                Mistake.GRADAPPROX_FACTOR_2,
                "gradapprox is half the gradient (1/3 for right gradients): divide J⁺ − J⁻ by "
                "2ε, not 4ε, and make θ⁺ and θ⁻ fresh copies of θ (np.copy) for every i so that "
                "J⁻ is taken at θ − ε·eᵢ",
                op,
            ),
            lambda: reported(g / 2),
        ),
        (
            Diagnosis(
                Mistake.CHECKER_FALSE_ALARM,
                "the loop over the parameters stops one short (range(num_parameters − 1)): the "
                "last entry of gradapprox stays 0 — loop for i in range(num_parameters)",
                op,
            ),
            lambda: reported(_zeroed(g, -1)),
        ),
        (
            Diagnosis(
                Mistake.CHECKER_FALSE_ALARM,
                "the loop over the parameters starts at 1 (range(1, num_parameters)): the first "
                "entry of gradapprox stays 0 — loop for i in range(num_parameters)",
                op,
            ),
            lambda: reported(_zeroed(g, 0)),
        ),
    ]


def _zeroed(g: Array, index: int) -> Array:
    out: Array = np.array(g, dtype=np.float64)
    out[index] = 0.0
    return out
