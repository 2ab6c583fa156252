"""HTTP to the dev server on the event loop: the fast path under ASGI (``proxy_asgi``).

``upstream`` is blocking, so the ASGI fast path used to run each module's exchange in a thread,
and the hop cost about 0.2 ms per module on top of the exchange, most of it waiting for the GIL
while the loop served the page's other requests: six modules in flight took as long as six in a
row. Here the request is written and the answer read by the loop itself, so Django's work and
Vite's overlap. Everything but the waiting is ``upstream``'s: its pool of kept-alive connections
(plain sockets, which belong to no event loop, so a connection outlives the loop that opened it:
a test runs a loop per request), its h11 requests and events, its promises (the dev server's
address and nowhere else, a GET or HEAD sent once more when its kept-alive connection had just
been closed, no answer without a length, failures in the ``UpstreamError`` family).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncGenerator, AsyncIterator

import h11

from django_duet.dev import upstream
from django_duet.dev.server import DevServer
from django_duet.dev.upstream import (
    BLOCK_SIZE,
    Forward,
    ReplyHead,
    Stale,
    UpstreamBroken,
    UpstreamError,
    UpstreamGone,
    UpstreamTimeout,
)

logger = logging.getLogger("django_duet.proxy")


class AsyncReply(ReplyHead):
    """The dev server's answer, its body still unread: read it, or relay it, then close it."""

    async def blocks(self) -> AsyncIterator[bytes]:
        """The body as sent (still content-encoded), as it arrives."""
        while self._sock is not None:
            event = await _next_event(self._conn, self._sock)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._finished()
                return

    async def read(self) -> bytes:
        return b"".join([block async for block in self.blocks()])


async def send(server: DevServer, forward: Forward) -> AsyncReply:
    """``upstream.send`` on the loop: the answer's status and headers, the body unread."""
    request = upstream.request_event(server, forward)
    again = forward.method in ("GET", "HEAD")
    reused = upstream.checkout(server, checked=not again)
    if reused is not None:
        try:
            return await _exchange(server, *reused, request, forward)
        except Stale:  # the dev server closed it as the request arrived: once more, on a new one
            if not again:
                raise UpstreamBroken("the dev server closed the connection") from None
    try:
        return await _exchange(
            server, await _connect(server), h11.Connection(h11.CLIENT), request, forward
        )
    except Stale:
        raise UpstreamBroken("the dev server closed the connection without answering") from None


async def _connect(server: DevServer) -> socket.socket:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(upstream.connect_timeout()):
            addresses = await loop.getaddrinfo(server.host, server.port, type=socket.SOCK_STREAM)
            error: OSError = OSError(f"no address for {server.host}")
            for family, kind, proto, _, address in addresses:
                sock = socket.socket(family, kind, proto)
                sock.setblocking(False)
                try:
                    await loop.sock_connect(sock, address)
                except OSError as exc:
                    sock.close()
                    error = exc
                    continue
                except BaseException:
                    sock.close()
                    raise
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            raise error
    except TimeoutError as exc:
        raise UpstreamTimeout(f"connecting to {server.origin} timed out") from exc
    except OSError as exc:
        raise UpstreamGone(f"cannot connect to {server.origin}: {exc}") from exc


async def _exchange(
    server: DevServer,
    sock: socket.socket,
    conn: h11.Connection,
    request: h11.Request,
    forward: Forward,
) -> AsyncReply:
    loop = asyncio.get_running_loop()
    try:
        sock.setblocking(False)  # a pooled socket may last have served the blocking client
        try:
            await loop.sock_sendall(sock, upstream.request_bytes(conn, request, forward.body))
        except OSError as exc:  # reset or closed before a byte of an answer: as a hang-up
            raise Stale() from exc
        while not isinstance(event := await _next_event(conn, sock, first=True), h11.Response):
            pass  # an InformationalResponse (1xx) is skipped, as http.client does
    except BaseException:
        sock.close()
        raise
    reply = AsyncReply(server, sock, conn, event)
    if not upstream.framed(forward.method, reply.status_code, reply.header):
        reply.close()
        raise UpstreamBroken("an answer whose body has no length (no Content-Length, not chunked)")
    return reply


async def _next_event(conn: h11.Connection, sock: socket.socket, *, first: bool = False) -> object:
    """The next h11 event, reading what it needs; a failure closes nothing (the caller does)."""
    loop = asyncio.get_running_loop()
    while (event := upstream.next_event(conn)) is h11.NEED_DATA:
        try:
            async with asyncio.timeout(upstream.read_timeout()):
                data = await loop.sock_recv(sock, BLOCK_SIZE)
        except TimeoutError as exc:
            raise UpstreamTimeout("the dev server did not answer in time") from exc
        except OSError as exc:
            raise upstream.lost(conn, exc, first=first) from exc
        upstream.received(conn, data, first=first)
    return event


async def read_small(reply: AsyncReply) -> bytes | None:
    """``upstream.read_small`` for the loop: the whole body of a small answer, or None."""
    if not upstream.small(reply.header("content-length")):
        return None
    try:
        return await reply.read()
    finally:
        reply.close()


async def discard(reply: AsyncReply) -> None:
    """``upstream.discard`` for the loop."""
    try:
        if await read_small(reply) is None:
            reply.close()
    except UpstreamError:
        pass  # read_small closed it


async def relay(reply: AsyncReply) -> AsyncGenerator[bytes, None]:
    """The body as it arrives, closed at the end; a break logged, not raised (headers are out)."""
    try:
        async for block in reply.blocks():
            yield block
    except UpstreamError as exc:
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        reply.close()
