"""HTTP to the dev server: pooled connections, requests that can only reach it, answers relayed
in blocks. The only modules that know HTTP's wire format: this one (blocking: the middleware,
the fast path under runserver) and ``upstream_async`` (the fast path under ASGI, on the event
loop), over one pool of kept-alive connections; the rest of the dev layer sees a ``Reply`` and
the ``UpstreamError`` family.

Why h11 (uvicorn's own HTTP parser, sans-IO) and not urllib3 or httpx: a development page sends
every module through here (542 requests for a page of 500 modules), and a module's exchange cost
about half the Python with h11 that it cost with urllib3, whose http.client parses each answer's
headers with the email parser (urllib3's in turn cost about half of httpx's). Under runserver
that Python is paid one thread at a time (the GIL), so it is what a large page waits for.
Nothing here reads proxy environment variables, follows a redirect or retries on its own: a
request goes to the dev server's loopback address and nowhere else.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import select
import socket
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from email.message import Message

from django_duet.conf import conf
from django_duet.dev.rules import Refused
from django_duet.dev.server import DevServer
from django_duet.exceptions import DuetError

try:
    import h11
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError(
        "The dev proxy needs h11: pip install 'django-duet[devserver]' (or h11)."
    ) from exc

logger = logging.getLogger("django_duet.proxy")

BLOCK_SIZE = 64 * 1024
CONNECT_TIMEOUT = 2.0
READ_WHOLE_BYTES = 256 * 1024  # answers up to this size are read in the sending thread
POOL_SIZE = 16  # kept-alive connections per dev server (a browser opens six per origin)


class UpstreamError(DuetError):
    """The dev server could not be asked, or its answer broke off."""


class UpstreamGone(UpstreamError):
    """Nothing listens at the dev server's address (it stopped; the hot file is stale)."""


class UpstreamTimeout(UpstreamError):
    """The dev server did not connect or answer within DEV_PROXY_TIMEOUT."""


class UpstreamBroken(UpstreamError):
    """The dev server's answer is not valid HTTP, or its connection broke."""


class Stale(UpstreamBroken):
    """The connection ended before a single byte of an answer: a kept-alive connection the dev
    server closed as the request arrived (a GET or HEAD goes once more, on a new one)."""


Connection = tuple[socket.socket, h11.Connection]

_lock = threading.Lock()
_idle: dict[tuple[str, int], list[Connection]] = {}  # blocking and event-loop clients alike
# Blocking replies whose connection is out of the pool, held (as the pool holds its sockets)
# until closed: a reply dropped unclosed must not leave its socket to the garbage collector.
_open: set[Reply] = set()


def checkout(server: DevServer, *, checked: bool = False) -> Connection | None:
    """A kept-alive connection to ``server``, or None. ``checked``: only one the dev server
    has not closed meanwhile (for a request that is never sent twice)."""
    while True:
        with _lock:
            pool = _idle.get((server.host, server.port))
            if not pool:
                return None
            sock, conn = pool.pop()
        if not checked or not _readable(sock):  # an idle socket has nothing to read but EOF
            return sock, conn
        sock.close()


def _readable(sock: socket.socket) -> bool:
    """Anything to read (or a hang-up) on ``sock`` now; poll, not select: any descriptor."""
    poller = select.poll()
    try:
        poller.register(sock, select.POLLIN)
    except (OSError, ValueError):  # closed meanwhile
        return True
    return bool(poller.poll(0))


def checkin(key: tuple[str, int], sock: socket.socket, conn: h11.Connection) -> None:
    """A connection whose exchange is over goes back to the pool (or is closed: pool full, or
    the exchange not cleanly over)."""
    if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
        conn.start_next_cycle()
        with _lock:
            pool = _idle.setdefault(key, [])
            if len(pool) < POOL_SIZE:
                pool.append((sock, conn))
                return
    sock.close()


def close_client() -> None:
    """Closes every connection, idle or still relaying (tests stop dev servers; the process
    exits)."""
    with _lock:
        idle = [sock for pool in _idle.values() for sock, _ in pool]
        replies = list(_open)
        _idle.clear()
        _open.clear()
    for reply in replies:
        reply.close()
    for sock in idle:
        sock.close()


atexit.register(close_client)


def read_timeout() -> float:
    return float(conf.DEV_PROXY_TIMEOUT)


def connect_timeout() -> float:
    return min(CONNECT_TIMEOUT, read_timeout())


