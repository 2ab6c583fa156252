"""The pytest plugin ``duet`` (registered by installing django-duet): end-to-end tests of a
Django + bundler-built frontend app. The fixtures live in ``django_duet.testing``:

| fixture | module | what |
| --- | --- | --- |
| ``duet_build`` | build | the frontend built once per session, reused while its inputs match |
| ``duet_live_server`` | live | the build served as in production (gunicorn), DEBUG off |
| ``duet_live_server_factory`` | live | more such servers, each with its own settings |
| ``duet_login`` | login | log a user in through the real login endpoint, in a page's cookies |
| ``duet_dev_server`` | dev | ``manage.py duet dev`` (Vite + Django) for hot reload tests |
| ``duet_dev_server_factory`` | dev | more of them, each with its own settings and frontend |
| ``duet_browser``, ``duet_page`` | browser | Chromium; a page that fails on console errors |
| ``duet_api_recorder`` | recorder | the API calls a page made, to replay against a later API |

Options (command line, or the ini option of the same name with ``_``): see docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from django_duet.testing.browser import (
    CI_CHROMIUM_FLAGS,
    PageProblems,
    check_page_problems,
    duet_browser,
    duet_browser_launch_args,
    duet_chromium_executable,
    duet_loopback_hosts,
    duet_page,
    find_chromium,
)
from django_duet.testing.build import duet_build
from django_duet.testing.dev import duet_dev_server, duet_dev_server_factory
from django_duet.testing.live import (
    duet_live_server,
    duet_live_server_factory,
    duet_server_env,
    duet_settings_overrides,
)
from django_duet.testing.login import duet_login
from django_duet.testing.postgres import duet_postgres
from django_duet.testing.recorder import duet_api_recorder
from django_duet.testing.redis import duet_redis

__all__ = [
    "CI_CHROMIUM_FLAGS",
    "PageProblems",
    "duet_api_recorder",
    "duet_browser",
    "duet_browser_launch_args",
    "duet_build",
    "duet_chromium_executable",
    "duet_dev_server",
    "duet_dev_server_factory",
    "duet_live_server",
    "duet_live_server_factory",
    "duet_login",
    "duet_loopback_hosts",
    "duet_page",
    "duet_postgres",
    "duet_redis",
    "duet_server_env",
    "duet_settings_overrides",
    "find_chromium",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("duet", "django-duet end-to-end tests")
    group.addoption("--duet-chromium", help="the Chromium executable (else $DUET_CHROMIUM, PATH)")
    group.addoption("--duet-frontend-dir", help="the frontend folder (ini: duet_frontend_dir)")
    group.addoption("--duet-build-command", help="default 'npm run build' (ini: same name)")
    group.addoption(
        "--duet-build",
        choices=("auto", "always", "trust"),
        help="auto: rebuild when the sources changed (default, or $DUET_BUILD); always; "
        "trust: the existing build is current (make just built it)",
    )
    group.addoption("--duet-record-api", metavar="DIR", help="save each test's API calls here")
    ini = [
        ("duet_frontend_dir", "the frontend folder, relative to the rootdir", "string", None),
        ("duet_more_frontends", "other frontends' folders (DUET['FRONTENDS'])", "linelist", []),
        ("duet_build_command", "the command that builds the frontend", "string", "npm run build"),
        ("duet_build_output", "the build's folder, relative to the frontend", "string", "dist"),
        ("duet_build_inputs", "more paths whose changes need a rebuild", "paths", []),
        ("duet_project_dir", "the folder of manage.py, relative to the rootdir", "string", None),
        ("duet_settings", "the settings module of the test servers", "string", None),
        ("duet_server", "gunicorn (default), uvicorn or runserver", "string", "gunicorn"),
        ("duet_wsgi_app", "gunicorn's app (default: Django's WSGI handler)", "string", None),
        ("duet_asgi_app", "uvicorn's app (default: Django's ASGI handler)", "string", None),
        ("duet_dev_asgi", "duet dev --asgi for duet_dev_server", "bool", False),
        ("duet_auth_prefix", "where django_duet.urls is mounted", "string", "/api/auth/"),
        ("duet_api_prefixes", "paths duet_api_recorder records", "linelist", ["/api/"]),
    ]
    for name, help_text, kind, default in ini:
        parser.addini(name, help_text, type=kind, default=default)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "duet_allow(*fragments): page problems containing one of these pass"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    result = yield
    check_page_problems(item)  # fails the test itself, not its teardown
    return result
