"""``duet_dev_server`` and ``duet_dev_server_factory``: ``manage.py duet dev`` (Vite + Django,
one origin) for tests of hot reload or of unbuilt code, on free loopback ports.

DEBUG is on, the database is a private SQLite file; Django runs without its autoreloader so
that edits elsewhere in the repository do not restart it mid-test. ``duet_dev_asgi = true``
(ini), or ``asgi=True`` for the factory, runs Django under uvicorn, the HMR WebSocket through
Django's origin too.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from django_duet.testing.live import LiveServer, failing_setup, prepare_project, start_server
from django_duet.testing.servers import LOOPBACK, free_port_block

# Ports kept free for Vite: duet dev runs one per frontend (DUET["FRONTENDS"]), on consecutive
# ports from --vite-port.
VITE_PORTS = 8


@dataclass
class DevServer(LiveServer):
    """``duet dev`` running: Django at ``url``; ``vite_port`` is where the default frontend's
    Vite listens (other frontends' on the next ports). The HMR WebSocket goes there, unless
    ``asgi``: Django under uvicorn carries it."""

    vite_port: int = 0
    asgi: bool = False


def wait_for(url: str, timeout: float, host: str | None = None) -> bool:
    """True once ``url`` answers 200 (asked with ``host`` as Host), False after ``timeout``."""
    deadline = time.monotonic() + timeout
    headers = {"host": host} if host else None
    with httpx.Client(timeout=5.0, headers=headers) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    return False


def vite_client_url(origin: str, static_url: str) -> str:
    """Vite's client through Django's proxy: ``{STATIC_URL}@vite/client`` on the dev origin."""
    if "://" not in static_url:
        static_url = origin + "/" + static_url.lstrip("/")
    return static_url.rstrip("/") + "/@vite/client"


def start_dev(
    config: pytest.Config,
    scratch: Path,
    settings: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    asgi: bool,
    host: str = LOOPBACK,
    port: int | None = None,
    vite_port: int | None = None,
) -> DevServer:
    """``duet dev`` from the project folder, its database and settings in ``scratch``; returns
    once Vite's client answers through Django."""
    database = scratch / "db.sqlite3"
    overrides = {"DEBUG": True, "_duet_sqlite": database, **settings}
    vite = vite_port or free_port_block(VITE_PORTS)

    def command(free: int) -> list[str]:
        args = ["manage.py", "duet", "dev", f"{LOOPBACK}:{free}", "--vite-port", str(vite)]
        return [sys.executable, *args, "--noreload", *(["--asgi"] if asgi else [])]

    with failing_setup():
        project = prepare_project(config, scratch, overrides, env)
        project.manage("migrate", "--noinput")
        static_url = str(project.setting("STATIC_URL"))
        process = start_server(
            command,
            port,
            cwd=project.directory,
            env=project.env,
            name="duet dev --asgi" if asgi else "duet dev",
            start_timeout=60.0,
        )
    url = f"http://{host}:{process.port}"
    server = DevServer(url, project, process, None, database, vite_port=vite, asgi=asgi)
    client = vite_client_url(process.url, static_url)
    if not wait_for(client, 60.0, host=f"{host}:{process.port}"):
        output = process.output()
        server.stop()
        pytest.fail(f"duet dev: Vite never answered {client}:\n{output}", pytrace=False)
    return server


@pytest.fixture(scope="session")
def duet_dev_server(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    duet_settings_overrides: dict[str, Any],
    duet_server_env: dict[str, str],
) -> Iterator[DevServer]:
    """``duet dev`` serving the unbuilt frontend through Django's origin (``.url``)."""
    scratch = tmp_path_factory.mktemp("duet-dev")
    asgi = bool(pytestconfig.getini("duet_dev_asgi"))
    settings, env = duet_settings_overrides, duet_server_env
    with start_dev(pytestconfig, scratch, settings, env, asgi=asgi) as server:
        yield server


@pytest.fixture(scope="session")
def duet_dev_server_factory(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    duet_settings_overrides: dict[str, Any],
    duet_server_env: dict[str, str],
) -> Iterator[Callable[..., DevServer]]:
    """``duet_dev_server_factory(settings=None, env=None, asgi=None, host="127.0.0.1",
    port=None, vite_port=None)``: one more ``duet dev``, with its own database (a scratch copy
    of the frontend through ``env`` or ``settings``, for tests that edit sources).

    Arguments as for ``duet_live_server_factory``; ``asgi`` defaults to ``duet_dev_asgi``.
    Each server stops when the session ends, or earlier with ``.stop()`` or a ``with`` block.
    """
    started: list[DevServer] = []

    def start(
        *,
        settings: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        asgi: bool | None = None,
        host: str = LOOPBACK,
        port: int | None = None,
        vite_port: int | None = None,
    ) -> DevServer:
        server = start_dev(
            pytestconfig,
            tmp_path_factory.mktemp("duet-dev"),
            {**duet_settings_overrides, **(settings or {})},
            {**duet_server_env, **(env or {})},
            asgi=bool(pytestconfig.getini("duet_dev_asgi")) if asgi is None else asgi,
            host=host,
            port=port,
            vite_port=vite_port,
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
