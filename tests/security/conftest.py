"""Fixtures of the security battery, shared with the integration tests they build on."""

from tests.integration.conftest import build_dir, collected
from tests.integration.dev.conftest import dev_settings, fake, hot_path
from tests.integration.sessions.conftest import auth_urls, csrf_client, spa_settings, user

__all__ = [
    "auth_urls",
    "build_dir",
    "collected",
    "csrf_client",
    "dev_settings",
    "fake",
    "hot_path",
    "spa_settings",
    "user",
]
