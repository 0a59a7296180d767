"""Regressions for problems a red-team tester found in the command line (false alarms first)."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from nncheck._arrays import draw_data
from nncheck.cli import EXIT_ERROR, EXIT_OK, main

SOFTMAX = """\
import numpy as np

def _softmax(Z):
    Z = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)

def cost(params, X, Y):
    A = _softmax(params["W1"] @ X + params["b1"])
    return float(-np.sum(Y * np.log(A)) / X.shape[1])

def gradients(params, X, Y):
    m = X.shape[1]
    A = _softmax(params["W1"] @ X + params["b1"])
    dZ = (A - Y) / m
    return {"dW1": dZ @ X.T, "db1": np.sum(dZ, axis=1, keepdims=True)}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, source: str, name: str = "hw.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


# ------------------------------------------------------------- 1: drawn Y is one-hot when n[L] > 1


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_correct_softmax_passes_with_drawn_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    path = write(tmp_path, SOFTMAX)
    code, out, _ = run(capsys, "gradcheck", str(path), "--dims", "4,3", "--seed", str(seed))
    assert code == EXIT_OK, out
    assert "one-hot" in out


@pytest.mark.parametrize(("classes", "m"), [(2, 8), (3, 8), (5, 5), (6, 3), (10, 40)])
def test_drawn_multi_output_labels_are_one_hot_with_every_class(classes: int, m: int) -> None:
    for seed in range(5):
        _, Y = draw_data((4, classes), m, seed)
        assert Y.shape == (classes, m)
        assert set(np.unique(Y)) <= {0.0, 1.0}
        np.testing.assert_array_equal(Y.sum(axis=0), np.ones(m))
        if m >= classes:
            assert np.all(Y.sum(axis=1) >= 1), "every class appears"


def test_single_output_labels_are_unchanged() -> None:
    _, Y = draw_data((4, 1), 8, 0)
    assert Y.shape == (1, 8) and 0 < Y.sum() < 8


# --------------------------------------------------------------------- 2: generic network shape


def test_generic_takes_its_shape_from_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, SOFTMAX)
    rng = np.random.default_rng(0)
    labels = np.arange(8) % 3
    Y = np.zeros((3, 8))
    Y[labels, np.arange(8)] = 1.0
    np.savez(tmp_path / "d.npz", X=rng.standard_normal((4, 8)), Y=Y)
    code, out, _ = run(capsys, "gradcheck", str(path), "--data", str(tmp_path / "d.npz"))
    assert code == EXIT_OK, out
    assert "4,3 (one layer)" in out


def test_generic_without_any_shape_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, SOFTMAX)
    code, out, err = run(capsys, "gradcheck", str(path))
    assert code == EXIT_ERROR
    assert "the generic protocol needs --dims N_IN,…,N_OUT, --data or --params" in err
    assert out == ""


# ----------------------------------------------------------------------- 5: empty --dims entries


@pytest.mark.parametrize(("text", "entry"), [("5,,1", 2), ("5,4,", 3), (",5,1", 1)])
def test_empty_dims_entry_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], text: str, entry: int
) -> None:
    code, out, err = run(capsys, "gradcheck", "model.py", "--dims", text)
    assert code == EXIT_ERROR
    assert f"entry {entry} is empty" in err
    assert out == ""


# ------------------------------------------------- 3: a wrong cost scale is not blamed on backprop

LOGISTIC = """\
import numpy as np

def cost(params, X, Y):
    A = 1 / (1 + np.exp(-(params["W1"] @ X + params["b1"])))
    m = X.shape[1]
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) {cost_scale})

def gradients(params, X, Y):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(params["W1"] @ X + params["b1"])))
    dZ = A - Y
    return {{"dW1": dZ @ X.T {dw_scale}, "db1": np.sum(dZ, axis=1, keepdims=True) / m}}
"""


