"""Example implementations bundled with nncheck (used by ``nncheck demo`` and the README).

- ``week4_correct.py``: a correct course week-4 L-layer network.
- ``week4_buggy.py``: the same file with one planted learner mistake (dW missing the 1/m factor).

They are plain files on purpose: point any nncheck command at them, e.g.
``nncheck gradcheck "$(python -c 'import nncheck.examples as e; print(e.BUGGY)')"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["BUGGY", "BUGGY_MISTAKE", "CORRECT", "EXAMPLES_DIR"]

EXAMPLES_DIR: Final = Path(__file__).resolve().parent
"""The folder holding the example files."""

CORRECT: Final = EXAMPLES_DIR / "week4_correct.py"
"""A correct week-4 implementation: every check passes."""

BUGGY: Final = EXAMPLES_DIR / "week4_buggy.py"
"""``CORRECT`` with one planted mistake, described by ``BUGGY_MISTAKE``."""

BUGGY_MISTAKE: Final = "linear_backward computes dW without the 1/m factor"
"""What is wrong in ``BUGGY``, in words."""
