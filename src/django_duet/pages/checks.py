"""System checks of the page settings and the build's import map (docs/performance.md):
duet.E140-E149."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from django_duet.build.frontends import checkable_frontends
from django_duet.build.loader import get_manifest
from django_duet.conf import DEFAULTS, conf
from django_duet.exceptions import DuetError
from django_duet.pages.importmap import IMPORT_MAP_NAME, ImportMapError, read_import_map
from django_duet.pages.prefetch import STRATEGIES


def _whole(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def check_page_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E140-E142, E144: the prefetch strategy, the numbers and the switch of the fast-page
    features, which the pages otherwise read as their defaults (a typo would turn prefetch off
    unseen)."""
    errors: list[CheckMessage] = []
    prefetch = conf.raw("PREFETCH")
    if prefetch not in (None, False, *STRATEGIES):
        errors.append(
            Error(
                f"DUET['PREFETCH'] is {prefetch!r}; it must be one of "
                f"{', '.join(map(repr, STRATEGIES))}, or None for no prefetch.",
                hint='Set DUET["PREFETCH"] = "waterfall" (a few files at a time after the '
                "page's load) or None.",
                id="duet.E140",
            )
        )
    concurrency = conf.raw("PREFETCH_CONCURRENCY")
    if not _whole(concurrency, 1):
        errors.append(
            Error(
                f"DUET['PREFETCH_CONCURRENCY'] is {concurrency!r}; it must be a whole number "
                "of files, at least 1.",
                hint=f"Set DUET['PREFETCH_CONCURRENCY'] = {DEFAULTS['PREFETCH_CONCURRENCY']} "
                "(the default).",
                id="duet.E141",
            )
        )
    cap = conf.raw("LINK_HEADER_MAX_BYTES")
    if cap is not None and not _whole(cap, 0):  # None, like 0: no header
        errors.append(
            Error(
                f"DUET['LINK_HEADER_MAX_BYTES'] is {cap!r}; it must be a whole number of "
                "bytes (0 or None turns the Link header off).",
                hint=f"Set DUET['LINK_HEADER_MAX_BYTES'] = {DEFAULTS['LINK_HEADER_MAX_BYTES']} "
                "(the default; proxies refuse answers whose headers pass 4 or 8 KB).",
                id="duet.E142",
            )
        )
    modules = conf.raw("LINK_HEADER_MODULES")
    if modules is not None and not isinstance(modules, bool):
        errors.append(
            Error(
                f"DUET['LINK_HEADER_MODULES'] is {modules!r}; it must be True or False "
                "(None: False).",
                hint="Set DUET['LINK_HEADER_MODULES'] = True where a 103 Early Hints carries "
                "the header (EarlyHints, or a CDN that makes 103s of it), else leave it out "
                "(False, the default: the header lists the stylesheets only).",
                id="duet.E144",
            )
        )
    return errors


def check_import_map(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E143: an ``importmap.json`` in the build that does not match its manifest (one left
    by an earlier build with ``build.chunkImportMap``, the folder not emptied) would fail every
    page with ``{% duet_entry %}``; say so at start-up instead."""
    errors: list[CheckMessage] = []
    for frontend in checkable_frontends():
        try:
            manifest = get_manifest(None, frontend)
        except DuetError:
            continue  # no build, or a broken one: duet.E001/E003 say so
        try:
            read_import_map(frontend.BUILD_DIR, manifest, lambda file: file)
        except ImportMapError as exc:
            errors.append(
                Error(
                    str(exc),
                    hint=f"Build the frontend again with its output folder emptied (Vite's "
                    f"default), or delete {frontend.BUILD_DIR / IMPORT_MAP_NAME} if the build "
                    "no longer uses build.chunkImportMap.",
                    id="duet.E143",
                )
            )
    return errors
