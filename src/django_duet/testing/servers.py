"""Start and stop real servers (gunicorn, uvicorn, a dev server ...) on 127.0.0.1 for tests.

Every wait is bounded, the process runs in its own process group (so its workers die with
it), and its output is kept so a failure to start can say why.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

LOOPBACK = "127.0.0.1"


# Below the ephemeral ranges (Linux 32768+, BSD/macOS/Windows 49152+) that free_port() draws
# from, so a block handed out here cannot be taken by a later free_port().
_BLOCK_RANGE = (20000, 32000)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free ports (``duet dev`` runs one Vite per frontend
    on consecutive ports from ``--vite-port``)."""
    low, high = _BLOCK_RANGE
    for _ in range(100):
        first = random.randrange(low, high - count)
        if all(_is_free(port) for port in range(first, first + count)):
            return first
    raise ServerStartError(f"No {count} consecutive free ports between {low} and {high}.")


def stop_process_group(process: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """SIGTERM to the process group (``start_new_session``), then SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
    except ProcessLookupError:
        pass


class Started:
    """``with Server(...) as server:`` starts it and always stops it."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServerStartError(RuntimeError):
    pass


@dataclass
class ServerProcess(Started):
    """``with ServerProcess([...], port=p, cwd=...) as server: httpx.get(server.url)``."""

    command: Sequence[str]
    port: int
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    ready_path: str = "/"
    start_timeout: float = 30.0
    name: str = "server"
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: tempfile._TemporaryFileWrapper[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> ServerProcess:
        # Kept open for the server's life, closed in stop().
        self._log = tempfile.NamedTemporaryFile(prefix=f"duet-{self.name}-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            list(self.command),
            cwd=self.cwd,
            env={**os.environ, **(self.env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    code, output = self.process.returncode, self.output()
                    self.stop()  # closes the log
                    raise ServerStartError(f"{self.name} exited with {code}:\n{output}")
                try:
                    client.get(self.url + self.ready_path)
                    return
                except httpx.TransportError:
                    time.sleep(0.1)
        output = self.output()  # read before stop() closes the log
        self.stop()
        raise ServerStartError(
            f"{self.name} did not answer on {self.url} within {self.start_timeout}s:\n{output}"
        )

    def output(self) -> str:
        if self._log is None:
            return ""
        return Path(self._log.name).read_text(errors="replace")[-8000:]

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        stop_process_group(process, timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
