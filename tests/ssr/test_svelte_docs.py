"""docs/frameworks.md's Svelte 5 section is the code of example-frameworks' Svelte pages, which
tests/e2e/test_frameworks_svelte.py and tests/ssr/test_svelte_ssr.py build and run (each block
is the file it names: doc_blocks.py).
"""

from __future__ import annotations

import pytest

from .doc_blocks import DOC, assert_block_is_the_file, blocks, fences


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n# Svelte 5\n")
    end = text.find("\n# ", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_every_code_block_of_the_section_is_checked():
    assert len(blocks(section())) == fences(section()) >= 10
    assert all("svelte" in path for _, path, _ in blocks(section()))


@pytest.mark.parametrize(
    ("kind", "path", "code"), blocks(section()), ids=[b[1] for b in blocks(section())]
)
def test_block_is_the_tested_code(kind, path, code):
    assert_block_is_the_file(kind, path, code)
