"""The package as users get it: the wheel ships reference/, specs/, the examples and __main__ (the
demo runs from it), and imports stay lazy."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(
    args: list[str], cwd: Path, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env.update(env_extra or {})
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("package", ["nncheck", "nncheck.reference"])
def test_import_is_lazy(package: str, tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        import {package}
        heavy = sorted(m for m in ("sympy", "hypothesis", "mpmath") if m in sys.modules)
        print(",".join(heavy))
    """)
    out = _run([sys.executable, "-c", code], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"import {package} pulled in {out.stdout.strip()}"


def test_specs_import_sympy_and_reference_does_not_need_it(tmp_path: Path) -> None:
    code = "import sys, nncheck.specs; print('sympy' in sys.modules)"
    out = _run([sys.executable, "-c", code], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_wheel_ships_reference_and_specs_and_imports_from_it(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # --no-isolation builds offline with the installed hatchling (in the dev extra); without
    # it, build fetches hatchling into an isolated environment
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    built = _run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(dist)], cwd=ROOT
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheels = list(dist.glob("nncheck-*.whl"))
    assert len(wheels) == 1, wheels
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for folder in ("reference", "specs"):
        source = {p.name for p in (ROOT / folder).glob("*.py")}
        shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith(f"nncheck/{folder}/")}
        assert source and source <= shipped, f"wheel lacks nncheck/{folder}/{source - shipped}"
    assert "nncheck/py.typed" in names
    assert "nncheck/__main__.py" in names, "python -m nncheck needs nncheck/__main__.py"
    examples = {p.name for p in (ROOT / "nncheck" / "examples").glob("*.py")}
    shipped_examples = {
        n.rsplit("/", 1)[1]
        for n in names
        if n.startswith("nncheck/examples/") and n.endswith(".py")
    }
    assert {"week4_correct.py", "week4_buggy.py"} <= examples
    assert examples <= shipped_examples, (
        f"wheel lacks nncheck/examples/{examples - shipped_examples}"
    )
    assert not any(n.startswith(("reference/", "specs/", "tests/")) for n in names)

    # install = unpack the wheel onto the front of sys.path of a fresh interpreter (no pip, no
    # network); it shadows the editable install, whose path comes after site-packages
    site = tmp_path / "site"
    zipfile.ZipFile(wheels[0]).extractall(site)
    code = textwrap.dedent("""
        import nncheck, nncheck.reference as R, nncheck.specs as S
        import numpy as np
        print(nncheck.__file__)
        print(R.__file__)
        print(S.__file__)
        import nncheck.examples as E
        assert E.CORRECT.is_file() and E.BUGGY.is_file()
        print(E.CORRECT)
        assert R.sigmoid(np.array([0.0]))[0] == 0.5
        assert S.get_spec("linear_backward").derive().holds()
    """)
    out = _run([sys.executable, "-c", code], cwd=tmp_path, env_extra={"PYTHONPATH": str(site)})
    assert out.returncode == 0, out.stderr
    files = out.stdout.split()
    assert len(files) == 4 and all(f.startswith(str(site)) for f in files), (site, files)

    # the README's first command, from the unpacked wheel (its bundled examples, not the repo's)
    demo = _run(
        [sys.executable, "-m", "nncheck", "demo", "--seed", "0", "--json"],
        cwd=tmp_path,
        env_extra={"PYTHONPATH": str(site)},
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    ran = json.loads(demo.stdout)
    assert ran["runs"] and all(run["as_intended"] for run in ran["runs"]), ran
