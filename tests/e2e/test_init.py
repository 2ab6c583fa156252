"""``python -m django_duet init`` for real: ``startproject``, init, install, ``npm run build``,
collectstatic, gunicorn, and the page in Chromium: the Django page with its island and the
client-routed app under /app/, for each ``--framework``.

React's npm install is the example frontend's node_modules, linked entry by entry (no network, and
the same packages: init's package.json asks for the same versions; django-duet is this repo's js/).
Vue's and Svelte's are a real ``npm install`` of the package.json init wrote (so every version it
names exists), with this repo's js/ copied in as npm copies a published package
(``--install-links``: a linked folder would bring js/'s own Vite, a second copy of its types).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from django_duet.testing.dev import vite_client_url, wait_for
from django_duet.testing.servers import ServerProcess, free_port, free_port_block

from .conftest import BIN, EXAMPLE, ROOT
from .dev_support import edit_until_shown

NODE_MODULES = EXAMPLE / "frontend" / "node_modules"


def sh(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    done = subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def init_project(root: Path, *args: str) -> Path:
    """startproject and init in ``root``, django-duet's npm package from this repo's js/."""
    env = _env({})
    sh(sys.executable, "-m", "django", "startproject", "mysite", ".", cwd=root, env=env)
    out = sh(
        sys.executable,
        "-m",
        "django_duet",
        "init",
        "--js-package",
        f"file:{ROOT / 'js'}",
        *args,
        cwd=root,
        env=env,
    )
    assert "created   frontend/package.json" in out
    return root / "frontend"


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Path:
    if not NODE_MODULES.is_dir() or shutil.which("npm") is None:
        pytest.fail("needs npm and example/frontend/node_modules: run `make node-deps`.")
    root = tmp_path_factory.mktemp("init-project")
    frontend = init_project(root)
    package = json.loads((frontend / "package.json").read_text())
    modules = frontend / "node_modules"
    modules.mkdir()
    for entry in NODE_MODULES.iterdir():
        if entry.name not in (".vite", ".ci-stamp", ".package-lock.json"):
            (modules / entry.name).symlink_to(entry.resolve())
    for name in (*package["dependencies"], *package["devDependencies"]):
        assert (modules / name).exists(), f"{name} is not in the example's node_modules"
    sh("npm", "run", "build", cwd=frontend, env=_env({}))
    assert (frontend / "dist" / ".vite" / "manifest.json").is_file()
    return root


@contextmanager
def production_server(root: Path, name: str) -> Iterator[ServerProcess]:
    # Production through init's environment switch (startproject's settings are for development;
    # its django-insecure- key fails duet.E024 under check --deploy).
    env = {
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        sh(sys.executable, "manage.py", *command, cwd=root, env=_env(env))
    sh(
        sys.executable,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "ERROR",
        cwd=root,
        env=_env(env),
    )
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "mysite.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "2",
    ]
    with ServerProcess(command, port=port, cwd=root, env=env, name=name) as server:
        yield server


@pytest.fixture(scope="module")
def init_server(initialised) -> Iterator[ServerProcess]:
    with production_server(initialised, "gunicorn-init") as server:
        yield server


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}, **extra}


def test_the_django_page_gets_its_react_island(duet_page, init_server):
    response = duet_page.goto(init_server.url + "/")
    # init adds BuildIdMiddleware: the header names the build the page itself was loaded with.
    assert response is not None
    build = duet_page.locator('meta[name="duet-build"]').get_attribute("content")
    assert build and response.headers.get("x-duet-build") == build
    expect(duet_page.get_by_test_id("django-title")).to_have_text("A Django page")
    expect(duet_page.get_by_test_id("duet-hello")).to_have_text("Hello from React")
    # {% duet_island "Hello" hello %}: mounted by django-duet/islands with the view's props.
    expect(duet_page.get_by_test_id("duet-props")).to_have_text("Props from Django: name = Django")
    counter = duet_page.get_by_test_id("duet-counter")
    counter.click()
    expect(counter).to_have_text("Clicked 1 times")
    # App.css came with the entry (a <link rel="stylesheet"> from the manifest).
    assert (
        duet_page.locator("section.duet-app").evaluate("(e) => getComputedStyle(e).borderTopStyle")
        == "solid"
    )


def test_the_app_is_served_at_every_route_under_app(duet_page, init_server):
    for path in ("/app/", "/app/some/deep/link"):
        response = duet_page.goto(init_server.url + path)
        assert response.status == 200
        expect(duet_page.get_by_test_id("duet-hello")).to_have_text("Hello from React")


def test_the_auth_api_is_mounted(duet_page, init_server):
    response = duet_page.request.get(init_server.url + "/api/auth/csrf/")
    assert response.status == 200, response.text()


# --framework vue and svelte: one project, install, build and server per framework (the module's
# tests run framework by framework).
FRAMEWORK_TEXT = {"vue": "Hello from Vue", "svelte": "Hello from Svelte"}


@pytest.fixture(scope="module", params=sorted(FRAMEWORK_TEXT))
def framework_server(request, tmp_path_factory) -> Iterator[tuple[str, ServerProcess, Path]]:
    framework = request.param
    if shutil.which("npm") is None or not (ROOT / "js" / "dist" / "islands").is_dir():
        pytest.fail("needs npm and the js package's build (js/dist): run `make node-deps`.")
    root = tmp_path_factory.mktemp(f"init-{framework}")
    frontend = init_project(root, "--framework", framework)
    package = json.loads((frontend / "package.json").read_text())
    assert framework in package["dependencies"]
    sh(
        "npm",
        "install",
        "--install-links",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        cwd=frontend,
        env=_env({}),
        timeout=300,
    )
    # The package's script: the framework's type checker (vue-tsc, svelte-check), then Vite.
    sh("npm", "run", "build", cwd=frontend, env=_env({}))
    manifest = json.loads((frontend / "dist" / ".vite" / "manifest.json").read_text())
    assert {"src/islands.ts", "index.html"} <= set(manifest)
    with production_server(root, f"gunicorn-init-{framework}") as server:
        yield framework, server, root


def test_the_framework_island_renders_djangos_props_and_reacts(duet_page, framework_server):
    framework, server, _ = framework_server
    duet_page.goto(server.url + "/")
    expect(duet_page.get_by_test_id("django-title")).to_have_text("A Django page")
    expect(duet_page.get_by_test_id("duet-hello")).to_have_text(FRAMEWORK_TEXT[framework])
    # {% duet_island "Hello" hello %}: mounted by the framework's adapter with the view's props.
    expect(duet_page.get_by_test_id("duet-props")).to_have_text("Props from Django: name = Django")
    counter = duet_page.get_by_test_id("duet-counter")
    counter.click()
    expect(counter).to_have_text("Clicked 1 times")
    counter.click()
    expect(counter).to_have_text("Clicked 2 times")
    # App.css, imported by the island, came with it.
    assert (
        duet_page.locator("section.duet-app").evaluate("(e) => getComputedStyle(e).borderTopStyle")
        == "solid"
    )


def test_the_framework_app_is_served_under_app(duet_page, framework_server):
    framework, server, _ = framework_server
    for path in ("/app/", "/app/some/deep/link"):
        response = duet_page.goto(server.url + path)
        assert response is not None and response.status == 200
        expect(duet_page.get_by_test_id("duet-hello")).to_have_text(FRAMEWORK_TEXT[framework])
        counter = duet_page.get_by_test_id("duet-counter")
        counter.click()
        expect(counter).to_have_text("Clicked 1 times")


ISLAND_FILE = {"vue": "Hello.vue", "svelte": "Hello.svelte"}


def test_the_framework_project_under_duet_dev(duet_page, framework_server):
    # Development as init's next steps say (startproject's DEBUG = True): Vite through Django's
    # origin, no React preamble, and a saved island shown in place.
    framework, _, root = framework_server
    port, vite = free_port(), free_port_block(2)
    command = [sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}"]
    command += ["--vite-port", str(vite), "--noreload"]
    island = root / "frontend" / "src" / "islands" / ISLAND_FILE[framework]
    source = island.read_text()
    env = {**_env({}), "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    server = ServerProcess(command, port=port, cwd=root, env=env, name=f"duet-dev-{framework}")
    server.start_timeout = 60
    with server:
        client = vite_client_url(server.url, "/static/")
        assert wait_for(client, 60.0), f"Vite never answered {client}:\n{server.output()}"
        try:
            duet_page.goto(server.url + "/")
            assert "react-refresh" not in duet_page.content()
            expect(duet_page.get_by_test_id("duet-props")).to_have_text(
                "Props from Django: name = Django"
            )
            counter = duet_page.get_by_test_id("duet-counter")
            counter.click()
            expect(counter).to_have_text("Clicked 1 times")
            edited, hello = "Hello, edited in place", duet_page.get_by_test_id("duet-hello")
            edit_until_shown(  # written again if the watcher missed it or read it half-written
                island,
                source.replace(FRAMEWORK_TEXT[framework], edited),
                lambda timeout: expect(hello).to_have_text(edited, timeout=timeout),
            )
            if framework == "vue":  # Vue's hot reload keeps a component's state
                expect(counter).to_have_text("Clicked 1 times")
        finally:
            island.write_text(source)
            duet_page.goto("about:blank")  # Vite's client would poll the stopped server
