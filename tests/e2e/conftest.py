"""End-to-end fixtures: the built example served by real servers, driven by Chromium.

The example's own tests are written on the duet pytest plugin (docs/testing.md), as a user's
would be: ``duet_live_server`` (and ``duet_live_server_factory`` for servers with other
settings) serve ``duet_build``, ``duet_dev_server_factory`` runs ``duet dev``, ``duet_page``
fails a test on any console error. `make test` builds the frontend first (``make frontend``)
and tells ``duet_build`` to trust that build (DUET_BUILD=trust); a plain `pytest` rebuilds it
only when example/frontend's sources changed.

The nginx, CDN and deploy tests run their own gunicorn on ``example_env`` (below).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django_duet.testing.dev import DevServer
from django_duet.testing.live import LiveServer
from django_duet.testing.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example"
FRONTEND = EXAMPLE / "frontend"
BUILD = FRONTEND / "dist"
BIN = Path(sys.executable).parent
# A production deploy's own secrets, not the demo fallbacks of example/settings.py.
SECRETS = {
    "DJANGO_SECRET_KEY": "e2e-secret-key-" + "s" * 40,
    "DUET_TOKEN_KEY": "e2e-token-key-4f9c2a7e81d3b6f0a5c9e2d7b1f4a8c3",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def duet_server_env() -> dict[str, str]:
    return dict(SECRETS)


@pytest.fixture(scope="session")
def duet_loopback_hosts() -> list[str]:
    # Two origins of one site (app. and api.), and a dev server under a host name.
    return ["*.example.test"]


@pytest.fixture(scope="session")
def example_server(duet_live_server: LiveServer) -> LiveServer:
    """The built example as production serves it, with the demo user (demo-password-123)."""
    duet_live_server.manage("demo_user")
    return duet_live_server


@pytest.fixture(scope="session")
def uvicorn_server(duet_live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    """The same example under uvicorn (ASGI) instead of gunicorn."""
    return duet_live_server_factory(server="uvicorn")


# --- duet dev on a scratch copy of the frontend --------------------------------------------


# The example's frontends, and the variables example/settings.py reads to move each.
FRONTEND_VARIABLES = {
    "frontend": "DUET_EXAMPLE_FRONTEND_DIR",
    "staff-frontend": "DUET_EXAMPLE_STAFF_FRONTEND_DIR",
}


def scratch_frontend(tmp: Path, name: str = "frontend") -> Path:
    """A copy of example/<name> that a test may edit, its node_modules linked entry by entry
    (so that Vite's dependency cache, node_modules/.vite, stays private)."""
    source = EXAMPLE / name
    if not (source / "node_modules").is_dir() or shutil.which("npm") is None:
        pytest.fail(f"duet dev needs npm and example/{name}/node_modules: run `make node-deps`.")
    # The example's Vite configs may import ../../js: keep that relative path valid.
    tmp.mkdir(parents=True, exist_ok=True)
    if not (tmp / "js").exists():
        (tmp / "js").symlink_to(ROOT / "js")
    copy = tmp / "example" / name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("node_modules", ".duet-hot"))
    modules = copy / "node_modules"
    modules.mkdir()
    for entry in (source / "node_modules").iterdir():
        if entry.name not in (".vite", ".ci-stamp"):
            (modules / entry.name).symlink_to(entry.resolve())
    return copy


def scratch_frontends(tmp: Path) -> dict[str, str]:
    """Copies of each of the example's frontends (duet dev runs a Vite for each, which writes
    its hot file and caches into it), as the environment that points the example at them."""
    return {
        variable: str(scratch_frontend(tmp, name))
        for name, variable in FRONTEND_VARIABLES.items()
        if (EXAMPLE / name).is_dir()
    }


@dataclass(frozen=True)
class ExampleDev:
    """``duet dev`` on the example: the server, and the copy of example/frontend it serves."""

    server: DevServer
    frontend: Path


@pytest.fixture(scope="session")
def example_dev(
    duet_dev_server_factory: Callable[..., DevServer], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., ExampleDev]:
    """``example_dev(env=None, **factory_arguments)``: ``duet dev`` on fresh scratch copies of
    the frontends, so tests may edit their sources and the repository's stay untouched."""

    def start(env: dict[str, str] | None = None, **kwargs: Any) -> ExampleDev:
        copies = scratch_frontends(tmp_path_factory.mktemp("example-dev"))
        # DJANGO_DEBUG too: example/settings.py derives its dev CSP from DEBUG when imported.
        env = {"DJANGO_DEBUG": "1", **copies, **(env or {})}
        server = duet_dev_server_factory(env=env, **kwargs)
        return ExampleDev(server, Path(copies["DUET_EXAMPLE_FRONTEND_DIR"]))

    return start


# --- the example deployed by hand (nginx, CDN, deploy tests) -----------------------------------


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
        **SECRETS,
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


def frontend_copy(scratch: Path) -> Path:
    """The example frontend in ``scratch``, sharing node_modules, at the same depth as in the
    repository (its Vite config imports ../../js), so the shared build is left alone."""
    if not (FRONTEND / "node_modules").is_dir():
        pytest.fail(f"No node_modules in {FRONTEND}: run `make node-deps` (make test does it).")
    target = scratch / FRONTEND.relative_to(ROOT)
    ignore = shutil.ignore_patterns("node_modules", "dist", ".duet-hot", "*.timestamp-*")
    shutil.copytree(FRONTEND, target, ignore=ignore)
    (target / "node_modules").symlink_to(FRONTEND / "node_modules")
    (scratch / "js").symlink_to(ROOT / "js")
    return target
