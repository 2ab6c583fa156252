"""System checks of ``DUET["PUBLIC_FILES"]`` (docs/public-files.md): duet.E130-E132."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error

from django_duet.conf import Settings, all_frontends
from django_duet.serving.public_files import (
    MIDDLEWARE,
    build_path,
    name_problem,
    public_files,
    scope_problem,
)

_HINT = (
    'Write DUET["PUBLIC_FILES"] = {"mockServiceWorker.js": "/app/", "robots.txt": "/"}: a file '
    "of Vite's public/ folder and the URL folder to serve it at."
)
MIDDLEWARE_PATHS = (MIDDLEWARE, "django_duet.serving.public_files.PublicFilesMiddleware")


def _setting(frontend: Settings) -> str:
    if frontend.is_default:
        return "DUET['PUBLIC_FILES']"
    return f"DUET['FRONTENDS'][{frontend.name!r}]['PUBLIC_FILES']"


def check_public_files(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E130: a malformed entry, or one URL twice; duet.E132: no middleware to serve them."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for frontend in all_frontends():
        setting = _setting(frontend)
        raw = frontend.raw("PUBLIC_FILES")
        if raw is not None and not isinstance(raw, dict):
            problems.append(f"{setting} is {raw!r}: it must be a dict.")
            continue
        for name, scope in (raw or {}).items():
            problem = name_problem(name) or scope_problem(scope)
            if problem is None and scope + name in seen:
                problem = f"{scope + name} is listed twice (also by {seen[scope + name]})"
            if problem is not None:
                problems.append(f"{setting}: {name!r}: {scope!r}: {problem}.")
            else:
                seen[scope + name] = setting
    errors: list[CheckMessage] = [Error(p, hint=_HINT, id="duet.E130") for p in problems]
    middleware = list(getattr(settings, "MIDDLEWARE", []) or [])
    if seen and not any(path in middleware for path in MIDDLEWARE_PATHS):
        errors.append(
            Error(
                f"{', '.join(sorted(set(seen.values())))} lists files to serve at a scope "
                f"({', '.join(sorted(seen))}), but {MIDDLEWARE!r} is not in MIDDLEWARE: nothing "
                "serves them.",
                hint=f"Add {MIDDLEWARE!r} to MIDDLEWARE, right after SecurityMiddleware.",
                id="duet.E132",
            )
        )
    return errors


def check_public_files_built(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E131: a public file listed but not in the build (its URL would answer 404)."""
    errors: list[CheckMessage] = []
    for url, file in public_files().items():
        build = file.frontend.BUILD_DIR
        if not build.is_dir() or build_path(file) is not None:
            continue  # no build at all is duet.E001's
        public = file.frontend.FRONTEND_DIR / "public" / file.name
        where = "it is" if public.is_file() else f"{public} is missing too: put it"
        errors.append(
            Error(
                f"{_setting(file.frontend)} serves {file.name!r} at {url}, but the build "
                f"({build}) has no {file.name} (or it is a link out of the build), so {url} "
                "answers 404.",
                hint=f"Vite copies public/ into the build: {where} in public/ "
                "(MSW: `npx msw init public/`), then run `python manage.py duet build`.",
                id="duet.E131",
            )
        )
    return errors
