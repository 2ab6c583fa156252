"""``DevProxyMiddleware``: in development, Django's origin serves the dev server's paths.

Put it right after SecurityMiddleware. With DEBUG (and DEV_MODE) on and a live dev server, a
request under the dev base (``STATIC_URL``: ``/static/@vite/client``, ``/static/src/...``) is
streamed to and from the dev server; what the dev server does not have (404) goes on to the rest
of Django (staticfiles, whitenoise). With DEBUG off it does nothing.

What it refuses, before any contact with the dev server: a Host that ALLOWED_HOSTS refuses (DNS
rebinding), a path with ``..``, ``.``, empty segments, backslashes, ``#`` or control characters
(also percent-encoded), a query with bytes a browser would have encoded, a header value with a
line break, a body over 1 MiB. It never forwards Cookie, Authorization or X-Forwarded-*/Forwarded
(so a page cannot make the dev server act on Django's session, nor spoof its client), and the
dev server's Set-Cookie never reaches the browser. It keeps Origin, so Vite's own checks apply.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import quote, urlsplit

import httpx
from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponseBase

from django_duet.conf import Settings
from django_duet.dev.server import (
    dev_enabled,
    dev_server_gone,
    frontend_for_path,
    proxied_dev_server,
)
from django_duet.dev.upstream import (
    HOP_BY_HOP,
    Forward,
    error_page,
    send,
    to_django,
    upstream_error,
)
from django_duet.exceptions import DuetError

MAX_BODY_BYTES = 1024 * 1024
DECLINED = "duet.dev_proxy_declined"  # set in the scope by duet_asgi (proxy_asgi.py)
MAX_TARGET_LENGTH = 8 * 1024
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
# Credentials stay with Django; client identity headers would be spoofable.
PRIVATE_HEADERS = frozenset({"cookie", "authorization", "forwarded", "x-real-ip", "x-client-ip"})
_BAD_PATH = re.compile(r"[\x00-\x1f\x7f\\#]")
_QUERY = re.compile(r"[!-~]*")  # printable ASCII, as a browser sends it (no space, no '#')


class Refused(DuetError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def checked_target(path: str, query: str, base: str) -> str:
    """The percent-encoded request target for the dev server, or ``Refused``.

    ``path`` is already percent-decoded (by the server): "%2e%2e" is "..", "%5c" is "\\" here.
    """
    if len(path) + len(query) > MAX_TARGET_LENGTH:
        raise Refused(414, "The URL is too long for the dev server.")
    if not path.startswith(base):
        raise Refused(400, f"The dev proxy only serves paths under {base}.")
    rest = path[len(base) :]
    segments = rest.split("/")
    if _BAD_PATH.search(rest) or any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        raise Refused(
            400,
            "The dev proxy refuses paths with '..', '.', '//', backslashes, '#' or control "
            "characters: the dev server never links to such a path.",
        )
    if "#" in query or not _QUERY.fullmatch(query):
        raise Refused(400, "The dev proxy refuses a query with spaces, '#' or non-ASCII bytes.")
    return quote(path, safe="/:@!$&'()*+,;=-._~") + (f"?{query}" if query else "")


def build_forward(request: HttpRequest, base: str) -> Forward:
    """The request for the dev server, or ``Refused`` saying why it cannot be sent."""
    target = checked_target(request.path, request.META.get("QUERY_STRING", ""), base)
    if request.method not in METHODS:
        raise Refused(405, f"The dev proxy does not forward {request.method} requests.")
    return Forward(str(request.method), target, _headers(request), _body(request))


def _headers(request: HttpRequest) -> tuple[tuple[bytes, bytes], ...]:
    # WSGI and ASGI both hand headers over decoded as latin-1: this gives the bytes back.
    return forwarded_headers(
        (name.lower().encode("latin-1"), value.encode("latin-1", "replace"))
        for name, value in request.headers.items()
    )


def forwarded_headers(
    pairs: Iterable[tuple[bytes, bytes]],
) -> tuple[tuple[bytes, bytes], ...]:
    """The request headers the dev server gets (lowercase names), or ``Refused``."""
    given = list(pairs)
    listed = {
        token.strip().lower()
        for name, value in given
        if name == b"connection"
        for token in value.decode("latin-1").split(",")
    }
    headers: list[tuple[bytes, bytes]] = []
    for name, value in given:
        lower = name.decode("latin-1")
        if lower in HOP_BY_HOP or lower in PRIVATE_HEADERS or lower in listed:
            continue
        if lower.startswith("x-forwarded-"):
            continue
        if any(c in value for c in b"\r\n\0"):
            raise Refused(400, f"The {lower} header holds a line break: the dev proxy refuses it.")
        headers.append((name, value))
    return tuple(headers)


def _body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "The Content-Length header is not a number.") from None
    if declared > MAX_BODY_BYTES:
        raise Refused(413, f"The dev proxy forwards bodies of up to {MAX_BODY_BYTES} bytes.")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, f"The dev proxy forwards bodies of up to {MAX_BODY_BYTES} bytes.")
    return body


def claims(request: HttpRequest) -> Settings | None:
    """The frontend whose dev server the request is for (None: not a dev server path).

    Checks the Host first (DisallowedHost: 400)."""
    if not dev_enabled():
        return None
    frontend = frontend_for_path(request.path)
    if frontend is None:
        return None
    request.get_host()  # DNS rebinding: a foreign Host never reaches the dev server
    return frontend


def _hands_back(request: HttpRequest, status: int) -> bool:
    # What the dev server does not have may be Django's (another app's static file).
    return status == 404 and request.method in ("GET", "HEAD")


def found_static(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """After a 404, the app's static file from the finders, as runserver would have served it
    (``duet dev`` runs ``runserver --nostatic``, so that /static/ reaches this middleware)."""
    static_path = urlsplit(str(settings.STATIC_URL)).path
    if response.status_code != 404 or not apps.is_installed("django.contrib.staticfiles"):
        return response
    from django.contrib.staticfiles.views import serve

    try:
        return serve(request, request.path[len(static_path) :], insecure=True)
    except Http404:
        return response


def _declined(request: HttpRequest) -> bool:
    # Marked by duet_asgi in the scope (ASGIRequest.scope), by duet_wsgi in the environ (META).
    scope = getattr(request, "scope", None)
    return bool(request.META.get(DECLINED) or (scope and scope.get(DECLINED)))


class DevProxyMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self, get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        frontend = claims(request)
        if frontend is None or (server := proxied_dev_server(frontend)) is None:
            return self.get_response(request)
        if _declined(request):  # duet_asgi asked the dev server already: a 404
            return found_static(request, self.get_response(request))  # type: ignore[arg-type]
        try:
            forward = build_forward(request, server.base)
        except Refused as exc:
            return error_page(exc.status, "Refused by the dev proxy", exc.detail)
        try:
            upstream = send(server, forward)
        except httpx.ConnectError:  # nothing listens: a stale hot file, as if there were none
            dev_server_gone(server, frontend)
            return self.get_response(request)
        except httpx.HTTPError as exc:
            return upstream_error(server, exc)
        if _hands_back(request, upstream.status_code):
            upstream.close()
            return found_static(request, self.get_response(request))  # type: ignore[arg-type]
        # Under ASGI the body must be an async iterator, or Django reads it whole first.
        return to_django(upstream, is_async=isinstance(request, ASGIRequest))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response  # type: ignore[assignment]
        frontend = claims(request)
        if frontend is None:
            return await get_response(request)
        if _declined(request):  # duet_asgi asked the dev server already: a 404
            return await sync_to_async(found_static)(request, await get_response(request))
        server = proxied_dev_server(frontend)  # a stat (and a small read when it changed)
        if server is None:
            return await get_response(request)
        try:
            forward = build_forward(request, server.base)
        except Refused as exc:
            return error_page(exc.status, "Refused by the dev proxy", exc.detail)
        try:
            upstream = await asyncio.to_thread(send, server, forward)
        except httpx.ConnectError:  # nothing listens: a stale hot file, as if there were none
            dev_server_gone(server, frontend)
            return await get_response(request)
        except httpx.HTTPError as exc:
            return upstream_error(server, exc)
        if _hands_back(request, upstream.status_code):
            await asyncio.to_thread(upstream.close)
            response = await get_response(request)
            return await sync_to_async(found_static)(request, response)
        return to_django(upstream, is_async=True)
