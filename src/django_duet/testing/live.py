"""``duet_live_server``: the app served the way production serves it, with ``duet_build``.

Per test session (so per pytest-xdist worker): a private SQLite file, ``migrate``,
``collectstatic`` of the build into a private STATIC_ROOT, then gunicorn (``duet_server``:
``gunicorn``, ``uvicorn`` or ``runserver``) on a free loopback port, DEBUG off. The project's
settings module is imported by a generated one (see project.py); ``duet_settings_overrides``
and ``duet_server_env`` (fixtures a conftest may override) adjust it. ``duet_login`` logs a
user in through the real login endpoint, with the page's own cookies.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .build import FrontendBuild
from .project import (
    Project,
    ProjectError,
    project_dir,
    project_env,
    settings_module,
    write_settings,
)
from .servers import LOOPBACK, ServerProcess, ServerStartError, free_port

SERVERS = ("gunicorn", "uvicorn", "runserver")


@dataclass
class LiveServer:
    """A running test server: ``url``, and ``project.manage(...)`` on its settings and database."""

    url: str
    project: Project
    process: ServerProcess
    build: FrontendBuild | None = None

    def manage(self, *args: str) -> str:
        return self.project.manage(*args)

    def create_user(self, username: str, password: str, **fields: Any) -> None:
        self.project.create_user(username, password, **fields)


def server_command(kind: str, port: int, wsgi: str | None, asgi: str | None) -> list[str]:
    bind = f"{LOOPBACK}:{port}"
    if kind == "gunicorn":
        app = wsgi or "django.core.wsgi:get_wsgi_application()"
        return [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            bind,
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
        ]
    if kind == "uvicorn":
        app = asgi or "django.core.asgi:get_asgi_application"
        factory = [] if asgi else ["--factory"]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            *factory,
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--no-access-log",
        ]
    if kind == "runserver":
        return [sys.executable, "manage.py", "runserver", bind, "--noreload", "--insecure"]
    raise ProjectError(f"duet_server is {kind!r}: use one of {', '.join(SERVERS)}.")


def start_server(command_for: Callable[[int], list[str]], **kwargs: Any) -> ServerProcess:
    """Started on a free port; tried again on another if the port was taken meanwhile."""
    for attempt in range(3):
        port = free_port()
        try:
            return ServerProcess(command_for(port), port=port, **kwargs).start()
        except ServerStartError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def duet_settings_overrides() -> dict[str, Any]:
    """Settings the test servers get on top of the project's: override in a conftest."""
    return {}


@pytest.fixture(scope="session")
def duet_server_env() -> dict[str, str]:
    """Environment variables of the test servers and their manage.py: override in a conftest."""
    return {}


def prepare_project(
    config: pytest.Config,
    scratch: Path,
    overrides: Mapping[str, Any],
    env: Mapping[str, str],
) -> Project:
    folder = project_dir(config)
    base = settings_module(config)
    module = write_settings(scratch / "settings", base, overrides)
    return Project(folder, project_env(scratch / "settings", module, folder, env))


@pytest.fixture(scope="session")
def duet_live_server(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    duet_build: FrontendBuild,
    duet_settings_overrides: dict[str, Any],
    duet_server_env: dict[str, str],
) -> Iterator[LiveServer]:
    """The built app, served as in production, for the whole session (one per xdist worker)."""
    scratch = tmp_path_factory.mktemp("duet-live")
    overrides = {
        "DEBUG": False,
        "STATIC_ROOT": str(scratch / "static"),
        "_duet_sqlite": scratch / "db.sqlite3",
        **duet_settings_overrides,
    }
    kind = pytestconfig.getini("duet_server") or "gunicorn"
    try:
        project = prepare_project(pytestconfig, scratch, overrides, duet_server_env)
        project.manage("migrate", "--noinput")
        project.manage("collectstatic", "--noinput", "-v", "0")
        wsgi, asgi = pytestconfig.getini("duet_wsgi_app"), pytestconfig.getini("duet_asgi_app")
        process = start_server(
            lambda port: server_command(kind, port, wsgi or None, asgi or None),
            cwd=project.directory,
            env=project.env,
            name=f"duet live server ({kind})",
        )
    except (ProjectError, ServerStartError) as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield LiveServer(process.url, project, process, duet_build)
    finally:
        process.stop()


class LoginFailed(AssertionError):
    pass


def log_in(page: Any, base_url: str, username: str, password: str, prefix: str) -> Any:
    """POST {prefix}login/ from the page's request context, so the session lands in its cookies."""
    api = base_url.rstrip("/") + "/" + prefix.strip("/") + "/"
    token = page.request.get(api + "csrf/")
    if not token.ok:
        raise LoginFailed(f"GET {api}csrf/ answered {token.status}: is django_duet.urls there?")
    csrf = token.json()
    answer = page.request.post(
        api + "login/",
        data={"username": username, "password": password},
        headers={csrf["headerName"]: csrf["csrfToken"]},
    )
    if not answer.ok:
        raise LoginFailed(
            f"Logging {username!r} in: POST {api}login/ answered "
            f"{answer.status} {answer.text()[:500]}"
        )
    return answer.json()["user"]


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


@pytest.fixture
def duet_login(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Callable[..., Any]:
    """``duet_login(page, username, password, base_url=None)``: the logged-in user's JSON.

    The origin is ``base_url``, else the page's current origin, else ``duet_live_server``.
    """
    prefix = pytestconfig.getini("duet_auth_prefix") or "/api/auth/"

    def login(page: Any, username: str, password: str, base_url: str | None = None) -> Any:
        base = base_url or _origin(page.url) or request.getfixturevalue("duet_live_server").url
        return log_in(page, base, username, password, prefix)

    return login
