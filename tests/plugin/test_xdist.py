"""pytest-xdist with two workers: one build for both, a live server per worker on its own port."""

from __future__ import annotations

import pytest

from .conftest import build_runs, run

pytestmark = pytest.mark.e2e  # real servers

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
    return JsonResponse({"static_root": str(settings.STATIC_ROOT), "pid": os.getpid()})


urlpatterns = [path("where/", where), path("api/auth/", include("django_duet.urls"))]
"""

MANAGE = """
import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite_settings")
execute_from_command_line(sys.argv)
"""

TESTS = """
import httpx
import pytest


@pytest.mark.parametrize("n", range(4))
def test_served(duet_live_server, duet_build, worker_id, request, n):
    where = httpx.get(duet_live_server.url + "/where/").json()
    assert where["static_root"].startswith(str(request.config._tmp_path_factory.getbasetemp()))
    out = httpx.get(duet_live_server.url + "/static/out.txt")
    assert out.text == "console.log('v1')\\n"
    seen = request.config.rootpath / "seen"
    seen.mkdir(exist_ok=True)
    (seen / f"{worker_id}-{n}").write_text(duet_live_server.url)
"""


def test_two_workers_share_one_build_and_get_a_server_each(pytester, frontend_project):
    pytester.makepyfile(mysite_settings=SETTINGS, urls=URLS, manage=MANAGE, test_served=TESTS)
    with (pytester.path / "tox.ini").open("a") as ini:
        ini.write("\nduet_settings = mysite_settings\n")
    result = run(pytester, "-n", "2", "--dist", "load")
    result.assert_outcomes(passed=4)
    assert build_runs(frontend_project) == 1
    seen = {p.name.split("-")[0]: p.read_text() for p in (pytester.path / "seen").iterdir()}
    assert sorted(seen) == ["gw0", "gw1"]
    assert seen["gw0"] != seen["gw1"]  # a server per worker, each on its own port