@pytest.mark.parametrize(
    ("cost_scale", "dw_scale", "expected"),
    [
        ("", "/ m", "the same ratio (1/m = 1/8) on every parameter: your cost may be a sum"),
        ("/ m / m", "/ m", "the same ratio (m = 8) on every parameter: your cost may divide by m"),
        ("/ m", "", None),  # only dW1 is missing its 1/m: the backward pass is to blame
        ("/ m", "/ m / m", None),
    ],
)
def test_a_cost_scale_shared_by_every_parameter_is_named(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cost_scale: str,
    dw_scale: str,
    expected: str | None,
) -> None:
    source = LOGISTIC.format(cost_scale=cost_scale, dw_scale=dw_scale)
    path = write(tmp_path, source)
    code, out, _ = run(capsys, "gradcheck", str(path), "--dims", "3,1", "--m", "8", "--seed", "0")
    assert code == 1, out
    if expected is None:
        assert "same ratio" not in out
    else:
        assert expected in out


def test_cost_scale_note_is_in_the_json_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    path = write(tmp_path, LOGISTIC.format(cost_scale="", dw_scale="/ m"))
    code, out, _ = run(capsys, "gradcheck", str(path), "--dims", "3,1", "--seed", "0", "--json")
    assert code == 1
    assert any("your cost may be a sum" in note for note in json.loads(out)["notes"])


# --------------------------------------------------------------- 4: conform --rename is validated


def renamed_week4(tmp_path: Path) -> Path:
    from nncheck import examples

    source = examples.CORRECT.read_text()
    source = source.replace("L_model_forward", "forward").replace("L_model_backward", "backward")
    return write(tmp_path, source)


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ("L_model_forward=nonexistent", "the file defines no function 'nonexistent'"),
        ("L_model_forwrad=forward", "did you mean 'L_model_forward'?"),
        ("L_model_forwrad=forward", "the course names are: sigmoid, relu"),
        ("no_such_course_name=forward", "is not a function of the week4 convention"),
    ],
)
def test_conform_refuses_renames_it_would_silently_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rename: str, message: str
) -> None:
    path = renamed_week4(tmp_path)
    extra = ("--rename", "L_model_backward=backward")
    code, out, err = run(capsys, "conform", str(path), "--seed", "0", "--rename", rename, *extra)
    assert code == EXIT_ERROR
    assert message in err
    assert out == ""


def test_conform_with_valid_renames_still_runs_and_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    path = renamed_week4(tmp_path)
    renames = ("--rename", "L_model_forward=forward", "--rename", "L_model_backward=backward")
    code, out, _ = run(capsys, "conform", str(path), "--seed", "0", "--json", *renames)
    data = json.loads(out)
    assert code == EXIT_OK, data
    assert data["target"] == str(path)
    assert {"L_model_forward", "L_model_backward"} <= {f["function"] for f in data["findings"]}


def test_conform_without_known_names_shows_only_the_cli_rename_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "def foo(x):\n    return x\n")
    code, _, err = run(capsys, "conform", str(path))
    assert code == EXIT_ERROR
    assert "or rename them with --rename COURSE=YOURS" in err
    assert "convention={" not in err


# ----------------------------------------------------- 6: unnormalised pixels are an input problem

WEEK2 = """\
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": db}, np.squeeze(cost)
"""


def test_unnormalised_pixels_are_not_blamed_on_correct_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, WEEK2)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(6, 10)).astype(np.float64)
    np.savez(tmp_path / "pix.npz", X=X, Y=(np.arange(10) % 2).reshape(1, 10).astype(float))
    np.savez(tmp_path / "ok.npz", X=X / 255, Y=(np.arange(10) % 2).reshape(1, 10).astype(float))
    params = {"w": np.full((6, 1), 2.0), "b": np.array(0.0)}  # saturates the sigmoid on pixels
    np.savez(tmp_path / "p.npz", **params)
    code, out, err = run(
        capsys, "gradcheck", str(path), "--data", str(tmp_path / "pix.npz"),
        "--params", str(tmp_path / "p.npz"),
    )  # fmt: skip
    assert code == EXIT_ERROR, out
    assert "unnormalised" in err and "divide image pixels by 255" in err
    assert "FAIL" not in out
    code, out, _ = run(
        capsys, "gradcheck", str(path), "--data", str(tmp_path / "ok.npz"),
        "--params", str(tmp_path / "p.npz"),
    )  # fmt: skip
    assert code == EXIT_OK, out
    assert "X reaches" not in out


