"""Gradient-check protocols: detecting a model's protocol and building cost/gradient closures.

The closures are checked against the typed reference: for a correct course implementation the
person's cost and gradients, called through the protocol, must equal the reference's.
"""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncheck import examples
from nncheck import reference as ref
from nncheck._arrays import draw_data, load_arrays, parse_dims
from nncheck.conventions import detect_protocol, protocols
from nncheck.errors import ProtocolError, UserCodeError
from nncheck.gradcheck import build_problem, check_problem, preflight
from nncheck.loader import load_target

MODELS = Path(__file__).parent / "cli_models"


def load(name: str):  # type: ignore[no-untyped-def]
    return load_target(MODELS / name)


def write(tmp_path: Path, source: str, name: str = "model.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


# ---------------------------------------------------------------------------------- parse_dims


@pytest.mark.parametrize(
    ("text", "dims"), [("4,1", (4, 1)), ("5, 4, 3, 1", (5, 4, 3, 1)), ("3 4 1", (3, 4, 1))]
)
def test_parse_dims_accepts_comma_lists(text: str, dims: tuple[int, ...]) -> None:
    assert parse_dims(text) == dims


@pytest.mark.parametrize(
    ("text", "hint"),
    [("5", "every layer width"), ("5,x,1", "'x' is not a whole number"), ("4,0", "at least 1")],
)
def test_parse_dims_rejects_malformed_input_with_a_fix(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        parse_dims(text)


# ----------------------------------------------------------------------------- detect_protocol


@pytest.mark.parametrize(
    ("name", "protocol"),
    [
        ("week3_correct.py", "week3"),
        ("week2_correct.py", "week2"),
        ("course2_correct.py", "course2"),
        ("generic_correct.py", "generic"),
        ("generic_pair_buggy.py", "generic"),
        ("canonical_correct.py", "canonical"),
        ("course2_init_utils_style.py", "week3"),
        ("course2_one_dimensional.py", "course2_1d"),
    ],
)
def test_detects_each_protocol(name: str, protocol: str) -> None:
    assert detect_protocol(load(name))[0] == protocol


def test_detects_week4_in_the_bundled_example() -> None:
    name, functions = detect_protocol(load_target(examples.CORRECT))
    assert name == "week4"
    assert functions == ("L_model_forward", "compute_cost", "L_model_backward")


def test_no_protocol_lists_every_name_looked_for_and_what_was_found(tmp_path: Path) -> None:
    module = load_target(write(tmp_path, "def L_model_forward(X, parameters):\n    return X, []\n"))
    with pytest.raises(ProtocolError) as info:
        detect_protocol(module)
    message = str(info.value)
    for binding in protocols().values():
        for option in binding.options:
            for fn in option:
                assert fn in message
    assert "found L_model_forward; missing compute_cost, L_model_backward" in message


def test_forcing_a_protocol_the_module_lacks_is_an_error() -> None:
    with pytest.raises(ProtocolError, match="week2: propagate"):
        detect_protocol(load("week3_correct.py"), "week2")
    with pytest.raises(ProtocolError, match="unknown protocol 'week9'"):
        detect_protocol(load("week3_correct.py"), "week9")


# ---------------------------------------------------------------- closures equal the reference


def assert_grads_equal(ours: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert sorted(ours) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(ours[key], expected[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_week4_closures_match_the_reference_with_the_modules_own_init() -> None:
    module = load_target(examples.CORRECT)
    problem = build_problem(module, dims=(5, 4, 3, 1), m=6, seed=1)
    expected_params = module.initialize_parameters_deep([5, 4, 3, 1])
    assert_grads_equal(problem.params, expected_params)
    assert problem.X.shape == (5, 6) and problem.Y.shape == (1, 6)
    assert any("initialize_parameters_deep" in n for n in problem.notes)
    cost = problem.cost(problem.params)
    assert cost == pytest.approx(ref.model_cost(problem.params, problem.X, problem.Y), rel=1e-10)
    grads = preflight(problem)
    full = ref.model_gradients(problem.params, problem.X, problem.Y, "relu")
    assert_grads_equal(grads, {k: v for k, v in full.items() if not k.startswith("dA")})


def test_week4_buggy_example_gives_m_times_larger_dW() -> None:
    problem = build_problem(load_target(examples.BUGGY), dims=(4, 3, 1), m=5, seed=2)
    grads = preflight(problem)
    full = ref.model_gradients(problem.params, problem.X, problem.Y, "relu")
    for l in (1, 2):
        np.testing.assert_allclose(grads[f"dW{l}"], 5 * full[f"dW{l}"], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(grads[f"db{l}"], full[f"db{l}"], rtol=1e-10, atol=1e-14)


def test_week3_closures_match_the_reference_tanh_net() -> None:
    problem = build_problem(load("week3_correct.py"), m=7, seed=3)
    assert problem.dims == protocols()["week3"].dims
    p, X, Y = problem.params, problem.X, problem.Y
    assert problem.cost(p) == pytest.approx(ref.model_cost(p, X, Y, "tanh"), rel=1e-10)
    full = ref.model_gradients(p, X, Y, "tanh")
    assert_grads_equal(preflight(problem), {k: v for k, v in full.items() if k[:2] != "dA"})


def test_course2_closures_match_the_reference_relu_net() -> None:
    problem = build_problem(load("course2_correct.py"), m=6, seed=4)
    assert problem.dims == (4, 5, 3, 1)
    p, X, Y = problem.params, problem.X, problem.Y
    assert problem.cost(p) == pytest.approx(ref.model_cost(p, X, Y, "relu"), rel=1e-10)
    full = ref.model_gradients(p, X, Y, "relu")
    assert_grads_equal(preflight(problem), {k: v for k, v in full.items() if k[:2] != "dA"})


def test_week2_closures_match_reference_logistic_regression() -> None:
    problem = build_problem(load("week2_correct.py"), dims=(3, 1), m=9, seed=5)
    w, b = problem.params["w"], float(problem.params["b"][0, 0])
    J, dw, db = ref.logistic_propagate(w, b, problem.X, problem.Y)
    assert problem.cost(problem.params) == pytest.approx(J, rel=1e-10)
    grads = preflight(problem)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-10)
    assert grads["db"].shape == (1, 1)
    assert grads["db"][0, 0] == pytest.approx(db, rel=1e-10)


def test_generic_cost_and_gradients_protocols_match_the_reference() -> None:
    problem = build_problem(load("generic_correct.py"), dims=(4, 1), m=6, seed=6)
    assert problem.functions == ("cost", "gradients")
    p, X, Y = problem.params, problem.X, problem.Y
    assert problem.cost(p) == pytest.approx(ref.model_cost(p, X, Y), rel=1e-10)
    full = ref.model_gradients(p, X, Y)
    assert_grads_equal(preflight(problem), {k: v for k, v in full.items() if k[:2] != "dA"})
    # the single-function form, gradient keys without the d prefix (W1's sign is the bug)
    pair = build_problem(load("generic_pair_buggy.py"), dims=(4, 1), m=6, seed=6)
    assert pair.functions == ("cost_and_gradients",)
    grads = preflight(pair)
    np.testing.assert_allclose(grads["dW1"], -full["dW1"], rtol=1e-10)
    np.testing.assert_allclose(grads["db1"], full["db1"], rtol=1e-10)


def test_arguments_are_bound_by_name_whatever_their_order(tmp_path: Path) -> None:
    source = (MODELS / "week3_correct.py").read_text()
    source = source.replace(
        "def backward_propagation(parameters, cache, X, Y):",
        "def backward_propagation(Y, cache, X, params):\n    parameters = params",
    ).replace("def compute_cost(A2, Y, parameters):", "def compute_cost(Y, A2):")
    reordered = build_problem(load_target(write(tmp_path, source)), m=5, seed=7)
    original = build_problem(load("week3_correct.py"), m=5, seed=7)
    assert reordered.cost(reordered.params) == pytest.approx(original.cost(original.params))
    assert_grads_equal(preflight(reordered), preflight(original))


def test_unknown_argument_names_fall_back_to_the_course_order(tmp_path: Path) -> None:
    source = (MODELS / "week2_correct.py").read_text()
    source = source.replace("def propagate(w, b, X, Y):", "def propagate(weights, bias, X, Y):")
    source = source.replace("np.dot(w.T, X) + b", "np.dot(weights.T, X) + bias")
    renamed = build_problem(load_target(write(tmp_path, source)), m=5, seed=8)
    original = build_problem(load("week2_correct.py"), m=5, seed=8)
    assert_grads_equal(preflight(renamed), preflight(original))


def test_a_signature_nncheck_cannot_call_is_a_protocol_error(tmp_path: Path) -> None:
    module = load_target(write(tmp_path, "def propagate(a, b, c, d, e):\n    return {}, 0.0\n"))
    problem = build_problem(module, m=3, seed=0)
    with pytest.raises(ProtocolError, match=r"cannot call propagate\(a, b, c, d, e\)"):
        problem.cost(problem.params)


# ----------------------------------------------------------------------- the person's mistakes


def test_a_crash_in_the_persons_function_carries_their_trimmed_traceback(tmp_path: Path) -> None:
    source = (
        (MODELS / "week3_correct.py")
        .read_text()
        .replace('    W2 = parameters["W2"]\n', '    W2 = parameters["W2"]\n    W2 = W2 @ W2\n')
    )
    path = write(tmp_path, source, "hw.py")
    problem = build_problem(load_target(path), m=4, seed=0)
    with pytest.raises(UserCodeError) as info:
        preflight(problem)
    error = info.value
    assert error.function == "backward_propagation"
    assert "raised ValueError" in error.message
    assert "hw.py" in error.traceback and "W2 = W2 @ W2" in error.traceback
    assert "nncheck" not in error.traceback.replace(str(tmp_path), "")
    assert error.to_dict()["kind"] == "user_code"


@pytest.mark.parametrize(
    ("replace", "by", "function", "message"),
    [
        (
            "    return A2, cache\n",
            "    return A2\n",
            "forward_propagation",
            r"must return \(A2, cache\); it returned an array of shape \(1, 4\)",
        ),
        (
            '    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}\n',
            "    return [dW1, db1, dW2, db2]\n",
            "backward_propagation",
            "must return a dict of gradients",
        ),
        (
            "    return float(np.squeeze(cost))\n",
            "    return logprobs\n",
            "compute_cost",
            r"returned an array of shape \(1, 4\) as the cost; the cost must be a single number",
        ),
        (
            '    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}\n',
            '    return {"dW1": dW1, "db1": db1, "dW2": dW2}\n',
            "backward_propagation",
            "without db2",
        ),
        (
            "    db1 = np.sum(dZ1, axis=1, keepdims=True) / m\n",
            "    db1 = np.sum(dZ1, axis=1) / m\n",
            "backward_propagation",
            r"db1 has shape \(4,\): a rank-1 array",
        ),
        (
            "    dW2 = np.dot(dZ2, A1.T) / m\n",
            "    dW2 = np.dot(dZ2, A1.T) / 0.0\n",
            "backward_propagation",
            "non-finite value",
        ),
        (
            '    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}\n',
            '    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": "zero"}\n',
            "backward_propagation",
            "gradient 'db2' of type str",
        ),
    ],
)
def test_wrong_return_values_are_named_precisely(
    tmp_path: Path, replace: str, by: str, function: str, message: str
) -> None:
    source = (MODELS / "week3_correct.py").read_text()
    assert replace in source
    problem = build_problem(load_target(write(tmp_path, source.replace(replace, by))), m=4, seed=0)
    with (
        np.errstate(divide="ignore", invalid="ignore"),
        pytest.raises(UserCodeError, match=message) as info,
    ):
        preflight(problem)
    assert info.value.function == function


def test_a_non_finite_cost_is_the_persons_problem(tmp_path: Path) -> None:
    source = (
        (MODELS / "week2_correct.py")
        .read_text()
        .replace("    cost = -np.sum(", "    cost = np.inf * np.sum(")
    )
    problem = build_problem(load_target(write(tmp_path, source)), m=4, seed=0)
    with pytest.raises(UserCodeError, match="non-finite cost"):
        preflight(problem)


def test_the_modules_broken_initialiser_is_reported(tmp_path: Path) -> None:
    source = examples.CORRECT.read_text().replace(
        "np.zeros((layer_dims[l], 1))", "np.zeros(layer_dims[l])"
    )
    with pytest.raises(UserCodeError, match=r"b1 has shape \(4,\)") as info:
        build_problem(load_target(write(tmp_path, source)), dims=(5, 4, 1))
    assert info.value.function == "initialize_parameters_deep"


# ----------------------------------------------------------------------- data, params and .npz


def test_draw_data_is_deterministic_and_has_both_classes() -> None:
    X1, Y1 = draw_data((3, 2), 2, seed=11)
    X2, Y2 = draw_data((3, 2), 2, seed=11)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert X1.shape == (3, 2) and Y1.shape == (2, 2)
    for seed in range(30):
        _, Y = draw_data((2, 1), 2, seed=seed)
        assert sorted(Y[0]) == [0.0, 1.0]


def test_params_npz_sets_the_dims_and_disagreeing_dims_are_refused(tmp_path: Path) -> None:
    params = ref.initialize_parameters([3, 2, 1], "he", seed=0)
    path = tmp_path / "params.npz"
    np.savez(path, **params)
    loaded = load_arrays(path, what="--params")
    problem = build_problem(load_target(examples.CORRECT), params=loaded, m=4, seed=0)
    assert problem.dims == (3, 2, 1)
    assert_grads_equal(problem.params, params)
    with pytest.raises(ProtocolError, match="disagrees with --params"):
        build_problem(load_target(examples.CORRECT), params=loaded, dims=(3, 4, 1))
    bad = dict(params, W2=params["W2"].T)
    with pytest.raises(ProtocolError, match="W2 has shape"):
        build_problem(load_target(examples.CORRECT), params=bad)
    with pytest.raises(ProtocolError, match="holds dW1 besides the parameters"):
        build_problem(load_target(examples.CORRECT), params=dict(params, dW1=params["W1"]))


def test_data_npz_sets_m_and_n0_and_rank1_Y_is_accepted(tmp_path: Path) -> None:
    X = np.arange(12.0).reshape(3, 4)
    problem = build_problem(
        load_target(examples.CORRECT), data={"X": X, "Y": np.array([0.0, 1.0, 1.0, 0.0])}
    )
    assert problem.dims == (3, 4, 3, 1) and problem.m == 4
    np.testing.assert_array_equal(problem.X, X)
    assert problem.Y.shape == (1, 4)


@pytest.mark.parametrize(
    ("data", "dims", "message"),
    [
        ({"X": np.ones((3, 4))}, None, "missing Y"),
        ({"X": np.ones(4), "Y": np.ones((1, 4))}, None, "needs 2 dimensions"),
        ({"X": np.ones((3, 4)), "Y": np.ones((1, 5))}, None, "needs the same m"),
        ({"X": np.ones((3, 4)), "Y": np.ones((1, 4))}, (5, 4, 1), "do not fit --dims 5,4,1"),
        ({"X": np.ones((3, 0)), "Y": np.ones((1, 0))}, None, r"no examples \(m = 0\)"),
    ],
)
def test_unusable_data_is_a_protocol_error(
    data: dict[str, np.ndarray], dims: tuple[int, ...] | None, message: str
) -> None:
    with pytest.raises(ProtocolError, match=message):
        build_problem(load_target(examples.CORRECT), data=data, dims=dims)


@pytest.mark.parametrize(
    ("name", "dims", "message"),
    [
        ("week2_correct.py", (4, 3, 1), "needs --dims N_X,1"),
        ("course2_correct.py", (4, 3, 1), "give four widths"),
    ],
)
def test_dims_that_do_not_fit_the_protocol_are_refused(
    name: str, dims: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ProtocolError, match=message):
        build_problem(load(name), dims=dims)


def test_load_arrays_refuses_pickled_object_arrays(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, X=np.array([{"a": 1}, None], dtype=object), Y=np.ones((1, 2)))
    with pytest.raises(ProtocolError, match="object \\(pickled\\) arrays"):
        load_arrays(path, what="--data")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"not a zip file at all", "not an .npz file"),
        (b"\x80\x04K\x01.", "is pickled Python data"),
        (b"\x93NUMPY\x01\x00", "is a .npy file holding one array"),
        (b"PK\x03\x04broken", "not a readable .npz file"),
    ],
)
def test_load_arrays_refuses_missing_or_garbage_files(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "data.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ProtocolError, match=message):
        load_arrays(path, what="--data")


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array([[1.0, np.nan]]), r"non-finite value nan at index \[0, 1\]"),
        (np.array([[np.inf, 1.0]]), "non-finite value inf"),
        (np.array([["a", "b"]]), "dtype <U1"),
    ],
)
def test_load_arrays_refuses_non_finite_or_non_numeric(
    tmp_path: Path, array: np.ndarray, message: str
) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, X=array)
    with pytest.raises(ProtocolError, match=message):
        load_arrays(path, what="--data")


