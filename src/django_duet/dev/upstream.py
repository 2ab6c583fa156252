"""HTTP to the dev server: one pooled client, requests that can only reach it, answers relayed
in blocks.

The client ignores proxy environment variables (``trust_env=False``) and never follows
redirects: a request it sends goes to the dev server's loopback address and nowhere else.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass

from django_duet.conf import conf
from django_duet.dev.server import DevServer

try:
    import httpx
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError(
        "The dev proxy needs httpx: pip install 'django-duet[devserver]' (or httpx)."
    ) from exc

logger = logging.getLogger("django_duet.proxy")

BLOCK_SIZE = 64 * 1024
CONNECT_TIMEOUT = 2.0
READ_WHOLE_BYTES = 256 * 1024  # answers up to this size are read in the sending thread

_lock = threading.Lock()
_client: httpx.Client | None = None


def get_client() -> httpx.Client:
    """The process's pooled client, created on first use and closed at exit."""
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(
                trust_env=False,  # HTTP(S)_PROXY must not send dev requests elsewhere
                follow_redirects=False,
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            )
            atexit.register(close_client)
        return _client


def close_client() -> None:
    global _client
    with _lock:
        client, _client = _client, None
    if client is not None:
        client.close()


def timeout() -> httpx.Timeout:
    read = conf.DEV_PROXY_TIMEOUT
    return httpx.Timeout(read, connect=min(CONNECT_TIMEOUT, read))


@dataclass(frozen=True)
class Forward:
    """A checked request for the dev server: nothing in it can change where it goes."""

    method: str
    target: str  # "/static/src/main.tsx?v=1": percent-encoded ASCII, starts with the base
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def send(server: DevServer, forward: Forward) -> httpx.Response:
    """Sends ``forward`` to ``server`` and returns the response with its body still unread."""
    client = get_client()
    # The URL is built from its parts, never joined with a path: "//host/x" stays a path.
    url = httpx.URL(
        scheme="http", host=server.host, port=server.port, raw_path=forward.target.encode("ascii")
    )
    if (url.host, url.port) != (server.host, server.port):  # pragma: no cover - defence in depth
        raise ValueError(f"refusing to send {forward.target!r} anywhere but {server.origin}")
    request = client.build_request(
        forward.method,
        url,
        headers=list(forward.headers),
        content=forward.body or None,
        timeout=timeout(),
    )
    return client.send(request, stream=True)


def read_small(upstream: httpx.Response) -> bytes | None:
    """The whole body of a small answer, read now (its connection goes back to the pool), or
    None: relay a larger one block by block."""
    length = upstream.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > READ_WHOLE_BYTES:
        return None
    try:
        return b"".join(upstream.iter_raw())
    finally:
        upstream.close()


def relay_blocks(upstream: httpx.Response) -> Iterator[bytes]:
    """The dev server's body in blocks, closed at the end; a break logged, not raised."""
    try:
        yield from upstream.iter_raw(BLOCK_SIZE)
    except httpx.HTTPError as exc:  # headers are sent: all we can do is stop and say why
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        upstream.close()


async def relay_blocks_async(upstream: httpx.Response) -> AsyncGenerator[bytes, None]:
    """``relay_blocks`` for an event loop: each read in a thread."""
    blocks = upstream.iter_raw(BLOCK_SIZE)
    try:
        while (block := await asyncio.to_thread(next, blocks, None)) is not None:
            yield block
    except httpx.HTTPError as exc:
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        await asyncio.to_thread(upstream.close)
