"""Every value and cache a course function returns is checked: each check fails on its mistake
(a one-line mutant of a correct corpus file) and passes on the correct files over 20 seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nncheck.conformance import Finding, conform, plan

CORPUS = Path(__file__).parent / "corpus"
WEEK2 = CORPUS / "w2_correct_course.py"
WEEK3 = CORPUS / "w3_correct_course.py"
WEEK4 = CORPUS / "w4_correct_course.py"
COURSE2 = CORPUS / "c2_correct_course.py"

# (file, function, check): the checks this file adds, run alone
NEW_CHECKS = {
    WEEK2: [("optimize", "returns"), ("propagate", "scalar"), ("initialize_with_zeros", "type")],
    WEEK3: [
        ("layer_sizes", "values"),
        ("initialize_parameters", "shapes"),
        ("initialize_parameters", "scale"),
        ("forward_propagation", "cache"),
        ("compute_cost", "scalar"),
    ],
    WEEK4: [
        ("relu", "cache"),
        ("sigmoid", "cache"),
        ("linear_forward", "cache"),
        ("linear_activation_forward", "cache"),
        ("L_model_forward", "caches"),
        ("initialize_parameters", "shapes"),
        ("initialize_parameters", "scale"),
        ("initialize_parameters_deep", "shapes"),
        ("initialize_parameters_deep", "scale"),
        ("compute_cost", "scalar"),
        ("update_parameters", "values"),
    ],
    COURSE2: [("initialize_parameters_random", "scale"), ("initialize_parameters_he", "shapes")],
}


def _findings(
    path: Path, wanted: list[tuple[str, str]], seed: int = 0
) -> dict[tuple[str, str], Finding]:
    items = plan(path, seed=seed, defs_only=True).items
    out = {(i.function, i.check): i.run() for i in items if (i.function, i.check) in wanted}
    assert set(out) == set(wanted), f"checks not planned: {set(wanted) - set(out)}"
    return out


def _mutant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text, f"{old!r} is not in {source.name}"
    path = tmp_path / f"mutant_{source.name}"
    path.write_text(text.replace(old, new, 1))
    return path


def _one(tmp_path: Path, source: Path, old: str, new: str, function: str, check: str) -> Finding:
    path = _mutant(tmp_path, source, old, new)
    return _findings(path, [(function, check)])[(function, check)]


@pytest.mark.parametrize("path", list(NEW_CHECKS), ids=lambda p: p.stem)
def test_the_new_checks_pass_on_correct_files_over_20_seeds(path: Path) -> None:
    for seed in range(20):
        for key, f in _findings(path, NEW_CHECKS[path], seed).items():
            assert f.status in ("pass", "skip"), (seed, key, f.message)


# ------------------------------------------------------------------ week 2


def test_optimize_returning_another_variable_for_grads_names_what_came_back(
    tmp_path: Path,
) -> None:
    f = _one(
        tmp_path,
        WEEK2,
        "return params, grads, costs",
        "return params, costs, costs",
        "optimize",
        "returns",
    )
    assert f.status == "fail" and f.mistake == "wrong_return"
    assert "optimize returned a tuple of 3 items" in f.message and "grads is a list" in f.message


@pytest.mark.parametrize("record", ["i % 100 != 0", "i % 100 == 1", "i % 101 == 0"])
def test_optimize_recording_costs_at_the_wrong_iterations_fails(
    tmp_path: Path, record: str
) -> None:
    f = _one(tmp_path, WEEK2, "if i % 100 == 0:", f"if {record}:", "optimize", "returns")
    assert f.status == "fail" and f.mistake == "wrong_cost_record"
    assert "0, 100, 200" in f.message


def test_optimize_returning_the_gradients_of_the_first_step_fails(tmp_path: Path) -> None:
    path = _mutant(
        tmp_path,
        WEEK2,
        "    params = {",
        "    grads, _ = propagate(w, b, X, Y)\n"
        "    dw, db = grads['dw'], grads['db']\n    params = {",
    )
    f = _findings(path, [("optimize", "returns")])[("optimize", "returns")]
    assert f.status == "fail" and "gradients of the last step" in f.message


def test_propagate_returning_a_1x1_cost_fails_under_the_course(tmp_path: Path) -> None:
    f = _one(
        tmp_path,
        WEEK2,
        "cost = np.squeeze(np.array(cost))",
        "cost = np.array([[cost]])",
        "propagate",
        "scalar",
    )
    assert f.status == "fail" and "shape (1, 1)" in f.message


def test_int_b_in_initialize_with_zeros_warns(tmp_path: Path) -> None:
    f = _one(tmp_path, WEEK2, "b = 0.0", "b = 0", "initialize_with_zeros", "type")
    assert f.status == "warn" and "float" in f.message


# ------------------------------------------------------------------ week 3


def test_layer_sizes_returning_an_array_fails_naming_it(tmp_path: Path) -> None:
    f = _one(tmp_path, WEEK3, "n_x = X.shape[0]", "n_x = X", "layer_sizes", "values")
    assert f.status == "fail" and "n_x is an array of shape" in f.message


def test_layer_sizes_with_another_n_h_warns(tmp_path: Path) -> None:
    f = _one(tmp_path, WEEK3, "n_h = 4", "n_h = 5", "layer_sizes", "values")
    assert f.status == "warn" and "n_h = 5" in f.message


def test_layer_sizes_hard_coding_n_y_fails_on_two_output_units(tmp_path: Path) -> None:
    f = _one(tmp_path, WEEK3, "n_y = Y.shape[0]", "n_y = 1", "layer_sizes", "values")
    assert f.status == "fail"


def test_b2_with_one_row_fails_on_two_output_units(tmp_path: Path) -> None:
    f = _one(
        tmp_path,
        WEEK3,
        "b2 = np.zeros((n_y, 1))",
        "b2 = np.zeros((1, n_y))",
        "initialize_parameters",
        "shapes",
    )
    assert f.status == "fail" and "b2" in f.message


def test_weights_divided_by_0_01_saturate_and_fail(tmp_path: Path) -> None:
    f = _one(
        tmp_path,
        WEEK3,
        "W1 = np.random.randn(n_h, n_x) * 0.01",
        "W1 = np.random.randn(n_h, n_x) / 0.01",
        "initialize_parameters",
        "scale",
    )
    assert f.status == "fail" and f.mistake == "wrong_init_scale" and "saturate" in f.message


@pytest.mark.parametrize("factor", ["1", "0.1"])
def test_a_weight_scale_merely_off_warns_citing_saturation(tmp_path: Path, factor: str) -> None:
    f = _one(
        tmp_path,
        WEEK3,
        "W2 = np.random.randn(n_y, n_h) * 0.01",
        f"W2 = np.random.randn(n_y, n_h) * {factor}",
        "initialize_parameters",
        "scale",
    )
    assert f.status == "warn" and "saturation" in f.message


def test_a_mis_keyed_week3_cache_fails_forward_and_skips_backward(tmp_path: Path) -> None:
    path = _mutant(tmp_path, WEEK3, '"Z1": Z1, "A1": A1', '"Z1": A1, "A1": Z1')
    found = _findings(path, [("forward_propagation", "cache"), ("backward_propagation", "values")])
    f = found[("forward_propagation", "cache")]
    assert f.status == "fail" and f.mistake == "wrong_cache"
    assert "cache['Z1'] holds A1 where the course keeps Z1" in f.message
    assert found[("backward_propagation", "values")].status == "skip"


def test_update_parameters_returning_the_learning_rate_fails_naming_it(tmp_path: Path) -> None:
    f = _one(
        tmp_path,
        WEEK3,
        "    return parameters\n\n\ndef predict",
        "    return learning_rate\n\n\ndef predict",
        "update_parameters",
        "values",
    )
    assert f.status == "fail" and f.mistake == "wrong_return"
    assert (
        "update_parameters returned a float (0.1) where the course returns the parameters dict"
        in f.message
    )


# ------------------------------------------------------------------ week 4


def test_relu_returning_a_as_its_cache_is_named(tmp_path: Path) -> None:
    path = _mutant(
        tmp_path,
        WEEK4,
        "    A = np.maximum(0, Z)\n    cache = Z",
        "    A = np.maximum(0, Z)\n    cache = A",
    )
    f = _findings(path, [("relu", "cache")])[("relu", "cache")]
    assert f.status == "fail" and "relu's cache holds A where the course keeps Z" in f.message


def test_a_linear_cache_in_another_order_fails(tmp_path: Path) -> None:
    f = _one(tmp_path, WEEK4, "cache = (A, W, b)", "cache = (W, A, b)", "linear_forward", "cache")
    assert f.status == "fail" and "cache[0] holds W where the course keeps A_prev" in f.message


def test_caches_of_l_model_forward_are_compared_layer_by_layer(tmp_path: Path) -> None:
    f = _one(
        tmp_path,
        WEEK4,
        "    cache = (linear_cache, activation_cache)",
        "    cache = (linear_cache, A)",
        "L_model_forward",
        "caches",
    )
    assert f.status == "fail" and "caches[0][1] holds A where the course keeps Z" in f.message


def test_extra_w0_b0_from_range_0_fail(tmp_path: Path) -> None:
    path = _mutant(
        tmp_path,
        WEEK4,
        'for l in range(1, L):\n        parameters["W"',
        'for l in range(0, L):\n        parameters["W"',
    )
    f = _findings(path, [("initialize_parameters_deep", "shapes")])
    finding = f[("initialize_parameters_deep", "shapes")]
    assert finding.status == "fail" and finding.mistake == "extra_parameters"
    assert "W0, b0" in finding.message


@pytest.mark.parametrize(
    ("new", "words"),
    [
        ("cost = np.array([[cost]])", "shape (1, 1)"),
        ("cost = [cost]", "list"),
        ("cost = str(cost)", "str"),
    ],
)
def test_a_cost_that_is_not_a_number_fails_under_the_course(
    tmp_path: Path, new: str, words: str
) -> None:
    f = _one(
        tmp_path,
        WEEK4,
        "    cost = np.squeeze(cost)\n",
        f"    cost = np.squeeze(cost)\n    {new}\n",
        "compute_cost",
        "scalar",
    )
    assert f.status == "fail" and words in f.message


def test_a_1x1_cost_only_warns_under_generic(tmp_path: Path) -> None:
    path = tmp_path / "generic_cost.py"
    path.write_text(
        "import numpy as np\n\n"
        "def cost(AL, Y):\n"
        "    m = Y.shape[1]\n"
        "    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), keepdims=True) / m\n"
    )
    f = _findings(path, [("cost", "scalar")])[("cost", "scalar")]
    assert f.status == "warn" and "(1, 1)" in f.message


def test_course2_random_init_at_another_scale_warns(tmp_path: Path) -> None:
    text = COURSE2.read_text()
    start = text.index("def initialize_parameters_random")
    body = text[start:]
    assert "* 10" in body
    path = tmp_path / "c2_scale.py"
    path.write_text(text[:start] + body.replace("* 10", "* 0.01", 1))
    f = _findings(path, [("initialize_parameters_random", "scale")])
    assert f[("initialize_parameters_random", "scale")].status == "warn"


# ------------------------------------------------------------------ nncheck's own errors


def test_an_internal_error_exits_non_zero_asking_for_a_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dataclasses

    import numpy as np

    from nncheck import reference as ref
    from nncheck.cli import main
    from nncheck.conventions import week4

    def broken(ctx: object) -> Finding:
        # nncheck's own code called with shapes that do not fit: a bug of nncheck's
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
    code = main(["conform", str(WEEK4), "--seed", "0"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "bug in nncheck" in out and "please report it" in out


def test_correct_files_still_pass_as_a_whole() -> None:
    for path in (WEEK2, WEEK3, WEEK4):
        report = conform(path, seed=5)
        assert report.ok, [str(f) for f in report.failures]
