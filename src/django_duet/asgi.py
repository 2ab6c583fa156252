"""``duet_asgi``: static files and the dev server before Django under an ASGI server.

``application = duet_asgi(get_asgi_application())`` in asgi.py.

Production: static files (``DuetStaticMiddleware``'s table and rules) are answered without
Django's middleware chain (``serving.asgi``). Development: the dev server's modules with the dev
proxy's rules (``dev.proxy_asgi``) and its HMR WebSocket (``dev.hmr``), so the browser needs no
second port. Everything else goes to the wrapped application unchanged.
"""

from __future__ import annotations

from django_duet.asgi_types import ASGIApp, InnerApp, Receive, Scope, Send
from django_duet.conf import Settings
from django_duet.dev.server import claim
from django_duet.serving.asgi import serve_static

__all__ = ["duet_asgi"]


def duet_asgi(application: InnerApp) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            frontend = claim(scope["path"])
            if frontend is not None and await _answer_in_development(
                scope, receive, send, frontend
            ):
                return
        if scope["type"] == "http" and await serve_static(scope, receive, send):
            return
        await application(scope, receive, send)

    return app


async def _answer_in_development(
    scope: Scope, receive: Receive, send: Send, frontend: Settings
) -> bool:
    # Imported here: only development needs them (and the [devserver] extra, h11, websockets).
    from django_duet.dev.hmr import relay_hmr
    from django_duet.dev.proxy_asgi import proxy_dev_request

    if scope["type"] == "websocket":
        await relay_hmr(scope, receive, send, frontend)
        return True
    return await proxy_dev_request(scope, send, frontend)
