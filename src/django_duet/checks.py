"""System checks. Ids are never reused; messages name the setting and value, hints the fix."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from .conf import conf
from .exceptions import DuetError, ManifestNotFound
from .loader import get_manifest

BUILD_HINT = "Build the frontend: `python manage.py duet build` (or `npm run build` in {frontend})."


@register(deploy=True)
def check_build(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E001/E003: production needs a build that parses (dev without one still starts)."""
    try:
        get_manifest()
    except ManifestNotFound as exc:
        return [
            Error(
                f"No frontend build: {exc.path} does not exist.",
                hint=BUILD_HINT.format(frontend=conf.FRONTEND_DIR),
                id="duet.E001",
            )
        ]
    except DuetError as exc:
        return [Error(str(exc), hint=BUILD_HINT.format(frontend=conf.FRONTEND_DIR), id="duet.E003")]
    return []


@register()
def check_build_dir_collected(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E002: the build must be where staticfiles (and so collectstatic) finds it."""
    build_dir = os.path.realpath(conf.BUILD_DIR)
    prefix = conf.STATIC_PREFIX.rstrip("/")
    for entry in getattr(settings, "STATICFILES_DIRS", []):
        entry_prefix, path = entry if isinstance(entry, (tuple, list)) else ("", entry)
        if os.path.realpath(path) == build_dir and entry_prefix.strip("/") == prefix:
            return []
    wanted = f'("{prefix}", {str(conf.BUILD_DIR)!r})' if prefix else repr(str(conf.BUILD_DIR))
    return [
        Error(
            f"The frontend build directory {str(conf.BUILD_DIR)!r} (DUET['BUILD_DIR']) is not in "
            f"STATICFILES_DIRS = {getattr(settings, 'STATICFILES_DIRS', [])!r}, so its files would "
            "not be collected nor served.",
            hint=f"Add {wanted} to STATICFILES_DIRS.",
            id="duet.E002",
        )
    ]


@register(deploy=True)
def check_build_base(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.W001: the build's `base` (recorded by the Vite plugin) must match STATIC_URL."""
    info = conf.BUILD_DIR / ".vite" / "duet.json"
    try:
        base = json.loads(info.read_text(encoding="utf-8")).get("base")
    except (OSError, ValueError, AttributeError):
        return []  # no build (E001) or a build made without the plugin: nothing to compare
    expected = f"{settings.STATIC_URL}{conf.STATIC_PREFIX}"
    if base == expected:
        return []
    return [
        Warning(
            f"The frontend was built with base {base!r}, but STATIC_URL + DUET['STATIC_PREFIX'] "
            f"is {expected!r}: lazy imports and CSS url()s would load from the wrong place.",
            hint=f"Rebuild with DUET_STATIC_URL={settings.STATIC_URL} (what `manage.py duet build` "
            "does), or set staticUrl/staticPrefix in the duet() Vite plugin to match.",
            id="duet.W001",
        )
    ]


@register()
def check_storage(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.W002: a hashing storage that is not ours renames Vite's chunks a second time."""
    from django.contrib.staticfiles.storage import HashedFilesMixin

    from .storage import KeepBundlerNamesMixin

    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    try:
        cls = import_string(backend)
    except ImportError:
        return []  # Django reports an unimportable storage itself
    if not isinstance(cls, type) or not issubclass(cls, HashedFilesMixin):
        return []
    if issubclass(cls, KeepBundlerNamesMixin):  # DuetStaticFilesStorage, DuetS3StaticStorage
        return []
    return [
        Warning(
            f'STORAGES["staticfiles"]["BACKEND"] is {backend!r}, which hashes Vite\'s already '
            "hashed files again: chunks get renamed while imports still name the old files, "
            "and the browser loads modules twice.",
            hint='Use "django_duet.storage.DuetStaticFilesStorage" (compressed, hashed, '
            "but leaves the bundler's files alone).",
            id="duet.W002",
        )
    ]
