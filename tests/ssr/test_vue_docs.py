"""docs/frameworks.md's blocks are the code of example-frameworks' Vue pages, which
tests/e2e/test_vue.py, tests/e2e/test_vue_dev.py and tests/ssr/test_vue_ssr.py build and run.

A block marked ``<!-- file: <path> -->`` is that whole file; one marked
``<!-- excerpt: <path> -->`` has its lines in that file, in the same order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "frameworks.md"
BLOCK = re.compile(
    r"<!-- (?P<kind>file|excerpt): (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)```", re.S
)


def blocks() -> list[tuple[str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m["kind"], m["path"], m["code"]) for m in BLOCK.finditer(text)]


def test_every_code_block_is_checked():
    fences = DOC.read_text(encoding="utf-8").count("\n```") // 2
    assert len(blocks()) == fences >= 13


@pytest.mark.parametrize(("kind", "path", "code"), blocks(), ids=[b[1] for b in blocks()])
def test_block_is_the_tested_code(kind, path, code):
    text = (ROOT / path).read_text(encoding="utf-8")
    if kind == "file":
        assert code == text
        return
    position = 0
    for line in code.splitlines():
        found = text.find(line, position)
        assert found >= 0, f"{path}: {line!r} is not there (after offset {position})"
        position = found + len(line)
