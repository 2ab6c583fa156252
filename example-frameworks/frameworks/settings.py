"""Settings of the second example project: the same hybrid model as example/, with a Vue 3
frontend (vue-frontend/, the default one) and a Svelte 5 frontend (svelte-frontend/, served under
STATIC_URL + "svelte/"), each with islands, a server-rendered page and client routes
(docs/frameworks.md).

Environment: DJANGO_DEBUG=1 for development (`manage.py duet dev`), DJANGO_SECRET_KEY in
production, DUET_FRAMEWORKS_STATIC_ROOT to move the collected static files,
DUET_FRAMEWORKS_VUE_DIR / DUET_FRAMEWORKS_SVELTE_DIR to use another copy of a frontend (the hot
reload tests edit scratch copies).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
# The fallback key is for the demo on 127.0.0.1 only; set DJANGO_SECRET_KEY anywhere else.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-frameworks-demo-key-127.0.0.1-only-" + "x" * 16
)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    # django_duet's models (login tokens) point at auth's user: runserver's checks need both.
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "django_duet",
    "frameworks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # DEBUG only: the Vite dev servers' paths through Django's origin (docs/development.md)
    "django_duet.proxy.DevProxyMiddleware",
    "django_duet.static.DuetStaticMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "frameworks.urls"
WSGI_APPLICATION = "frameworks.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]
DATABASES: dict[str, dict[str, object]] = {}  # no models, no sessions: pages and assets only

TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DUET_FRAMEWORKS_STATIC_ROOT") or BASE_DIR / "staticfiles")
VUE_FRONTEND_DIR = Path(os.environ.get("DUET_FRAMEWORKS_VUE_DIR") or BASE_DIR / "vue-frontend")
SVELTE_FRONTEND_DIR = Path(
    os.environ.get("DUET_FRAMEWORKS_SVELTE_DIR") or BASE_DIR / "svelte-frontend"
)
STATICFILES_DIRS = [VUE_FRONTEND_DIR / "dist", ("svelte", SVELTE_FRONTEND_DIR / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django_duet.storage.DuetStaticFilesStorage"},
}

DUET = {
    "FRONTEND_DIR": VUE_FRONTEND_DIR,  # the Vue frontend: the one named "default"
    "FRONTENDS": {
        "svelte": {"FRONTEND_DIR": SVELTE_FRONTEND_DIR, "STATIC_PREFIX": "svelte/"},
    },
}
