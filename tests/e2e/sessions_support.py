"""Fixtures for the cookie-session tests in Chromium (test_sessions.py; conftest.py imports them).

The SPA model runs as two servers: the API (gunicorn, the example settings with the SPA preset
on through DUET_EXAMPLE_SPA_ORIGINS) on ``api.example.test:<port>`` and the built SPA on
``app.example.test:<port>`` (spa_server.py). Chromium maps ``*.example.test`` to 127.0.0.1
with ``--host-resolver-rules``: one site, two origins, as app.example.com and api.example.com.
The SPA is the same build `make frontend` made for the other tests.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django_duet.testing.browser import PageProblems, watch
from django_duet.testing.servers import ServerProcess, free_port

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[1] / "example"
BIN = Path(sys.executable).parent
DEMO = ("demo", "demo-password-123")
HOST_RULES = "--host-resolver-rules=MAP *.example.test 127.0.0.1"


class Tabs:
    """Tabs of one browser context (so one cookie jar), all watched for problems."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.problems = PageProblems()

    def new(self) -> Any:
        return watch(self.context.new_page(), self.problems)

    def cookies(self, url: str) -> dict[str, dict[str, Any]]:
        return {c["name"]: c for c in self.context.cookies(url)}


def tabs_fixture(browser: Any) -> Iterator[Tabs]:
    tabs = Tabs(browser)
    yield tabs
    tabs.context.close()
    unexpected = tabs.problems.unexpected()
    if unexpected:
        pytest.fail("The pages met problems:\n  " + "\n  ".join(unexpected), pytrace=False)


@pytest.fixture
def hybrid_tabs(duet_browser: Any) -> Iterator[Tabs]:
    yield from tabs_fixture(duet_browser)


@pytest.fixture(scope="session")
def spa_browser(duet_browser: Any, duet_browser_launch_args: dict[str, Any]) -> Iterator[Any]:
    """A Chromium that resolves *.example.test to 127.0.0.1 (same Playwright as duet_browser)."""
    args = {**duet_browser_launch_args, "args": [*duet_browser_launch_args["args"], HOST_RULES]}
    browser = duet_browser.browser_type.launch(**args)
    yield browser
    browser.close()


@pytest.fixture
def spa_tabs(spa_browser: Any) -> Iterator[Tabs]:
    yield from tabs_fixture(spa_browser)


@dataclass(frozen=True)
class SpaDeploy:
    app: str  # the SPA's origin
    api: str  # the API's origin


@pytest.fixture(scope="session")
def spa_deploy(example_env: dict[str, str], example_build: Path) -> Iterator[SpaDeploy]:
    app_port, api_port = free_port(), free_port()
    deploy = SpaDeploy(f"http://app.example.test:{app_port}", f"http://api.example.test:{api_port}")
    env = {
        **example_env,
        "DUET_EXAMPLE_SPA_ORIGINS": deploy.app,
        "DUET_EXAMPLE_API_ORIGIN": deploy.api,
        "DJANGO_ALLOWED_HOSTS": "api.example.test,127.0.0.1",
    }
    api = [
        str(BIN / "gunicorn"),
        "example.wsgi",
        "--bind",
        f"127.0.0.1:{api_port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
    ]
    spa = [
        sys.executable,
        str(HERE / "spa_server.py"),
        "--port",
        str(app_port),
        "--root",
        str(example_build),
        "--api-url",
        deploy.api,
    ]
    with (
        ServerProcess(api, port=api_port, cwd=EXAMPLE, env=env, name="api-gunicorn"),
        ServerProcess(spa, port=app_port, ready_path="/app/", name="spa-static"),
    ):
        yield deploy


@dataclass(frozen=True)
class NotesTable:
    """The example's notes, read straight from its SQLite file (what the server really stored)."""

    path: str

    def texts(self) -> list[str]:
        with closing(sqlite3.connect(self.path)) as connection:
            return [row[0] for row in connection.execute("SELECT text FROM example_note")]


@pytest.fixture
def notes_table(example_env: dict[str, str]) -> NotesTable:
    return NotesTable(example_env["DUET_EXAMPLE_DB"])


def log_in(page: Any, username: str = DEMO[0], password: str = DEMO[1]) -> Any:
    """Fill and send the login form; returns the login/ response."""
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/api/auth/login/")) as answer:
        page.get_by_test_id("login-submit").click()
    return answer.value
