"""The deploy of docs/spa.md, for test_spa_static_host.py: three origins of one site.

- ``app.example.test:<port>``: the SPA (tests/fixtures/spa-frontend, shaped as ``npm create vite``
  makes it) built with the page's build command, served by nginx with the page's server block
  (``try_files ... /index.html``): a static host, no Django, no cookies.
- ``api.example.test:<port>``: gunicorn running the example project with DRF and the signup view
  (spa_static_api.py, whose settings end with the page's ``spa.configure`` block).
- ``blog.example.test:<port>``: a sibling host of the same site (python -m http.server), which
  must neither read nor write the API with the user's cookies.
- ``deploy.example.test:<port>``: the same app built with the page's deploy-time variant (the
  API's URL in ``config.json``, written after the build), on nginx too.

Chromium maps ``*.example.test`` to 127.0.0.1 (conftest.py's ``duet_loopback_hosts``). The code
blocks come from docs/spa.md itself (``<!-- tested: name -->``), so the page cannot drift from
what runs here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BIN, EXAMPLE, ROOT, SECRETS, manage

DOCS_PAGE = ROOT / "docs" / "spa.md"
FIXTURE = ROOT / "tests" / "fixtures" / "spa-frontend"
DOCS_ROOT = "root /srv/my-spa/dist;"  # the nginx block's root, replaced by the test's build
_BLOCK = re.compile(r"<!-- tested: ([\w-]+) -->\n```[\w-]*\n(.*?)```", re.S)


def doc_blocks() -> dict[str, str]:
    """docs/spa.md's code blocks marked ``<!-- tested: name -->``, by name."""
    return dict(_BLOCK.findall(DOCS_PAGE.read_text()))


def build_command() -> tuple[str, list[str]]:
    """The page's build command, ``VITE_API_URL=<url> npm run build``: the variable, the command."""
    block = doc_blocks()["build"].strip()
    match = re.fullmatch(r"(\w+)=\S+ (npm run build)", block)
    assert match, f"docs/spa.md's build block is not '<VARIABLE>=<url> npm run build': {block!r}"
    return match[1], shlex.split(match[2])


def npm_build(frontend: Path, out: Path, env: dict[str, str]) -> Path:
    if not (FIXTURE / "node_modules").is_dir() or shutil.which("npm") is None:
        pytest.fail(f"No node_modules in {FIXTURE}: run `make node-deps` (make test does it).")
    _, command = build_command()
    result = subprocess.run(
        [*command, "--", "--outDir", str(out), "--emptyOutDir"],
        cwd=frontend,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"npm run build failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return out


def build_spa(out: Path, api_url: str) -> Path:
    """The fixture SPA built by the page's command for ``api_url``, into ``out``."""
    variable, _ = build_command()
    return npm_build(FIXTURE, out, {variable: api_url})


def build_deploy_time_spa(scratch: Path, api_url: str) -> Path:
    """The fixture SPA with the page's deploy-time Vite config and client, built without the
    variable; then ``config.json`` written as the page's deploy step does. Returns the build."""
    blocks = doc_blocks()
    copy = scratch / "frontend"
    ignore = shutil.ignore_patterns("node_modules", "dist", "*.timestamp-*")
    shutil.copytree(FIXTURE, copy, ignore=ignore)
    (copy / "node_modules").symlink_to(FIXTURE / "node_modules")
    (copy / "vite.config.ts").write_text(blocks["vite-config-deploy"])
    (copy / "src" / "api.ts").write_text(blocks["api-client-deploy"])
    variable, _ = build_command()
    out = npm_build(copy, scratch / "dist", {variable: ""})  # unset: the deploy gives the URL
    assert not (out / "config.json").exists()
    config = json.loads(blocks["deploy-config"])
    (out / "config.json").write_text(json.dumps({**config, "apiUrl": api_url}))
    return out


def nginx_block(dist: Path) -> str:
    """The page's nginx server block, serving ``dist``."""
    block = doc_blocks()["nginx"]
    assert DOCS_ROOT in block, f"docs/spa.md's nginx block has no '{DOCS_ROOT}'"
    return block.replace(DOCS_ROOT, f"root {dist};")


@dataclass(frozen=True)
class SpaStack:
    app: str  # the SPA's origin (nginx)
    api: str  # the API's origin (gunicorn)
    sibling: str  # another host of the site (a static page)
    deploy: str  # the SPA's deploy-time variant (nginx)
    dist: Path  # the SPA's build
    deploy_dist: Path  # the deploy-time variant's build, with its config.json
    database: Path  # the API's SQLite file


@contextmanager
def spa_stack(scratch: Path) -> Iterator[SpaStack]:
    """Build the SPA, then start the API, nginx and the sibling host; stop them on exit."""
    app_port, api_port, sibling_port, deploy_port = (free_port() for _ in range(4))
    app = f"http://app.example.test:{app_port}"
    api = f"http://api.example.test:{api_port}"
    sibling = f"http://blog.example.test:{sibling_port}"
    deploy = f"http://deploy.example.test:{deploy_port}"
    dist = build_spa(scratch / "dist", api)
    deploy_dist = build_deploy_time_spa(scratch / "deploy", api)
    database = scratch / "db.sqlite3"
    env = {
        **SECRETS,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.spa_static_api",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "api.example.test,127.0.0.1",
        "DUET_EXAMPLE_DB": str(database),
        "SPA_ORIGINS": f"{app},{deploy}",
        "API_ORIGIN": api,
    }
    manage(env, "migrate", "--noinput")
    manage(env, "demo_user")
    (scratch / "sibling").mkdir()
    (scratch / "sibling" / "index.html").write_text(
        '<!doctype html><link rel="icon" href="data:,"><title>blog</title>a sibling host'
    )
    gunicorn = [str(BIN / "gunicorn"), "example.wsgi", "--bind", f"127.0.0.1:{api_port}"]
    gunicorn += ["--workers", "2", "--threads", "4", "--worker-class", "gthread"]
    static = [sys.executable, "-m", "http.server", str(sibling_port), "--bind", "127.0.0.1"]
    static += ["--directory", str(scratch / "sibling")]
    with ExitStack() as servers:
        servers.enter_context(
            ServerProcess(gunicorn, port=api_port, cwd=EXAMPLE, env=env, name="spa-api")
        )
        servers.enter_context(nginx_process(nginx_block(dist), scratch / "nginx", app_port))
        servers.enter_context(ServerProcess(static, port=sibling_port, name="sibling"))
        deploy_nginx = nginx_process(nginx_block(deploy_dist), scratch / "nginx2", deploy_port)
        servers.enter_context(deploy_nginx)
        yield SpaStack(app, api, sibling, deploy, dist, deploy_dist, database)
