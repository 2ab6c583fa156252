"""HTTP to the dev server on the event loop: the fast path under ASGI (``proxy_asgi``).

``upstream`` is blocking, so the ASGI fast path used to run each module's exchange in a thread,
and the hop cost about 0.2 ms per module on top of the exchange, most of it waiting for the GIL
while the loop served the page's other requests: six modules in flight took as long as six in a
row. Here the request is written and the answer read by the loop itself, so Django's work and
Vite's overlap. The promises are ``upstream``'s: the dev server's address and nowhere else, a
GET or HEAD whose kept-alive connection the dev server had just closed is sent once more on a
new one, an answer without a length is refused, failures are the ``UpstreamError`` family.

h11 (uvicorn's own HTTP parser, in the [devserver] extra) reads the answers. The pool holds
plain non-blocking sockets, not streams: a socket belongs to no event loop, so a connection
outlives the loop that opened it (a test runs a loop per request) and ``upstream.close_client``
closes it from any thread.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import AsyncGenerator, AsyncIterator

from django_duet.dev import upstream
from django_duet.dev.rules import Refused
from django_duet.dev.server import DevServer
from django_duet.dev.upstream import (
    BLOCK_SIZE,
    POOL_SIZE,
    Forward,
    UpstreamBroken,
    UpstreamError,
    UpstreamGone,
    UpstreamTimeout,
)

try:
    import h11
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError(
        "The dev proxy under ASGI needs h11: pip install 'django-duet[devserver]' (or h11)."
    ) from exc

logger = logging.getLogger("django_duet.proxy")

_lock = threading.Lock()
_idle: dict[tuple[str, int], list[tuple[socket.socket, h11.Connection]]] = {}


def close_idle() -> None:
    with _lock:
        idle = [sock for pool in _idle.values() for sock, _ in pool]
        _idle.clear()
    for sock in idle:
        sock.close()


upstream.on_close_client(close_idle)


class AsyncReply:
    """The dev server's answer, its body still unread: read it, or relay it, then close it."""

    def __init__(
        self, server: DevServer, sock: socket.socket, conn: h11.Connection, head: h11.Response
    ) -> None:
        self.status_code = head.status_code
        self.headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers.raw_items()
        ]
        self._key = (server.host, server.port)
        self._sock: socket.socket | None = sock
        self._conn = conn

    def header(self, name: str) -> str | None:
        return upstream.header_of(self.headers, name)

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

    def _finished(self) -> None:
        """The body read to its end: the connection goes back to the pool."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        if self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
            self._conn.start_next_cycle()
            with _lock:
                pool = _idle.setdefault(self._key, [])
                if len(pool) < POOL_SIZE:
                    pool.append((sock, self._conn))
                    return
        sock.close()

    def close(self) -> None:
        """Closes a connection whose body was not read to its end (it must not carry the next
        request); a finished one is already back in the pool."""
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


async def send(server: DevServer, forward: Forward) -> AsyncReply:
    """Sends ``forward`` to ``server``: the answer's status and headers, the body unread."""
    if not forward.target.startswith("/"):  # pragma: no cover - rules.checked_target's promise
        raise ValueError(f"refusing to send {forward.target!r} anywhere but {server.origin}")
    request = _request(server, forward)
    reused = _checkout(server)
    if reused is not None:
        try:
            return await _exchange(server, *reused, request, forward)
        except _Stale:  # the dev server closed it as the request arrived: once more, on a new one
            if forward.method not in ("GET", "HEAD"):
                raise UpstreamBroken("the dev server closed the connection") from None
    try:
        return await _exchange(
            server, await _connect(server), h11.Connection(h11.CLIENT), request, forward
        )
    except _Stale:
        raise UpstreamBroken("the dev server closed the connection without answering") from None


class _Stale(UpstreamBroken):
    """The connection ended before a single byte of an answer."""


def _request(server: DevServer, forward: Forward) -> h11.Request:
    headers = list(forward.headers)
    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, (b"host", f"{server.host}:{server.port}".encode("latin-1")))
    if forward.body:
        headers.append((b"content-length", str(len(forward.body)).encode()))
    try:
        return h11.Request(method=forward.method, target=forward.target, headers=headers)
    except h11.LocalProtocolError as exc:
        raise Refused(
            400, f"A request header is not valid HTTP ({exc}): the dev proxy refuses it."
        ) from exc


def _checkout(server: DevServer) -> tuple[socket.socket, h11.Connection] | None:
    with _lock:
        pool = _idle.get((server.host, server.port))
        return pool.pop() if pool else None


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
        data = conn.send(request) + (
            conn.send(h11.Data(data=forward.body)) if forward.body else b""
        )
        try:
            await loop.sock_sendall(sock, data + conn.send(h11.EndOfMessage()))
        except OSError as exc:  # reset or closed before a byte of an answer: as a hang-up
            raise _Stale() from exc
        while True:
            event = await _next_event(conn, sock, first=True)
            if isinstance(event, h11.Response):
                break  # an InformationalResponse (1xx) is skipped, as http.client does
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
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise UpstreamBroken(f"not valid HTTP: {exc}") from exc
        if event is not h11.NEED_DATA:
            return event
        try:
            async with asyncio.timeout(upstream.read_timeout()):
                data = await loop.sock_recv(sock, BLOCK_SIZE)
        except TimeoutError as exc:
            raise UpstreamTimeout("the dev server did not answer in time") from exc
        except OSError as exc:
            if first and conn.their_state is h11.SEND_RESPONSE and not conn.trailing_data[0]:
                raise _Stale() from exc
            raise UpstreamBroken(f"the connection broke: {exc}") from exc
        if (
            not data
            and first
            and conn.their_state is h11.SEND_RESPONSE
            and not conn.trailing_data[0]
        ):
            raise _Stale()
        conn.receive_data(data)


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
