"""``nncheck gradcheck`` over the corpus of learner implementations (``tests/corpus``).

Each corpus file names its planted mistake in ``EXPECTED``. gradcheck compares a person's
gradients with finite differences of their own cost, so it must flag exactly the mistakes that
make the gradients disagree with the cost — every one in the forward pass, the cost or the
backward pass — and stay quiet about mistakes elsewhere (initialisation, update, predict, the
person's own gradient checker) and about correct files, whatever the seed.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from nncheck.cli import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, main

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.py"))

OFF_GRADIENT_PATH = (
    "L_layer_model",
    "two_layer_model",
    "nn_model",
    "model",
    "initialize",
    "update",
    "predict",
    "optimize",
    "gradient_check",
    "dictionary_to_vector",
    "vector_to_dictionary",
    "gradients_to_vector",
)
"""Functions that gradcheck does not call: their mistakes cannot change a gradient check."""
VALUE_PRESERVING = {"input_mutation"}
"""Mistakes that leave every returned gradient right (conformance reports them instead)."""
NOT_ON_THE_PATH = {
    "gen_bug_activation_backward_at_A": "the mistake is in the sigmoid branch, which the "
    "model's backward never calls (it starts from dZ[L] = AL − Y and uses relu below)",
}
"""Files whose mistake sits in code the model's forward/cost/backward does not run."""
NO_GRADIENT_FUNCTIONS = {
    "c2_correct_init_model": "the Initialization assignment imports its forward and backward "
    "passes from init_utils: the file defines nothing gradcheck can differentiate",
    "c2_bug_init_model_wrong_init": "likewise",
    "c2_correct_init_raw_magics": "likewise",
    "c2_bug_init_model_he_capitalised": "likewise",
    "c2_bug_init_model_lr_hard_coded": "likewise",
    "w4_correct_application": "week 4's Application notebook imports every step function from "
    "dnn_app_utils and defines only the training functions",
    "w4_bug_application_update_dropped": "likewise",
    "w4_correct_application_notebook_v3": "likewise",
    "w4_correct_application_costs_when_printing": "likewise",
    "w4_bug_application_global_sizes": "likewise",
}
"""Files that define no forward/backward pass of their own (gradcheck says so, exit 2)."""


def expected(path: Path) -> dict[str, Any]:
    lines = path.read_bytes().decode("latin-1").splitlines()  # the EXPECTED line alone (magics…)
    for node in ast.parse("\n".join(ln for ln in lines if ln.startswith("EXPECTED = "))).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPECTED":
            value: dict[str, Any] = ast.literal_eval(node.value)
            return value
    raise AssertionError(f"{path.name} has no EXPECTED")


def should_flag(info: dict[str, Any], path: Path) -> bool:
    if info.get("correct") or path.stem in NOT_ON_THE_PATH:
        return False
    return not str(info["function"]).startswith(OFF_GRADIENT_PATH) and (
        info.get("mistake") not in VALUE_PRESERVING
    )


def gradcheck(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> tuple[int, Any]:
    code = main(["gradcheck", str(path), "--defs-only", "--json", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, json.loads(out)


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 20
    assert any(should_flag(expected(p), p) for p in FILES)
    assert any(not should_flag(expected(p), p) for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_gradcheck_flags_exactly_the_mistakes_on_the_gradient_path(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    info = expected(path)
    code, data = gradcheck(capsys, path, "--seed", "0")
    if path.stem in NO_GRADIENT_FUNCTIONS:
        assert code == EXIT_ERROR, data
        assert "no gradi" in data["error"]["message"]
    elif should_flag(info, path):
        assert code == EXIT_PROBLEMS, data
        assert data["ok"] is False
    else:
        assert code == EXIT_OK, data
        assert data["ok"] is True
        assert all(p["ok"] for p in data["parameters"])


CORRECT = [p for p in FILES if expected(p).get("correct") and p.stem not in NO_GRADIENT_FUNCTIONS]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("path", CORRECT, ids=[p.stem for p in CORRECT])
def test_correct_files_pass_on_other_seeds_and_sizes(
    capsys: pytest.CaptureFixture[str], path: Path, seed: int
) -> None:
    code, data = gradcheck(capsys, path, "--seed", str(seed), "--m", str(seed * 5))
    assert code == EXIT_OK, data
