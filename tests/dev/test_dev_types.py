"""`duet dev` keeps `duet types` current: Django's process writes the generated files at each
start, so again after every autoreload (an edited urls.py), under runserver and uvicorn. Real
processes with Django's autoreloader, in a startproject layout; no Vite needed."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from django_duet.testing.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "test-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "django_duet",
]
MIDDLEWARE = ["django_duet.proxy.DevProxyMiddleware"]
ROOT_URLCONF = "mysite.urls"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DUET = {"FRONTEND_DIR": BASE_DIR / "frontend"}
"""

URLS = """
from django.http import HttpResponse
from django.urls import path
urlpatterns = [path("", lambda request: HttpResponse("hello"), name="home")]
"""


def wait_until(path: Path, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in (found := path.read_text()):
            return found
        time.sleep(0.2)
    raise AssertionError(f"{path} never held {text!r}")


@pytest.fixture(params=["runserver", "uvicorn"])
def served(request, tmp_path: Path) -> Iterator[tuple[Path, ServerProcess]]:
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "__init__.py").write_text("")
    (tmp_path / "mysite" / "settings.py").write_text(SETTINGS)
    (tmp_path / "mysite" / "urls.py").write_text(URLS)
    (tmp_path / "mysite" / "asgi.py").write_text(
        "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n"
    )
    (tmp_path / "frontend" / "src" / "duet").mkdir(parents=True)  # the project uses duet types
    (tmp_path / "frontend" / "dist").mkdir()
    port = free_port()
    if request.param == "runserver":
        args = ["-m", "django_duet.cli._wsgi_serve", f"127.0.0.1:{port}"]
    else:
        args = ["-m", "django_duet.cli._asgi_serve", "127.0.0.1", str(port)]
    env = {
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src")]),
    }
    with ServerProcess(
        [sys.executable, *args], port=port, cwd=tmp_path, env=env, name=request.param
    ) as server:
        yield tmp_path, server


def test_the_types_follow_the_urlconf_across_autoreloads(served) -> None:
    project, server = served
    routes = project / "frontend" / "src" / "duet" / "routes.ts"
    assert '"home": {};' in wait_until(routes, '"home"')
    urls = project / "mysite" / "urls.py"
    edited = URLS.replace(
        '"home")]', '"home"), path("items/<int:pk>/", lambda r, pk: HttpResponse(), name="item")]'
    )
    # The autoreloader restarts Django, which writes the routes. Its first look at a file only
    # records the mtime: a save made before that look is no change to it, so the test saves
    # again (as a user would) until the routes follow, instead of guessing when it looked.
    deadline = time.monotonic() + 60
    while True:
        urls.write_text(edited)
        try:
            text = wait_until(routes, '"item"', timeout=min(5.0, deadline - time.monotonic()))
            break
        except AssertionError:
            if time.monotonic() >= deadline:
                raise
    assert '"item": { "pk": number };' in text
    assert "duet types: wrote" in server.output()
