"""A public file at its scope in development: the dev server's copy of ``public/<name>``.

Called by ``serving.public_files`` with the dev server, the file's name and the headers its
production answer carries (no-cache, ``Service-Worker-Allowed``), so that the URL and the headers
are the same in both. The request's cookies and credentials never go up (as through the proxy).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from django.http import HttpResponse

from django_duet.dev.answers import page, upstream_error
from django_duet.dev.responses import page_response
from django_duet.dev.server import DevServer
from django_duet.dev.upstream import Forward, UpstreamError, fetch

MAX_BYTES = 16 * 1024 * 1024  # a worker or an icon; anything bigger is not what this is for


def dev_public_file(
    server: DevServer, name: str, headers: Sequence[tuple[str, str]], head: bool
) -> HttpResponse:
    target = server.base + quote(name, safe="/-._~")
    forward = Forward("GET", target, ((b"accept", b"*/*"),), b"")
    try:
        upstream, body = fetch(server, forward, limit=MAX_BYTES)
    except UpstreamError as exc:
        return page_response(upstream_error(server, exc))
    if upstream.status_code == 200 and len(body) > MAX_BYTES:
        too_large = page(
            502,
            "Too large: the Vite dev server's public file is over 16 MiB",
            f"{server.origin}{target} is larger than a file at its scope should be (a service "
            f"worker or a manifest). DUET['PUBLIC_FILES'] lists {name!r}: serve a large file as "
            "a static asset instead.",
        )
        return page_response(too_large)
    if upstream.status_code != 200:
        missing = page(
            404 if upstream.status_code == 404 else 502,
            "Not found: the Vite dev server has no such public file",
            f"{server.origin}{target} answered {upstream.status_code}. DUET['PUBLIC_FILES'] "
            f"lists {name!r}: put it in the Vite project's public/ folder (MSW: `npx msw init "
            "public/`).",
        )
        return page_response(missing)
    response = HttpResponse(
        b"" if head else body,
        content_type=upstream.header("content-type") or "application/octet-stream",
    )
    response["Content-Length"] = str(len(body))
    for key, value in headers:
        response[key] = value
    return response
