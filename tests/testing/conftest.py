"""Tests of the pytest plugin itself: pytester runs pytest in a scratch folder, in a subprocess
(the outer run's Django settings stay out of it: ``-p no:django``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# A "build" that needs no Node: writes dist/out.txt from the sources and counts its runs.
FAKE_BUILD = """
import pathlib, sys, time
here = pathlib.Path.cwd()
runs = here.parent / "runs.txt"
runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
dist = here / "dist"
dist.mkdir(exist_ok=True)
(dist / "out.txt").write_text((here / "src" / "main.js").read_text())
"""


def build_runs(root: Path) -> int:
    runs = root / "runs.txt"
    return len(runs.read_text()) if runs.exists() else 0


@pytest.fixture
def frontend_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with ``frontend/`` (sources, lockfile, a fake build) and the plugin's ini."""
    monkeypatch.delenv("DUET_TEST_CACHE", raising=False)
    monkeypatch.delenv("DUET_BUILD", raising=False)
    frontend = pytester.path / "frontend"
    (frontend / "src").mkdir(parents=True)
    (frontend / "src" / "main.js").write_text("console.log('v1')\n")
    (frontend / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    (frontend / "build.py").write_text(FAKE_BUILD)
    pytester.makeini(
        f"""
        [pytest]
        duet_frontend_dir = frontend
        duet_build_command = {sys.executable} build.py 0.5
        """
    )
    return pytester.path


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:django", *args, timeout=180)


# A small Django project for the live server tests: ``/where/`` tells what the server runs with.
SETTINGS = """
from pathlib import Path

BASE = Path(__file__).resolve().parent
SECRET_KEY = "plugin-test-" + "k" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django_duet",
]
MIDDLEWARE = [
    "django_duet.static.DuetStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE / "db.sqlite3"}}
STATIC_URL = "/static/"
STATIC_ROOT = BASE / "staticfiles"
STATICFILES_DIRS = [BASE / "frontend" / "dist"]
DUET = {"FRONTEND_DIR": BASE / "frontend"}
USE_TZ = True
"""

URLS = """
import os

from django.conf import settings
from django.http import JsonResponse
from django.urls import include, path


def where(request):
    return JsonResponse(
        {
            "static_root": str(settings.STATIC_ROOT),
            "pid": os.getpid(),
            "database": str(settings.DATABASES["default"]["NAME"]),
            "greeting": getattr(settings, "GREETING", None),
            "env": os.environ.get("DUET_TEST_ENV"),
            "host": request.get_host(),
            "asgi": type(request).__name__ == "ASGIRequest",
        }
    )


urlpatterns = [path("where/", where), path("api/auth/", include("django_duet.urls"))]
"""

MANAGE = """
import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite_settings")
execute_from_command_line(sys.argv)
"""


def django_project(pytester: pytest.Pytester) -> None:
    """``manage.py``, settings and URLs beside ``frontend_project``'s frontend."""
    pytester.makepyfile(mysite_settings=SETTINGS, urls=URLS, manage=MANAGE)
    with (pytester.path / "tox.ini").open("a") as ini:
        ini.write("\nduet_settings = mysite_settings\n")