def test_large_data_that_still_checks_gets_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, WEEK2)
    X = np.linspace(-100, 100, 12).reshape(3, 4)
    np.savez(tmp_path / "d.npz", X=X, Y=np.array([[0.0, 1.0, 0.0, 1.0]]))
    np.savez(tmp_path / "p.npz", w=np.full((3, 1), 1e-3), b=np.array(0.0))
    code, out, _ = run(
        capsys, "gradcheck", str(path), "--data", str(tmp_path / "d.npz"),
        "--params", str(tmp_path / "p.npz"),
    )  # fmt: skip
    assert code == EXIT_OK, out
    assert "X reaches 100 in magnitude" in out


# ------------------------------------------------------ miss chance is shown for failing arrays too


@pytest.mark.parametrize("verdict", ["ok", "mismatch"])
def test_directional_miss_chance_is_shown_whatever_the_verdict(verdict: str) -> None:
    from nncheck.numeric import GradReport, ParameterReport
    from nncheck.report import gradcheck_text

    @dataclass(frozen=True)
    class Header:
        protocol: str = "generic"
        functions: tuple[str, ...] = ("cost", "gradients")
        dims: tuple[int, ...] = (2, 2)
        m: int = 4
        notes: tuple[str, ...] = ()

    param = ParameterReport(
        "W1", (2, 2), verdict, 0.5, 0.3, 1e-6, (0, 1), 1.0, 2.0,  # type: ignore[arg-type]
        checked=8, mismatched=3 if verdict == "mismatch" else 0,
        mode="directional", miss_probability=3.7e-10,
    )  # fmt: skip
    report = GradReport(verdict == "ok", "directional", "directional", 20, (param,), 0)
    text = gradcheck_text(report, "hw.py", Header())
    assert "miss chance 3.70e-10" in text


def test_generic_with_own_params_and_data_does_not_claim_a_layer_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        """\
        import numpy as np

        def cost(params, X, Y):
            return float(np.sum((params["theta"].T @ X - Y) ** 2) / X.shape[1])

        def gradients(params, X, Y):
            return {"theta": 2 * X @ (params["theta"].T @ X - Y).T / X.shape[1]}
        """,
    )
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", X=rng.standard_normal((3, 6)), Y=rng.standard_normal((1, 6)))
    np.savez(tmp_path / "p.npz", theta=rng.standard_normal((3, 1)))
    code, out, _ = run(
        capsys, "gradcheck", str(path), "--data", str(tmp_path / "d.npz"),
        "--params", str(tmp_path / "p.npz"),
    )  # fmt: skip
    assert code == EXIT_OK, out
    assert "(one layer)" not in out


def test_a_cost_without_its_1_over_m_fails_every_weight_not_just_the_last_bias(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Weights at 0.01 put hidden pre-activations within ~1e-6 of the ReLU kink. The engine's
    # measurement of the cost's rounding noise used to cross such a kink, read the jump as
    # noise (1e-9 instead of 1e-15), and widened every bound until gradients 8 times too
    # small passed: only b3 failed. Noise is now measured on a scale too small to meet a kink.
    path = Path(__file__).parent / "cli_models" / "week4_cost_sum_tiny_init.py"
    code = main(["gradcheck", str(path), "--defs-only", "--seed", "3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    failing = {p["name"] for p in out["parameters"] if not p["ok"]}
    assert {"W1", "W2", "W3", "b3"} <= failing
