"""System checks. Ids are never reused; messages name the setting and value, hints the fix."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from django_duet.build.frontends import checkable_frontends, setting_name
from django_duet.build.loader import get_manifest
from django_duet.conf import Settings
from django_duet.exceptions import DuetError, ManifestNotFound

BUILD_HINT = "Build the frontend: `python manage.py duet build` (or `npm run build` in {frontend})."


def _of(frontend: Settings) -> str:
    return "" if frontend.is_default else f" of the frontend {frontend.name!r}"


def check_build(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E001/E003: production needs a build that parses (dev without one still starts)."""
    return [found for frontend in checkable_frontends() for found in _check_build(frontend)]


def _check_build(frontend: Settings) -> list[CheckMessage]:
    hint = BUILD_HINT.format(frontend=frontend.FRONTEND_DIR)
    if not frontend.is_default:
        hint = hint.replace("duet build`", f"duet build --frontend {frontend.name}`")
    try:
        get_manifest(None, frontend)
    except ManifestNotFound as exc:
        return [
            Error(
                f"No frontend build{_of(frontend)}: {exc.path} does not exist.",
                hint=hint,
                id="duet.E001",
            )
        ]
    except DuetError as exc:
        return [Error(str(exc), hint=hint, id="duet.E003")]
    return []


def check_build_dir_collected(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E002: each build must be where staticfiles (and so collectstatic) finds it."""
    return [found for frontend in checkable_frontends() for found in _check_collected(frontend)]


def _check_collected(frontend: Settings) -> list[CheckMessage]:
    build_dir = os.path.realpath(frontend.BUILD_DIR)
    prefix = frontend.STATIC_PREFIX.rstrip("/")
    for entry in getattr(settings, "STATICFILES_DIRS", []):
        entry_prefix, path = entry if isinstance(entry, (tuple, list)) else ("", entry)
        if os.path.realpath(path) == build_dir and entry_prefix.strip("/") == prefix:
            return []
    where = str(frontend.BUILD_DIR)
    wanted = f'("{prefix}", {where!r})' if prefix else repr(where)
    return [
        Error(
            f"The frontend build directory {where!r}{_of(frontend)} "
            f"({setting_name(frontend, 'BUILD_DIR')}) is not in STATICFILES_DIRS = "
            f"{getattr(settings, 'STATICFILES_DIRS', [])!r}, so its files would not be collected "
            "nor served.",
            hint=f"Add {wanted} to STATICFILES_DIRS.",
            id="duet.E002",
        )
    ]


def check_build_base(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.W001: each build's `base` (recorded by the Vite plugin) must match STATIC_URL."""
    return [found for frontend in checkable_frontends() for found in _check_base(frontend)]


def _check_base(frontend: Settings) -> list[CheckMessage]:
    info = frontend.BUILD_DIR / ".vite" / "duet.json"
    try:
        base = json.loads(info.read_text(encoding="utf-8")).get("base")
    except (OSError, ValueError, AttributeError):
        return []  # no build (E001) or a build made without the plugin: nothing to compare
    expected = f"{settings.STATIC_URL}{frontend.STATIC_PREFIX}"
    if base == expected:
        return []
    return [
        Warning(
            f"The frontend{_of(frontend)} was built with base {base!r}, but STATIC_URL + "
            f"{setting_name(frontend, 'STATIC_PREFIX')} is {expected!r}: lazy imports and CSS "
            "url()s would load from the wrong place.",
            hint=f"Rebuild with DUET_STATIC_URL={settings.STATIC_URL} (what `manage.py duet build` "
            "does), or set staticUrl/staticPrefix in the duet() Vite plugin to match.",
            id="duet.W001",
        )
    ]
