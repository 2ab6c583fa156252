"""The settings of a Django site with a DRF API and a django-ninja API behind cookie sessions,
for test_drf_ninja_csrf.py (URLconf and pages: drf_ninja_urls.py). Served by gunicorn with
``django.core.wsgi:get_wsgi_application()`` and DJANGO_SETTINGS_MODULE naming this module.

Environment: DUET_SITE_DB (the SQLite file), DUET_SITE_APP_ORIGIN and DUET_SITE_API_ORIGIN
(the SPA preset: a page on the app origin calls the API's), DUET_SITE_CSRF_USE_SESSIONS=1 (the
token lives in the session: no cookie a page can read, so the client keeps it in memory).
"""

import os

from django_duet import spa

APP_ORIGIN = os.environ.get("DUET_SITE_APP_ORIGIN", "http://app.example.test")
API_ORIGIN = os.environ.get("DUET_SITE_API_ORIGIN", "http://api.example.test")

SECRET_KEY = "drf-ninja-site-" + "k" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "app.example.test", "api.example.test"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_duet",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.e2e.drf_ninja_urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("DUET_SITE_DB", "")}
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"
DUET: dict[str, object] = {}
# As docs/sessions-and-csrf.md sets it up: DRF and ninja never reach this view (the point).
CSRF_FAILURE_VIEW = "django_duet.session_views.csrf_failure"
CSRF_USE_SESSIONS = os.environ.get("DUET_SITE_CSRF_USE_SESSIONS") == "1"
spa.configure(globals(), origins=[APP_ORIGIN], api_origin=API_ORIGIN)