GENERIC_LINEAR = """
import numpy as np

def cost(params, X, Y):
    return 0.5 * float(np.mean((params["theta"] @ X - Y) ** 2))

def gradients(params, X, Y):
    return {"theta": (params["theta"] @ X - Y) @ X.T / X.shape[1]}
"""


def test_generic_with_its_own_parameter_names_needs_dims_or_data(tmp_path: Path) -> None:
    module = load_target(write(tmp_path, GENERIC_LINEAR))
    theta = {"theta": np.array([[0.5, -1.0, 2.0]])}
    with pytest.raises(ProtocolError, match="give --data"):
        build_problem(module, params=theta)
    problem = build_problem(module, params=theta, dims=(3, 1), m=4, seed=0)
    assert problem.X.shape == (3, 4)
    residual = theta["theta"] @ problem.X - problem.Y
    np.testing.assert_allclose(preflight(problem)["dtheta"], residual @ problem.X.T / 4)


def test_sys_exit_inside_the_persons_function_is_a_crash_not_an_exit(tmp_path: Path) -> None:
    source = (
        (MODELS / "week2_correct.py")
        .read_text()
        .replace("    m = X.shape[1]\n", "    import sys\n    sys.exit(3)\n")
    )
    problem = build_problem(load_target(write(tmp_path, source)), m=3, seed=0)
    with pytest.raises(UserCodeError, match="raised SystemExit: 3"):
        preflight(problem)


