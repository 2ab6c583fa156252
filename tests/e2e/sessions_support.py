"""Helpers of the cookie-session tests in Chromium (test_sessions.py).

The SPA model runs as two servers: the API, a ``duet_live_server_factory`` server with the
example's SPA preset on (DUET_EXAMPLE_SPA_ORIGINS), on ``api.example.test:<port>``, and the
built SPA on ``app.example.test:<port>`` (spa_server.py). Chromium maps ``*.example.test`` to
127.0.0.1 (conftest.py's ``duet_loopback_hosts``): one site, two origins, as app.example.com
and api.example.com. The SPA is the same build the other tests use.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django_duet.testing.live import LiveServer
from django_duet.testing.servers import ServerProcess, free_port

HERE = Path(__file__).resolve().parent
DEMO = ("demo", "demo-password-123")


@dataclass(frozen=True)
class SpaDeploy:
    app: str  # the SPA's origin
    api: str  # the API's origin
    api_server: LiveServer


@contextmanager
def spa_deploy(start_live: Callable[..., LiveServer], build: Path) -> Iterator[SpaDeploy]:
    """The API (gunicorn, from the duet plugin) and the SPA's static host, each on its origin.

    The static host is not a Django server, so the plugin does not start it: spa_server.py
    serves the build as a CDN would, with the API's origin written into the page. Both ports
    are chosen first because each server's configuration names the other's origin.
    """
    app_port, api_port = free_port(), free_port()
    app, api = f"http://app.example.test:{app_port}", f"http://api.example.test:{api_port}"
    env = {
        "DUET_EXAMPLE_SPA_ORIGINS": app,
        "DUET_EXAMPLE_API_ORIGIN": api,
        "DJANGO_ALLOWED_HOSTS": "api.example.test,127.0.0.1",
    }
    spa = [sys.executable, str(HERE / "spa_server.py"), "--port", str(app_port)]
    spa += ["--root", str(build), "--api-url", api]
    with (
        start_live(env=env, host="api.example.test", port=api_port) as api_server,
        ServerProcess(spa, port=app_port, ready_path="/app/", name="spa-static"),
    ):
        api_server.manage("demo_user")
        yield SpaDeploy(app, api, api_server)


@dataclass(frozen=True)
class NotesTable:
    """The example's notes, read straight from a server's SQLite file (what it really stored)."""

    path: Path

    def texts(self) -> list[str]:
        with closing(sqlite3.connect(self.path)) as connection:
            return [row[0] for row in connection.execute("SELECT text FROM example_note")]


def cookies(page: Any, url: str) -> dict[str, dict[str, Any]]:
    """The cookies of ``page``'s browser context (all its tabs) that ``url`` would get."""
    return {c["name"]: c for c in page.context.cookies(url)}


def log_in(page: Any, username: str = DEMO[0], password: str = DEMO[1]) -> Any:
    """Fill and send the login form; returns the login/ response."""
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/api/auth/login/")) as answer:
        page.get_by_test_id("login-submit").click()
    return answer.value
