"""The dev proxy under ``duet_asgi``: module requests answered before Django's ASGI handler, on
the event loop (``upstream_async``: no thread per module). The core (``core.answer_early_async``)
decides; this module turns a scope into a ``DevRequest`` and an ``Answer`` into ASGI messages."""

from __future__ import annotations

import contextlib

from django_duet.asgi_types import Scope, Send
from django_duet.conf import Settings
from django_duet.dev import core
from django_duet.dev.answers import Pass
from django_duet.dev.server import DECLINED
from django_duet.serving.requestfacts import asgi_meta


def dev_request(scope: Scope) -> core.DevRequest:
    return core.DevRequest.from_meta(
        asgi_meta(scope),
        method=scope.get("method", "GET"),
        path=scope["path"],
        scheme=scope.get("scheme", "http"),
    )


async def proxy_dev_request(scope: Scope, send: Send, frontend: Settings) -> bool:
    """Answers a request for ``frontend``'s dev server; False leaves it to Django."""
    request = dev_request(scope)
    outcome, plan = await core.answer_early_async(request, frontend)
    if outcome is Pass.HANDED_BACK:
        scope[DECLINED] = True  # the middleware asks the finders, not the dev server again
    if isinstance(outcome, Pass):
        return False
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in outcome.headers]
    headers = plan.security.add_to(headers, request.secure)
    start = {"type": "http.response.start", "status": outcome.status, "headers": headers}
    if outcome.upstream is None:
        await send(start)
        await send({"type": "http.response.body", "body": outcome.body, "more_body": False})
        return True
    from django_duet.dev.upstream_async import relay

    reply = outcome.upstream
    try:
        await send(start)
    except BaseException:  # the browser is gone: the dev server's connection must not leak
        reply.close()
        raise
    async with contextlib.aclosing(relay(reply)) as blocks:
        async for block in blocks:
            await send({"type": "http.response.body", "body": block, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    return True