def test_an_extra_required_argument_is_a_protocol_error(tmp_path: Path) -> None:
    source = examples.CORRECT.read_text().replace(
        "def L_model_forward(X: Array, parameters: Params)",
        "def L_model_forward(X: Array, parameters: Params, keep_prob: float)",
    )
    problem = build_problem(load_target(write(tmp_path, source)), m=3, seed=0)
    with pytest.raises(ProtocolError, match="nncheck expects L_model_forward\\(X, parameters\\)"):
        preflight(problem)


@pytest.mark.parametrize(
    ("replace", "by", "function", "message"),
    [
        (
            "    m = X.shape[1]\n    W2 = parameters",
            "    m = X.shape[1]\n    X[0, 0] = 0.0\n    W2 = parameters",
            "backward_propagation",
            r"changed X in place \(X\[0, 0\] was .*, is now 0.0\)",
        ),
        (
            "    W1, b1 = parameters",
            "    parameters['b1'] = parameters['b1'] + 1\n    W1, b1 = parameters",
            "forward_propagation or compute_cost",
            r"changed parameters\['b1'\] in place \(parameters\['b1'\]\[0, 0\] was 0.0, "
            r"is now 1.0\)",
        ),
    ],
)
def test_changing_the_callers_arrays_in_place_is_reported(
    tmp_path: Path, replace: str, by: str, function: str, message: str
) -> None:
    source = (MODELS / "week3_correct.py").read_text()
    assert replace in source
    problem = build_problem(load_target(write(tmp_path, source.replace(replace, by))), m=3, seed=0)
    with pytest.raises(UserCodeError, match=message) as info:
        preflight(problem)
    assert info.value.function == function


