"""Fixtures of the fault tests, shared with the subsystem tests they build on."""

from tests.dev.conftest import dev_settings, fake, fresh_proxy_plan, hot_path

__all__ = ["dev_settings", "fake", "fresh_proxy_plan", "hot_path"]
