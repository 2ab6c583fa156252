"""The build that several modules of real server bundles use (tests/ssr/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import VUE_FRONTEND, vite_build


@pytest.fixture(scope="session")
def vue_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """example-frameworks/vue-frontend built once, into a scratch folder: its dist/ is left
    to `make frontend` (tests/e2e/test_vue.py serves it)."""
    return vite_build(VUE_FRONTEND, tmp_path_factory.mktemp("vue") / "dist")
