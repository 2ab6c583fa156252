"""The dev proxy under ``duet_asgi``: module requests answered before Django's ASGI handler.

Under uvicorn, a request that goes through Django pays for its ASGI handler (the request
object, the request_started/finished signals and every sync step run through
``sync_to_async``: a thread hop each) before ``DevProxyMiddleware`` forwards it, and the
middleware's own blocking work (send, read, close) takes more hops. A page loads a hundred
modules. Here a GET or HEAD for a dev server path is forwarded with one thread hop for the
whole exchange when the answer is small (every module), streamed block by block otherwise.

The rules are ``DevProxyMiddleware``'s, applied to the scope: the Host checked against
ALLOWED_HOSTS, the path and query checked (``checked_target``), credentials and X-Forwarded-*
never forwarded, the dev server's hop-by-hop headers and Set-Cookie never passed back;
SecurityMiddleware's headers added as it would. What this path does not take goes to Django
unchanged (and so to the middleware): other methods, a request with a body, a foreign Host,
a stopped dev server, a 404 that may be another app's static file, and every setup where a
middleware other than SecurityMiddleware comes before the proxy (its effect could differ).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.http import HttpResponseBase

from .conf import Settings
from .devserver import DevServer, dev_server_gone, proxied_dev_server
from .proxy import DECLINED, Refused, checked_target, forwarded_headers
from .static_asgi import SECURITY, security_headers
from .upstream import BLOCK_SIZE, Forward, error_page, response_headers, send, upstream_error

logger = logging.getLogger("django_duet.proxy")

Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

PROXY = "django_duet.proxy.DevProxyMiddleware"
READ_WHOLE_BYTES = 256 * 1024  # answers up to this size are read in the sending thread


@dataclass(frozen=True)
class _Plan:
    ssl_redirect: bool
    hsts: str | None
    headers: list[tuple[bytes, bytes]]


_plan: _Plan | None = None
_planned = False


def clear_cache() -> None:
    """Called on ``setting_changed`` (apps.py)."""
    global _plan, _planned
    _plan, _planned = None, False


def _current_plan() -> _Plan | None:
    global _plan, _planned
    if not _planned:
        _plan, _planned = _make_plan(), True
    return _plan


def _make_plan() -> _Plan | None:
    middleware = list(settings.MIDDLEWARE)
    if PROXY not in middleware:
        return None
    before = middleware[: middleware.index(PROXY)]
    if not set(before) <= {SECURITY}:
        return None  # e.g. a middleware that may answer or change the request first
    if SECURITY not in before:
        return _Plan(False, None, [])
    return _Plan(*security_headers())


def _takes(scope: Scope) -> bool:
    if scope["method"] not in ("GET", "HEAD"):
        return False
    for name, value in scope.get("headers") or ():
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return False  # a body: the middleware reads it, with its size limit
    return True


async def proxy_dev_request(
    scope: Scope,
    send_message: Send,
    frontend: Settings,
    host_allowed: Callable[[Scope], bool],
) -> bool:
    """Answers a request for ``frontend``'s dev server; False leaves it to Django."""
    plan = _current_plan()
    if plan is None or not _takes(scope) or not host_allowed(scope):
        return False  # a foreign Host: Django's DisallowedHost answers (400) and logs it
    if plan.ssl_redirect and scope.get("scheme") != "https":
        return False  # SecurityMiddleware redirects
    server = proxied_dev_server(frontend)
    if server is None:
        return False
    try:
        query = scope.get("query_string", b"").decode("latin-1")
        target = checked_target(scope["path"], query, server.base)
        headers = forwarded_headers(scope.get("headers") or ())
    except Refused as exc:
        refusal = error_page(exc.status, "Refused by the dev proxy", exc.detail)
        await _send_django(send_message, refusal, plan)
        return True
    forward = Forward(scope["method"], target, headers, b"")
    try:
        upstream, body = await asyncio.to_thread(_exchange, server, forward)
    except httpx.ConnectError:  # nothing listens: a stale hot file, as if there were none
        dev_server_gone(server, frontend)
        return False
    except httpx.HTTPError as exc:
        await _send_django(send_message, upstream_error(server, exc), plan)
        return True
    if upstream.status_code == 404:  # maybe another app's static file: the finders decide
        if body is None:
            await asyncio.to_thread(upstream.close)
        scope[DECLINED] = True
        return False
    await _answer(send_message, upstream, body, plan, scope)
    return True


def _exchange(server: DevServer, forward: Forward) -> tuple[httpx.Response, bytes | None]:
    """Sends and, for a small answer, reads it whole: one thread hop for a module."""
    upstream = send(server, forward)
    length = upstream.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= READ_WHOLE_BYTES:
        try:
            return upstream, b"".join(upstream.iter_raw())
        finally:
            upstream.close()
    return upstream, None


def _security(plan: _Plan, scope: Scope) -> list[tuple[bytes, bytes]]:
    headers = list(plan.headers)
    if plan.hsts and scope.get("scheme") == "https":
        headers.append((b"strict-transport-security", plan.hsts.encode()))
    return headers


async def _answer(
    send_message: Send,
    upstream: httpx.Response,
    body: bytes | None,
    plan: _Plan,
    scope: Scope,
) -> None:
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response_headers(upstream).items()
    ]
    headers += _security(plan, scope)
    await send_message(
        {"type": "http.response.start", "status": upstream.status_code, "headers": headers}
    )
    if body is not None:
        await send_message({"type": "http.response.body", "body": body, "more_body": False})
        return
    blocks = upstream.iter_raw(BLOCK_SIZE)
    try:
        while (block := await asyncio.to_thread(next, blocks, None)) is not None:
            await send_message({"type": "http.response.body", "body": block, "more_body": True})
    except httpx.HTTPError as exc:  # headers are sent: all we can do is stop and say why
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        await asyncio.to_thread(upstream.close)
    await send_message({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_django(send_message: Send, response: HttpResponseBase, plan: _Plan) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.items()]
    headers += plan.headers
    await send_message(
        {"type": "http.response.start", "status": response.status_code, "headers": headers}
    )
    content = getattr(response, "content", b"")
    await send_message({"type": "http.response.body", "body": content, "more_body": False})
