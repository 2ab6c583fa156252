"""Fixtures of the security battery, shared with the subsystem tests they build on."""

from tests.dev.conftest import dev_settings, fake, hot_path
from tests.sessions.conftest import auth_urls, csrf_client, spa_settings, user

__all__ = [
    "auth_urls",
    "csrf_client",
    "dev_settings",
    "fake",
    "hot_path",
    "spa_settings",
    "user",
]
