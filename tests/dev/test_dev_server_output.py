"""What ``duet dev``'s servers write: runserver's answers in one send each, and access logs
without the dev server's routine files (``cli._wsgi_serve``, ``cli._asgi_serve``,
``dev.access_log``)."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from django_duet.cli._wsgi_serve import RESPONSE_BUFFER, NoDelayWSGIServer
from django_duet.dev.access_log import UvicornAccessFilter, log_every_line, routine


class CountingSocket(socket.socket):
    """A server-side connection that counts the sends carrying each response."""

    sends: list[int]

    def send(self, data: Any, *args: Any) -> int:
        self.sends.append(len(data))
        return super().send(data, *args)

    def sendall(self, data: Any, *args: Any) -> None:
        self.sends.append(len(data))
        super().sendall(data, *args)


class CountingServer(socketserver.ThreadingMixIn, NoDelayWSGIServer):  # as runserver builds it
    daemon_threads = True
    connections: list[CountingSocket]

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        counted = CountingSocket(connection.family, connection.type, fileno=connection.detach())
        counted.sends = []
        self.connections.append(counted)
        return counted, address


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ["PATH_INFO"]
    if path == "/not-modified":
        start_response("304 Not Modified", [("ETag", '"1"')])
        return []
    size = int(path.strip("/") or "2000")
    start_response("200 OK", [("Content-Type", "text/javascript"), ("Content-Length", str(size))])
    return [b"x" * size]


@contextmanager
def serving() -> Iterator[CountingServer]:
    from django.core.servers.basehttp import WSGIRequestHandler

    server = CountingServer(("127.0.0.1", 0), WSGIRequestHandler)  # runserver passes Django's
    server.connections = []
    server.set_app(app)
    with running(server):
        yield server


@contextmanager
def running(server: socketserver.BaseServer) -> Iterator[None]:
    """``server`` serving in a thread, stopped and closed at the end."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def exchange(sock: socket.socket, target: str, method: str = "GET") -> bytes:
    """One keep-alive request; the answer read to the end its headers give."""
    sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536) or pytest.fail(f"connection closed after {data!r}")
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    if method != "HEAD":
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
    while len(body) < length:
        body += sock.recv(65536) or pytest.fail("connection closed mid-body")
    return head + b"\r\n\r\n" + body


@pytest.fixture(autouse=True)
def default_verbosity():
    log_every_line([])
    yield
    log_every_line([])


def test_a_small_answer_leaves_in_one_send():
    with serving() as server, socket.create_connection(server.server_address[:2], 5) as sock:
        sock.settimeout(5)
        answer = exchange(sock, "/2000")
        assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b"x" * 2000)
        (connection,) = server.connections
        assert connection.sends == [len(answer)]  # wsgiref alone: status, Date+Server, rest, body


def test_bodiless_answers_are_flushed_and_the_connection_kept():
    # A 304 or a HEAD writes no body, so wsgiref never flushes: without the handler's flush
    # the browser would wait for it while the server waits for the next request.
    with serving() as server, socket.create_connection(server.server_address[:2], 5) as sock:
        sock.settimeout(5)
        assert exchange(sock, "/not-modified").startswith(b"HTTP/1.1 304")
        assert exchange(sock, "/300", method="HEAD").startswith(b"HTTP/1.1 200")
        assert exchange(sock, "/300").endswith(b"x" * 300)
        (connection,) = server.connections
        assert len(connection.sends) == 3


def test_a_large_answer_arrives_whole():
    size = 3 * RESPONSE_BUFFER + 17
    with serving() as server, socket.create_connection(server.server_address[:2], 5) as sock:
        sock.settimeout(5)
        assert exchange(sock, f"/{size}").endswith(b"\r\n\r\n" + b"x" * size)
        assert exchange(sock, "/10").endswith(b"\r\n\r\n" + b"x" * 10)


