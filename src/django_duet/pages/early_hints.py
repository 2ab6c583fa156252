"""103 Early Hints from the ASGI server, made from the ``Link`` header of earlier answers.

A page's ``Link`` header (``pages.links``) is only known once Django has rendered the page: too
late for a 103, whose point is to start the browser's fetches while Django still works. CDNs
solve it by remembering the ``Link`` header of a URL's last answer and sending it as a 103 to
the next visitor; ``EarlyHints`` does the same in the ASGI server, wrapped around the
application::

    application = EarlyHints(duet_asgi(get_asgi_application()))

It sends a hint only when the server advertises ASGI's ``http.response.early_hint`` extension
(uvicorn 0.55 over HTTP/2 with ``--http zttp --http2``, hypercorn), for GET navigations, and
never a nonce: a hint is made from another request's answer (the values lose their ``nonce``;
the 103 carries no policy, and the page's own tags carry the request's nonce).
"""

from __future__ import annotations

import re
from collections import OrderedDict

from django_duet.asgi_types import InnerApp, Message, Receive, Scope, Send

EXTENSION = "http.response.early_hint"
MAX_PAGES = 1024  # pages remembered; past it, the least recently answered go
_NONCE = re.compile(rb';\s*nonce="(?:[^"\\]|\\.)*"')


def hint_links(headers: list[tuple[bytes, bytes]]) -> list[bytes] | None:
    """The Link values of an answer's headers, without nonces; None for an answer that is not
    an HTML page."""
    links: list[bytes] = []
    html = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-type":
            html = value.split(b";")[0].strip().lower() == b"text/html"
        elif lowered == b"link":
            links.extend(_NONCE.sub(b"", v).strip() for v in value.split(b", ") if v.strip())
    return links if html else None


class EarlyHints:
    """ASGI middleware: a 103 with the Link values of the page's last answer, then the page."""

    def __init__(self, app: InnerApp, max_pages: int = MAX_PAGES) -> None:
        self.app = app
        self.max_pages = max_pages
        self._hints: OrderedDict[tuple[bytes, str], list[bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._wanted(scope):
            await self.app(scope, receive, send)
            return
        key = (_header(scope, b"host"), str(scope.get("path", "")))
        links = self._hints.get(key)
        if links:
            await send({"type": EXTENSION, "links": links})

        async def learn(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._learn(key, message)
            await send(message)

        await self.app(scope, receive, learn)

    @staticmethod
    def _wanted(scope: Scope) -> bool:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return False
        if EXTENSION not in (scope.get("extensions") or {}):
            return False  # the server cannot send one (HTTP/1.1, granian, gunicorn ...)
        mode = _header(scope, b"sec-fetch-mode")
        return mode in (b"", b"navigate")  # a page load, not fetch() or a subresource

    def _learn(self, key: tuple[bytes, str], message: Message) -> None:
        links = hint_links(list(message.get("headers") or []))
        if message.get("status") != 200 or links is None:
            return  # errors and redirects say nothing about the page's next answer
        if links:
            self._hints[key] = links
            self._hints.move_to_end(key)
            while len(self._hints) > self.max_pages:
                self._hints.popitem(last=False)
        else:
            self._hints.pop(key, None)  # the page needs nothing first any more


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value)
    return b""
