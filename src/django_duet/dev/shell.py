"""The client-routes shell in development: the dev server's ``index.html``, as is.

Called by ``pages.client_routes`` with what it needs (the dev server, the HTML entry, the
request's CSP nonce): the dev layer never calls back into the pages layer.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpResponse

from django_duet.dev.answers import page, upstream_error
from django_duet.dev.responses import page_response
from django_duet.dev.server import DevServer
from django_duet.dev.upstream import Forward, UpstreamError, fetch
from django_duet.pages.html import nonce_attribute

NONCE_PLACEHOLDER = ' nonce="DUET_CSP_NONCE"'  # html.cspNonce, set by the duet() Vite plugin


def dev_shell(
    server: DevServer,
    html: str,
    nonce: str | None,
    finish: Callable[[str], str] | None = None,
) -> HttpResponse:
    """The dev server's HTML for ``html`` (index.html): it is never a template source.
    ``finish``: the caller's last touch to the HTML (the app's ``duet-base`` meta)."""
    target = server.base + quote(html, safe="/-._~")
    forward = Forward("GET", target, ((b"accept", b"text/html"),), b"")
    try:
        upstream, body = fetch(server, forward)
    except UpstreamError as exc:
        return page_response(upstream_error(server, exc))
    if upstream.status_code != 200:
        missing = page(
            502,
            "Bad gateway: the Vite dev server has no such page",
            f"{server.origin}{target} answered {upstream.status_code}. Is {html!r} in the Vite "
            "root, and is it declared in duet({ input })?",
        )
        return page_response(missing)
    text = upstream.text(body).replace(NONCE_PLACEHOLDER, nonce_attribute(nonce))
    if finish is not None:
        text = finish(text)
    return HttpResponse(text, content_type="text/html; charset=utf-8")