def test_an_error_page_from_the_request_parser_is_sent():
    with serving() as server, socket.create_connection(server.server_address[:2], 5) as sock:
        sock.settimeout(5)
        sock.sendall(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 414")


@pytest.fixture
def dev_mode(settings):
    settings.DEBUG = True
    settings.STATIC_URL = "/static/"
    settings.DUET = {**settings.DUET, "DEV_MODE": True}


@pytest.mark.parametrize(
    ("target", "status", "quiet"),
    [
        ("/static/src/main.tsx", 200, True),
        ("/static/src/m%31.tsx?v=abc", 304, True),
        ("/static/@vite/client", 200, True),
        ("/static/src/missing.tsx", 404, False),
        ("/static/src/main.tsx", 502, False),
        ("/", 200, False),
        ("/api/items/", 200, False),
        ("http://127.0.0.1/static/src/main.tsx", 200, False),  # not a path: logged
    ],
)
def test_routine_lines_are_the_dev_servers_files_that_went_well(dev_mode, target, status, quiet):
    assert routine(target, status) is quiet


def test_outside_development_every_line_is_kept(settings):
    settings.DEBUG = False
    assert routine("/static/src/main.tsx", 200) is False


def served_log(target: str, status: str) -> list[logging.LogRecord]:
    """The records runserver's handler logs for one answered request."""
    from django_duet.cli._wsgi_serve import DevRequestHandler

    handler = DevRequestHandler.__new__(DevRequestHandler)  # no socket: log_request only
    handler.path, handler.requestline, handler.request = target, f"GET {target} HTTP/1.1", None
    handler.client_address = ("127.0.0.1", 5)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger, keep = logging.getLogger("django.server"), Keep()
    logger.addHandler(keep)
    try:
        handler.log_request(status, 100)
    finally:
        logger.removeHandler(keep)
    return records


def test_runserver_logs_the_page_and_failures_not_the_modules(dev_mode):
    assert served_log("/static/src/main.tsx", "200") == []
    assert [r.status_code for r in served_log("/static/src/gone.tsx", "404")] == [404]
    assert [r.status_code for r in served_log("/", "200")] == [200]


@pytest.mark.parametrize(
    ("argv", "every"),
    [
        (["127.0.0.1:8000", "--noreload", "--verbosity", "2"], True),
        (["127.0.0.1", "8000", "--verbosity", "3"], True),
        (["127.0.0.1:8000", "--verbosity", "1"], False),
        (["127.0.0.1:8000", "--verbosity"], False),
        (["127.0.0.1:8000"], False),
    ],
)
def test_verbosity_2_logs_the_modules_too(dev_mode, argv, every):
    log_every_line(argv)
    logged = [r.status_code for r in served_log("/static/src/main.tsx", "200")]
    assert logged == ([200] if every else [])
    assert UvicornAccessFilter().filter(uvicorn_record("/static/src/main.tsx", 200)) is every


def uvicorn_record(target: str, status: int) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", target, "1.1", status), None,
    )  # fmt: skip


def test_uvicorns_access_lines_for_module_files_are_dropped(dev_mode):
    keep = UvicornAccessFilter()
    assert keep.filter(uvicorn_record("/static/src/main.tsx?t=1", 200)) is False
    assert keep.filter(uvicorn_record("/static/src/main.tsx", 500)) is True
    assert keep.filter(uvicorn_record("/app/", 200)) is True
    other = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "odd %s", ("x",), None)
    assert keep.filter(other) is True


def test_the_filter_survives_uvicorns_logging_configuration(dev_mode):
    # _asgi_serve adds the filter before uvicorn.run, which applies uvicorn's dictConfig
    import uvicorn

    logger = logging.getLogger("uvicorn.access")
    keep = UvicornAccessFilter()
    logger.addFilter(keep)
    try:
        uvicorn.Config(app, log_level="info")  # configures logging as uvicorn.run does
        assert keep in logger.filters
    finally:
        logger.removeFilter(keep)
