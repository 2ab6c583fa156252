"""The CSRF scenarios of docs/sessions-and-csrf.md against DRF and django-ninja views, in Chromium.

DRF's SessionAuthentication and ninja's ``django_auth`` check CSRF inside their views and answer
``403 {"detail": "CSRF Failed: ..."}`` / ``{"detail": "CSRF check Failed"}`` themselves, never
through Django's CSRF_FAILURE_VIEW; the built ``django-duet/client`` must still refresh its token
and retry once. A site (drf_ninja_site.py, real gunicorn) serves both APIs, django-duet's session
endpoints and a page per client mode; the page imports js/dist through an import map.

Modes: ``same-origin`` (csrfFetch, the token read from the cookie), ``same-origin-sessions``
(csrfFetch with CSRF_USE_SESSIONS: no cookie to read, the token is kept in memory) and
``cross-origin`` (createClient from app.example.test to api.example.test, the SPA preset).
Each write is checked where it counts: the server stored it exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BIN, ROOT

USER = ("demo", "demo-password-123")
CLIENT = ROOT / "js" / "dist" / "client.js"
FRAMEWORKS = ["drf", "ninja"]


@dataclass(frozen=True)
class Site:
    server: ServerProcess
    app: str  # the SPA's origin (a page that calls the API's)
    api: str  # the API's origin, which also serves the same-origin page

    def stored(self, text: str) -> list[dict[str, str]]:
        """The writes of ``text`` the server's views stored."""
        writes = httpx.get(self.server.url + "/writes/", timeout=10).json()
        return [write for write in writes if write["text"] == text]


@dataclass(frozen=True)
class Mode:
    name: str
    sessions: bool  # CSRF_USE_SESSIONS
    page: str  # "same" (csrfFetch) or "cross" (createClient)

    @property
    def token_in_memory(self) -> bool:
        """The client cannot read the new token: a rotation costs one refused request."""
        return self.sessions or self.page == "cross"


MODES = [
    Mode("same-origin", sessions=False, page="same"),
    Mode("same-origin-sessions", sessions=True, page="same"),
    Mode("cross-origin", sessions=False, page="cross"),
]


def built_client() -> None:
    src = ROOT / "js" / "src"
    sources = [src / "client.ts", *(src / "client").glob("*.ts")]
    if not CLIENT.exists() or max(p.stat().st_mtime for p in sources) > CLIENT.stat().st_mtime:
        pytest.fail(
            f"{CLIENT} is missing or older than js/src/client: run `cd js && npm run build`."
        )


def start_site(tmp: Path, sessions: bool) -> ServerProcess:
    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.e2e.drf_ninja_site",
        "DUET_SITE_DB": str(tmp / "db.sqlite3"),
        "DUET_SITE_APP_ORIGIN": f"http://app.example.test:{port}",
        "DUET_SITE_API_ORIGIN": f"http://api.example.test:{port}",
        "DUET_SITE_CSRF_USE_SESSIONS": "1" if sessions else "0",
    }
    django = [sys.executable, "-m", "django"]
    # The site has no frontend build for django-duet's build checks to look at.
    setup = [
        [*django, "migrate", "--skip-checks", "-v0"],
        [
            *django,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user({USER[0]!r}, password={USER[1]!r})",
        ],
    ]
    for command in setup:
        subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True, timeout=120)
    command = [str(BIN / "gunicorn"), "django.core.wsgi:get_wsgi_application()"]
    # One single-threaded worker: the views' write log is one list.
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    return ServerProcess(command, port=port, cwd=ROOT, env=env, name="drf-ninja").start()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[bool], Site]]:
    """``sites(sessions)``: the site with CSRF_USE_SESSIONS on or off, started once per module."""
    built_client()
    started: dict[bool, ServerProcess] = {}

    def get(sessions: bool) -> Site:
        if sessions not in started:
            started[sessions] = start_site(tmp_path_factory.mktemp("drf-ninja"), sessions)
        port = started[sessions].port
        return Site(
            started[sessions], f"http://app.example.test:{port}", f"http://api.example.test:{port}"
        )

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture(params=MODES, ids=lambda mode: mode.name)
def mode(request: pytest.FixtureRequest) -> Mode:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def site(sites: Callable[[bool], Site], mode: Mode) -> Site:
    return sites(mode.sessions)


@pytest.fixture
def page(duet_page: Any, site: Site, mode: Mode) -> Any:
    """The mode's page, logged in as the demo user. Refused requests are expected here."""
    duet_page.problems.allow("HTTP 403")
    duet_page.problems.allow("status of 403")
    open_page(duet_page, site, mode)
    assert duet_page.evaluate("([u, p]) => duet.login(u, p)", list(USER)) == USER[0]
    return duet_page


def open_page(page: Any, site: Site, mode: Mode) -> None:
    origin = site.app if mode.page == "cross" else site.api
    page.goto(f"{origin}/page/{mode.page}/")
    expect(page.locator("body[data-ready=yes]")).to_have_count(1)


def watch_writes(page: Any, framework: str) -> list[int]:
    """The statuses of the page's POSTs to ``framework``'s API, as they arrive."""
    statuses: list[int] = []

    def on_response(response: Any) -> None:
        if response.request.method == "POST" and f"/api/{framework}/notes/" in response.url:
            statuses.append(response.status)

    page.on("response", on_response)
    return statuses


def write(page: Any, site: Site, framework: str) -> str:
    """A write that must succeed and be stored once; returns its text."""
    text = f"{framework} {uuid.uuid4().hex[:10]}"
    answer = page.evaluate("([f, t]) => duet.write(f, t)", [framework, text])
    assert answer == {"status": 201, "body": {"text": text}}
    assert site.stored(text) == [{"api": framework, "text": text}]
    return text


def csrf_cookies(page: Any) -> list[str]:
    return [c["domain"] for c in page.context.cookies() if c["name"] == "csrftoken"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_csrf_cookie_at_first_load(page: Any, site: Site, mode: Mode, framework: str) -> None:
    # Logged in, but the CSRF cookie is gone (expired, cleared, never set on this page).
    page.context.clear_cookies(name="csrftoken")
    open_page(page, site, mode)  # a fresh client: no token in memory either
    assert csrf_cookies(page) == []

    statuses = watch_writes(page, framework)
    with page.expect_response(lambda r: "/api/auth/csrf/" in r.url):
        write(page, site, framework)
    assert statuses == [201]  # the token was fetched first: no refusal at all


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_login_in_another_tab(page: Any, site: Site, mode: Mode, framework: str) -> None:
    write(page, site, framework)
    other = page.context.new_page()
    open_page(other, site, mode)
    assert other.evaluate("([u, p]) => duet.login(u, p)", list(USER)) == USER[0]  # rotates

    statuses = watch_writes(page, framework)
    write(page, site, framework)
    # A readable cookie already holds the new token; otherwise one refusal, one retry.
    assert statuses == ([403, 201] if mode.token_in_memory else [201])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_token_rotated_between_two_writes(
    page: Any, site: Site, mode: Mode, framework: str
) -> None:
    statuses = watch_writes(page, framework)
    write(page, site, framework)
    first = list(statuses)
    rotator = page.context.new_page()
    rotator.goto(site.api + "/rotate/")  # Django's rotate_token, as a login does
    expect(rotator.locator("body")).to_have_text("rotated")

    write(page, site, framework)
    write(page, site, framework)  # the refreshed token is kept: no second refusal
    retried = [403, 201] if mode.token_in_memory else [201]
    assert statuses == [*first, *retried, 201]
