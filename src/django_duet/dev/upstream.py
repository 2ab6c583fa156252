"""HTTP to the dev server: one pooled client, requests that can only reach it, error pages.

The client ignores proxy environment variables (``trust_env=False``) and never follows
redirects: a request it sends goes to the dev server's loopback address and nowhere else.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.html import format_html

from django_duet.conf import conf
from django_duet.dev.server import DevServer
from django_duet.pages.render import csp_nonce

try:
    import httpx
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError(
        "The dev proxy needs httpx: pip install 'django-duet[devserver]' (or httpx)."
    ) from exc

logger = logging.getLogger("django_duet.proxy")

BLOCK_SIZE = 64 * 1024
CONNECT_TIMEOUT = 2.0
# Hop-by-hop headers (RFC 9110 7.6.1) and those that describe the connection, not the message.
HOP_BY_HOP = frozenset(
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    ]
)
NONCE_PLACEHOLDER = ' nonce="DUET_CSP_NONCE"'  # html.cspNonce, set by the duet() Vite plugin

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


class ProxiedResponse(StreamingHttpResponse):
    """The dev server's answer, streamed; closing it returns the connection to the pool."""

    def __init__(self, upstream: httpx.Response, content: Any, **kwargs: Any) -> None:
        super().__init__(content, status=upstream.status_code, **kwargs)
        self._upstream = upstream

    def close(self) -> None:
        try:
            self._upstream.close()
        finally:
            super().close()


def response_headers(upstream: httpx.Response) -> dict[str, str]:
    connection = {
        token.strip().lower() for token in upstream.headers.get("connection", "").split(",")
    }
    headers: dict[str, str] = {}
    for name, value in upstream.headers.multi_items():
        lower = name.lower()
        # No Set-Cookie: the dev server has no say over the cookies of Django's origin.
        if lower in HOP_BY_HOP or lower in connection or lower == "set-cookie":
            continue
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    length = upstream.headers.get("content-length")
    if length is not None:  # the raw (still encoded) body is streamed as is: same length
        headers["Content-Length"] = length
    return headers


def to_django(upstream: httpx.Response, *, is_async: bool) -> ProxiedResponse:
    body = _read_async(upstream) if is_async else relay_blocks(upstream)
    response = ProxiedResponse(upstream, body)
    del response["Content-Type"]  # Django's default: only the dev server's own is wanted
    for name, value in response_headers(upstream).items():
        response[name] = value
    return response


def relay_blocks(upstream: httpx.Response) -> Iterator[bytes]:
    """The dev server's body in blocks, closed at the end; a break logged, not raised."""
    try:
        yield from upstream.iter_raw(BLOCK_SIZE)
    except httpx.HTTPError as exc:  # headers are sent: all we can do is stop and say why
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        upstream.close()


async def _read_async(upstream: httpx.Response) -> AsyncIterator[bytes]:
    blocks = upstream.iter_raw(BLOCK_SIZE)
    try:
        while (block := await asyncio.to_thread(next, blocks, None)) is not None:
            yield block
    except httpx.HTTPError as exc:
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        await asyncio.to_thread(upstream.close)


def error_page(status: int, title: str, detail: str) -> HttpResponse:
    html = format_html(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{}</title></head>'
        "<body><h1>{}</h1><p>{}</p></body></html>\n",
        title,
        title,
        detail,
    )
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def upstream_error(server: DevServer, exc: Exception) -> HttpResponse:
    """A 502 or 504 page for a dev server that is down, hung, or not speaking HTTP."""
    if isinstance(exc, httpx.TimeoutException):
        return error_page(
            504,
            "Gateway timeout: the Vite dev server did not answer",
            f"Nothing came back from {server.origin} within {conf.DEV_PROXY_TIMEOUT:g} s. It may "
            "be busy (its first dependency optimisation can take a while) or hung: look at its "
            "output in the `manage.py duet dev` terminal and restart it, or raise "
            "DUET['DEV_PROXY_TIMEOUT'].",
        )
    if isinstance(exc, httpx.ConnectError):
        return error_page(
            502,
            "Bad gateway: the Vite dev server stopped",
            f"Nothing listens at {server.origin} any more. Restart it with `python manage.py "
            "duet dev`.",
        )
    return error_page(
        502,
        "Bad gateway: the Vite dev server sent an invalid answer",
        f"{server.origin} answered something that is not valid HTTP ({exc}). Is another program "
        "listening on that port? Stop it, or give Vite another port "
        "(`python manage.py duet dev --vite-port 5174`).",
    )


def dev_shell(request: HttpRequest, server: DevServer, html: str) -> HttpResponse:
    """The dev server's HTML for ``html`` (index.html), as is: it is never a template source."""
    target = server.base + quote(html, safe="/-._~")
    forward = Forward("GET", target, ((b"accept", b"text/html"),), b"")
    try:
        upstream = send(server, forward)
        try:
            upstream.read()
        finally:
            upstream.close()
    except httpx.HTTPError as exc:
        return upstream_error(server, exc)
    if upstream.status_code != 200:
        return error_page(
            502,
            "Bad gateway: the Vite dev server has no such page",
            f"{server.origin}{target} answered {upstream.status_code}. Is {html!r} in the Vite "
            "root, and is it declared in duet({{ input }})?",
        )
    nonce = csp_nonce(request)
    text = upstream.text.replace(
        NONCE_PLACEHOLDER, format_html(' nonce="{}"', nonce) if nonce else ""
    )
    return HttpResponse(text, content_type="text/html; charset=utf-8")