def test_three_layer_nets_through_the_week3_names_with_dims(tmp_path: Path) -> None:
    module = load("course2_init_utils_style.py")
    problem = build_problem(module, dims=(2, 10, 5, 1), m=6, seed=0)
    assert problem.protocol == "week3"
    p, X, Y = problem.params, problem.X, problem.Y
    assert problem.cost(p) == pytest.approx(ref.model_cost(p, X, Y, "relu"), rel=1e-10)
    full = ref.model_gradients(p, X, Y, "relu")
    assert_grads_equal(preflight(problem), {k: v for k, v in full.items() if k[:2] != "dA"})
    # without --dims nncheck probes the depth: the forward pass asks for W3, so 3 layers
    probed = build_problem(module, m=6, seed=0)
    assert probed.dims == (3, 4, 4, 1)
    assert any("forward_propagation reads W1…W3" in note for note in probed.notes)
    assert_grads_equal(
        preflight(probed),
        {
            k: v
            for k, v in ref.model_gradients(probed.params, probed.X, probed.Y, "relu").items()
            if k[:2] != "dA"
        },
    )
    # with --dims too shallow, the KeyError says what to do
    small = build_problem(module, dims=(2, 4, 1), m=6, seed=0)
    with pytest.raises(UserCodeError, match=r"your code reads W3.*give --dims") as info:
        preflight(small)
    assert info.value.function == "forward_propagation"
    # a one-hidden-layer file is not probed deeper
    assert build_problem(load("week3_correct.py"), m=3, seed=0).dims == (3, 4, 1)


