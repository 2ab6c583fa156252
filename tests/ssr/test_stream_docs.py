"""docs/ssr.md's streaming blocks are the example's code, which the e2e tests run.

Each block marked ``<!-- verbatim: <file> -->`` is an excerpt: its lines appear in that file,
in the same order, but for ``// …`` lines that mark a cut (tests/e2e/test_ssr_stream.py
serves and drives that code in Chromium).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ssr.md"
BLOCK = re.compile(r"<!-- verbatim: (?P<file>\S+) -->\n```\w*\n(?P<code>.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m["file"], m["code"]) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))]


def test_the_streaming_section_has_its_blocks():
    files = [name for name, _ in blocks()]
    assert "example/example/views.py" in files and "example/frontend/src/ssr/server.tsx" in files
    assert len(files) == 4


@pytest.mark.parametrize(("name", "code"), blocks(), ids=[name for name, _ in blocks()])
def test_block_is_in_the_example_in_order(name, code):
    text = (ROOT / name).read_text(encoding="utf-8")
    position = 0
    for line in code.splitlines():
        if not line.strip() or line.strip() == "// …":
            continue
        found = text.find(line, position)
        assert found >= 0, f"{name}: {line!r} is not there (after offset {position})"
        position = found + len(line)
