"""Training functions are run in a recording copy of the person's namespace: the person's module
is never changed, a skipped plotting import does not fail them, np.random's global state is left
as it was, and a training function that fails only through a wrong helper is told apart."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from nncheck._callees import call_sites, calls, numbered_keys, rebound
from nncheck.conformance import conform, plan
from nncheck.loader import load_target

CORPUS = Path(__file__).parent / "corpus"
TRAINING = CORPUS / "w4_correct_training.py"


def _training(report: object, function: str) -> object:
    return next(
        f
        for f in report.findings  # type: ignore[attr-defined]
        if (f.function, f.check) == (function, "hyperparameters")
    )


def test_a_skipped_plotting_import_does_not_fail_the_training_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # matplotlib made unimportable here, so the test runs whether or not it is installed
    for name in ("matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)
    assert "plt.show()" in TRAINING.read_text()
    report = conform(TRAINING, seed=4, defs_only=True)
    assert any("matplotlib" in note for note in report.notes)  # the import was skipped
    assert _training(report, "L_layer_model").status == "pass"  # type: ignore[attr-defined]


def test_the_persons_module_and_the_global_generator_are_left_unchanged() -> None:
    module = load_target(TRAINING, defs_only=True)
    before = dict(vars(module))
    items = [i for i in plan(module, seed=4).items if i.check == "hyperparameters"]
    assert [i.function for i in items] == ["two_layer_model", "L_layer_model"]
    np.random.seed(123)  # noqa: NPY002 - the legacy generator learners' code uses
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    assert all(i.run().status == "pass" for i in items)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    after = {k: v for k, v in vars(module).items() if k != "__warningregistry__"}
    assert after.keys() == before.keys()  # no plt stand-in, no recorder left behind
    assert all(after[k] is v for k, v in before.items())


def test_a_training_function_failing_only_through_its_helper_is_told_apart(
    tmp_path: Path,
) -> None:
    source = TRAINING.read_text().replace(
        "    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)\n",
        "    db = np.sum(dZ, axis=1, keepdims=True)\n",
    )
    path = tmp_path / "helper_wrong.py"
    path.write_text(source)
    f = _training(conform(path, seed=2, defs_only=True), "L_layer_model")
    assert f.status == "fail"  # type: ignore[attr-defined]
    message = f.message  # type: ignore[attr-defined]
    assert "with your L_model_backward, update_parameters" not in message
    assert "fails because of" in message and "L_model_backward" in message
    assert "with nncheck's reference in" in message and "it passes" in message


def test_hyperparameters_reach_the_helpers_with_the_reference_in_place(tmp_path: Path) -> None:
    """A training function with its own mistake and a wrong helper: both are named."""
    source = TRAINING.read_text().replace(
        "    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)\n",
        "    db = np.sum(dZ, axis=1, keepdims=True)\n",
    )
    source = source.replace(
        "        parameters = update_parameters(parameters, grads, learning_rate)\n        if print"
        '_cost and i % 100 == 0 or i == num_iterations - 1:\n            print("Cost after '
        'iteration {}: {}".format(i, np.squeeze(cost)))\n        if i % 100 == 0 or i == num_'
        "iterations:\n            costs.append(cost)\n    plt",
        "        parameters = update_parameters(parameters, grads, 0.0075)\n        if i % 100 =="
        " 0:\n            costs.append(cost)\n    plt",
    )
    assert "grads, 0.0075)" in source
    path = tmp_path / "both_wrong.py"
    path.write_text(source)
    f = _training(conform(path, seed=2, defs_only=True), "L_layer_model")
    assert f.mistake == "learning_rate_hard_coded", f  # type: ignore[attr-defined]


def test_calls_are_read_from_the_functions_own_code() -> None:
    def caller(dA, cache):  # type: ignore[no-untyped-def]
        act = relu_backward  # noqa: F821 - a name resolved at call time
        return act(dA, cache), linear_forward  # noqa: F821

    assert calls(caller, ["linear_backward", "relu_backward", "linear_forward"]) == (
        "relu_backward",
        "linear_forward",
    )
    sites = call_sites(caller)
    assert sites is not None and [s.name for s in sites] == ["act"]


def test_numbered_keys_tell_a_shift_from_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "keys.py"
    path.write_text(
        textwrap.dedent(
            """
            def shifted(grads, L):
                for l in reversed(range(L - 1)):
                    grads["dA" + str(l + 1)] = 2 * grads["dA" + str(l + 1)]

            def skipped(grads, L):
                for l in reversed(range(L - 2)):
                    grads[f"dA{l}"] = 2 * grads["dA" + str(l + 1)]
            """
        )
    )
    module = load_target(path)
    assert numbered_keys(module.shifted, "dA") == ({"l+1"}, {"l+1"})
    assert numbered_keys(module.skipped, "dA") == ({"l"}, {"l+1"})


def test_rebound_replaces_callees_in_a_copy_only() -> None:
    module = load_target(CORPUS / "w4_correct_course.py")
    stand_in = object()
    copy = rebound(module, {"linear_backward": stand_in})
    assert copy.linear_backward is stand_in
    assert module.linear_backward is not stand_in
    lab = copy.linear_activation_backward
    assert isinstance(lab, types.FunctionType) and lab.__globals__ is vars(copy)
    assert module.linear_activation_backward.__globals__ is vars(module)


_BLOCKING_BACKEND = '''"""A GUI-like backend: show() waits for a window nobody closes."""
import time

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args, **kwargs):
    time.sleep(3600)
'''


def test_with_matplotlib_installed_a_plotting_file_never_waits_on_a_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """matplotlib really imported and drawing: top-level plt.show() under a GUI backend (here
    one whose show() blocks) must not hang the load in the child, and the training function's
    own plotting draws nothing."""
    plt = pytest.importorskip("matplotlib.pyplot")
    from nncheck.runner import run_conform

    (tmp_path / "blocking_backend.py").write_text(_BLOCKING_BACKEND)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://blocking_backend")
    source = TRAINING.read_text().replace(
        "\ndef sigmoid(Z):", "\nplt.plot([0, 1], [1, 0])\nplt.show()\n\n\ndef sigmoid(Z):", 1
    )
    assert "plt.show()\n\n\ndef sigmoid" in source
    path = tmp_path / "plots_at_import.py"
    path.write_text(source)
    backend = plt.get_backend()
    plt.switch_backend("module://blocking_backend")  # the person's own pyplot setting
    try:
        report = run_conform(path, seed=3, timeout=2.0)  # a hang exceeds the 12 s load limit
    finally:
        plt.switch_backend(backend)
    assert report.ok, report
    assert _training(report, "L_layer_model").status == "pass"  # type: ignore[attr-defined]


def test_with_matplotlib_installed_the_training_check_leaves_no_figure() -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.close("all")
    report = conform(TRAINING, seed=5, defs_only=True)
    assert _training(report, "L_layer_model").status == "pass"  # type: ignore[attr-defined]
    assert plt.get_fignums() == []
