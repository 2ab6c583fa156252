"""What the tests of example-frameworks in Chromium share (test_vue.py, test_vue_dev.py,
test_frameworks_svelte.py): the project, its build served by gunicorn as in production, and
the console of a page, where Vue and Svelte report a hydration mismatch as an error or a
warning.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django_duet.testing.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "example-frameworks"


@contextmanager
def frameworks_site(
    static_root: Path, env: Mapping[str, str], *gunicorn_options: str
) -> Iterator[ServerProcess]:
    """example-frameworks collected into ``static_root`` and served by gunicorn (started with
    ``gunicorn_options``), with ``env`` on top of its production settings."""
    env = {
        "DJANGO_SETTINGS_MODULE": "frameworks.settings",
        **env,
        "DUET_FRAMEWORKS_STATIC_ROOT": str(static_root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env={**os.environ, **env},
        check=True,
        timeout=120,
    )
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "frameworks.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", *gunicorn_options]
    with ServerProcess(command, port=port, cwd=PROJECT, env=env, name="frameworks") as server:
        yield server


def record_console(page: Any) -> list[str]:
    """The page's console messages and uncaught errors from now on, each as ``"type: text"``."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    return messages


def problems(messages: list[str]) -> list[str]:
    """The errors and warnings among ``messages`` (a hydration mismatch is one of them)."""
    return [m for m in messages if m.startswith(("error", "warning", "pageerror"))]
