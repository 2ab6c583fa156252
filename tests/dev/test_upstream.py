"""The dev proxy's HTTP to the dev server (``upstream``): pooled connections that a request
can only reach the dev server on, and what happens when the dev server drops one or breaks off.

Proven against the fake dev server over real loopback sockets, through the fast path's
``core.answer_early`` (what ``duet dev`` runs) and the middleware."""

from __future__ import annotations

import asyncio
import logging
import select

import pytest

from django_duet.dev import core, upstream
from django_duet.dev.answers import Answer, Pass
from django_duet.dev.server import DevServer

from .fake_devserver import MODULE

pytestmark = pytest.mark.usefixtures("fresh_proxy_plan")


def request(
    method: str = "GET", path: str = "/static/src/main.tsx", **headers: str
) -> core.DevRequest:
    meta = {"HTTP_HOST": "testserver", "SERVER_NAME": "testserver", "SERVER_PORT": "80"}
    meta |= {f"HTTP_{name.upper()}": value for name, value in headers.items()}
    return core.DevRequest.from_meta(meta, method=method, path=path, scheme="http")


def answer(frontend_settings, method: str = "GET", **headers: str) -> Answer:
    result = core.answer(request(method, **headers), frontend_settings, read_small=True)
    assert isinstance(result, Answer), result
    return result


@pytest.fixture
def frontend():
    from django_duet.conf import conf

    return conf.frontend(None)


def test_kept_alive_connections_are_reused(fake, frontend):
    for _ in range(3):
        assert answer(frontend).body == MODULE
    assert len(fake.requests) == 3 and fake.connections == 1


def test_a_get_on_a_connection_the_dev_server_dropped_goes_again_on_a_new_one(fake, frontend):
    fake.mode = "drop-reused"
    assert answer(frontend).body == MODULE
    second = answer(frontend)  # the pooled connection is dropped as the request arrives
    assert second.status == 200 and second.body == MODULE
    assert len(fake.requests) == 2 and fake.connections == 2


def test_a_404_is_handed_back_and_its_connection_reused(fake, frontend):
    result = core.answer(request(path="/static/missing/x.png"), frontend, read_small=True)
    assert result is Pass.HANDED_BACK
    assert answer(frontend).body == MODULE
    assert fake.connections == 1  # its empty body read: the connection went back to the pool


def test_a_post_is_never_sent_twice(fake, frontend):
    fake.mode = "drop-reused"
    assert answer(frontend).status == 200  # a kept-alive connection in the pool
    post = answer(frontend, "POST")
    assert post.status == 502 and b"not valid HTTP" in post.body
    assert [seen.method for seen in fake.requests] == ["GET"] and fake.connections == 1


def test_a_post_goes_on_a_new_connection_when_the_pooled_one_was_closed_meanwhile(fake, frontend):
    fake.mode = "close-after"
    assert answer(frontend).status == 200
    [(sock, _)] = upstream._idle[("127.0.0.1", fake.port)]
    assert select.select([sock], [], [], 5)[0]  # the dev server's close has arrived
    post = answer(frontend, "POST")  # sent on the closed one, it would be lost (a 502)
    assert post.status == 200 and post.body == b"echo:"
    assert [seen.method for seen in fake.requests] == ["GET", "POST"] and fake.connections == 2


def test_a_header_h11_cannot_write_is_refused_without_contact(fake, frontend):
    odd = answer(frontend, **{"x(odd": "1"})  # not an HTTP token
    assert odd.status == 400 and b"Refused by the dev proxy" in odd.body
    assert fake.requests == []


def test_both_clients_share_one_pool(fake, frontend):
    assert answer(frontend).body == MODULE  # blocking: runserver's threads
    result, _ = asyncio.run(core.answer_early_async(request(), frontend))  # the event loop's
    assert isinstance(result, Answer) and result.body == MODULE
    assert answer(frontend).body == MODULE
    assert fake.connections == 1


def test_an_answer_cut_short_is_a_502_page_and_its_connection_is_not_reused(fake, frontend):
    fake.mode = "short"
    cut = answer(frontend)
    assert cut.status == 502 and b"not valid HTTP" in cut.body
    fake.mode = "ok"
    assert answer(frontend).body == MODULE
    assert fake.connections == 2


def test_a_large_answer_cut_short_is_logged_and_closed(fake, caplog):
    fake.mode = "short"
    server = DevServer(host="127.0.0.1", port=fake.port, base="/static/", react_refresh=False)
    reply = upstream.send(server, upstream.Forward("GET", "/static/big/x.js", (), b""))
    assert reply.status_code == 200 and upstream.read_small(reply) is None  # too large to read
    with caplog.at_level(logging.WARNING, "django_duet.proxy"):
        assert b"".join(upstream.relay_blocks(reply)) == MODULE[:10]
    assert "broke off" in caplog.text


def test_the_dev_servers_cookies_are_never_kept_or_sent_back(fake, frontend):
    first = answer(frontend)  # the fake answers with Set-Cookie: sessionid=from-vite
    assert "set-cookie" not in {name.lower() for name, _ in first.headers}
    answer(frontend)
    assert "cookie" not in fake.requests[1].headers


def test_closing_the_client_closes_replies_still_relaying(fake):
    server = DevServer(host="127.0.0.1", port=fake.port, base="/static/", react_refresh=False)
    reply = upstream.send(server, upstream.Forward("GET", "/static/big/x.js", (), b""))
    upstream.close_client()  # a test stopping its dev server; the process exiting
    assert b"".join(reply.blocks()) == b""  # its connection is closed: nothing more is read
    open_reply = upstream.send(server, upstream.Forward("GET", "/static/big/x.js", (), b""))
    assert b"".join(open_reply.blocks()) == MODULE * 400  # what an open one still reads
    open_reply.close()
