"""What the tests of docs/frameworks.md share (test_vue_docs.py, test_svelte_docs.py): its code
blocks are example-frameworks' files. A block marked ``<!-- file: <path> -->`` is that whole
file; one marked ``<!-- excerpt: <path> -->`` has its lines in that file, in the same order.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "frameworks.md"
BLOCK = re.compile(
    r"<!-- (?P<kind>file|excerpt): (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)```", re.S
)


def blocks(text: str) -> list[tuple[str, str, str]]:
    """Each marked block of ``text``: its kind, the file's path, its code."""
    return [(m["kind"], m["path"], m["code"]) for m in BLOCK.finditer(text)]


def fences(text: str) -> int:
    """How many code blocks ``text`` holds, marked or not."""
    return text.count("\n```") // 2


def assert_block_is_the_file(kind: str, path: str, code: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    if kind == "file":
        assert code == text
        return
    position = 0
    for line in code.splitlines():
        found = text.find(line, position)
        assert found >= 0, f"{path}: {line!r} is not there (after offset {position})"
        position = found + len(line)
