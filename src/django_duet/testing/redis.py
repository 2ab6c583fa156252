"""A real Redis for tests: Debian's ``redis-server`` on a free 127.0.0.1 port, nothing on disk.

    with RedisServer() as redis:
        settings.CACHES = {"default": {"BACKEND": "...RedisCache", "LOCATION": redis.url}}

``stop()`` and ``start()`` again keep the port, so a test can take the cache away and bring it
back (an empty one: nothing is saved). The ``duet_redis`` fixture is one per session; it skips
the test, saying what to install, when ``redis-server`` is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from django_duet.testing.servers import (
    LOOPBACK,
    ServerStartError,
    Started,
    free_port,
    stop_process_group,
)

MISSING = (
    "redis-server is not installed (Debian: apt-get install redis-server; `make system-deps`), "
    "or not where $DUET_REDIS_SERVER says"
)


def find_redis_server() -> str | None:
    """$DUET_REDIS_SERVER (only it, when set), else ``redis-server`` on PATH."""
    named = os.environ.get("DUET_REDIS_SERVER")
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("redis-server")


class RedisServer(Started):
    def __init__(self, *, port: int | None = None, start_timeout: float = 10.0) -> None:
        binary = find_redis_server()
        if binary is None:
            raise ServerStartError(MISSING)
        self.binary = binary
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def command(self) -> list[str]:
        # No RDB or AOF file, no listener but loopback, no pid or log file in the cwd.
        return [
            self.binary,
            *("--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"),
            *("--dir", tempfile.gettempdir(), "--daemonize", "no", "--protected-mode", "yes"),
        ]

    def start(self) -> RedisServer:
        self._log = tempfile.NamedTemporaryFile(prefix="duet-redis-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.output()
                self.stop()
                raise ServerStartError(f"redis-server exited:\n{output}")
            if self.ping():
                return self
            time.sleep(0.05)
        output = self.output()
        self.stop()
        raise ServerStartError(f"redis-server did not answer on {self.url}:\n{output}")

    def ping(self) -> bool:
        import redis  # the client Django's RedisCache uses (django-duet[scale])

        client = redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=1.0)
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False
        finally:
            client.close()

    def output(self) -> str:
        return "" if self._log is None else Path(self._log.name).read_text(errors="replace")

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        stop_process_group(process, timeout)
        if self._log is not None:
            self._log.close()
            self._log = None


@pytest.fixture(scope="session")
def duet_redis() -> Iterator[RedisServer]:
    """A Redis for the session on a free loopback port (``.url``); skips when not installed."""
    if find_redis_server() is None:
        pytest.skip(MISSING)
    with RedisServer() as server:
        yield server