@dataclass(frozen=True)
class Forward:
    """A checked request for the dev server: nothing in it can change where it goes."""

    method: str
    target: str  # "/static/src/main.tsx?v=1": percent-encoded ASCII, starts with the base
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def request_event(server: DevServer, forward: Forward) -> h11.Request:
    """``forward`` as h11 writes it; ``Refused`` (400) for a header h11 will not write."""
    if not forward.target.startswith("/"):  # pragma: no cover - rules.checked_target's promise
        raise ValueError(f"refusing to send {forward.target!r} anywhere but {server.origin}")
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


def request_bytes(conn: h11.Connection, request: h11.Request, body: bytes) -> bytes:
    data = conn.send(request)
    if body:
        data += conn.send(h11.Data(data=body))
    return data + conn.send(h11.EndOfMessage())


def next_event(conn: h11.Connection) -> object:
    """The next h11 event already readable, or ``h11.NEED_DATA``."""
    try:
        return conn.next_event()
    except h11.RemoteProtocolError as exc:
        raise UpstreamBroken(f"not valid HTTP: {exc}") from exc


def _unanswered(conn: h11.Connection) -> bool:
    return conn.their_state is h11.SEND_RESPONSE and not conn.trailing_data[0]


def received(conn: h11.Connection, data: bytes, *, first: bool) -> None:
    """``data`` read from the socket (b"": the dev server closed it)."""
    if not data and first and _unanswered(conn):
        raise Stale()
    conn.receive_data(data)


def lost(conn: h11.Connection, exc: OSError, *, first: bool) -> UpstreamError:
    """What a failed read means: a connection closed under a request not yet answered, or one
    broken in the middle of an answer."""
    if first and _unanswered(conn):
        return Stale()
    return UpstreamBroken(f"the connection broke: {exc}")


class ReplyHead:
    """The status and headers of the dev server's answer; the body is read by a subclass
    (``Reply`` blocking, ``upstream_async.AsyncReply`` on the loop), then the connection goes
    back to the pool, or is closed when the body was not read to its end."""

    def __init__(
        self, server: DevServer, sock: socket.socket, conn: h11.Connection, head: h11.Response
    ) -> None:
        self.status_code: int = head.status_code
        self.headers: list[tuple[str, str]] = [  # as sent, repeated names kept
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers.raw_items()
        ]
        self._key = (server.host, server.port)
        self._sock: socket.socket | None = sock
        self._conn = conn

    def header(self, name: str) -> str | None:
        return header_of(self.headers, name)

    def text(self, body: bytes) -> str:
        """``body`` decoded with the charset the answer names (UTF-8 when it names none)."""
        message = Message()
        message["content-type"] = self.header("content-type") or "text/plain"
        return body.decode(str(message.get_param("charset") or "utf-8"), "replace")

    def _finished(self) -> None:
        """The body read to its end: the connection goes back to the pool."""
        sock, self._sock = self._sock, None
        if sock is not None:
            checkin(self._key, sock, self._conn)

    def close(self) -> None:
        """Closes a connection whose body was not read to its end (it must not carry the next
        request); a finished one is already back in the pool."""
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


class Reply(ReplyHead):
    """The dev server's answer, its body still unread: read it, or relay it, then close it."""

    def blocks(self) -> Iterator[bytes]:
        """The body as sent (still content-encoded), as it arrives."""
        while self._sock is not None:
            event = _next_event(self._conn, self._sock)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._finished()
                return

    def read(self) -> bytes:
        return b"".join(self.blocks())

    def _finished(self) -> None:
        with _lock:
            _open.discard(self)
        super()._finished()

    def close(self) -> None:
        with _lock:
            _open.discard(self)
        super().close()


