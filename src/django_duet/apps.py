from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


class DuetConfig(AppConfig):
    name = "django_duet"
    verbose_name = "django-duet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (  # noqa: F401  (cookie sessions, SPA model)
            checks,
            checks_dev,
            checks_sessions,
            checks_spa,
            frontends,  # several frontends: duet.E110, E111
        )
        from .checks_s3 import check_s3_storage  # noqa: F401  (build on object storage, CDN)
        from .formats import checks as format_checks  # noqa: F401  (webpack, CRA manifests)
        from .ssr import checks as ssr_checks  # noqa: F401  (server-side rendering)
        from .tokens import checks as token_checks  # noqa: F401  (tokens for apps)

        setting_changed.connect(_clear_caches, dispatch_uid="django_duet.clear_caches")
        # Static files under duet_asgi depend on many settings (static, whitenoise, security).
        setting_changed.connect(_clear_static_asgi, dispatch_uid="django_duet.static_asgi")


def _clear_caches(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DUET", "DEBUG", "STATIC_URL", "STORAGES", "BASE_DIR"}:
        from . import devserver, render
        from .loader import clear_cache
        from .ssr import bundle as ssr_bundle

        clear_cache()
        render.clear_cache()
        devserver.clear_cache()
        ssr_bundle.clear_cache()


def _clear_static_asgi(**kwargs: Any) -> None:
    from . import proxy_fast, static_asgi

    static_asgi.clear_cache()
    proxy_fast.clear_cache()
