from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed


class DuetConfig(AppConfig):
    name = "django_duet"
    verbose_name = "django-duet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_duet.caches import on_setting_changed
        from django_duet.checks import register_checks
        from django_duet.tokens import signals

        register_checks()
        signals.connect()  # deactivating a user ends their token logins
        setting_changed.connect(on_setting_changed, dispatch_uid="django_duet.caches")
