"""HTTP to the dev server: pooled connections, requests that can only reach it, answers relayed
in blocks. The only module that knows the HTTP client (urllib3): the rest of the dev layer sees
a ``Reply`` and the ``UpstreamError`` family.

Why urllib3, not httpx: a development page sends every module through here (542 requests for a
page of 500 modules), and urllib3's request costs about half of httpx's in CPU on the same
loopback exchange (httpx also runs every answer through its cookie jar). It never reads proxy
environment variables and is told never to follow redirects or retry on its own: a request sent
here goes to the dev server's loopback address and nowhere else.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message

from django_duet.conf import conf
from django_duet.dev.server import DevServer
from django_duet.exceptions import DuetError

try:
    import urllib3
    from urllib3 import exceptions as urllib3_errors
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError(
        "The dev proxy needs urllib3: pip install 'django-duet[devserver]' (or urllib3)."
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


def _translated(exc: Exception) -> UpstreamError:
    if isinstance(exc, urllib3_errors.NewConnectionError):  # before ConnectTimeoutError, its base
        return UpstreamGone(str(exc))
    if isinstance(exc, urllib3_errors.TimeoutError):
        return UpstreamTimeout(str(exc))
    return UpstreamBroken(str(exc))


_ERRORS = (urllib3_errors.HTTPError, OSError)  # OSError: a socket error urllib3 let through

_lock = threading.Lock()
_pools: dict[tuple[str, int], urllib3.HTTPConnectionPool] = {}
# Replies whose connection is out of its pool, held (as a pool holds its connections) until
# closed: a reply dropped unclosed must not leave its socket to the garbage collector.
_open: set[Reply] = set()


def _pool(server: DevServer) -> urllib3.HTTPConnectionPool:
    key = (server.host, server.port)
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            if not _pools:
                atexit.register(close_client)
            pool = _pools[key] = urllib3.HTTPConnectionPool(
                server.host, server.port, maxsize=POOL_SIZE, block=False, retries=False
            )
        return pool


_also_close: list[Callable[[], None]] = []  # upstream_async's pool


def on_close_client(close: Callable[[], None]) -> None:
    _also_close.append(close)


def close_client() -> None:
    """Closes every connection, idle or still relaying (tests stop dev servers; the process
    exits)."""
    with _lock:
        pools, replies = list(_pools.values()), list(_open)
        _pools.clear()
        _open.clear()
    for reply in replies:
        reply.close()
    for pool in pools:
        pool.close()
    for close in _also_close:
        close()


def read_timeout() -> float:
    return float(conf.DEV_PROXY_TIMEOUT)


def connect_timeout() -> float:
    return min(CONNECT_TIMEOUT, read_timeout())


def timeout() -> urllib3.Timeout:
    return urllib3.Timeout(connect=connect_timeout(), read=read_timeout())


@dataclass(frozen=True)
class Forward:
    """A checked request for the dev server: nothing in it can change where it goes."""

    method: str
    target: str  # "/static/src/main.tsx?v=1": percent-encoded ASCII, starts with the base
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@dataclass(eq=False)  # eq=False: hashable, for the set of open replies
class Reply:
    """The dev server's answer, its body still unread: read it, or relay it, then close it."""

    status_code: int
    headers: list[tuple[str, str]]  # as sent, repeated names kept
    _raw: urllib3.BaseHTTPResponse = field(repr=False)

    def header(self, name: str) -> str | None:
        return header_of(self.headers, name)

    def blocks(self, size: int = BLOCK_SIZE) -> Iterator[bytes]:
        """The body as sent (still content-encoded), in blocks of at most ``size``."""
        try:
            yield from self._raw.stream(size, decode_content=False)
        except _ERRORS as exc:
            raise _translated(exc) from exc

    def read(self) -> bytes:
        return b"".join(self.blocks())

    def text(self, body: bytes) -> str:
        """``body`` decoded with the charset the answer names (UTF-8 when it names none)."""
        message = Message()
        message["content-type"] = self.header("content-type") or "text/plain"
        return body.decode(str(message.get_param("charset") or "utf-8"), "replace")

    def close(self) -> None:
        """Gives the connection back to the pool when the body was read to its end, else
        closes it (a half-read connection must not carry the next request)."""
        with _lock:
            _open.discard(self)
        if not self._raw.closed:
            self._raw.close()
        self._raw.release_conn()


def header_of(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of ``name`` (any case) in an answer's headers, or None."""
    lower = name.lower()
    return next((value for key, value in headers if key.lower() == lower), None)


def send(server: DevServer, forward: Forward) -> Reply:
    """Sends ``forward`` to ``server``: the answer's status and headers, the body unread.

    A GET or HEAD whose kept-alive connection the dev server had just closed is sent once more
    on a new one (what a browser does); nothing else is ever repeated."""
    if not forward.target.startswith("/"):  # pragma: no cover - rules.checked_target's promise
        raise ValueError(f"refusing to send {forward.target!r} anywhere but {server.origin}")
    headers = urllib3.HTTPHeaderDict()
    for name, value in forward.headers:
        headers.add(name.decode("latin-1"), value.decode("latin-1"))
    raw = _urlopen(_pool(server), forward, headers, again=forward.method in ("GET", "HEAD"))
    reply = Reply(raw.status, list(raw.headers.iteritems()), raw)
    with _lock:
        _open.add(reply)
    if not framed(forward.method, reply.status_code, reply.header):
        reply.close()
        raise UpstreamBroken("an answer whose body has no length (no Content-Length, not chunked)")
    return reply


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


def _urlopen(
    pool: urllib3.HTTPConnectionPool,
    forward: Forward,
    headers: urllib3.HTTPHeaderDict,
    *,
    again: bool,
) -> urllib3.BaseHTTPResponse:
    try:
        return pool.urlopen(
            forward.method,
            forward.target,  # a path: the pool's host and port are the only destination
            body=forward.body or None,
            headers=headers,
            retries=False,
            redirect=False,
            assert_same_host=True,
            timeout=timeout(),
            preload_content=False,
            decode_content=False,
        )
    except urllib3_errors.ProtocolError as exc:
        if again:  # a stale kept-alive connection: ask once more, on a fresh one
            return _urlopen(pool, forward, headers, again=False)
        raise _translated(exc) from exc
    except _ERRORS as exc:
        raise _translated(exc) from exc


def framed(method: str, status: int, header: Callable[[str], str | None]) -> bool:
    """Whether the answer says where its body ends. A body that ends when the connection
    closes would reach the browser as whole even when the dev server died half-way (and
    http.client reads a status line followed by a hang-up, or by garbage, that way); Node's
    HTTP server, Vite's, always sends a length."""
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
