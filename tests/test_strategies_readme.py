"""The code in docs/readme/strategies.md runs, and its tables match the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nncheck import properties as P
from nncheck import strategies as S

DOC = Path(__file__).resolve().parent.parent / "docs" / "readme" / "strategies.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_section_has_code() -> None:
    assert len(BLOCKS) == 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_code_blocks_run(index: int) -> None:
    exec(compile(BLOCKS[index], f"{DOC.name}[block {index}]", "exec"), {"__name__": "readme"})


def test_tables_name_real_functions() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in re.findall(r"\| `(check_\w+)\(", text):
        assert name in P.__all__, name
    for name in re.findall(r"\| `(\w+)\(", text):
        if not name.startswith("check_"):
            assert name in S.__all__, name


def test_frequency_table_floors_match_the_tests() -> None:
    from test_strategies import FLOORS

    text = DOC.read_text(encoding="utf-8")
    floors = [int(x) for x in re.findall(r"\| [\d.]+ % \| (\d+) % \|", text)]
    assert sorted(floors) == sorted(round(v * 100) for v in FLOORS.values())
