"""docs/frameworks.md's blocks are the code of example-frameworks' Vue pages, which
tests/e2e/test_vue.py, tests/e2e/test_vue_dev.py and tests/ssr/test_vue_ssr.py build and run
(each block is the file it names: doc_blocks.py).
"""

from __future__ import annotations

import pytest

from .doc_blocks import DOC, assert_block_is_the_file, blocks, fences

TEXT = DOC.read_text(encoding="utf-8")


def test_every_code_block_is_checked():
    assert len(blocks(TEXT)) == fences(TEXT) >= 13


@pytest.mark.parametrize(("kind", "path", "code"), blocks(TEXT), ids=[b[1] for b in blocks(TEXT)])
def test_block_is_the_tested_code(kind, path, code):
    assert_block_is_the_file(kind, path, code)
