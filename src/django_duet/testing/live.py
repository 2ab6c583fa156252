"""``duet_live_server`` and ``duet_live_server_factory``: the app served the way production
serves it, with ``duet_build``.

Each server gets a private SQLite file, ``migrate``, ``collectstatic`` of the build into a
private STATIC_ROOT, then gunicorn (``duet_server``: ``gunicorn``, ``uvicorn`` or ``runserver``)
on a free loopback port, DEBUG off. ``duet_live_server`` is one for the session (so one per
pytest-xdist worker); the factory starts more, each with its own settings, environment, server
or host name (a module's strict CSP, the API of an SPA on another origin ...). The project's
settings module is imported by a generated one (see project.py); ``duet_settings_overrides``
and ``duet_server_env`` (fixtures a conftest may override) adjust every server.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest

from django_duet.testing.build import FrontendBuild
from django_duet.testing.project import (
    Project,
    ProjectError,
    project_dir,
    project_env,
    settings_module,
    write_settings,
)
from django_duet.testing.servers import LOOPBACK, ServerProcess, ServerStartError, free_port

SERVERS = ("gunicorn", "uvicorn", "runserver")
START_ATTEMPTS = 3  # on another free port each: another process may take a free port first


@dataclass
class LiveServer:
    """A running test server: ``url``, and ``manage(...)`` on its settings and database.

    ``database`` is its private SQLite file (used when the project's database is SQLite).
    """

    url: str
    project: Project
    process: ServerProcess
    build: FrontendBuild | None = None
    database: Path | None = None

    @property
    def port(self) -> int:
        return self.process.port

    def manage(self, *args: str) -> str:
        return self.project.manage(*args)

    def create_user(self, username: str, password: str, **fields: Any) -> None:
        self.project.create_user(username, password, **fields)

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def server_command(kind: str, port: int, wsgi: str | None, asgi: str | None) -> list[str]:
    bind = f"{LOOPBACK}:{port}"
    if kind == "gunicorn":
        app = wsgi or "django.core.wsgi:get_wsgi_application()"
        threads = ["--workers", "2", "--threads", "4", "--worker-class", "gthread"]
        return [sys.executable, "-m", "gunicorn", app, "--bind", bind, *threads]
    if kind == "uvicorn":
        app = asgi or "django.core.asgi:get_asgi_application"
        factory = [] if asgi else ["--factory"]
        where = ["--host", LOOPBACK, "--port", str(port), "--no-access-log"]
        return [sys.executable, "-m", "uvicorn", app, *factory, *where]
    if kind == "runserver":
        return [sys.executable, "manage.py", "runserver", bind, "--noreload", "--insecure"]
    raise ProjectError(f"duet_server is {kind!r}: use one of {', '.join(SERVERS)}.")


def start_server(
    command_for: Callable[[int], list[str]], port: int | None = None, **kwargs: Any
) -> ServerProcess:
    """Started on ``port``, else on a free port (tried again on another if it was taken)."""
    if port is not None:
        return ServerProcess(command_for(port), port=port, **kwargs).start()
    failures: list[str] = []
    for _ in range(START_ATTEMPTS):
        free = free_port()
        try:
            return ServerProcess(command_for(free), port=free, **kwargs).start()
        except ServerStartError as exc:
            failures.append(f"on port {free}: {exc}")
    # Every attempt's reason: a port race looks different from a server that cannot start.
    raise ServerStartError(
        f"the server did not start in {START_ATTEMPTS} attempts:\n" + "\n".join(failures)
    )


@contextmanager
def failing_setup() -> Iterator[None]:
    """A server that cannot start fails the test that needed it, saying why (no traceback)."""
    try:
        yield
    except (ProjectError, ServerStartError) as exc:
        pytest.fail(str(exc), pytrace=False)


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


def start_live(
    config: pytest.Config,
    scratch: Path,
    build: FrontendBuild,
    settings: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    kind: str | None = None,
    host: str = LOOPBACK,
    port: int | None = None,
) -> LiveServer:
    """The build collected and served from ``scratch`` by ``kind`` (else ``duet_server``)."""
    kind = kind or config.getini("duet_server") or "gunicorn"
    database = scratch / "db.sqlite3"
    overrides = {
        "DEBUG": False,
        "STATIC_ROOT": str(scratch / "static"),
        "_duet_sqlite": database,
        **settings,
    }
    wsgi, asgi = config.getini("duet_wsgi_app") or None, config.getini("duet_asgi_app") or None
    with failing_setup():
        server_command(kind, 0, wsgi, asgi)  # an unknown kind fails before the slow steps
        project = prepare_project(config, scratch, overrides, env)
        project.manage("migrate", "--noinput")
        project.manage("collectstatic", "--noinput", "-v", "0")
        process = start_server(
            lambda free: server_command(kind, free, wsgi, asgi),
            port,
            cwd=project.directory,
            env=project.env,
            name=f"duet live server ({kind})",
        )
    return LiveServer(f"http://{host}:{process.port}", project, process, build, database)


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
    settings, env = duet_settings_overrides, duet_server_env
    with start_live(pytestconfig, scratch, duet_build, settings, env) as server:
        yield server


@pytest.fixture(scope="session")
def duet_live_server_factory(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    duet_build: FrontendBuild,
    duet_settings_overrides: dict[str, Any],
    duet_server_env: dict[str, str],
) -> Iterator[Callable[..., LiveServer]]:
    """``duet_live_server_factory(settings=None, env=None, server=None, host="127.0.0.1",
    port=None)``: one more server like ``duet_live_server``, with its own database.

    ``settings`` and ``env`` add to ``duet_settings_overrides`` and ``duet_server_env``;
    ``server`` is ``gunicorn``, ``uvicorn`` or ``runserver``; ``host`` is the name in ``.url``
    (it must reach 127.0.0.1: see ``duet_loopback_hosts``, and add it to ALLOWED_HOSTS);
    ``port`` a port chosen beforehand (``free_port()``) when a setting must name it. Each
    server stops when the session ends, or earlier with ``.stop()`` or a ``with`` block.
    """
    started: list[LiveServer] = []

    def start(
        *,
        settings: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        server: str | None = None,
        host: str = LOOPBACK,
        port: int | None = None,
    ) -> LiveServer:
        live = start_live(
            pytestconfig,
            tmp_path_factory.mktemp("duet-live"),
            duet_build,
            {**duet_settings_overrides, **(settings or {})},
            {**duet_server_env, **(env or {})},
            kind=server,
            host=host,
            port=port,
        )
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()
