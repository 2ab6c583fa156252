"""System checks. Ids are never reused; messages name the setting and value, hints the fix."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
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
    where = str(frontend.BUILD_DIR)
    prefix = frontend.STATIC_PREFIX.rstrip("/")
    dirs = list(getattr(settings, "STATICFILES_DIRS", []) or [])
    collected = _collected_at(frontend.BUILD_DIR, dirs)
    if any(at == prefix for _, at in collected):
        return []
    if collected:
        return [_collected_elsewhere(frontend, *collected[0])]
    return [
        _e002(
            f"The frontend build directory {where!r}{_of(frontend)} "
            f"({setting_name(frontend, 'BUILD_DIR')}) is not in STATICFILES_DIRS = "
            f"{dirs!r}, nor inside one of its entries, so its files would not be collected "
            "nor served.",
            hint=f"Add {_entry_repr(prefix, where)} to STATICFILES_DIRS.",
        )
    ]


def _e002(message: str, hint: str) -> Error:
    return Error(message, hint=hint, id="duet.E002")


def _collected_elsewhere(frontend: Settings, entry: Any, at: str) -> Error:
    """The build is collected, but not under STATIC_PREFIX: fix the prefix (or the entry
    that is the build itself), never add a second entry (the files would be collected twice)."""
    url = f"{at}/" if at else ""
    setting = setting_name(frontend, "STATIC_PREFIX")
    where = str(frontend.BUILD_DIR)
    fix = f'set {setting} = "{url}"' if at else f"remove {setting}"
    fix += " and rebuild with that base, rather than adding a second entry for the build (its "
    fix += "files would be collected twice)"
    if _same(entry, frontend.BUILD_DIR):
        wanted = _entry_repr(frontend.STATIC_PREFIX.rstrip("/"), where)
        hint = f"Replace {entry!r} in STATICFILES_DIRS with {wanted}, or {fix}."
    else:
        hint = f"{fix[0].upper()}{fix[1:]}."
    return _e002(
        f"The frontend build directory {where!r}{_of(frontend)} "
        f"({setting_name(frontend, 'BUILD_DIR')}) is collected by the STATICFILES_DIRS entry "
        f"{entry!r} under STATIC_URL + {url!r}, but {setting} is "
        f"{frontend.STATIC_PREFIX!r}: the tags would point where its files are not.",
        hint=hint,
    )


def _entry_repr(prefix: str, where: str) -> str:
    return f'("{prefix}", {where!r})' if prefix else repr(where)


def _same(entry: Any, build_dir: Path) -> bool:
    path = entry[1] if isinstance(entry, (tuple, list)) else entry
    return bool(os.path.realpath(path) == os.path.realpath(build_dir))


def _collected_at(build_dir: Path, dirs: list[Any]) -> list[tuple[Any, str]]:
    """Each STATICFILES_DIRS entry that collects ``build_dir`` (it, or a folder above it), with
    where under STATIC_URL the build's files land ("" or "sub/path", no slashes around).

    A path below the entry that has a segment starting with a dot is not collected
    (collectstatic ignores ``.*``), so such an entry does not count.
    """
    build = os.path.realpath(build_dir)
    found: list[tuple[Any, str]] = []
    for entry in dirs:
        entry_prefix, path = entry if isinstance(entry, (tuple, list)) else ("", entry)
        root = os.path.realpath(path)
        if build != root and not build.startswith(root.rstrip(os.sep) + os.sep):
            continue
        below = Path(os.path.relpath(build, root)).parts if build != root else ()
        if any(part.startswith(".") for part in below):
            continue
        at = "/".join([str(entry_prefix).strip("/"), *below]).strip("/")
        found.append((entry, at))
    return found


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
