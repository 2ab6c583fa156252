"""Start and stop real servers (gunicorn, uvicorn, a dev server ...) on 127.0.0.1 for tests.

Every wait is bounded, the process runs in its own process group (so its workers die with
it), and its output is kept so a failure to start can say why.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class ServerStartError(RuntimeError):
    pass


@dataclass
class ServerProcess:
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
                    raise ServerStartError(
                        f"{self.name} exited with {self.process.returncode}:\n{self.output()}"
                    )
                try:
                    client.get(self.url + self.ready_path)
                    return
                except httpx.TransportError:
                    time.sleep(0.1)
        self.stop()
        raise ServerStartError(
            f"{self.name} did not answer on {self.url} within {self.start_timeout}s:\n"
            + self.output()
        )

    def output(self) -> str:
        if self._log is None:
            return ""
        return Path(self._log.name).read_text(errors="replace")[-8000:]

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