def header_of(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of ``name`` (any case) in an answer's headers, or None."""
    lower = name.lower()
    return next((value for key, value in headers if key.lower() == lower), None)


def send(server: DevServer, forward: Forward) -> Reply:
    """Sends ``forward`` to ``server``: the answer's status and headers, the body unread.

    A GET or HEAD whose kept-alive connection the dev server had just closed is sent once more
    on a new one (what a browser does); nothing else is ever repeated: another method only
    takes a pooled connection still open. ``Refused`` for a header h11 will not write."""
    request = request_event(server, forward)
    again = forward.method in ("GET", "HEAD")
    reused = checkout(server, checked=not again)
    if reused is not None:
        try:
            return _exchange(server, *reused, request, forward)
        except Stale:
            if not again:
                raise UpstreamBroken("the dev server closed the connection") from None
    try:
        return _exchange(server, _connect(server), h11.Connection(h11.CLIENT), request, forward)
    except Stale:
        raise UpstreamBroken("the dev server closed the connection without answering") from None


def _connect(server: DevServer) -> socket.socket:
    try:
        sock = socket.create_connection((server.host, server.port), timeout=connect_timeout())
    except TimeoutError as exc:
        raise UpstreamTimeout(f"connecting to {server.origin} timed out") from exc
    except OSError as exc:
        raise UpstreamGone(f"cannot connect to {server.origin}: {exc}") from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _exchange(
    server: DevServer,
    sock: socket.socket,
    conn: h11.Connection,
    request: h11.Request,
    forward: Forward,
) -> Reply:
    try:
        sock.settimeout(read_timeout())  # blocking, each read within the timeout
        try:
            sock.sendall(request_bytes(conn, request, forward.body))
        except TimeoutError as exc:
            raise UpstreamTimeout("the dev server did not take the request in time") from exc
        except OSError as exc:  # reset or closed before a byte of an answer: as a hang-up
            raise Stale() from exc
        while not isinstance(event := _next_event(conn, sock, first=True), h11.Response):
            pass  # an InformationalResponse (1xx) is skipped, as http.client does
    except BaseException:
        sock.close()
        raise
    reply = Reply(server, sock, conn, event)
    with _lock:
        _open.add(reply)
    if not framed(forward.method, reply.status_code, reply.header):
        reply.close()
        raise UpstreamBroken("an answer whose body has no length (no Content-Length, not chunked)")
    return reply


def _next_event(conn: h11.Connection, sock: socket.socket, *, first: bool = False) -> object:
    """The next h11 event, reading what it needs; a failure closes nothing (the caller does)."""
    while (event := next_event(conn)) is h11.NEED_DATA:
        try:
            data = sock.recv(BLOCK_SIZE)
        except TimeoutError as exc:
            raise UpstreamTimeout("the dev server did not answer in time") from exc
        except OSError as exc:
            raise lost(conn, exc, first=first) from exc
        received(conn, data, first=first)
    return event


def fetch(server: DevServer, forward: Forward, *, limit: int | None = None) -> tuple[Reply, bytes]:
    """``send``, the body read, the connection given back: for the small files the dev layer
    reads itself (the SPA shell's HTML, a public file). With ``limit``, reading stops once the
    body is over it (the body returned is then longer than ``limit``, never the whole file)."""
    reply = send(server, forward)
    try:
        if limit is None:
            return reply, reply.read()
        body = bytearray()
        for block in reply.blocks():
            body += block
            if len(body) > limit:
                break
        return reply, bytes(body)
    finally:
        reply.close()


def framed(method: str, status: int, header: Callable[[str], str | None]) -> bool:
    """Whether the answer says where its body ends. A body that ends when the connection
    closes would reach the browser as whole even when the dev server died half-way (and h11
    reads a status line followed by a hang-up that way); Node's HTTP server, Vite's, always
    sends a length."""
    if method == "HEAD" or status in (204, 304) or status < 200:
        return True
    encoding = (header("transfer-encoding") or "").lower()
    return header("content-length") is not None or "chunked" in encoding


def small(length: str | None) -> bool:
    """Whether a declared Content-Length is small enough to read whole in one go."""
    return length is not None and length.isdigit() and int(length) <= READ_WHOLE_BYTES


def read_small(upstream: Reply) -> bytes | None:
    """The whole body of a small answer, read now (its connection goes back to the pool), or
    None: relay a larger one block by block."""
    if not small(upstream.header("content-length")):
        return None
    try:
        return upstream.read()
    finally:
        upstream.close()


def discard(upstream: Reply) -> None:
    """An answer not relayed (a 404 handed back to Django): a small body is read so that its
    connection is reused, a larger one's connection closed."""
    try:
        if read_small(upstream) is None:
            upstream.close()
    except UpstreamError:
        pass  # read_small closed it


def relay_blocks(upstream: Reply) -> Iterator[bytes]:
    """The dev server's body in blocks, closed at the end; a break logged, not raised."""
    try:
        yield from upstream.blocks()
    except UpstreamError as exc:  # headers are sent: all we can do is stop and say why
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        upstream.close()


async def relay_blocks_async(upstream: Reply) -> AsyncGenerator[bytes, None]:
    """``relay_blocks`` for an event loop: each read in a thread."""
    blocks = upstream.blocks()
    try:
        while (block := await asyncio.to_thread(next, blocks, None)) is not None:
            yield block
    except UpstreamError as exc:
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        await asyncio.to_thread(upstream.close)
