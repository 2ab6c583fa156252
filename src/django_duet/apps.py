from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


class DuetConfig(AppConfig):
    name = "django_duet"
    verbose_name = "django-duet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)

        setting_changed.connect(_clear_caches, dispatch_uid="django_duet.clear_caches")


def _clear_caches(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DUET", "DEBUG", "STATIC_URL", "STORAGES", "BASE_DIR"}:
        from .loader import clear_cache

        clear_cache()
