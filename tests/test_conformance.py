"""conform(): report as data, loading, conventions, binding, skipping, errors."""

from __future__ import annotations

import json
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from nncheck.conformance import ConformanceReport, Finding, conform, plan
from nncheck.conventions._common import bind_call
from nncheck.conventions.week4._network import dA_convention
from nncheck.loader import LoadError, load_target

CORPUS = Path(__file__).parent / "corpus"
WEEK4 = CORPUS / "w4_correct_course.py"


def _write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_report_is_json_data_with_the_documented_shape() -> None:
    report = conform(CORPUS / "w4_bug_db_missing_m.py", seed=3)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False and data["convention"] == "week4" and data["seed"] == 3
    keys = {"function", "check", "status", "message", "diagnosis", "expected", "actual"}
    assert all(keys | {"worst_index", "example"} <= set(f) for f in data["findings"])
    failing = [f for f in data["findings"] if f["status"] == "fail"]
    db = next(f for f in failing if f["function"] == "linear_backward" and f["check"] == "values")
    assert "1/m" in db["diagnosis"] and "times too large" in db["diagnosis"]
    assert db["worst_index"][0] == "db"
    assert db["example"]["seed"] == 3 and db["example"]["m"] >= 1


def test_str_groups_findings_by_function() -> None:
    text = str(conform(WEEK4, seed=0))
    assert "convention week4, seed 0" in text
    assert text.index("\nlinear_forward\n") < text.index("\nlinear_backward\n")


def test_same_seed_same_report_and_random_seed_is_recorded() -> None:
    a = conform(CORPUS / "w4_bug_dW_transposed.py", seed=11).to_dict()
    b = conform(CORPUS / "w4_bug_dW_transposed.py", seed=11).to_dict()
    assert a == b
    r = conform(WEEK4)
    assert isinstance(r.seed, int) and r.seed >= 0


def test_absent_functions_are_listed_as_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "only_lb.py",
        """
        import numpy as np

        def linear_backward(dZ, cache):
            A_prev, W, b = cache
            m = A_prev.shape[1]
            return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
        """,
    )
    report = conform(path, seed=1)
    assert report.ok and report.convention == "week4"
    skipped = {f.function for f in report.findings if f.status == "skip"}
    assert {"L_model_forward", "relu_backward", "update_parameters"} <= skipped
    lb = [f for f in report.findings if f.function == "linear_backward"]
    assert {f.check for f in lb} >= {"values", "shapes", "gradient", "mutation"}
    assert all(f.status == "pass" for f in lb)


def test_module_object_and_explicit_mapping() -> None:
    mod = types.ModuleType("learner")

    def backward(dZ, cache):  # type: ignore[no-untyped-def]
        A_prev, W, _ = cache
        return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)  # dW misses 1/m

    mod.backward = backward  # type: ignore[attr-defined]
    report = conform(mod, convention={"convention": "week4", "linear_backward": "backward"}, seed=2)
    hit = [f for f in report.failures if f.function == "linear_backward" and f.check == "values"]
    assert hit and hit[0].mistake == "missing_1_over_m"


