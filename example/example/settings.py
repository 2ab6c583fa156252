"""Settings of the example project: the hybrid model served by Django itself (whitenoise).

Environment: DJANGO_DEBUG=1 for development, DJANGO_SECRET_KEY in production,
DUET_EXAMPLE_DB / DUET_EXAMPLE_STATIC_ROOT to move the SQLite file and collected static files,
DUET_EXAMPLE_SPA_ORIGINS / DUET_EXAMPLE_API_ORIGIN to serve the SPA from other origins,
DUET_EXAMPLE_FRONTEND_DIR / DUET_EXAMPLE_STAFF_FRONTEND_DIR to use another copy of a frontend
(`duet dev` serves it),
DUET_EXAMPLE_STATIC_URL / DUET_EXAMPLE_STORAGE / DUET_EXAMPLE_STORAGE_OPTIONS (JSON) to put the
build on a CDN with object storage (docs/deployment-cdn.md),
DUET_EXAMPLE_CSP=1 for a strict nonce-based Content-Security-Policy (django-csp).
DATABASE_URL and REDIS_URL (or CACHE_URL) for several app servers on PostgreSQL and Redis
(docs/scaling.md); without them, the SQLite file and a per-process cache.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
# The fallback key is for the demo on 127.0.0.1 only; set DJANGO_SECRET_KEY anywhere else. It is
# published, so `check --deploy` refuses it (duet.E024, and Django's prefix rule, security.W009).
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-demo-key-for-127.0.0.1-only-" + "x" * 24
)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_duet",
    "example",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # DEBUG only: the Vite dev server's paths through Django's origin (docs/development.md)
    "django_duet.proxy.DevProxyMiddleware",
    # whitenoise, hardened for the bundler's build (see docs/production.md)
    "django_duet.static.DuetStaticMiddleware",
    # X-Duet-Build on every response: the client tells pages of an older build (docs/deploys.md)
    "django_duet.version.BuildIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Apps (mobile, desktop) send "Authorization: Bearer <access token>" (docs/tokens.md)
    "django_duet.tokens.middleware.TokenAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if os.environ.get("DUET_EXAMPLE_BACKEND_ID"):  # tests of several app servers behind nginx
    MIDDLEWARE.append("example.middleware.backend_id")

# Behind nginx (`manage.py duet nginx-config`), which overwrites X-Forwarded-Proto and X-Real-IP:
# trust them. Never set this when clients can reach the app server directly: they could claim
# https, and any address.
BEHIND_PROXY = os.environ.get("DUET_EXAMPLE_BEHIND_PROXY") == "1"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

ROOT_URLCONF = "example.urls"
WSGI_APPLICATION = "example.wsgi.application"
ASGI_APPLICATION = "example.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DUET_EXAMPLE_DB", BASE_DIR / "db.sqlite3"),
    }
}
# Several app servers (docs/scaling.md) share a database and a cache: DATABASE_URL (e.g.
# postgres://user:password@host:5432/name) and REDIS_URL or CACHE_URL (e.g. redis://host:6379/0),
# parsed by dj-database-url and django-environ (pip install django-duet[scale]). The login
# throttle then counts in the shared cache, sessions are read from it and kept in the database
# (django-duet's cached_db reads the database alone while Redis is away), and CONN_HEALTH_CHECKS
# lets a worker reconnect after the database restarts.
if os.environ.get("DATABASE_URL"):
    import dj_database_url

    DATABASES["default"] = dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
if CACHE_URL := os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL"):
    import environ

    CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
    SESSION_ENGINE = "django_duet.sessions.cached_db"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The Vite build (frontend/dist) is collected like any static folder; STATIC_URL is the
# `base` that the duet() Vite plugin builds with.
STATIC_URL = os.environ.get("DUET_EXAMPLE_STATIC_URL") or "/static/"
STATIC_ROOT = Path(os.environ.get("DUET_EXAMPLE_STATIC_ROOT", BASE_DIR / "staticfiles"))
# DUET_EXAMPLE_FRONTEND_DIR: another copy of the frontend (the HMR tests edit a scratch copy).
FRONTEND_DIR = Path(os.environ.get("DUET_EXAMPLE_FRONTEND_DIR") or BASE_DIR / "frontend")
# The second frontend, the staff tools on /staff/ (docs/frontends.md): its files live under
# STATIC_URL + "staff/", so its build is collected with that prefix.
STAFF_FRONTEND_DIR = Path(
    os.environ.get("DUET_EXAMPLE_STAFF_FRONTEND_DIR") or BASE_DIR / "staff-frontend"
)
STATICFILES_DIRS = [FRONTEND_DIR / "dist", ("staff", STAFF_FRONTEND_DIR / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django_duet.storage.DuetStaticFilesStorage"},
}
# Architecture 4: collectstatic uploads the build to a bucket that a CDN serves at STATIC_URL,
# e.g. DUET_EXAMPLE_STORAGE=django_duet.storage_s3.DuetS3StaticStorage and
# DUET_EXAMPLE_STORAGE_OPTIONS='{"bucket_name": "assets", "location": "static"}'; the upload
# credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, never from this file.
if os.environ.get("DUET_EXAMPLE_STORAGE"):
    import json

    STORAGES["staticfiles"] = {
        "BACKEND": os.environ["DUET_EXAMPLE_STORAGE"],
        "OPTIONS": json.loads(os.environ.get("DUET_EXAMPLE_STORAGE_OPTIONS") or "{}"),
    }

DUET = {
    "FRONTEND_DIR": FRONTEND_DIR,  # the public frontend: the one named "default"
    # `manage.py duet types` writes the notes API's types to frontend/src/duet (docs/types.md)
    "OPENAPI": {"api": "django-duet"},
    "FRONTENDS": {
        "staff": {"FRONTEND_DIR": STAFF_FRONTEND_DIR, "STATIC_PREFIX": "staff/"},
    },
}
if BEHIND_PROXY:
    # The login throttle counts failures per client address: behind nginx it is in X-Real-IP,
    # else every client would share nginx's address and 50 failures would lock everyone out.
    DUET["CLIENT_IP_HEADER"] = "X-Real-IP"
# Tokens for mobile and desktop apps (docs/tokens.md): DUET_TOKEN_KEY is a random secret of
# 32+ bytes; the fallback is for the demo on 127.0.0.1 only, like the SECRET_KEY's (duet.E059).
DUET["TOKEN_SIGNING_KEYS"] = [
    {
        "kid": os.environ.get("DUET_TOKEN_KEY_ID", "demo-1"),
        "algorithm": "HS256",
        "key": os.environ.get("DUET_TOKEN_KEY", "insecure-demo-token-key-for-127.0.0.1-only-Zq7"),
    }
]

# fetch() clients get a JSON 403 {"error": {"code": "csrf_failed", ...}} on a CSRF failure, so
# django-duet's client can refresh its token and retry once; browsers still get Django's page.
CSRF_FAILURE_VIEW = "django_duet.session_views.csrf_failure"

# The single page app model (docs/sessions-and-csrf.md): the SPA served from its own origins,
# e.g. DUET_EXAMPLE_SPA_ORIGINS=http://app.example.test:5173 and
# DUET_EXAMPLE_API_ORIGIN=http://api.example.test:8000 (plus DJANGO_ALLOWED_HOSTS).
if os.environ.get("DUET_EXAMPLE_SPA_ORIGINS"):
    from django_duet import spa

    spa.configure(
        globals(),
        origins=os.environ["DUET_EXAMPLE_SPA_ORIGINS"].split(","),
        api_origin=os.environ.get("DUET_EXAMPLE_API_ORIGIN") or None,
    )

# A strict Content-Security-Policy (docs/csp.md): every script and stylesheet needs the
# request's nonce, which the tags and the client-routes shell emit; 'strict-dynamic' lets the
# modules they load import others (lazy routes). Needs django-csp (pip install django-duet[csp]).
if os.environ.get("DUET_EXAMPLE_CSP") == "1":
    from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC

    MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
    CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [NONCE, STRICT_DYNAMIC],
            "style-src": [NONCE],
            "img-src": [SELF, "data:"],
            # In development the HMR socket goes straight to Vite's port on loopback.
            "connect-src": [SELF, *(["ws://127.0.0.1:*", "ws://localhost:*"] if DEBUG else [])],
            "object-src": [NONE],
            "base-uri": [NONE],
            "frame-ancestors": [NONE],
        }
    }
