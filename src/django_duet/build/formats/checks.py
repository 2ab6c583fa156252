"""duet.E100: each frontend's ``MANIFEST_FORMAT`` names a format django-duet reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from django_duet.build.formats import FORMATS
from django_duet.build.frontends import checkable_frontends, setting_name


def check_manifest_format(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for frontend in checkable_frontends():
        value = frontend.raw("MANIFEST_FORMAT")
        if value is None or value in FORMATS:
            continue
        errors.append(
            Error(
                f"{setting_name(frontend, 'MANIFEST_FORMAT')} is {value!r}, which is not a "
                "manifest format django-duet reads.",
                hint=f"Write one of {', '.join(repr(f) for f in FORMATS)}, or None to detect the "
                "format from the manifest file.",
                id="duet.E100",
            )
        )
    return errors