def test_syntax_error_is_a_load_error_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.py", "def f(:\n    pass\n")
    with pytest.raises(LoadError) as info:
        conform(path)
    assert info.value.kind == "syntax" and info.value.line == 1
    assert "broken.py:1" in str(info.value)


def test_defs_only_skips_training_at_import(tmp_path: Path) -> None:
    source = WEEK4.read_text() + "\nparameters = L_layer_model(train_x, train_y)\n"
    path = _write(tmp_path, "notebook.py", source)
    with pytest.raises(LoadError):
        conform(path)
    assert conform(path, defs_only=True, seed=4).ok


def test_exception_in_person_code_is_a_finding_with_location(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "raises.py",
        """
        import numpy as np

        def linear_forward(A, W, b):
            Z = np.dot(A, W) + b
            return Z, (A, W, b)
        """,
    )
    report = conform(path, seed=5)
    f = next(f for f in report.failures if f.check == "values")
    assert "raised ValueError" in f.message and "raises.py" in f.message
    assert f.mistake == "shape_mismatch"


def test_no_known_functions_is_a_usage_error_not_a_finding(tmp_path: Path) -> None:
    from nncheck.errors import UsageError

    path = _write(tmp_path, "nothing.py", "def hello():\n    return 1\n")
    with pytest.raises(UsageError, match="found none of the functions of a known convention") as e:
        conform(path)
    assert "pass convention={course name: your name}" in str(e.value)  # the Python API's advice


def test_unknown_convention_is_rejected_eagerly() -> None:
    with pytest.raises(ValueError, match="unknown convention 'week9'"):
        conform(WEEK4, convention="week9")


def test_plan_lists_one_item_per_function_and_check() -> None:
    p = plan(WEEK4, seed=0)
    ids = [item.nodeid for item in p.items]
    assert "nncheck::linear_backward::gradient" in ids
    assert len(ids) == len(set(ids))
    report = p.run()
    assert isinstance(report, ConformanceReport)
    assert [f.nodeid for f in report.findings] == ids


def test_finding_ok_and_nodeid() -> None:
    f = Finding("linear_backward", "gradient", "warn", "inconclusive")
    assert f.ok and f.nodeid == "nncheck::linear_backward::gradient"
    assert not Finding("f", "values", "fail", "x").ok


def test_bind_call_by_name_and_by_position() -> None:
    def permuted(W, A_prev, b):  # type: ignore[no-untyped-def]
        return (W, A_prev, b)

    def odd_names(p, q, r):  # type: ignore[no-untyped-def]
        return (p, q, r)

    values = {"A_prev": "A", "W": "W", "b": "b"}
    assert bind_call(permuted, ["A_prev", "W", "b"], values) == ("W", "A", "b")
    assert bind_call(odd_names, ["A_prev", "W", "b"], values) == ("A", "W", "b")

    def two_args(A2, Y):  # type: ignore[no-untyped-def]
        return (A2, Y)

    # the older compute_cost(A2, Y, parameters) argument is dropped for a 2-argument function
    three = {"AL": 1, "Y": 2, "parameters": 3}
    assert bind_call(two_args, ["AL", "Y", "parameters"], three) == (1, 2)


def test_dA_key_convention_is_decided_from_shapes() -> None:
    dims, m = (5, 4, 3, 1), 7
    newer = {f"dA{l}": np.zeros((dims[l], m)) for l in range(3)}
    older = {f"dA{l + 1}": np.zeros((dims[l], m)) for l in range(3)}
    assert dA_convention(newer, dims, m) == "dA0"
    assert dA_convention(older, dims, m) == "dA1"


def test_wrong_kind_of_result_is_the_persons_failure(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "none.py",
        """
        def propagate(w, b, X, Y):
            return None
        """,
    )
    report = conform(path, seed=0)
    f = next(f for f in report.findings if (f.function, f.check) == ("propagate", "values"))
    assert f.status == "fail" and f.mistake == "wrong_return"
    assert "propagate returned None where the course returns (grads, cost)" in f.message


def test_an_error_inside_nncheck_is_never_blamed_on_the_person(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    from nncheck import reference as ref
    from nncheck.conventions import week4

    def broken(ctx: object) -> Finding:
        # an internal bug: nncheck's own code called with shapes that do not fit
        ref.linear_forward(np.ones((2, 3)), np.ones((4, 4)), np.ones((4, 1)))
        raise AssertionError("unreachable")

    original = week4.checks()
    patched = [
        dataclasses.replace(c, run=broken)
        if (c.function, c.check) == ("linear_forward", "values")
        else c
        for c in original
    ]
    monkeypatch.setattr(week4, "checks", lambda: patched)
    report = conform(WEEK4, seed=0)
    f = next(f for f in report.findings if (f.function, f.check) == ("linear_forward", "values"))
    # never a pass: the report fails and asks for a report, and the person is not blamed
    assert f.status == "fail" and f.mistake == "internal_error"
    assert "bug in nncheck" in f.message and "please report" in f.message
    assert not report.ok


def _patched_values_check(monkeypatch: pytest.MonkeyPatch, run: object) -> None:
    import dataclasses

    from nncheck.conventions import week4

    original = week4.checks()
    patched = [
        dataclasses.replace(c, run=run)
        if (c.function, c.check) == ("linear_forward", "values")
        else c
        for c in original
    ]
    monkeypatch.setattr(week4, "checks", lambda: patched)


def _linear_forward_values(report: ConformanceReport) -> Finding:
    return next(f for f in report.findings if (f.function, f.check) == ("linear_forward", "values"))


def test_a_type_error_about_arguments_inside_nncheck_is_nncheck_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # nncheck's reference calls a linear_forward that takes 2 arguments with 3: a bug of
    # nncheck's, although the message mentions arguments and the person defines linear_forward
    from nncheck.reference import network

    def linear_forward(A: object, W: object) -> object:
        return A

    monkeypatch.setattr(network, "linear_forward", linear_forward)

    def broken(ctx: object) -> Finding:
        params = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
        network.model_forward(np.ones((3, 4)), params)
        raise AssertionError("unreachable")

    _patched_values_check(monkeypatch, broken)
    f = _linear_forward_values(conform(WEEK4, seed=0))
    assert "takes 2 positional arguments but 3 were given" in f.message
    assert f.status == "fail" and f.mistake == "internal_error"


@pytest.mark.parametrize("signature", ["A, W, b, activation", "A, W, b, *, activation"])
def test_a_function_that_does_not_take_the_courses_arguments_is_the_persons(
    tmp_path: Path, signature: str
) -> None:
    # the TypeError is raised in nncheck's frame that calls the person's linear_forward (their
    # file is not in its traceback), but it is their function's signature that does not fit
    source = WEEK4.read_text().replace(
        "def linear_forward(A, W, b):", f"def linear_forward({signature}):"
    )
    f = _linear_forward_values(conform(_write(tmp_path, "hw.py", source), seed=0))
    assert f.status == "fail" and f.mistake == "exception", f.message
    assert f.message.startswith("cannot call linear_forward(A, W, b"), f.message
    assert "activation" in f.message and "raised" not in f.message  # their code raised nothing
    assert "_binding.py" not in f.message  # nor is nncheck's own line any help to them


def test_pythons_own_argument_error_is_the_persons_only_for_their_signature(
    tmp_path: Path,
) -> None:
    # a call that does not fit one of the person's functions, as Python words it: theirs when
    # the message describes their function's signature, not when it describes another one's
    from nncheck.conformance._run import _nncheck_dirs, _wrong_arguments_for

    source = "def linear_forward(A, W, b):\n    return W @ A + b\n"
    module = load_target(_write(tmp_path, "hw.py", source))

    def error(call: object) -> TypeError:
        try:
            call()  # type: ignore[operator]
        except TypeError as exc:
            return exc
        raise AssertionError("no TypeError")

    theirs = [
        error(lambda: module.linear_forward(1, 2)),
        error(lambda: module.linear_forward(1, 2, 3, 4)),
        error(lambda: module.linear_forward(1, 2, 3, c=4)),
        error(lambda: module.linear_forward(1, 2, 3, A=4)),
    ]
    not_theirs = [  # Python's words for a linear_forward with another signature (nncheck's)
        TypeError("linear_forward() takes 2 positional arguments but 3 were given"),
        TypeError("linear_forward() takes from 3 to 4 positional arguments but 5 were given"),
        TypeError("linear_forward() missing 1 required positional argument: 'activation'"),
        TypeError("linear_forward() got an unexpected keyword argument 'b'"),
        TypeError("linear_forward() got multiple values for argument 'Z'"),
        TypeError("unsupported operand type(s) for +: 'int' and 'str' (an argument)"),
    ]
    assert all(_wrong_arguments_for(e, module, _nncheck_dirs()) for e in theirs)
    assert not any(_wrong_arguments_for(e, module, _nncheck_dirs()) for e in not_theirs)


def test_course_helpers_imported_from_missing_modules_are_provided(tmp_path: Path) -> None:
    # the assignment imports sigmoid, relu and their backward functions from dnn_utils
    source = WEEK4.read_text()
    kept = source[source.index("def initialize_parameters(") :]
    path = _write(
        tmp_path,
        "step_by_step.py",
        "import numpy as np\nimport copy\n"
        "from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward\n\n" + kept,
    )
    with pytest.raises(LoadError):
        conform(path)
    report = conform(path, defs_only=True, seed=6)
    assert report.ok, report
    skipped = {f.function for f in report.findings if f.status == "skip"}
    assert {"sigmoid", "relu", "sigmoid_backward", "relu_backward"} <= skipped
    checked = {f.function for f in report.findings if f.status == "pass"}
    assert {"linear_activation_forward", "L_model_backward"} <= checked


def test_a_wrong_cost_is_not_blamed_on_the_backward_pass() -> None:
    report = conform(CORPUS / "w4_bug_cost_sum.py", seed=2)
    failing = {(f.function, f.check) for f in report.failures}
    assert failing == {("compute_cost", "values")}
    grad = next(
        f for f in report.findings if (f.function, f.check) == ("L_model_backward", "gradient")
    )
    # judged on its own: nncheck's compute_cost stands in for the person's wrong one
    assert grad.status == "pass" and "fix compute_cost first" in grad.message
    assert "judged on its own" in grad.message


def test_a_failure_points_at_the_failing_function_it_calls() -> None:
    report = conform(CORPUS / "w4_bug_dW_transposed.py", seed=2)
    lab = next(
        f
        for f in report.failures
        if (f.function, f.check) == ("linear_activation_backward", "values")
    )
    assert "with your linear_backward it fails because of it" in lab.message
    assert "with nncheck's reference in its place it passes" in lab.message
    assert "linear_activation_backward itself is right" in (lab.diagnosis or "")
    lb = next(f for f in report.failures if (f.function, f.check) == ("linear_backward", "values"))
    assert "because of" not in lb.message


def test_a_caller_with_its_own_mistake_is_judged_on_its_own(tmp_path: Path) -> None:
    """A wrong linear_backward must not hide linear_activation_backward's own mistake; and a
    function that inlines its callee is never said to call it."""
    source = (CORPUS / "w4_bug_dW_transposed.py").read_text()
    own = source.replace(
        "dZ = relu_backward(dA, activation_cache)", "dZ = sigmoid_backward(dA, activation_cache)"
    )
    assert own != source
    report = conform(_write(tmp_path, "both.py", own), seed=3)
    lab = next(
        f
        for f in report.failures
        if (f.function, f.check) == ("linear_activation_backward", "values")
    )
    assert "with your linear_backward it fails because of it" in lab.message
    assert "still fails" in lab.message
    assert lab.mistake not in (None, "callee_fails"), lab


def test_a_function_that_inlines_its_callee_is_not_said_to_call_it(tmp_path: Path) -> None:
    source = (CORPUS / "w4_bug_dW_transposed.py").read_text()
    inline = (
        "A_prev, W, b = linear_cache\n"
        "        m = A_prev.shape[1]\n"
        "        dW = np.dot(A_prev, dZ.T).T / m\n"
        "        db = np.sum(dZ, axis=1, keepdims=True) / m\n"
        "        dA_prev = np.dot(W.T, dZ) * 2"
    )
    own = source.replace("dA_prev, dW, db = linear_backward(dZ, linear_cache)", inline)
    assert own.count("* 2") == 2
    report = conform(_write(tmp_path, "inline.py", own), seed=3)
    lab = [f for f in report.failures if f.function == "linear_activation_backward"]
    assert lab and all("linear_backward" not in f.message for f in lab), lab


def test_an_input_mutation_is_found_and_does_not_leak_into_other_checks(tmp_path: Path) -> None:
    source = WEEK4.read_text().replace(
        "    caches = []\n    A = X\n", "    caches = []\n    X *= 1.001\n    A = X\n"
    )
    assert "X *= 1.001" in source
    report = conform(_write(tmp_path, "mutates.py", source), seed=8)
    mutation = next(
        f for f in report.findings if (f.function, f.check) == ("L_model_forward", "mutation")
    )
    assert mutation.status == "fail" and mutation.mistake == "input_mutation"
    assert "X" in mutation.message
    unrelated = {"linear_forward", "linear_backward", "compute_cost", "update_parameters"}
    assert all(f.ok for f in report.findings if f.function in unrelated)


def test_hypothesis_finds_and_shrinks_a_bug_the_fixed_examples_miss(tmp_path: Path) -> None:
    # np.squeeze only bites when a width is 1; the fixed examples have hidden widths >= 2
    path = _write(
        tmp_path,
        "squeeze.py",
        """
        import numpy as np

        def linear_backward(dZ, cache):
            A_prev, W, b = cache
            m = A_prev.shape[1]
            dW = np.squeeze(np.dot(dZ, A_prev.T)) / m
            return np.dot(W.T, dZ), dW, np.sum(dZ, axis=1, keepdims=True) / m
        """,
    )
    report = conform(path, seed=4)
    f = next(f for f in report.failures if (f.function, f.check) == ("linear_backward", "values"))
    assert f.example is not None and f.example["case"] == "drawn by Hypothesis"
    assert 1 in f.example["dims"][1:3] and f.example["m"] <= 2  # shrunk to a width-1 layer
    # the sum is not what lost the dimension: the squeeze is, and keepdims=True is no advice
    assert f.mistake == "squeezed" and "np.squeeze" in (f.diagnosis or "")
    assert conform(path, seed=4).to_dict() == report.to_dict()  # the search replays from the seed


def test_public_names() -> None:
    import nncheck.conformance
    import nncheck.conventions

    assert set(nncheck.conformance.__all__) == {
        "ConformanceReport",
        "Finding",
        "Plan",
        "PlannedCheck",
        "Status",
        "conform",
        "plan",
    }
    assert nncheck.conventions.available_conventions() == list(nncheck.conventions.CONVENTIONS)
    for name in nncheck.conventions.CONVENTIONS:
        mod = nncheck.conventions.convention_module(name)
        assert mod.NAME == name and mod.MARKERS
        checked = {c.function for c in mod.checks()}
        assert checked == set(mod.FUNCTIONS), checked ^ set(mod.FUNCTIONS)


def test_an_error_in_a_helper_module_of_the_person_is_theirs(tmp_path: Path) -> None:
    (tmp_path / "my_helpers.py").write_text(
        "def linear_backward(dZ, cache):\n    raise ValueError('boom in my helper')\n"
    )
    path = _write(
        tmp_path,
        "uses_helper.py",
        """
        from my_helpers import linear_backward
        """,
    )
    report = conform(path, seed=0)
    f = next(f for f in report.findings if (f.function, f.check) == ("linear_backward", "values"))
    assert f.status == "fail" and "boom in my helper" in f.message


def _finding_of(report: ConformanceReport, function: str, check: str) -> Finding:
    return next(f for f in report.findings if (f.function, f.check) == (function, check))


@pytest.mark.parametrize(
    ("old", "new", "mistake"),
    [
        ("- learning_rate * grads", "- grads", "missing_learning_rate"),
        ("- learning_rate * grads", "+ learning_rate * grads", "update_wrong_sign"),
    ],
)
def test_the_update_direction_is_the_one_rule_theta_minus_alpha_dtheta(
    tmp_path: Path, old: str, new: str, mistake: str
) -> None:
    # conform's direction check wraps nncheck.properties.check_update_direction (exact): the
    # course's update is θ − α·dθ, so a step without α fails too (it passed on the sign alone)
    source = WEEK4.read_text()
    assert old in source
    path = _write(tmp_path, "w4.py", source.replace(old, new))
    direction = _finding_of(conform(path, seed=0, defs_only=True), "update_parameters", "direction")
    assert direction.status == "fail" and direction.mistake == mistake, direction
    right = _finding_of(conform(WEEK4, seed=0, defs_only=True), "update_parameters", "direction")
    assert right.status == "pass" and "−α·dθ" in right.message, right


def test_the_mutation_check_is_the_properties_rule(tmp_path: Path) -> None:
    source = WEEK4.read_text()
    old = "    dZ = np.array(dA, copy=True)\n"
    assert old in source
    path = _write(tmp_path, "w4.py", source.replace(old, "    dZ = dA\n"))
    found = _finding_of(conform(path, seed=0, defs_only=True), "relu_backward", "mutation")
    assert found.status == "fail" and found.mistake == "input_mutation", found
    assert "changes its input dA" in found.message, found
