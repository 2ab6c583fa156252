"""End-to-end fixtures: the built example served by real servers, driven by Chromium.

The frontend is built once per run: `make test` builds it (`make frontend`) and tells the duet
plugin's ``duet_build`` to trust that build (DUET_BUILD=trust); a plain `pytest` rebuilds it only
when example/frontend's sources changed (docs/testing.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from django_duet.testing.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example"
BUILD = EXAMPLE / "frontend" / "dist"
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def example_build(duet_build) -> Path:
    """The plugin's build of the example (`make test` builds it first: DUET_BUILD=trust)."""
    manifest = duet_build.output_dir / ".vite" / "manifest.json"
    if not manifest.exists():
        pytest.fail(f"No Vite manifest in {duet_build.output_dir}: is build.manifest on?")
    return duet_build.output_dir


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=EXAMPLE,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def example_env(example_build, tmp_path_factory) -> dict[str, str]:
    """A production deploy of the example: its own SQLite, collectstatic, the demo user."""
    tmp = tmp_path_factory.mktemp("example")
    env = {
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "e2e-secret-key-" + "s" * 40,
        "DUET_TOKEN_KEY": "e2e-token-key-4f9c2a7e81d3b6f0a5c9e2d7b1f4a8c3",
        "DUET_EXAMPLE_DB": str(tmp / "db.sqlite3"),
        "DUET_EXAMPLE_STATIC_ROOT": str(tmp / "static"),
    }
    manage(env, "migrate", "--noinput")
    manage(env, "demo_user")
    manage(env, "collectstatic", "--noinput")
    return env


def example_gunicorn(
    env: dict[str, str], name: str = "gunicorn", workers: int = 2
) -> ServerProcess:
    """gunicorn (gthread, 4 threads a worker) serving the example on a free port, not started."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "example.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", "4", "--worker-class", "gthread"]
    return ServerProcess(command, port=port, cwd=EXAMPLE, env=env, name=name)


@pytest.fixture(scope="session")
def gunicorn_server(example_env) -> Iterator[ServerProcess]:
    with example_gunicorn(example_env) as server:
        yield server


@pytest.fixture(scope="session")
def uvicorn_server(example_env) -> Iterator[ServerProcess]:
    port = free_port()
    command = [
        str(BIN / "uvicorn"),
        "example.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    with ServerProcess(command, port=port, cwd=EXAMPLE, env=example_env, name="uvicorn") as server:
        yield server


# The cookie-session fixtures (test_sessions.py): hybrid and SPA tabs, the two-origin deploy.
from .sessions_support import (  # noqa: E402, F401
    hybrid_tabs,
    notes_table,
    spa_browser,
    spa_deploy,
    spa_tabs,
)


def frontend_copy(scratch: Path) -> Path:
    """The example frontend in ``scratch``, sharing node_modules, at the same depth as in the
    repository (its Vite config imports ../../js), so the shared build is left alone."""
    frontend = EXAMPLE / "frontend"
    if not (frontend / "node_modules").is_dir():
        pytest.fail(f"No node_modules in {frontend}: run `make node-deps` (make test does it).")
    target = scratch / frontend.relative_to(ROOT)
    ignore = shutil.ignore_patterns("node_modules", "dist", ".duet-hot", "*.timestamp-*")
    shutil.copytree(frontend, target, ignore=ignore)
    (target / "node_modules").symlink_to(frontend / "node_modules")
    (scratch / "js").symlink_to(ROOT / "js")
    return target