def test_star_args_functions_get_the_course_order(tmp_path: Path) -> None:
    source = (MODELS / "week2_correct.py").read_text()
    source = source.replace(
        "def propagate(w, b, X, Y):", "def propagate(*args):\n    w, b, X, Y = args"
    )
    renamed = build_problem(load_target(write(tmp_path, source)), m=5, seed=8)
    original = build_problem(load("week2_correct.py"), m=5, seed=8)
    assert_grads_equal(preflight(renamed), preflight(original))


def test_canonical_names_use_the_modules_initialiser_and_match_the_reference() -> None:
    module = load("canonical_correct.py")
    assert detect_protocol(module) == (
        "canonical",
        ("model_forward", "cost", "model_backward"),
    )
    problem = build_problem(module, dims=(4, 3, 2, 1), m=5, seed=0)
    assert_grads_equal(problem.params, ref.initialize_parameters([4, 3, 2, 1], "he", seed=5))
    p, X, Y = problem.params, problem.X, problem.Y
    assert problem.cost(p) == pytest.approx(ref.model_cost(p, X, Y, "tanh"), rel=1e-10)
    full = ref.model_gradients(p, X, Y, "tanh")
    assert_grads_equal(preflight(problem), {k: v for k, v in full.items() if k[:2] != "dA"})


