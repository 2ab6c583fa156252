from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


class DuetConfig(AppConfig):
    name = "django_duet"
    verbose_name = "django-duet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_duet.build import (
            checks,  # noqa: F401
            frontends,  # noqa: F401  (several frontends: duet.E110, E111)
        )
        from django_duet.build.formats import checks as format_checks  # noqa: F401
        from django_duet.dev import checks as dev_checks  # noqa: F401
        from django_duet.serving.checks import check_s3_storage  # noqa: F401
        from django_duet.sessions import checks as session_checks  # noqa: F401
        from django_duet.sessions import spa_checks  # noqa: F401
        from django_duet.ssr import checks as ssr_checks  # noqa: F401
        from django_duet.tokens import checks as token_checks  # noqa: F401

        setting_changed.connect(_clear_caches, dispatch_uid="django_duet.clear_caches")
        # Static files under duet_asgi depend on many settings (static, whitenoise, security).
        setting_changed.connect(_clear_static_asgi, dispatch_uid="django_duet.static_asgi")


def _clear_caches(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DUET", "DEBUG", "STATIC_URL", "STORAGES", "BASE_DIR"}:
        from django_duet.build.loader import clear_cache
        from django_duet.dev import server as devserver
        from django_duet.pages import render
        from django_duet.ssr import bundle as ssr_bundle

        clear_cache()
        render.clear_cache()
        devserver.clear_cache()
        ssr_bundle.clear_cache()


def _clear_static_asgi(**kwargs: Any) -> None:
    from django_duet.dev import proxy_fast
    from django_duet.serving import asgi as static_asgi

    static_asgi.clear_cache()
    proxy_fast.clear_cache()
