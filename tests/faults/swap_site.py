"""A tiny Django site for the swap-under-load test and ``bench/soak_swap.py`` (run by gunicorn).

``DUET_SWAP_BUILD_DIR`` is the build folder that ``builds.publish`` swaps builds into;
``DUET_SWAP_MODE`` is ``reload`` (DEV_MODE: the manifest is reloaded when it changes,
whitenoise looks new files up per request) or ``production`` (both loaded once at start).
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from tests.faults.builds import PAGE

BUILD_DIR = Path(os.environ.get("DUET_SWAP_BUILD_DIR", "missing-build"))
RELOAD = os.environ.get("DUET_SWAP_MODE", "reload") == "reload"

SECRET_KEY = "swap-site-only-" + "s" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.staticfiles", "django_duet"]
MIDDLEWARE = [
    "django_duet.static.DuetStaticMiddleware",
    "django_duet.version.BuildIdMiddleware",
]
ROOT_URLCONF = __name__
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES: dict[str, dict[str, str]] = {}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BUILD_DIR]
STORAGES = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = RELOAD
WHITENOISE_USE_FINDERS = True  # the build folder itself, as in development (no collectstatic)
DUET = {"BUILD_DIR": BUILD_DIR, "DEV_MODE": RELOAD}
LOGGING_CONFIG = None


def page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({}, request))


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", page), path("health", health)]
