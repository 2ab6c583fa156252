"""A one-page Django site over a committed webpack or create-react-app build (settings and
URLconf in one module). DUET_SITE_BUNDLER=webpack|webpack-stats|cra picks the build; served by
gunicorn with ``django.core.wsgi:get_wsgi_application()`` and DJANGO_SETTINGS_MODULE naming this
module.
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BUNDLER = os.environ.get("DUET_SITE_BUNDLER", "webpack")
BUILD = {
    "webpack": FIXTURES / "webpack-project" / "build",
    "cra": FIXTURES / "cra-project" / "build",
    "webpack-stats": FIXTURES / "webpack-stats-v3",
}[BUNDLER]
ENTRY, ROOT_ID = {
    "webpack": ("main", "webpack-root"),
    "cra": ("main", "cra-root"),
    "webpack-stats": ("main", "stats-root"),
}[BUNDLER]
# webpack-bundle-tracker's build lives under "bundles/", as django-webpack-loader sets it up.
PREFIX = "bundles" if BUNDLER == "webpack-stats" else ""

SECRET_KEY = "bundler-site-" + "k" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.staticfiles", "django_duet"]
MIDDLEWARE = ["django_duet.static.DuetStaticMiddleware"]
ROOT_URLCONF = __name__
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES: dict[str, dict[str, str]] = {}
# webpack was built with publicPath "/static/"; the CRA fixture with PUBLIC_URL "/" (its
# runtime loads lazy chunks from /static/js/...), so it is served at the root.
STATIC_URL = "/" if BUNDLER == "cra" else "/static/"
MEDIA_URL = "/media/"  # must differ from STATIC_URL
STATICFILES_DIRS = [(PREFIX, BUILD) if PREFIX else BUILD]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # no collectstatic for a test site
DUET = {"BUILD_DIR": BUILD, "STATIC_PREFIX": PREFIX, "SRI": True}  # the format is detected

PAGE = """{% load duet %}<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>bundler site</title>{% duet_entry entry %}</head>
<body><div id="{{ root_id }}"></div></body></html>"""


def page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"entry": ENTRY, "root_id": ROOT_ID}, request))


urlpatterns = [path("", page)]
