"""gunicorn serving race_settings.py (two workers, 32 threads each), for the throttle's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django_duet.testing.live import start_server
from django_duet.testing.servers import LOOPBACK, ServerProcess

ROOT = Path(__file__).resolve().parents[2]
THREADS = 32
PASSWORD = "the-right-password-1"
SETUP = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
get_user_model().objects.create_user("alice", password={PASSWORD!r})
"""


@dataclass
class RaceServer:
    url: str
    log: Path
    process: ServerProcess

    def checked(self) -> int:
        """How many passwords were hashed since the last call."""
        lines = self.log.read_text().splitlines()
        self.log.write_text("")
        return len(lines)


@contextmanager
def race_server(scratch: Path) -> Iterator[RaceServer]:
    log = scratch / "hashes.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.security.race_settings",
        "DUET_RACE_DB": str(scratch / "db.sqlite3"),
        "DUET_RACE_LOG": str(log),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=60)

    def command(port: int) -> list[str]:
        app = "django.core.wsgi:get_wsgi_application()"
        workers = ["--workers", "2", "--threads", str(THREADS), "--worker-class", "gthread"]
        return [sys.executable, "-m", "gunicorn", app, "--bind", f"{LOOPBACK}:{port}", *workers]

    process = start_server(command, cwd=ROOT, env=env, ready_path="/api/auth/csrf/")
    try:
        server = RaceServer(process.url, log, process)
        server.checked()  # the user's creation
        yield server
    finally:
        process.stop()
