"""The dev server's HMR WebSocket relayed through Django's origin under ``duet_asgi``.

Django itself cannot speak WebSocket. In development this wrapper relays the dev server's HMR
socket (``ws://<Django's host>/static/?token=...``, subprotocol ``vite-hmr``) to the dev server,
so the browser needs no second port (start with ``manage.py duet dev --asgi``, which tells the
Vite plugin to point its client at Django's origin). The proxy's core decides, as for every
request (``core.claim``, ``core.websocket_target``): DEBUG and DEV_MODE on, a Host that
ALLOWED_HOSTS accepts (checked before any contact with the dev server), a clean path under the
dev base. Origin is passed on, so Vite's own token check still applies; cookies and credentials
are not. Everything else goes to the wrapped application unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib

from django_duet.asgi_types import Receive, Scope, Send
from django_duet.conf import Settings
from django_duet.dev import core
from django_duet.serving.requestfacts import asgi_meta

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # an error overlay with a long stack is large
OPEN_TIMEOUT = 5.0


async def _refuse(receive: Receive, send: Send, code: int = 1008) -> None:
    # Closing before accepting makes the server answer the handshake with 403.
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": code})


async def relay_hmr(scope: Scope, receive: Receive, send: Send, frontend: Settings) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake
    from websockets.typing import Origin

    meta = asgi_meta(scope)
    request = core.DevRequest.from_meta(
        meta, method="GET", path=scope["path"], scheme=scope.get("scheme", "ws")
    )
    found = await asyncio.to_thread(core.websocket_target, request, frontend)
    if found is None:
        await _refuse(receive, send)
        return
    server, target = found
    origin = Origin(meta["HTTP_ORIGIN"]) if meta.get("HTTP_ORIGIN") else None
    host = f"[{server.host}]" if ":" in server.host else server.host
    try:
        upstream = await connect(
            f"ws://{host}:{server.port}{target}",
            origin=origin,  # kept: Vite checks its token when present
            subprotocols=list(scope.get("subprotocols") or []),
            proxy=None,  # never through an HTTP proxy from the environment
            open_timeout=OPEN_TIMEOUT,
            max_size=MAX_MESSAGE_BYTES,
            compression=None,
            user_agent_header=None,
        )
    except (OSError, InvalidHandshake, TimeoutError):
        await _refuse(receive, send)  # the dev server said no (or is gone): so do we
        return
    async with upstream:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept", "subprotocol": upstream.subprotocol})

        async def downstream_to_upstream() -> None:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = (
                    message.get("text") if message.get("text") is not None else message.get("bytes")
                )
                if data is not None:
                    await upstream.send(data)

        async def upstream_to_downstream() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for data in upstream:
                    key = "text" if isinstance(data, str) else "bytes"
                    await send({"type": "websocket.send", key: data})
            code = upstream.close_code or 1000
            with contextlib.suppress(OSError, RuntimeError):  # the browser may be gone already
                await send({"type": "websocket.close", "code": code})

        tasks = [
            asyncio.ensure_future(downstream_to_upstream()),
            asyncio.ensure_future(upstream_to_downstream()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
