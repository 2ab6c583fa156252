"""The dev server failing *after* it started answering, through the dev proxy.

A scripted upstream on a free loopback port reads the request head and then sends bytes
and pauses from a script. Failures before the answer (down, hanging, not HTTP at all) are in
tests/dev/test_proxy.py: 502 / 504 pages within the timeout.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

HEAD_200 = b"HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\n"


class ScriptedServer:
    """Answers each connection with ``script``: bytes are sent, floats are pauses (seconds)."""

    def __init__(self, script: list[bytes | float]) -> None:
        self.script = script
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            for step in self.script:
                if isinstance(step, float):
                    if self.done.wait(step):
                        return
                else:
                    try:
                        conn.sendall(step)
                    except OSError:
                        return

    def stop(self) -> None:
        self.done.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def scripted(dev_settings, hot_path) -> Iterator[callable]:
    from tests.dev.fake_devserver import FakeDevServer

    servers: list[ScriptedServer] = []

    def start(script: list[bytes | float]) -> ScriptedServer:
        server = ScriptedServer(script)
        servers.append(server)
        FakeDevServer().hot_file(hot_path, url=f"http://127.0.0.1:{server.port}")
        return server

    yield start
    for server in servers:
        server.stop()


# (script, status Django answers, what the upstream sent of the body, log line). Once the
# headers went out the status cannot change: the body stops short of its Content-Length (the
# server then drops the connection, so the browser sees a failed load, never a truncated
# module taken as whole), the reason is logged, nothing raises.
CASES = {
    "dies mid-body": (
        [HEAD_200 + b"Content-Length: 1000\r\n\r\n" + b"x" * 100],
        200,
        b"x" * 100,
        "broke off",
    ),
    "hangs mid-body": (
        [HEAD_200 + b"Content-Length: 1000\r\n\r\n" + b"x" * 100, 10.0],
        200,
        b"x" * 100,
        "broke off",
    ),
    "bad chunk size": (
        [HEAD_200 + b"Transfer-Encoding: chunked\r\n\r\n" + b"5\r\nhello\r\nZZZ\r\n"],
        200,
        b"hello",
        "broke off",
    ),
    "dies between chunks": (
        [HEAD_200 + b"Transfer-Encoding: chunked\r\n\r\n" + b"5\r\nhello\r\n"],
        200,
        b"hello",
        "broke off",
    ),
    "garbage after the status line": (
        [b"HTTP/1.1 200 OK\r\n\x00\x01\x02 not a header\r\n\r\n"],
        502,
        None,
        None,
    ),
    "a header over h11's limit": (
        [HEAD_200 + b"X-Big: " + b"a" * 200_000 + b"\r\n\r\n"],
        502,
        None,
        None,
    ),
    "hangs after the status line": (
        [b"HTTP/1.1 200 OK\r\n", 10.0],
        504,
        None,
        None,
    ),
    "closes after the status line": (
        [b"HTTP/1.1 200 OK\r\n"],
        502,
        None,
        None,
    ),
    "a body that only the hang-up ends (no length)": (
        [HEAD_200 + b"\r\n" + b"x" * 50],
        502,
        None,
        None,
    ),
    "an impossible status": (
        [b"HTTP/1.1 999999 Huh\r\nContent-Length: 0\r\n\r\n"],
        502,
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_dev_server_failing_mid_answer(client, scripted, settings, caplog, case):
    script, status, body, logged = CASES[case]
    settings.DUET = {**settings.DUET, "DEV_PROXY_TIMEOUT": 0.5}
    scripted(script)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="django_duet.dev.proxy"):
        response = client.get("/static/src/main.tsx")
        assert response.status_code == status
        if status == 200:
            received = b"".join(response.streaming_content)
            # Blocks are relayed whole: a partial last block is dropped with the error.
            assert body.startswith(received) and len(received) < len(body) + 1
            if "Content-Length" in response:
                assert len(received) < int(response["Content-Length"])
        else:
            assert b"Vite dev server" in response.content
    assert time.monotonic() - started < 5  # bounded by DEV_PROXY_TIMEOUT, never hangs
    if logged:
        assert any(logged in r.getMessage() for r in caplog.records)


def test_dying_mid_body_under_asgi(scripted, settings, caplog):
    settings.DUET = {**settings.DUET, "DEV_PROXY_TIMEOUT": 0.5}
    scripted([HEAD_200 + b"Content-Length: 1000\r\n\r\n" + b"y" * 50, 10.0])

    async def fetch() -> tuple[int, bytes]:
        response = await AsyncClient().get("/static/src/main.tsx")
        body = b"".join([chunk async for chunk in response.streaming_content])
        return response.status_code, body

    with caplog.at_level(logging.WARNING, logger="django_duet.dev.proxy"):
        status, body = async_to_sync(fetch)()
    assert status == 200 and (b"y" * 50).startswith(body)
    assert any("broke off" in r.getMessage() for r in caplog.records)


def test_the_proxy_recovers_when_the_dev_server_is_back(client, scripted, fake, hot_path):
    # After a broken answer the pooled connection is dropped, not reused.
    scripted([HEAD_200 + b"Content-Length: 1000\r\n\r\n" + b"x" * 10])
    b"".join(client.get("/static/src/main.tsx").streaming_content)
    fake.hot_file(hot_path)
    response = client.get("/static/src/main.tsx")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"export const answer")


# The fast paths (duet dev's runserver: proxy_wsgi; duet_asgi: proxy_asgi on the event loop)
# read an answer of up to 256 KiB whole before sending its headers: a body that dies or hangs
# before its Content-Length is a 502 or 504 page, never a 200 cut short. An answer of unknown
# size (chunked) is relayed as it comes, as through the middleware.
FAST_STATUS = {"dies mid-body": 502, "hangs mid-body": 504}


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_proxy_plan")
@pytest.mark.parametrize("server", ["wsgi", "asgi"])
@pytest.mark.parametrize("case", list(CASES))
def test_dev_server_failing_mid_answer_on_the_fast_paths(scripted, settings, caplog, server, case):
    from tests.dev.test_proxy_wsgi import call as call_wsgi
    from tests.serving.test_static_asgi import call as call_asgi

    script, status, body, logged = CASES[case]
    status = FAST_STATUS.get(case, status)
    settings.DUET = {**settings.DUET, "DEV_PROXY_TIMEOUT": 0.5}
    scripted(script)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="django_duet.proxy"):
        answer = (call_wsgi if server == "wsgi" else call_asgi)("/static/src/main.tsx")
    assert not answer.reached_django
    assert answer.status == status
    if status == 200:
        assert body.startswith(answer.body) and len(answer.body) < len(body) + 1
        assert any(logged in r.getMessage() for r in caplog.records)
    else:
        assert b"Vite dev server" in answer.body
    assert time.monotonic() - started < 5  # bounded by DEV_PROXY_TIMEOUT, never hangs
