"""Fixtures of the development-mode tests (imported by those test modules)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from django_duet.dev import core, upstream
from django_duet.dev import server as devserver

from .fake_devserver import FakeDevServer

FIXTURE_BUILD = Path(__file__).parents[1] / "fixtures" / "build"
PROXY = "django_duet.proxy.DevProxyMiddleware"


@pytest.fixture
def hot_path(tmp_path) -> Path:
    return tmp_path / "frontend" / ".duet-hot"


@pytest.fixture
def dev_settings(settings, hot_path):
    """DEBUG on, the proxy first, the fixture build, the hot file in a scratch folder."""
    hot_path.parent.mkdir(parents=True, exist_ok=True)
    settings.DEBUG = True
    settings.MIDDLEWARE = [PROXY, *settings.MIDDLEWARE]
    settings.DUET = {
        "BUILD_DIR": FIXTURE_BUILD,
        "FRONTEND_DIR": hot_path.parent,
        "HOT_FILE": hot_path,
        "DEV_PROXY_TIMEOUT": 5,
    }
    yield settings
    upstream.close_client()  # pooled connections to servers that the test stops
    devserver.clear_cache()


@pytest.fixture
def fake(dev_settings, hot_path) -> Iterator[FakeDevServer]:
    """A running fake dev server named by the hot file."""
    server = FakeDevServer().start()
    server.hot_file(hot_path)
    yield server
    upstream.close_client()
    server.stop()


@pytest.fixture
def fresh_proxy_plan() -> Iterator[None]:
    """The fast paths' plan (read from MIDDLEWARE once) forgotten before and after a test."""
    core.clear_cache()
    yield
    core.clear_cache()