def test_a_complex_step_probe_gets_the_persons_own_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The numeric core may try complex inputs and fall back when the code refuses them: the
    person's float(...) TypeError must reach it unwrapped, while real-input crashes stay
    UserCodeErrors."""
    import nncheck.numeric

    problem = build_problem(load("week3_correct.py"), m=4, seed=0)  # float(np.squeeze(cost))
    seen: list[BaseException] = []

    def fake_check_gradients(cost, params, grads, **kwargs):  # type: ignore[no-untyped-def]
        probe = {k: v.astype(complex) for k, v in params.items()}
        with warnings.catch_warnings():  # as the numeric core probes: discarding i·h is an error
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                cost(probe)
            except Exception as exc:
                seen.append(exc)
        try:
            cost({k: v[:0] for k, v in params.items()})  # real inputs that crash their code
        except Exception as exc:
            seen.append(exc)
        return "report"

    monkeypatch.setattr(nncheck.numeric, "check_gradients", fake_check_gradients)
    assert check_problem(problem) == "report"
    assert len(seen) == 2
    assert type(seen[0]) is np.exceptions.ComplexWarning  # not UserCodeError
    assert type(seen[1]) is UserCodeError
    assert "forward_propagation: raised ValueError" in str(seen[1])


@given(st.lists(st.integers(1, 10_000), min_size=2, max_size=8), st.sampled_from([",", ", ", " "]))
def test_parse_dims_round_trips_any_widths(widths: list[int], separator: str) -> None:
    assert parse_dims(separator.join(map(str, widths))) == tuple(widths)


@given(st.text(max_size=12))
def test_parse_dims_either_parses_or_explains(text: str) -> None:
    try:
        dims = parse_dims(text)
    except ValueError as exc:
        assert "--dims" in str(exc)
    else:
        assert len(dims) >= 2 and all(d >= 1 for d in dims)


def test_an_exception_without_arguments_is_reported_too(tmp_path: Path) -> None:
    source = (MODELS / "week2_correct.py").read_text()
    source = source.replace("    m = X.shape[1]\n", "    raise KeyError()\n")
    problem = build_problem(load_target(write(tmp_path, source)), m=3, seed=0)
    with pytest.raises(UserCodeError, match="raised KeyError") as info:
        preflight(problem)
    assert "raise KeyError()" in info.value.traceback


def test_an_exception_whose_str_fails_is_still_reported(tmp_path: Path) -> None:
    source = (MODELS / "week2_correct.py").read_text() + (
        "\n\nclass Weird(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n"
    )
    source = source.replace("    m = X.shape[1]\n", "    raise Weird()\n")
    problem = build_problem(load_target(write(tmp_path, source)), m=3, seed=0)
    with pytest.raises(UserCodeError, match="raised Weird: <the exception's str"):
        preflight(problem)


@pytest.mark.parametrize("b", [np.array(0.25), np.array([0.25]), np.array([[0.25]])])
def test_week2_params_accept_b_as_any_single_number(tmp_path: Path, b: np.ndarray) -> None:
    w = np.array([[0.5], [-1.0], [2.0]])
    problem = build_problem(load("week2_correct.py"), params={"w": w, "b": b}, m=4, seed=0)
    assert problem.dims == (3, 1)
    assert problem.params["b"].shape == (1, 1)
    J, dw, db = ref.logistic_propagate(w, 0.25, problem.X, problem.Y)
    assert problem.cost(problem.params) == pytest.approx(J, rel=1e-10)
    grads = preflight(problem)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-10)
    assert grads["db"][0, 0] == pytest.approx(db, rel=1e-10)


def test_week2_params_are_checked(tmp_path: Path) -> None:
    module = load("week2_correct.py")
    with pytest.raises(ProtocolError, match="needs arrays w and b"):
        build_problem(module, params={"w": np.ones((3, 1))})
    with pytest.raises(ProtocolError, match="needs a column"):
        build_problem(module, params={"w": np.ones(3), "b": np.array(0.0)})
    with pytest.raises(ProtocolError, match="b is a single number"):
        build_problem(module, params={"w": np.ones((3, 1)), "b": np.ones(2)})


@settings(max_examples=25, deadline=None, derandomize=True)  # the same cases on every CI run
@given(
    dims=st.lists(st.integers(1, 6), min_size=2, max_size=4).map(lambda d: (*d[:-1], 1)),
    m=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_gradcheck_on_the_examples_flags_exactly_the_visible_mistake(
    dims: tuple[int, ...], m: int, seed: int
) -> None:
    """The correct example always passes; the buggy one (dW without 1/m) fails for exactly the
    W whose true gradient is not zero, and only when m > 1 (with m = 1 the mistake is
    invisible). The truth comes from the reference on the same parameters and data."""
    correct = build_problem(load_target(examples.CORRECT), dims=dims, m=m, seed=seed)
    assert check_problem(correct, seed=seed).ok
    buggy = build_problem(load_target(examples.BUGGY), dims=dims, m=m, seed=seed)
    report = check_problem(buggy, seed=seed)
    truth = ref.model_gradients(buggy.params, buggy.X, buggy.Y, "relu")
    visible = {
        f"W{l}" for l in range(1, len(dims)) if m > 1 and np.max(np.abs(truth[f"dW{l}"])) > 1e-6
    }
    assert {p.name for p in report.parameters if not p.ok} == visible


def test_saturated_output_does_not_cry_wolf() -> None:
    """Regression: a saturated sigmoid makes the course's cost round far above ε·|J|; correct
    gradients were once flagged here (fixed by measuring the cost's rounding noise)."""
    problem = build_problem(load_target(examples.CORRECT), dims=(1, 1, 1), m=1, seed=3)
    assert float(problem.cost(problem.params)) < 1e-8  # the saturated case
    assert check_problem(problem, seed=3).ok


def test_sizes_that_would_exhaust_memory_are_refused() -> None:
    module = load_target(examples.CORRECT)
    with pytest.raises(ProtocolError, match="100,020,001 parameters"):
        build_problem(module, dims=(10_000, 10_000, 1))
    with pytest.raises(ProtocolError, match="a few examples"):
        build_problem(module, dims=(5, 4, 1), m=20_000_000)


def test_a_smooth_parameter_is_not_mistaken_for_a_kink() -> None:
    """Regression: dW3[0, 0] twice the truth (a missing 1/m, m = 2) was once classed as a kink
    and left undecided, although W3 feeds a sigmoid and the cost is smooth in it."""
    problem = build_problem(load_target(examples.BUGGY), dims=(3, 3, 3, 1), m=2, seed=602)
    truth = ref.model_gradients(problem.params, problem.X, problem.Y, "relu")
    assert abs(truth["dW3"][0, 0]) > 1  # a large, clearly visible gradient
    report = check_problem(problem, seed=602)
    assert {p.name for p in report.parameters if not p.ok} == {"W1", "W2", "W3"}


def test_the_one_dimensional_warm_up(tmp_path: Path) -> None:
    problem = build_problem(load("course2_one_dimensional.py"), seed=4)
    x, theta = float(problem.X[0, 0]), float(problem.params["theta"][0, 0])
    assert x != 0
    assert problem.cost(problem.params) == pytest.approx(theta * x)
    assert preflight(problem) == {"dtheta": pytest.approx(np.array([[x]]))}
    given = build_problem(load("course2_one_dimensional.py"), params={"theta": np.array(3.0)})
    assert given.params["theta"][0, 0] == 3.0
    with pytest.raises(ProtocolError, match="needs one number theta"):
        build_problem(load("course2_one_dimensional.py"), params={"w": np.ones(2)})


def test_a_pre_activation_near_the_kink_does_not_cry_wolf() -> None:
    """Regression: a correct ReLU net with a pre-activation 0.0022 from the kink was once
    flagged (its dW1 matched the finite differences to 2.5e-5 relative)."""
    problem = build_problem(load_target(examples.CORRECT), dims=(3, 3, 1), m=6, seed=54499)
    assert 2.0 < float(problem.cost(problem.params)) < 4.0  # not saturated
    assert check_problem(problem, seed=54499).ok
