"""Modules answered by ``duet dev``'s request handler itself, before wsgiref and Django
(``cli._wsgi_serve.DevRequestHandler.parse_request``), over a real socket: one exchange with
the dev server per module, keep-alive kept, the rest handed to Django with what was learned."""

from __future__ import annotations

import logging
import socket
import socketserver
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler

from django_duet.cli import _wsgi_serve
from django_duet.cli._wsgi_serve import NoDelayWSGIServer
from django_duet.dev.proxy_wsgi import ASKED, EarlyAnswer, duet_wsgi
from django_duet.dev.server import DECLINED

from .fake_devserver import MODULE
from .test_dev_server_output import exchange, running

COMMON = "django.middleware.common.CommonMiddleware"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_proxy_plan")]


class Server(socketserver.ThreadingMixIn, NoDelayWSGIServer):  # as runserver builds it
    daemon_threads = True
    reached: list[dict[str, Any]]  # the environs that reached Django


@contextmanager
def serving() -> Iterator[Server]:
    from django.core.servers.basehttp import WSGIRequestHandler

    server = Server(("127.0.0.1", 0), WSGIRequestHandler)  # runserver passes Django's
    server.reached = []
    django = WSGIHandler()

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        server.reached.append(dict(environ))
        return django(environ, start_response)

    server.set_app(duet_wsgi(recording))  # what duet dev's runserver serves
    with running(server):
        yield server


@contextmanager
def connected(server: Server) -> Iterator[socket.socket]:
    with socket.create_connection(server.server_address[:2], 5) as sock:
        sock.settimeout(5)
        yield sock


def headers_of(answer: bytes) -> dict[str, list[str]]:
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    found: dict[str, list[str]] = {}
    for line in head:
        name, _, value = line.partition(":")
        found.setdefault(name.strip().lower(), []).append(value.strip())
    return found


def test_a_module_is_answered_by_the_handler_with_one_exchange(fake):
    with serving() as server, connected(server) as sock:
        first = exchange(sock, "/static/src/main.tsx")
        second = exchange(sock, "/static/src/main.tsx")  # the same connection: kept alive
    assert first.startswith(b"HTTP/1.1 200") and first.endswith(b"\r\n\r\n" + MODULE)
    assert second.endswith(MODULE)
    headers = headers_of(first)
    assert headers["x-upstream"] == ["fake"] and headers["content-length"] == [str(len(MODULE))]
    assert len(headers["date"]) == 1 and len(headers["server"]) == 1
    assert "set-cookie" not in headers and "connection" not in headers
    assert server.reached == [] and len(fake.requests) == 2


def test_a_head_request_gets_headers_only_and_the_connection_is_kept(fake):
    with serving() as server, connected(server) as sock:
        head = exchange(sock, "/static/src/main.tsx", method="HEAD")
        after = exchange(sock, "/static/src/main.tsx")
    assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n")
    assert headers_of(head)["content-length"] == [str(len(MODULE))]
    assert after.endswith(b"\r\n\r\n" + MODULE)
    assert [seen.method for seen in fake.requests] == ["HEAD", "GET"]


def test_a_404_reaches_django_once_and_the_next_request_starts_clean(fake, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, COMMON]  # Content-Length: the socket is kept
    with serving() as server, connected(server) as sock:
        missing = exchange(sock, "/static/missing/x.js")
        page = exchange(sock, "/no-such-page/")
    assert missing.startswith(b"HTTP/1.1 404") and page.startswith(b"HTTP/1.1 404")
    assert len(fake.requests) == 1  # Django's middleware did not ask the dev server again
    declined, plain = server.reached
    assert declined[DECLINED] is True and declined[ASKED] is True
    assert DECLINED not in plain and plain[ASKED] is True  # the last request's news is gone


def test_a_large_module_is_relayed_whole(fake):
    with serving() as server, connected(server) as sock:
        answer = exchange(sock, "/static/big/vendor.js")
    assert answer.endswith(b"\r\n\r\n" + MODULE * 400) and server.reached == []


def test_an_answer_without_a_length_closes_the_connection(fake, monkeypatch):
    def unframed(environ: dict[str, Any]) -> EarlyAnswer:
        return EarlyAnswer(200, [("Content-Type", "text/javascript")], iter([b"a", b"b"]))

    monkeypatch.setattr(_wsgi_serve, "early_answer", unframed)
    with serving() as server, connected(server) as sock:
        sock.sendall(b"GET /static/src/main.tsx HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):  # read until the server hangs up
            answer += chunk
    assert headers_of(answer)["connection"] == ["close"] and answer.endswith(b"\r\n\r\nab")


def test_a_failure_before_django_is_logged_and_django_answers(fake, monkeypatch, caplog):
    def broken(environ: dict[str, Any]) -> EarlyAnswer:
        environ[ASKED] = True
        raise RuntimeError("a bug")

    monkeypatch.setattr(_wsgi_serve, "early_answer", broken)
    logged = caplog.at_level(logging.ERROR, "django_duet.proxy")
    with logged, serving() as server, connected(server) as sock:
        answer = exchange(sock, "/static/src/main.tsx")
    assert answer.endswith(MODULE)  # the middleware answered through Django
    assert len(server.reached) == 1 and server.reached[0][ASKED] is True
    assert "The dev proxy failed before Django on /static/src/main.tsx" in caplog.text


def test_refused_and_failed_modules_are_in_the_access_log(fake, caplog):
    logged = caplog.at_level(logging.INFO, "django.server")
    with logged, serving() as server, connected(server) as sock:
        exchange(sock, "/static/src/main.tsx")
        refused = exchange(sock, "/static/src/%2e%2e/secret.txt")
    assert refused.startswith(b"HTTP/1.1 400")
    lines = [record.getMessage() for record in caplog.records if record.name == "django.server"]
    assert len(lines) == 1 and "/static/src/%2e%2e/secret.txt" in lines[0] and "400" in lines[0]


def test_a_module_that_breaks_off_ends_the_connection(fake):
    fake.mode = "short"  # a large module: its head is relayed before the body breaks off
    with serving() as server, connected(server) as sock:
        sock.sendall(b"GET /static/big/vendor.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):  # the server hangs up: no wait for the missing bytes
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\n" + MODULE[:10])
    assert headers_of(answer)["content-length"] == [str(len(MODULE) * 400)]
