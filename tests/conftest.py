"""Fixtures every test folder shares: a fresh manifest cache, and the fixture build on disk."""

import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from django_duet.build.loader import clear_cache

FIXTURE_BUILD = Path(__file__).parent / "fixtures" / "build"
SSR_FIXTURE_BUNDLE = Path(__file__).parent / "fixtures" / "ssr" / "server-bundle.js"


@pytest.fixture(autouse=True)
def _fresh_manifest_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def build_dir(tmp_path, settings):
    """A writable copy of the fixture build, with a compressible file, used by the settings."""
    build = tmp_path / "dist"
    shutil.copytree(FIXTURE_BUILD, build)
    (build / "assets" / "big-B1gB1g00.js").write_text("export const x = 1;\n" * 20_000)
    (build / "robots.txt").write_text("User-agent: *\n")
    settings.STATICFILES_DIRS = [build]
    settings.DUET = {"BUILD_DIR": build}
    return build


@pytest.fixture
def collected(build_dir, tmp_path, settings):
    """collectstatic of that build with django-duet's storage, as a deploy does."""
    settings.STATIC_ROOT = tmp_path / "static_root"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django_duet.storage.DuetStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


@pytest.fixture
def ssr_settings(settings):
    """The hand-written server bundle of tests/fixtures/ssr, on fresh V8 engines (closed after)."""
    pytest.importorskip("py_mini_racer")
    from django_duet.ssr.bundle import clear_cache as clear_bundle
    from django_duet.ssr.engine import discard_thread_engine

    settings.DUET = {**settings.DUET, "SSR_BUNDLE": SSR_FIXTURE_BUNDLE, "SSR_TIMEOUT_MS": 300}
    clear_bundle()
    discard_thread_engine()
    yield settings
    discard_thread_engine()
    clear_bundle()
    for thread in threading.enumerate():  # contexts closed off the request thread
        if thread.name == "duet-ssr-close":
            thread.join(15)


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering (database tests)
def pytest_collection_modifyitems(config, items):
    """End-to-end tests last: Playwright's sync API keeps an event loop running in the main
    thread for the session's browser, after which asyncio.run() and async_to_sync() in the
    same thread fail."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
