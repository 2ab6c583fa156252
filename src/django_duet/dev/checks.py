"""System checks of development mode (docs/development.md): duet.E030-E039, duet.W030-W039."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from django_duet.build.formats import FORMATS, MAX_MANIFEST_BYTES, detect
from django_duet.build.frontends import checkable_frontends
from django_duet.conf import Settings, conf
from django_duet.dev.server import dev_enabled

PROXY = "django_duet.proxy.DevProxyMiddleware"
# Middleware that answer /static/ themselves: the proxy must see those requests first.
STATIC_SERVERS = (
    "django_duet.static.DuetStaticMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
)


def check_dev_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E030: DEV_PROXY_TIMEOUT; duet.E031: HOT_FILE; duet.E033: DEV_ASSETS."""
    errors: list[CheckMessage] = []
    timeout = conf.raw("DEV_PROXY_TIMEOUT")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        errors.append(
            Error(
                f"DUET['DEV_PROXY_TIMEOUT'] is {timeout!r}: it must be a positive number of "
                "seconds.",
                hint="Write a number, e.g. DUET = {..., 'DEV_PROXY_TIMEOUT': 30}, or remove it.",
                id="duet.E030",
            )
        )
    hot_file = conf.raw("HOT_FILE")
    if hot_file is not None and not isinstance(hot_file, (str, os.PathLike)):
        errors.append(
            Error(
                f"DUET['HOT_FILE'] is {hot_file!r}: it must be a path.",
                hint="Write a path, e.g. BASE_DIR / 'frontend' / '.duet-hot', or remove it "
                "(that is the default).",
                id="duet.E031",
            )
        )
    assets = conf.raw("DEV_ASSETS")
    if assets not in ("proxy", "direct"):
        errors.append(
            Error(
                f"DUET['DEV_ASSETS'] is {assets!r}: it must be 'proxy' (the page's modules "
                "through Django's origin) or 'direct' (straight from the Vite dev server).",
                hint="Write DUET = {..., 'DEV_ASSETS': 'direct'}, or remove it (the default is "
                "'proxy'); see docs/development.md.",
                id="duet.E033",
            )
        )
    return errors


def check_dev_middleware(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.W030: dev mode without the proxy; duet.W031: the proxy after a static server;
    duet.W032: runserver answering /static/ before the proxy can."""
    if not dev_enabled() or not _vite_frontends():
        return []  # a webpack or CRA build has no Vite dev server for the proxy to reach
    middleware = list(getattr(settings, "MIDDLEWARE", []) or [])
    if PROXY not in middleware:
        return [
            Warning(
                f"DEBUG is on (so DUET['DEV_MODE'] too), but MIDDLEWARE = {middleware!r} lacks "
                f"{PROXY!r}: while the dev server runs, pages would load /static/@vite/client "
                "and the sources from Django's origin and get 404s.",
                hint=f"Add {PROXY!r} to MIDDLEWARE right after SecurityMiddleware (it does "
                "nothing when DEBUG is off), or set DUET['DEV_MODE'] = False to use the build.",
                id="duet.W030",
            )
        ]
    position = middleware.index(PROXY)
    before = [m for m in middleware[:position] if m in STATIC_SERVERS]
    if before:
        return [
            Warning(
                f"MIDDLEWARE lists {before[0]!r} before {PROXY!r}: it answers /static/ requests "
                "from the old build before the dev server sees them.",
                hint=f"Move {PROXY!r} above {before[0]!r}.",
                id="duet.W031",
            )
        ]
    argv = sys.argv[1:]
    if (
        "runserver" in argv
        and "--nostatic" not in argv
        and apps.is_installed("django.contrib.staticfiles")
    ):
        return [
            Warning(
                "runserver with django.contrib.staticfiles answers STATIC_URL = "
                f"{settings.STATIC_URL!r} itself, before any middleware: {PROXY!r} never sees "
                "/static/@vite/client nor the sources, so pages get 404s while Vite runs.",
                hint="Run `python manage.py duet dev` (Vite and Django together), or "
                "`python manage.py runserver --nostatic` beside Vite.",
                id="duet.W032",
            )
        ]
    return []


def _vite_frontends() -> list[Settings]:
    """The frontends a Vite dev server may serve: a running one (its hot file), or a Vite
    build (MANIFEST_FORMAT "vite", or a manifest that reads as Vite's, or none yet: the
    default). webpack, webpack-bundle-tracker and CRA builds have none (docs/bundlers.md)."""
    return [frontend for frontend in checkable_frontends() if _may_use_vite(frontend)]


def _may_use_vite(frontend: Settings) -> bool:
    if frontend.HOT_FILE.exists():
        return True
    chosen = frontend.raw("MANIFEST_FORMAT")
    if chosen is not None:
        return chosen == "vite" or chosen not in FORMATS  # not a format: duet.E100 says so
    try:
        with open(frontend.MANIFEST_PATH, encoding="utf-8") as file:
            data = json.loads(file.read(MAX_MANIFEST_BYTES))
    except (OSError, ValueError, RecursionError):
        return True  # no build yet, or one E003 reports: Vite, the default
    return detect(data) == "vite"
