"""Fixtures of the fault tests, shared with the integration tests they build on."""

from tests.integration.conftest import build_dir, collected
from tests.integration.dev.conftest import dev_settings, fake, hot_path

__all__ = ["build_dir", "collected", "dev_settings", "fake", "hot_path"]
