"""The pytest plugin ``duet`` (registered by installing django-duet): browser fixtures.

``duet_chromium_executable`` finds a system Chromium (``DUET_CHROMIUM`` wins), and
``duet_browser_launch_args`` gives Playwright's launch options with the flags a locked-down
CI needs. With pytest-playwright, use them from your conftest::

    @pytest.fixture(scope="session")
    def browser_type_launch_args(duet_browser_launch_args):
        return duet_browser_launch_args
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

# No sandbox (root in containers), no GPU, and nothing that phones home: a closed network
# refuses those connections and slows every start.
CI_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    configured = os.environ.get("DUET_CHROMIUM")
    if configured:
        return configured
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def duet_chromium_executable() -> str | None:
    """A system Chromium, or None to let Playwright use its own download."""
    return find_chromium()


@pytest.fixture(scope="session")
def duet_browser_launch_args(duet_chromium_executable: str | None) -> dict[str, Any]:
    args: dict[str, Any] = {"args": list(CI_CHROMIUM_FLAGS), "headless": True}
    if duet_chromium_executable:
        args["executable_path"] = duet_chromium_executable
    return args
