"""The runner contains hostile learner code: every front door (API, CLI, pytest plugin).

Each file of tests/hostile declares ``EXPECTED``: the function that misbehaves and the
``mistake`` the runner must record ("timeout", "exit", "crash", "memory"), or a load error. The
other functions of those files are correct, and their results must survive.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import nncheck.conformance
from nncheck import conform, runner
from nncheck.cli import main
from nncheck.loader import LoadError

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent
HOSTILE = HERE / "hostile"
EXAMPLES = Path(nncheck.conformance.__file__).parent.parent / "examples"
TIMEOUT = 4.0  # hangs cost this much; correct functions of these small files take < 0.3 s
MEMORY = 300  # MB, for memory_blowup.py


def expected(name: str) -> dict[str, Any]:
    tree = ast.parse((HOSTILE / name).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPECTED":
            value: dict[str, Any] = ast.literal_eval(node.value)
            return value
    raise AssertionError(f"{name} declares no EXPECTED")


FUNCTION_CASES = sorted(
    p.name
    for p in HOSTILE.glob("*.py")
    if expected(p.name).get("mistake") in runner.RUNNER_MISTAKES
)
LOAD_CASES = sorted(p.name for p in HOSTILE.glob("*.py") if expected(p.name).get("load_error"))


def copy(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copy(HOSTILE / name, dest)
    return dest


def test_every_hostile_case_of_the_issue_has_a_file() -> None:
    assert len(FUNCTION_CASES) == 11 and len(LOAD_CASES) == 3
    mistakes = {expected(n)["mistake"] for n in FUNCTION_CASES}
    assert mistakes == set(runner.RUNNER_MISTAKES)


@pytest.mark.parametrize("name", FUNCTION_CASES)
def test_api_fails_that_function_only_and_keeps_the_others(tmp_path: Path, name: str) -> None:
    want = expected(name)
    report = conform(copy(tmp_path, name), seed=0, isolate=True, timeout=TIMEOUT, memory_mb=MEMORY)
    assert not report.ok
    failed = {f.function for f in report.failures}
    assert want["function"] in failed
    own = [f for f in report.failures if f.function == want["function"]]
    assert {f.mistake for f in own} == {want["mistake"]}, [f.message for f in own]
    assert all(f.message.startswith(want["function"] + " ") for f in own)
    # optimize calls propagate: it may fail too (and must say why); every other function passes
    assert failed <= {want["function"], "optimize"}
    passing = {f.function for f in report.findings if f.status == "pass"}
    assert {"sigmoid", "initialize_with_zeros", "predict"} <= passing


def test_a_caller_of_a_hanging_function_is_reported_without_another_timeout(
    tmp_path: Path,
) -> None:
    start = time.monotonic()
    report = runner.run_conform(copy(tmp_path, "hang_loop.py"), seed=0, timeout=TIMEOUT)
    elapsed = time.monotonic() - start
    (optimize,) = [f for f in report.failures if f.function == "optimize"]
    assert optimize.mistake == "timeout"
    assert "calls propagate" in optimize.message and "not run again" in optimize.message
    assert elapsed < 2 * TIMEOUT + 5  # one timeout, not two


def test_a_forward_pass_that_hangs_while_probed_fails_alone(tmp_path: Path) -> None:
    source = (HERE / "cli_models" / "week3_correct.py").read_text()
    source = source.replace(
        "def forward_propagation(X, parameters):",
        "def forward_propagation(X, parameters):\n    while True:\n        pass",
    )
    path = tmp_path / "w3.py"
    path.write_text(source)
    report = runner.run_conform(path, seed=0, timeout=TIMEOUT)
    failed = {f.function: f for f in report.failures}
    assert "learn the shape of your network" in failed["forward_propagation"].message
    # the probe is not run again in fresh workers: the other functions are checked (only
    # backward's check, which runs the person's forward pass, hangs too)
    assert set(failed) <= {"forward_propagation", "backward_propagation"}
    assert {"compute_cost"} <= {f.function for f in report.findings if f.status == "pass"}


def test_a_call_is_never_claimed_when_the_name_is_another_modules(tmp_path: Path) -> None:
    # optimize here is the corpus's correct one, imported: it calls *that* module's propagate
    source = (HOSTILE / "hang_loop.py").read_text()
    source = source.replace("def optimize(", "def _unused_optimize(")
    helper = tmp_path / "helper_w2.py"
    helper.write_text(
        (HOSTILE / "thread_nondaemon.py")
        .read_text()
        .replace("    threading.Thread(target=time.sleep, args=(1000,)).start()\n", "")
    )
    path = tmp_path / "hw.py"
    path.write_text(source + "\nfrom helper_w2 import optimize\n")
    report = runner.run_conform(path, seed=0, timeout=TIMEOUT)
    assert {f.function for f in report.failures} == {"propagate"}


def test_a_non_daemon_thread_does_not_keep_nncheck_alive(tmp_path: Path) -> None:
    start = time.monotonic()
    report = runner.run_conform(copy(tmp_path, "thread_nondaemon.py"), seed=0, timeout=TIMEOUT)
    assert report.ok, str(report)
    assert time.monotonic() - start < 30


def test_processes_started_by_the_person_die_with_the_child(tmp_path: Path) -> None:
    runner.run_conform(copy(tmp_path, "subprocess_orphan.py"), seed=0, timeout=TIMEOUT)
    pid = int((tmp_path / "orphan.pid").read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return  # killed; waiting to be reaped by init
        time.sleep(0.1)
    raise AssertionError(f"the learner's `sleep 1000` (pid {pid}) is still running")


@pytest.mark.parametrize("name", LOAD_CASES)
def test_a_file_that_exits_or_hangs_while_loading_is_a_load_error(
    tmp_path: Path, name: str
) -> None:
    # loading gets LOAD_TIMEOUT_FACTOR function timeouts: a short one keeps the hang cheap
    with pytest.raises(LoadError) as info:
        runner.run_conform(copy(tmp_path, name), seed=0, timeout=1.0)
    assert "being loaded" in str(info.value) or "SystemExit" in str(info.value)
    if name == "hang_at_import.py":  # the advice, worded by each front door
        assert "use defs-only loading (--defs-only)" in info.value.worded("--defs-only")
        assert "use defs-only loading (defs_only=True)" in str(info.value)


def test_a_file_that_trains_at_import_longer_than_a_function_timeout_still_loads(
    tmp_path: Path,
) -> None:
    """Learners' files train or load data at import: slower than one function's checks may
    take, but no hang. The load has its own, longer budget, also after a worker is replaced."""
    slow = tmp_path / "trains_at_import.py"
    slow.write_text(
        (EXAMPLES / "week4_correct.py").read_text()
        + "\n\nimport time\ntime.sleep(3)  # 'training' at import\n"
    )
    report = runner.run_conform(slow, seed=0, timeout=2.0)
    assert report.ok, [f.message for f in report.failures]
    assert runner.LOAD_TIMEOUT_FACTOR * 2.0 > 3
    # after a hang the fresh worker loads the file again, with the loading budget
    slow.write_text(
        slow.read_text() + "\n\ndef linear_backward(dZ, cache):\n    while True:\n        pass\n"
    )
    report = runner.run_conform(slow, seed=0, timeout=2.0)
    failing = {f.function: f.mistake for f in report.failures}
    assert failing == {
        "linear_backward": "timeout",
        "linear_activation_backward": "timeout",
        "L_model_backward": "timeout",
    }
    assert any(f.function == "update_parameters" and f.status == "pass" for f in report.findings)


def test_in_memory_module_targets_are_inherited_by_the_child() -> None:
    import types

    module = types.ModuleType("notebook_namespace")
    exec((HOSTILE / "exit_sys.py").read_text(), module.__dict__)
    report = runner.run_conform(module, seed=0, timeout=TIMEOUT)
    assert {f.mistake for f in report.failures if f.function == "propagate"} == {"exit"}
    assert any(f.function == "sigmoid" and f.status == "pass" for f in report.findings)


def test_isolated_correct_file_passes_and_equals_in_process() -> None:
    path = EXAMPLES / "week4_correct.py"
    isolated = conform(path, seed=3, isolate=True)
    assert isolated.ok
    assert isolated.to_dict() == conform(path, seed=3).to_dict()


# --------------------------------------------------------------------------------------------
# CLI


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main([*args, "--json", "--seed", "0", "--timeout", str(TIMEOUT)])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.mark.parametrize("name", ["hang_sleep.py", "exit_os.py", "crash_segfault.py"])
def test_cli_conform_exits_1_with_a_complete_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    code, data, _ = cli(capsys, "conform", str(copy(tmp_path, name)))
    assert code == 1 and data["ok"] is False
    mistakes = {f["mistake"] for f in data["findings"] if f["function"] == "propagate"}
    assert mistakes == {expected(name)["mistake"]}
    assert {f["function"] for f in data["findings"]} >= {"sigmoid", "predict"}


def test_cli_conform_load_exit_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, data, err = cli(capsys, "conform", str(copy(tmp_path, "os_exit_at_import.py")))
    assert code == 2 and data["error"]["kind"] == "load"
    assert "while it was being loaded" in err


@pytest.mark.parametrize("name", ["exit_sys.py", "hang_loop.py"])
def test_cli_gradcheck_exits_1_and_names_the_function(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    code, data, _ = cli(capsys, "gradcheck", str(copy(tmp_path, name)))
    assert code == 1 and data["ok"] is False
    # sys.exit is caught by the gradient check itself (a crash of the person's code); a hang
    # needs the runner, which names the function the child was in
    assert data["error"]["kind"] in (expected(name)["mistake"], "user_code")
    assert data["error"].get("function", "propagate") == "propagate"
    assert "propagate" in data["error"]["message"] or "SystemExit" in data["error"]["message"]


def test_cli_memory_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = copy(tmp_path, "memory_blowup.py")
    code, data, _ = cli(capsys, "conform", str(path), "--memory", str(MEMORY))
    assert code == 1
    assert {f["mistake"] for f in data["findings"] if f["function"] == "propagate"} == {"memory"}


def test_an_atexit_hook_cannot_change_the_exit_code(tmp_path: Path) -> None:
    path = copy(tmp_path, "atexit_os_exit.py")
    done = subprocess.run(
        [sys.executable, "-m", "nncheck", "conform", str(path), "--seed", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "missing" in done.stdout  # the diagnosis of dw, not an empty report


# --------------------------------------------------------------------------------------------
# pytest plugin


@pytest.mark.parametrize("name", ["exit_sys.py", "hang_sleep.py"])
def test_plugin_fails_the_items_with_one_line_and_goes_on(
    pytester: pytest.Pytester, name: str
) -> None:
    shutil.copy(HOSTILE / name, pytester.path / "hw.py")
    result = pytester.runpytest(
        "--nncheck=hw.py",
        "--nncheck-seed=0",
        f"--nncheck-timeout={TIMEOUT}",
        "-p",
        "no:cacheprovider",
    )
    out = result.stdout.str()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1 and outcomes.get("passed", 0) >= 5, out
    line = "propagate called sys.exit(0)" if name == "exit_sys.py" else "propagate did not return"
    assert line in out
    assert "_pytest" not in out and "Traceback" not in out
