"""Clients that request a large file and never read it cannot hold the demo's gunicorn.

gunicorn's gthread worker writes each answer from one of its threads and sets no send timeout,
so with `--threads 2` two such clients stopped the worker: a third request got no answer at
all. example/gunicorn.conf.py gives each request's socket SEND_TIMEOUT (2 s here): the stalled
writes fail, the connections close and the threads serve others.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from django_duet.testing.live import start_server
from django_duet.testing.servers import LOOPBACK, ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "example" / "gunicorn.conf.py"
THREADS = 2
SEND_TIMEOUT = 2


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[ServerProcess]:
    large = tmp_path / "large.bin"
    with large.open("wb") as file:
        file.truncate(64 * 1024 * 1024)  # far more than the socket buffers hold

    def command(port: int) -> list[str]:
        app = "tests.security.slow_reader_app:application"
        where = ["--bind", f"{LOOPBACK}:{port}", "-c", str(CONFIG)]
        workers = ["--workers", "1", "--threads", str(THREADS), "--worker-class", "gthread"]
        return [sys.executable, "-m", "gunicorn", app, *where, *workers]

    env = {
        "DUET_LARGE_FILE": str(large),
        "DUET_EXAMPLE_SEND_TIMEOUT": str(SEND_TIMEOUT),
        "PYTHONPATH": str(ROOT),
    }
    process = start_server(command, cwd=ROOT, env=env)
    try:
        yield process
    finally:
        process.stop()


def stalled_download(port: int) -> socket.socket:
    """GET /large with a tiny receive window, then never read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((LOOPBACK, port))
    sock.sendall(b"GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return sock


def test_clients_that_never_read_do_not_hold_every_thread(gunicorn: ServerProcess) -> None:
    stalled = [stalled_download(gunicorn.port) for _ in range(THREADS)]
    try:
        time.sleep(0.5)  # both threads are now blocked writing
        started = time.monotonic()
        response = httpx.get(gunicorn.url + "/", timeout=5 * SEND_TIMEOUT)
        assert response.status_code == 200 and response.text == "ok"
        assert time.monotonic() - started < 3 * SEND_TIMEOUT
        # The stalled connections were closed: reading one ends before the 64 MB.
        stalled[0].settimeout(10)
        received = 0
        while chunk := stalled[0].recv(1 << 20):
            received += len(chunk)
        assert received < 64 * 1024 * 1024
    finally:
        for sock in stalled:
            sock.close()
