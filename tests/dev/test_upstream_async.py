"""The dev proxy's HTTP to the dev server on the event loop (``upstream_async``, the ASGI fast
path): the promises of ``upstream`` kept without a thread per module.

Proven against the fake dev server over real loopback sockets, each exchange in an event loop
of its own (``asyncio.run``), as a test client or a restarted server would have: pooled
connections are sockets that outlive the loop that opened them."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from django_duet.dev import core, upstream, upstream_async
from django_duet.dev.answers import Answer, Pass
from django_duet.dev.server import DevServer

from .fake_devserver import MODULE, closed_port

pytestmark = pytest.mark.usefixtures("fresh_proxy_plan")


def request(path: str = "/static/src/main.tsx", **headers: str) -> core.DevRequest:
    meta = {"HTTP_HOST": "testserver", "SERVER_NAME": "testserver", "SERVER_PORT": "80"}
    meta |= {f"HTTP_{name.upper()}": value for name, value in headers.items()}
    return core.DevRequest.from_meta(meta, method="GET", path=path, scheme="http")


def answer(frontend, path: str = "/static/src/main.tsx", **headers: str) -> Answer | Pass:
    return asyncio.run(core.answer_early_async(request(path, **headers), frontend))[0]


@pytest.fixture
def frontend():
    from django_duet.conf import conf

    return conf.frontend(None)


def server_of(fake) -> DevServer:
    return DevServer(host="127.0.0.1", port=fake.port, base="/static/", react_refresh=False)


def test_a_module_is_read_whole_and_its_connection_reused_across_event_loops(fake, frontend):
    for _ in range(3):
        got = answer(frontend)
        assert isinstance(got, Answer) and got.status == 200 and got.body == MODULE
        assert got.upstream is None  # read whole: nothing left to relay
    assert len(fake.requests) == 3 and fake.connections == 1
    assert ("X-Upstream", "fake") in got.headers


def test_what_reaches_the_dev_server_is_what_the_rules_let_through(fake, frontend):
    answer(frontend, cookie="sessionid=secret", origin="http://testserver")
    [seen] = fake.requests
    assert seen.headers["host"] == f"127.0.0.1:{fake.port}"  # the dev server's, as upstream
    assert "cookie" not in seen.headers and seen.headers["origin"] == "http://testserver"
    second = answer(frontend)
    assert isinstance(second, Answer)
    assert "set-cookie" not in {name.lower() for name, _ in second.headers}


def test_a_get_on_a_connection_the_dev_server_dropped_goes_again_on_a_new_one(fake, frontend):
    fake.mode = "drop-reused"
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    second = answer(frontend)  # the pooled connection is dropped as the request arrives
    assert isinstance(second, Answer) and second.status == 200 and second.body == MODULE
    assert len(fake.requests) == 2 and fake.connections == 2


def test_an_answer_cut_short_is_a_502_page_and_its_connection_is_not_reused(fake, frontend):
    fake.mode = "short"
    cut = answer(frontend)
    assert isinstance(cut, Answer) and cut.status == 502 and b"not valid HTTP" in cut.body
    fake.mode = "ok"
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    assert fake.connections == 2


def test_a_404_is_handed_back_and_its_connection_reused(fake, frontend):
    assert answer(frontend, "/static/missing/x.png") is Pass.HANDED_BACK
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    assert fake.connections == 1  # its empty body read: the connection went back to the pool


def test_a_stopped_dev_server_is_not_mine(dev_settings, hot_path, frontend):
    from .fake_devserver import FakeDevServer

    FakeDevServer().hot_file(hot_path, url=f"http://127.0.0.1:{closed_port()}")
    assert answer(frontend) is Pass.NOT_MINE


def test_a_hung_dev_server_is_a_504_page_within_the_timeout(fake, frontend, settings):
    settings.DUET = {**settings.DUET, "DEV_PROXY_TIMEOUT": 0.3}
    fake.mode = "hang"
    hung = answer(frontend)
    assert isinstance(hung, Answer) and hung.status == 504


def test_garbage_is_a_502_page(fake, frontend):
    fake.mode = "garbage"
    bad = answer(frontend)
    assert isinstance(bad, Answer) and bad.status == 502


def test_a_header_h11_cannot_write_is_refused_without_contact(fake, frontend):
    odd = answer(frontend, **{"x(odd": "1"})  # not an HTTP token
    assert isinstance(odd, Answer) and odd.status == 400
    assert fake.requests == []


def test_a_large_answer_is_relayed_as_it_comes(fake, frontend):
    got = answer(frontend, "/static/big/vendor.js")
    assert isinstance(got, Answer) and got.body == b"" and got.upstream is not None

    async def relayed() -> bytes:
        return b"".join([block async for block in upstream_async.relay(got.upstream)])

    assert asyncio.run(relayed()) == MODULE * 400
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    assert fake.connections == 1  # read to its end: back in the pool


def test_a_large_answer_cut_short_is_logged_and_closed(fake, caplog):
    fake.mode = "short"

    async def relayed() -> bytes:
        forward = upstream.Forward("GET", "/static/big/x.js", (), b"")
        reply = await upstream_async.send(server_of(fake), forward)
        assert await upstream_async.read_small(reply) is None  # too large to read whole
        return b"".join([block async for block in upstream_async.relay(reply)])

    with caplog.at_level(logging.WARNING, "django_duet.proxy"):
        assert asyncio.run(relayed()) == MODULE[:10]
    assert "broke off" in caplog.text


def test_an_abandoned_relay_closes_its_connection(fake, frontend):
    async def first_block() -> bytes:
        forward = upstream.Forward("GET", "/static/big/x.js", (), b"")
        reply = await upstream_async.send(server_of(fake), forward)
        blocks = upstream_async.relay(reply)
        block = await anext(blocks)
        await blocks.aclose()  # the browser left
        return block

    assert MODULE.startswith(asyncio.run(first_block())[:100])
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    assert fake.connections == 2  # the half-read one was closed, not pooled


def test_closing_the_client_closes_the_idle_connections(fake, frontend):
    answer(frontend)
    [(sock, _)] = upstream._idle[("127.0.0.1", fake.port)]
    upstream.close_client()  # a test stopping its dev server; the process exiting
    assert sock.fileno() == -1
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    assert fake.connections == 2


def test_the_pool_keeps_at_most_pool_size_connections(fake, frontend):
    async def many() -> None:
        forward = upstream.Forward("GET", "/static/src/main.tsx", (), b"")
        replies = await asyncio.gather(
            *(upstream_async.send(server_of(fake), forward) for _ in range(upstream.POOL_SIZE + 4))
        )
        for reply in replies:
            await reply.read()

    asyncio.run(many())
    pooled = upstream._idle[("127.0.0.1", fake.port)]
    assert len(pooled) == upstream.POOL_SIZE
    assert all(isinstance(sock, socket.socket) for sock, _ in pooled)


def test_a_pooled_connection_reset_while_idle_is_replaced(fake, frontend):
    assert answer(frontend).body == MODULE  # type: ignore[union-attr]
    [(sock, _)] = upstream._idle[("127.0.0.1", fake.port)]
    sock.shutdown(socket.SHUT_WR)  # writing on it now fails at once (EPIPE)
    again = answer(frontend)
    assert isinstance(again, Answer) and again.status == 200 and again.body == MODULE
    assert fake.connections == 2
