"""docs/frameworks.md's Svelte 5 section is the code of example-frameworks' Svelte pages, which
tests/e2e/test_frameworks_svelte.py and tests/ssr/test_svelte_ssr.py build and run.

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


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n# Svelte 5\n")
    end = text.find("\n# ", start + 1)
    return text[start : end if end > 0 else len(text)]


def blocks() -> list[tuple[str, str, str]]:
    return [(m["kind"], m["path"], m["code"]) for m in BLOCK.finditer(section())]


def test_every_code_block_of_the_section_is_checked():
    fences = section().count("\n```") // 2
    assert len(blocks()) == fences >= 10
    assert all("svelte" in path for _, path, _ in blocks())


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
