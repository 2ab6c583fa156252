"""Settings of the example project: the hybrid model served by Django itself (whitenoise).

Environment: DJANGO_DEBUG=1 for development, DJANGO_SECRET_KEY in production,
DUET_EXAMPLE_DB / DUET_EXAMPLE_STATIC_ROOT to move the SQLite file and collected static files.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
# The fallback key is for the demo on 127.0.0.1 only; set DJANGO_SECRET_KEY anywhere else.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-demo-key-for-127.0.0.1-only-" + "x" * 24)
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
    # whitenoise, hardened for the bundler's build (see docs/production.md)
    "django_duet.static.DuetStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if os.environ.get("DUET_EXAMPLE_BACKEND_ID"):  # tests of several app servers behind nginx
    MIDDLEWARE.append("example.middleware.backend_id")

# Behind nginx (`manage.py duet nginx-config`), which overwrites X-Forwarded-Proto: trust it.
# Never set this when clients can reach the app server directly: they could claim https.
if os.environ.get("DUET_EXAMPLE_BEHIND_PROXY") == "1":
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

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The Vite build (frontend/dist) is collected like any static folder; STATIC_URL is the
# `base` that the duet() Vite plugin builds with.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DUET_EXAMPLE_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django_duet.storage.DuetStaticFilesStorage"},
}

DUET = {
    "FRONTEND_DIR": BASE_DIR / "frontend",
}
