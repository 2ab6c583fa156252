"""System checks of server-side rendering: duet.E070-E089, duet.W070-W089."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Warning

from django_duet.build.frontends import checkable_frontends, setting_name
from django_duet.conf import DEFAULTS, Settings, conf
from django_duet.ssr.bundle import bundle_from_record, get_bundle, record_path
from django_duet.ssr.errors import SsrError


def check_ssr_budgets(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E070/E071/E073: the per-render budgets and V8's young generation size must be
    usable numbers."""
    errors: list[CheckMessage] = []
    timeout = conf.raw("SSR_TIMEOUT_MS")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        errors.append(
            Error(
                f"DUET['SSR_TIMEOUT_MS'] is {timeout!r}; it must be a positive number of "
                "milliseconds (the time one server render may take).",
                hint=f"Set DUET['SSR_TIMEOUT_MS'] = {DEFAULTS['SSR_TIMEOUT_MS']} (the default).",
                id="duet.E070",
            )
        )
    heap = conf.raw("SSR_HEAP_MB")
    if isinstance(heap, bool) or not isinstance(heap, int) or heap < 16:
        errors.append(
            Error(
                f"DUET['SSR_HEAP_MB'] is {heap!r}; it must be a whole number of megabytes, at "
                "least 16 (React and the bundle need a few MB before any render).",
                hint=f"Set DUET['SSR_HEAP_MB'] = {DEFAULTS['SSR_HEAP_MB']} (the default).",
                id="duet.E071",
            )
        )
    semi = conf.raw("SSR_SEMI_SPACE_MB")
    if semi is not None and (
        isinstance(semi, bool) or not isinstance(semi, int) or not 1 <= semi <= 64
    ):
        errors.append(
            Error(
                f"DUET['SSR_SEMI_SPACE_MB'] is {semi!r}; it must be a whole number of megabytes "
                "from 1 to 64, or None for V8's own default.",
                hint=f"Set DUET['SSR_SEMI_SPACE_MB'] = {DEFAULTS['SSR_SEMI_SPACE_MB']} "
                "(the default).",
                id="duet.E073",
            )
        )
    return errors


def check_ssr_bundle(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E072 / duet.W070: a server bundle that is there must be usable in production,
    for each frontend that has one."""
    if not conf.SSR_ENABLED:
        return []
    errors: list[CheckMessage] = []
    with_bundle = 0
    for frontend in checkable_frontends():
        if frontend.SSR_BUNDLE is None and not record_path(frontend).exists():
            continue  # no SSR in this frontend (a missing bundle is logged where it is used)
        with_bundle += 1
        try:
            if frontend.SSR_BUNDLE is None:
                bundle_from_record(record_path(frontend))
            get_bundle(frontend)
        except SsrError as exc:
            errors.append(_bundle_error(str(exc), frontend))
    if with_bundle and not errors and not mini_racer_installed():
        return [
            Warning(
                "There is a server bundle to render components with, but the mini-racer package "
                "(an embedded V8) is not installed: every {% duet_render %} will fall back to "
                "client rendering.",
                hint='pip install "django-duet[ssr]", or set DUET["SSR_ENABLED"] = False.',
                id="duet.W070",
            )
        ]
    return errors


def mini_racer_installed() -> bool:
    return importlib.util.find_spec("py_mini_racer") is not None


def _bundle_error(message: str, frontend: Settings) -> Error:
    return Error(
        message,
        hint="Build the frontend with the duetSsr() Vite plugin (`npm run build`) and deploy "
        f"BUILD_DIR/.vite with it, or fix {setting_name(frontend, 'SSR_BUNDLE')}.",
        id="duet.E072",
    )
