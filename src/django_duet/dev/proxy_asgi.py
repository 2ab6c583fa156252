"""The dev proxy under ``duet_asgi``: module requests answered before Django's ASGI handler,
one thread hop for a whole small exchange (``proxy_fast`` says when, and the rules)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
from django.http import HttpResponseBase

from django_duet.conf import Settings
from django_duet.dev.proxy import DECLINED, Refused
from django_duet.dev.proxy_fast import Plan, Request, current_plan, exchange, header_bytes, prepare
from django_duet.dev.server import dev_server_gone
from django_duet.dev.upstream import BLOCK_SIZE, error_page, response_headers, upstream_error

logger = logging.getLogger("django_duet.proxy")

Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _request(scope: Scope) -> Request:
    headers = list(scope.get("headers") or ())
    hosts = [v for k, v in headers if k == b"host"]
    # Two Host headers: none is trusted (Django joins them, and refuses the result).
    host = hosts[0].decode("latin-1") if len(hosts) == 1 else ""
    has_body = any(
        k == b"transfer-encoding" or (k == b"content-length" and v.strip() != b"0")
        for k, v in headers
    )
    return Request(
        method=scope["method"],
        path=scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        host=host,
        secure=scope.get("scheme") == "https",
        headers=headers,
        has_body=has_body,
    )


async def proxy_dev_request(scope: Scope, send_message: Send, frontend: Settings) -> bool:
    """Answers a request for ``frontend``'s dev server; False leaves it to Django."""
    plan = current_plan()
    if plan is None:
        return False
    request = _request(scope)
    prepared = prepare(request, frontend, plan)
    if prepared is None:
        return False
    if isinstance(prepared, Refused):
        refusal = error_page(prepared.status, "Refused by the dev proxy", prepared.detail)
        await _send_django(send_message, refusal, plan, request.secure)
        return True
    server, forward = prepared
    try:
        upstream, body = await asyncio.to_thread(exchange, server, forward)
    except httpx.ConnectError:  # nothing listens: a stale hot file, as if there were none
        dev_server_gone(server, frontend)
        return False
    except httpx.HTTPError as exc:
        await _send_django(send_message, upstream_error(server, exc), plan, request.secure)
        return True
    if upstream.status_code == 404:
        if body is None:
            await asyncio.to_thread(upstream.close)
        scope[DECLINED] = True  # the middleware asks the finders, not the dev server again
        return False
    headers = header_bytes(response_headers(upstream).items()) + plan.security(request.secure)
    start = {"type": "http.response.start", "status": upstream.status_code, "headers": headers}
    await send_message(start)
    if body is not None:
        await send_message({"type": "http.response.body", "body": body, "more_body": False})
    else:
        await _stream(send_message, upstream)
    return True


async def _stream(send_message: Send, upstream: httpx.Response) -> None:
    blocks = upstream.iter_raw(BLOCK_SIZE)
    try:
        while (block := await asyncio.to_thread(next, blocks, None)) is not None:
            await send_message({"type": "http.response.body", "body": block, "more_body": True})
    except httpx.HTTPError as exc:  # headers are sent: all we can do is stop and say why
        logger.warning("The dev server's answer broke off: %s", exc)
    finally:
        await asyncio.to_thread(upstream.close)
    await send_message({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_django(
    send_message: Send, response: HttpResponseBase, plan: Plan, secure: bool
) -> None:
    headers = header_bytes(response.items()) + plan.security(secure)
    await send_message(
        {"type": "http.response.start", "status": response.status_code, "headers": headers}
    )
    content = getattr(response, "content", b"")
    await send_message({"type": "http.response.body", "body": content, "more_body": False})
