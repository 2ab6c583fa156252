"""``duet_dev_server``: ``manage.py duet dev`` (Vite + Django, one origin) for tests of hot
reload or of unbuilt code, on free loopback ports, stopped after the session.

DEBUG is on, the database is a private SQLite file; Django runs without its autoreloader so
that edits elsewhere in the repository do not restart it mid-test. ``duet_dev_asgi = true``
(ini) runs Django under uvicorn, the HMR WebSocket through Django's origin too.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .live import LiveServer, prepare_project, start_server
from .project import ProjectError
from .servers import LOOPBACK, ServerStartError, free_port


def wait_for(url: str, timeout: float) -> bool:
    """True once ``url`` answers 200, False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0) as client:
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


@pytest.fixture(scope="session")
def duet_dev_server(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    duet_settings_overrides: dict[str, Any],
    duet_server_env: dict[str, str],
) -> Iterator[LiveServer]:
    """``duet dev`` serving the unbuilt frontend through Django's origin (``.url``)."""
    scratch = tmp_path_factory.mktemp("duet-dev")
    overrides = {"DEBUG": True, "_duet_sqlite": scratch / "db.sqlite3", **duet_settings_overrides}
    asgi = pytestconfig.getini("duet_dev_asgi")
    vite_port = free_port()

    def command(port: int) -> list[str]:
        args = ["manage.py", "duet", "dev", f"{LOOPBACK}:{port}", "--vite-port", str(vite_port)]
        return [sys.executable, *args, "--noreload", *(["--asgi"] if asgi else [])]

    try:
        project = prepare_project(pytestconfig, scratch, overrides, duet_server_env)
        project.manage("migrate", "--noinput")
        static_url = str(project.setting("STATIC_URL"))
        process = start_server(
            command,
            cwd=project.directory,
            env=project.env,
            name="duet dev",
            start_timeout=60.0,
        )
    except (ProjectError, ServerStartError) as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        client = vite_client_url(process.url, static_url)
        if not wait_for(client, 60.0):
            pytest.fail(f"duet dev: Vite never answered {client}:\n{process.output()}")
        yield LiveServer(process.url, project, process)
    finally:
        process.stop()
