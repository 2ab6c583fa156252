"""duet.E100: ``DUET["MANIFEST_FORMAT"]`` names a format django-duet reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from . import FORMATS


@register()
def check_manifest_format(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    value = (getattr(settings, "DUET", None) or {}).get("MANIFEST_FORMAT")
    if value is None or value in FORMATS:
        return []
    return [
        Error(
            f"DUET['MANIFEST_FORMAT'] is {value!r}, which is not a manifest format django-duet "
            "reads.",
            hint=f"Write one of {', '.join(repr(f) for f in FORMATS)}, or None to detect the "
            "format from the manifest file.",
            id="duet.E100",
        )
    ]
