"""A one-page Django site over tests/fixtures/vue-frontend's build (settings and URLconf in one
module; DUET_VUE_BUILD names the build folder): the Vue entry's tags, a server-rendered and a
client-rendered Vue island, and a server-rendered Vue component. Served by gunicorn with
``django.core.wsgi:get_wsgi_application()`` and DJANGO_SETTINGS_MODULE naming this module.
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

BUILD = Path(os.environ["DUET_VUE_BUILD"])

SECRET_KEY = "vue-site-" + "k" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.staticfiles", "django_duet"]
MIDDLEWARE = ["django_duet.static.DuetStaticMiddleware"]
ROOT_URLCONF = __name__
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES: dict[str, dict[str, str]] = {}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BUILD]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # no collectstatic for a test site
DUET = {"BUILD_DIR": BUILD}

PAGE = """{% load duet %}<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>vue site</title>{% duet_entry "src/main.js" %}</head>
<body>
<main>{% duet_island "Greeting" greeting ssr=True %}</main>
<nav>{% duet_island "Counter" island %}</nav>
<aside>{% duet_render "Counter" counter %}</aside>
</body></html>"""
GREETING = {"name": "Vue islands", "items": ["Props from Django", "Rendered in V8, hydrated"]}
ISLAND = {"label": "A client-rendered island", "start": 7}
COUNTER = {"label": "Rendered in Django's V8", "start": 3}


def page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    return HttpResponse(
        template.render({"greeting": GREETING, "island": ISLAND, "counter": COUNTER}, request)
    )


urlpatterns = [path("", page)]
