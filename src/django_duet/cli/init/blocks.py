"""The blocks init appends to the settings module and the root URLconf, between ``BLOCK_START``
and ``BLOCK_END``: a second run finds them and appends nothing."""

from __future__ import annotations

from django_duet.cli.init.frameworks import Framework
from django_duet.cli.init.markers import BLOCK_END, BLOCK_START, MARKER


def settings_block(depth: int, frontend: str) -> str:
    """Appended to the settings module. ``depth``: folders from it up to manage.py's."""
    return f"""
{BLOCK_START}
# {MARKER}. Edit freely; delete down to the closing line to undo.
from pathlib import Path as _DuetPath

_DUET_ROOT = _DuetPath(__file__).resolve().parents[{depth}]  # the folder holding manage.py
# The production switch, from the environment (unset: the values above stay):
# DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=example.com,www.example.com DJANGO_SECRET_KEY=...
import os as _duet_os

if "DJANGO_DEBUG" in _duet_os.environ:
    DEBUG = _duet_os.environ["DJANGO_DEBUG"] == "1"
if _duet_os.environ.get("DJANGO_ALLOWED_HOSTS"):
    ALLOWED_HOSTS = _duet_os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
if _duet_os.environ.get("DJANGO_SECRET_KEY"):
    SECRET_KEY = _duet_os.environ["DJANGO_SECRET_KEY"]
if "django_duet" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "django_duet"]
MIDDLEWARE = list(MIDDLEWARE)
if "django_duet.static.DuetStaticMiddleware" not in MIDDLEWARE:
    # whitenoise, hardened for the bundler's build: right after SecurityMiddleware
    _duet_at = 0
    if "django.middleware.security.SecurityMiddleware" in MIDDLEWARE:
        _duet_at = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
    MIDDLEWARE.insert(_duet_at, "django_duet.static.DuetStaticMiddleware")
if "django_duet.version.BuildIdMiddleware" not in MIDDLEWARE:
    # X-Duet-Build on every response: the client tells pages of an older build (docs/deploys.md)
    _duet_at = MIDDLEWARE.index("django_duet.static.DuetStaticMiddleware") + 1
    MIDDLEWARE.insert(_duet_at, "django_duet.version.BuildIdMiddleware")
if globals().get("DEBUG") and "django_duet.proxy.DevProxyMiddleware" not in MIDDLEWARE:
    # DEBUG only: Vite's dev server through Django's origin (needs django-duet[devserver])
    _duet_at = MIDDLEWARE.index("django_duet.static.DuetStaticMiddleware")
    MIDDLEWARE.insert(_duet_at, "django_duet.proxy.DevProxyMiddleware")
# The Vite build is collected like any static folder. Before the first build the folder is made
# here, empty (the build fills it), so that Django does not warn on every command that it is
# missing (staticfiles.W004); `check --deploy` still says there is no build yet (duet.E001).
if (_DUET_ROOT / {frontend!r}).is_dir() and not (_DUET_ROOT / {frontend!r} / "dist").exists():
    try:
        (_DUET_ROOT / {frontend!r} / "dist").mkdir()
    except OSError:  # a read-only tree: staticfiles.W004 will name the folder
        pass
if _DUET_ROOT / {frontend!r} / "dist" not in globals().get("STATICFILES_DIRS", []):
    STATICFILES_DIRS = [*globals().get("STATICFILES_DIRS", []), _DUET_ROOT / {frontend!r} / "dist"]
STATIC_ROOT = globals().get("STATIC_ROOT") or _DUET_ROOT / "staticfiles"
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    **globals().get("STORAGES", {{}}),
}}
if STORAGES.get("staticfiles", {{}}).get("BACKEND") in (
    None,
    "django.contrib.staticfiles.storage.StaticFilesStorage",
    "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    "whitenoise.storage.CompressedManifestStaticFilesStorage",
):
    # Compressed and hashed, but leaves the bundler's already hashed files alone.
    STORAGES["staticfiles"] = {{"BACKEND": "django_duet.storage.DuetStaticFilesStorage"}}
for _duet_engine in TEMPLATES:  # the base template init wrote: templates/duet/base.html
    if _duet_engine["BACKEND"] == "django.template.backends.django.DjangoTemplates":
        if _DUET_ROOT / "templates" not in _duet_engine.setdefault("DIRS", []):
            _duet_engine["DIRS"] = [*_duet_engine["DIRS"], _DUET_ROOT / "templates"]
        break
DUET = {{"FRONTEND_DIR": _DUET_ROOT / {frontend!r}, **globals().get("DUET", {{}})}}
# Several app servers share a database and a cache (docs/scaling.md): DATABASE_URL and
# REDIS_URL or CACHE_URL (pip install django-duet[scale]); unset, the settings above stay.
import os as _duet_os

if _duet_os.environ.get("DATABASE_URL"):
    import dj_database_url

    DATABASES = {{
        **globals().get("DATABASES", {{}}),
        "default": dj_database_url.parse(
            _duet_os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        ),
    }}
if _duet_cache_url := _duet_os.environ.get("REDIS_URL") or _duet_os.environ.get("CACHE_URL"):
    import environ

    CACHES = {{
        **globals().get("CACHES", {{}}),
        "default": environ.Env.cache_url_config(_duet_cache_url),
    }}
    # Read from the cache, kept in the database: sessions outlive a cache restart, and are read
    # from the database alone while the cache is away.
    SESSION_ENGINE = "django_duet.sessions.cached_db"
elif globals().get("CACHES", {{}}).get("default", {{}}).get("BACKEND", "") in (
    "",  # no CACHES: Django's default, the local-memory cache
    "django.core.cache.backends.locmem.LocMemCache",
):
    # A cache per process: the login throttle counts failed logins in a table of the database
    # instead (made by `migrate`), one exact budget for every process and server (duet.W014).
    CACHES = {{
        "default": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        **globals().get("CACHES", {{}}),
        "duet-throttle": {{"BACKEND": "django_duet.sessions.throttle_cache.DuetDatabaseCache"}},
    }}
    DUET = {{"LOGIN_THROTTLE_CACHE": "duet-throttle", **DUET}}
{BLOCK_END}
"""


def urls_block(framework: Framework) -> str:
    label = framework.label
    return f"""
{BLOCK_START}
# {MARKER}. Edit freely; delete down to the closing line to undo.
from django.urls import include, path
from django.views.generic import TemplateView

from django_duet.pages.client_routes import client_routes

urlpatterns = [
    *urlpatterns,
    # JSON: csrf/, login/, logout/, me/ (and tokens for apps) for the frontend.
    path("api/auth/", include("django_duet.urls")),
    # Every route of the {label} app under /app/ (deep links, reloads) gets the built index.html.
    client_routes("app/", "index.html", name="duet-app"),
    # A Django page with a {label} island and its props; a "" route of yours, above, wins.
    path(
        "",
        TemplateView.as_view(
            template_name="duet/home.html", extra_context={{"hello": {{"name": "Django"}}}}
        ),
        name="duet-home",
    ),
]
{BLOCK_END}
"""
