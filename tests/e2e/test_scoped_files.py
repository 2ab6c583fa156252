"""A service worker under the client-routes prefix, in Chromium: DUET["PUBLIC_FILES"] serves
Vite's ``public/mockServiceWorker.js`` at ``/app/``, so the worker registered there controls
``/app/`` (under ``STATIC_URL`` it could not: a worker's scope stops at its own folder).

One small project, built once by a real ``vite build`` (which copies ``public/`` into the
build), served in production by gunicorn and in development by ``duet dev`` (the dev server's
copy, proxied): the same URL, the same headers, the same worker in control.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from django_duet.testing.dev import wait_for
from django_duet.testing.servers import ServerProcess, free_port, free_port_block

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "js"
PLUGIN = JS / "dist" / "vite.js"
BIN = Path(sys.executable).parent

SETTINGS = """
import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "scoped-files-test-only-" + "k" * 40
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "django_duet",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_duet.proxy.DevProxyMiddleware",
    "django_duet.static.PublicFilesMiddleware",
    "django_duet.static.DuetStaticMiddleware",
]
ROOT_URLCONF = "mysite.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "collected"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DUET = {
    "FRONTEND_DIR": BASE_DIR / "frontend",
    "PUBLIC_FILES": {"mockServiceWorker.js": "/app/", "favicon.ico": "/"},
}
"""

URLS = """
from django_duet.views import client_routes
urlpatterns = [client_routes("app/")]
"""

WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
"""

INDEX = """<!doctype html>
<html><head><title>scoped</title></head>
<body><p id="state">waiting</p>
<script>
  navigator.serviceWorker.register("/app/mockServiceWorker.js", { scope: "/app/" }).then(
    (registration) => { document.getElementById("state").textContent = registration.scope; },
    (error) => { document.getElementById("state").textContent = "refused: " + error; },
  );
</script></body></html>
"""

# What MSW's worker does, in a few lines: answer the app's API requests itself.
WORKER = """
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  if (new URL(event.request.url).pathname === "/app/api/hello") {
    event.respondWith(Response.json({ from: "the worker", version: "WORKER_VERSION" }));
  }
});
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    if shutil.which("node") is None or not PLUGIN.exists() or not (JS / "node_modules").is_dir():
        pytest.skip("needs Node and the js/ package built (make node-deps)")
    base = tmp_path_factory.mktemp("scoped-files")
    site = base / "mysite"
    site.mkdir()
    for name, text in {"__init__.py": "", "settings.py": SETTINGS, "urls.py": URLS}.items():
        (site / name).write_text(text)
    (site / "wsgi.py").write_text(WSGI)
    (base / "manage.py").write_text(
        "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
    frontend = base / "frontend"
    (frontend / "public").mkdir(parents=True)
    (frontend / "node_modules").symlink_to(JS / "node_modules")  # vite, as npm ci puts it
    (frontend / "package.json").write_text('{"private": true, "type": "module"}\n')
    (frontend / "index.html").write_text(INDEX)
    (frontend / "public" / "mockServiceWorker.js").write_text(WORKER)
    (frontend / "public" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (frontend / "vite.config.js").write_text(
        f"import duet from {json.dumps(PLUGIN.as_uri())};\n"
        'export default { plugins: [duet({ input: ["index.html"] })] };\n'
    )
    subprocess.run(
        ["node", str(JS / "node_modules" / "vite" / "bin" / "vite.js"), "build"],
        cwd=frontend,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # The dev server serves public/ as it is now; the build keeps the copy made above.
    worker = frontend / "public" / "mockServiceWorker.js"
    worker.write_text(WORKER.replace("WORKER_VERSION", "dev"))
    return base


def environment(project: Path, debug: bool) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "DJANGO_DEBUG": "1" if debug else "0",
        "PYTHONPATH": os.pathsep.join([str(project), str(ROOT / "src")]),
    }


@pytest.fixture(scope="module")
def production(project) -> Iterator[ServerProcess]:
    port = free_port()
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "mysite.wsgi:application"]
    env = environment(project, debug=False)
    with ServerProcess(command, port=port, cwd=project, env=env, name="gunicorn") as server:
        yield server


@pytest.fixture(scope="module")
def development(project) -> Iterator[ServerProcess]:
    port, vite_port = free_port(), free_port_block(2)
    command = [sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}", "--noreload"]
    command += ["--vite-port", str(vite_port)]
    env = {**environment(project, debug=True), "CI": "true"}
    with ServerProcess(
        command,
        port=port,
        cwd=project,
        env=env,
        name="duet dev",
        ready_path="/static/@vite/client",
        start_timeout=60.0,
    ) as server:
        assert wait_for(server.url + "/static/@vite/client", 60.0), server.output()
        yield server


def worker_controls_the_app(page, origin: str) -> dict[str, str]:
    """Opens a deep link of the app, waits for the worker to take control, asks the API."""
    page.goto(origin + "/app/items/2")
    page.wait_for_function("document.getElementById('state').textContent !== 'waiting'")
    assert page.text_content("#state") == f"{origin}/app/"  # registered, with the /app/ scope
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == (
        f"{origin}/app/mockServiceWorker.js"
    )
    # Django would answer /app/api/hello with the app's HTML: only the worker answers JSON.
    answer = page.evaluate("fetch('/app/api/hello').then((response) => response.json())")
    assert isinstance(answer, dict)
    return answer


def test_in_production_the_worker_from_the_build_controls_app(duet_page, production):
    assert worker_controls_the_app(duet_page, production.url) == {
        "from": "the worker",
        "version": "WORKER_VERSION",  # the build's copy
    }
    response = httpx.get(production.url + "/app/mockServiceWorker.js")
    assert response.headers["service-worker-allowed"] == "/app/"
    assert response.headers["cache-control"] == "no-cache"
    assert httpx.get(production.url + "/favicon.ico").status_code == 200  # the browser's own ask
    # Elsewhere, nothing: neither the root nor a dotted path reaches the worker file.
    assert httpx.get(production.url + "/mockServiceWorker.js").status_code == 404
    assert httpx.get(production.url + "/app/../mockServiceWorker.js").status_code == 404


def test_in_development_the_dev_servers_worker_controls_app_at_the_same_url(duet_page, development):
    assert worker_controls_the_app(duet_page, development.url) == {
        "from": "the worker",
        "version": "dev",  # public/ as the dev server serves it now
    }
    response = httpx.get(development.url + "/app/mockServiceWorker.js")
    assert response.headers["service-worker-allowed"] == "/app/"
    assert response.headers["cache-control"] == "no-cache"


def test_the_check_says_when_the_build_lacks_the_worker(project):
    env = {**os.environ, **environment(project, debug=False)}
    built = project / "frontend" / "dist" / "mockServiceWorker.js"
    kept = built.read_bytes()
    built.unlink()
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--tag", "duet"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        built.write_bytes(kept)
    assert result.returncode != 0
    assert "duet.E131" in result.stderr and "/app/mockServiceWorker.js" in result.stderr
