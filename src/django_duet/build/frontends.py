"""Several frontends in one project: ``DUET["FRONTENDS"]``, and the checks that keep them apart.

Each named frontend has its own FRONTEND_DIR, build, manifest, hot file and URL prefix under
STATIC_URL (``conf.FRONTEND_KEYS``); the flat ``DUET`` keys are the frontend named "default".
Two frontends must never share a prefix, a build or a hot file: the dev proxy picks the
frontend by its prefix, and a shared build would serve one frontend's files as the other's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

from django_duet.conf import DEFAULT_FRONTEND, FRONTEND_KEYS, Settings, conf

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def setting_name(frontend: Settings, key: str) -> str:
    """How the user spells the setting: DUET['BUILD_DIR'] or DUET['FRONTENDS']['admin'][...]."""
    if frontend.is_default:
        return f"DUET[{key!r}]"
    return f"DUET['FRONTENDS'][{frontend.name!r}][{key!r}]"


def _declared() -> Any:
    value = conf.raw("FRONTENDS")
    return {} if value is None else value


def configuration_errors() -> list[CheckMessage]:
    """duet.E110: the shape of DUET["FRONTENDS"]."""
    declared = _declared()
    if not isinstance(declared, dict):
        return [_e110(f"DUET['FRONTENDS'] is a {type(declared).__name__}, not a dict.")]
    errors: list[CheckMessage] = []
    for name, spec in declared.items():
        where = f"DUET['FRONTENDS'][{name!r}]"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            errors.append(_e110(f"{where}: a frontend's name is letters, digits, '-' and '_'."))
            continue
        if not isinstance(spec, dict):
            errors.append(_e110(f"{where} is a {type(spec).__name__}, not a dict of settings."))
            continue
        unknown = sorted(str(key) for key in spec if key not in FRONTEND_KEYS)
        if unknown:
            errors.append(
                _e110(
                    f"{where} sets {', '.join(map(repr, unknown))}, which a frontend does not "
                    f"have its own of (only {', '.join(sorted(FRONTEND_KEYS))}; the other "
                    "settings are shared and go in DUET itself)."
                )
            )
        if name != DEFAULT_FRONTEND and spec.get("FRONTEND_DIR") is None:
            errors.append(
                _e110(f"{where} has no FRONTEND_DIR (the directory of its package.json).")
            )
    return errors


def _e110(message: str) -> Error:
    return Error(message, hint="See docs/frontends.md for the shape of FRONTENDS.", id="duet.E110")


def _unlocated(frontend: Settings) -> str | None:
    """Why ``frontend``'s folder cannot be known (no BASE_DIR nor FRONTEND_DIR), or None."""
    try:
        frontend.FRONTEND_DIR  # noqa: B018  (reading it raises when it cannot be known)
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def checkable_frontends() -> list[Settings]:
    """Every frontend whose settings E110 accepts (the others are reported by E110 alone)."""
    found = [] if _unlocated(conf) else [conf]
    declared = _declared()
    if not isinstance(declared, dict):
        return found
    for name, spec in declared.items():
        if name == DEFAULT_FRONTEND or not isinstance(name, str) or not _NAME.fullmatch(name):
            continue
        if isinstance(spec, dict) and spec.get("FRONTEND_DIR") is not None:
            found.append(conf.frontend(name))
    return found


def check_frontends(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E110 (shape) and duet.E111 (two frontends sharing a prefix, build or hot file)."""
    errors = configuration_errors()
    if errors:
        return errors
    unlocated = _unlocated(conf)  # e.g. no BASE_DIR for the default frontend
    if unlocated:
        return [_e110(unlocated)]
    return _overlaps(checkable_frontends())


def _overlaps(frontends: list[Settings]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for index, first in enumerate(frontends):
        for second in frontends[index + 1 :]:
            clash = _clash(first, second)
            if clash:
                errors.append(
                    Error(
                        f"The frontends {first.name!r} and {second.name!r} {clash}.",
                        hint="Give each frontend its own STATIC_PREFIX (e.g. 'admin/'), "
                        "FRONTEND_DIR and BUILD_DIR (docs/frontends.md).",
                        id="duet.E111",
                    )
                )
    return errors


def _clash(first: Settings, second: Settings) -> str | None:
    a, b = first.STATIC_PREFIX, second.STATIC_PREFIX
    if a == b:
        return f"share the STATIC_PREFIX {a!r}: their files and dev servers would collide"
    if a and b and (a.startswith(b) or b.startswith(a)):
        return f"have nested STATIC_PREFIXes {a!r} and {b!r}"
    if os.path.realpath(first.BUILD_DIR) == os.path.realpath(second.BUILD_DIR):
        return f"share the BUILD_DIR {str(first.BUILD_DIR)!r}"
    if os.path.realpath(first.HOT_FILE) == os.path.realpath(second.HOT_FILE):
        return f"share the HOT_FILE {str(first.HOT_FILE)!r}: one dev server would hide the other"
    return None
