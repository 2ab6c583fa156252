"""The dev proxy's one core: a request in, an ``Answer`` or a ``Pass`` ("not mine") out.

Every door to the dev server asks here: ``DevProxyMiddleware`` (``proxy``), the fast paths
before Django's handler under ASGI (``proxy_asgi``, in ``duet_asgi``) and WSGI (``proxy_wsgi``,
what ``duet dev`` runs), and the HMR WebSocket relay (``hmr``). The decisions, in order:

1. ``claim``: development mode on (DEBUG and DEV_MODE) and a path under a frontend's dev base.
2. The Host as ``HttpRequest.get_host`` checks it (``serving.requestfacts``): a foreign one gets
   a plain 400 (DNS rebinding), before any contact with the dev server.
3. A dev server named by the hot file, else not mine (Django serves the build).
4. The method, the path and query, the headers and the body (``rules``): a refusal page.
5. The exchange: a dev server gone is not mine (a stale hot file), one that hangs or breaks
   is a 504/502 page, a 404 to GET/HEAD is handed back (another app's static file, maybe),
   anything else is relayed with the headers ``rules`` lets through.

The fast paths answer a bodiless GET or HEAD only, and only when nothing but SecurityMiddleware
comes before the proxy in MIDDLEWARE (``fast_plan``): whatever else could answer or change the
request first keeps the request on Django's path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from django_duet import caches
from django_duet.conf import Settings
from django_duet.dev import rules, upstream
from django_duet.dev.answers import Answer, Pass, foreign_host, page, upstream_error
from django_duet.dev.server import (
    DevServer,
    dev_server_gone,
    proxied_dev_server,
)
from django_duet.serving import requestfacts
from django_duet.serving.requestfacts import SecurityHeaders, headers_before

if TYPE_CHECKING:  # h11: only under ASGI
    from django_duet.dev.upstream_async import AsyncReply

PROXY = "django_duet.proxy.DevProxyMiddleware"
security_logger = logging.getLogger("django.security.DisallowedHost")  # Django's own


@dataclass(frozen=True)
class DevRequest:
    """What the core reads of a request, from whichever server shape it came in."""

    method: str
    path: str  # percent-decoded, as Django's request.path
    query: str
    host: str  # as Django reads it (Host, X-Forwarded-Host, SERVER_NAME), not yet checked
    secure: bool
    headers: tuple[tuple[bytes, bytes], ...]  # lowercase names
    content_length: str | None
    chunked: bool
    read_body: Callable[[int], bytes] | None = None  # None: no body can be read here

    @classmethod
    def from_meta(
        cls,
        meta: Mapping[str, Any],
        *,
        method: str,
        path: str,
        scheme: str,
        read_body: Callable[[int], bytes] | None = None,
    ) -> DevRequest:
        """From ``META``: a WSGI environ, ``HttpRequest.META``, ``requestfacts.asgi_meta``."""
        secure = requestfacts.is_secure(meta, scheme)
        return cls(
            method=method.upper(),
            path=path,
            query=str(meta.get("QUERY_STRING", "")),
            host=requestfacts.raw_host(meta, secure),
            secure=secure,
            headers=tuple(rules.meta_headers(meta)),
            content_length=meta.get("CONTENT_LENGTH"),
            chunked="HTTP_TRANSFER_ENCODING" in meta,
            read_body=read_body,
        )

    @property
    def has_body(self) -> bool:
        return self.chunked or (self.content_length or "0").strip() not in ("", "0")


def host_refusal(request: DevRequest) -> Answer[Any] | None:
    """A plain 400 for a Host that ALLOWED_HOSTS refuses, logged as Django logs it."""
    if requestfacts.host_allowed(request.host):
        return None
    security_logger.error("Invalid HTTP_HOST header: %r (a dev server path).", request.host)
    return foreign_host(request.host)


def answer(
    request: DevRequest, frontend: Settings, *, read_small: bool = False
) -> Answer[upstream.Reply] | Pass:
    """The dev proxy's answer to ``request`` for ``frontend`` (blocking: sends, maybe reads).

    ``read_small``: a small answer comes back read whole, its connection already pooled."""
    if (refusal := host_refusal(request)) is not None:
        return refusal
    return _answer(request, frontend, read_small=read_small)


def _answer(
    request: DevRequest, frontend: Settings, *, read_small: bool
) -> Answer[upstream.Reply] | Pass:
    """``answer`` for a request whose Host was checked."""
    prepared = _prepared(request, frontend)
    if not isinstance(prepared, tuple):
        return prepared
    server, forward = prepared
    try:
        response = upstream.send(server, forward)
    except rules.Refused as exc:  # a header h11 will not write
        return page(exc.status, "Refused by the dev proxy", exc.detail)
    except upstream.UpstreamError as exc:
        return _failed(server, frontend, exc)
    if _handed_back(request, response.status_code):
        upstream.discard(response)
        return Pass.HANDED_BACK
    headers = rules.returned_headers(response.headers)
    try:
        body = upstream.read_small(response) if read_small else None
    except upstream.UpstreamError as exc:  # it broke off (or hung) before its end
        return upstream_error(server, exc)
    if body is not None:
        return Answer(response.status_code, headers, body)
    return Answer(response.status_code, headers, upstream=response)


async def _answer_async(request: DevRequest, frontend: Settings) -> Answer[AsyncReply] | Pass:
    """``_answer`` on the event loop (``upstream_async``), a small answer read whole."""
    from django_duet.dev import upstream_async  # h11: only under ASGI

    prepared = _prepared(request, frontend)
    if not isinstance(prepared, tuple):
        return prepared
    server, forward = prepared
    try:
        response = await upstream_async.send(server, forward)
    except rules.Refused as exc:  # a header h11 will not write
        return page(exc.status, "Refused by the dev proxy", exc.detail)
    except upstream.UpstreamError as exc:
        return _failed(server, frontend, exc)
    if _handed_back(request, response.status_code):
        await upstream_async.discard(response)
        return Pass.HANDED_BACK
    headers = rules.returned_headers(response.headers)
    try:
        body = await upstream_async.read_small(response)
    except upstream.UpstreamError as exc:
        return upstream_error(server, exc)
    if body is not None:
        return Answer(response.status_code, headers, body)
    return Answer(response.status_code, headers, upstream=response)


def _prepared(
    request: DevRequest, frontend: Settings
) -> Answer[Any] | Pass | tuple[DevServer, upstream.Forward]:
    """Everything before the exchange (the Host checked): the dev server, the checked request."""
    server = proxied_dev_server(frontend)  # a stat (and a small read when it changed)
    if server is None:
        return Pass.NOT_MINE
    try:
        return server, _forward(request, server)
    except rules.Refused as exc:
        return page(exc.status, "Refused by the dev proxy", exc.detail)


def _failed(
    server: DevServer, frontend: Settings, exc: upstream.UpstreamError
) -> Answer[Any] | Pass:
    if isinstance(exc, upstream.UpstreamGone):  # nothing listens: a stale hot file, as if none
        dev_server_gone(server, frontend)
        return Pass.NOT_MINE
    return upstream_error(server, exc)


def _handed_back(request: DevRequest, status: int) -> bool:
    """A 404 to GET/HEAD: maybe another app's static file, which Django's finders may have."""
    return status == 404 and request.method in ("GET", "HEAD")


def _forward(request: DevRequest, server: DevServer) -> upstream.Forward:
    target = rules.checked_target(request.path, request.query, server.base)
    method = rules.checked_method(request.method)
    headers = rules.forwarded_headers(request.headers)
    body = b""
    if request.read_body is not None and rules.body_length(request.content_length):
        body = request.read_body(rules.MAX_BODY_BYTES + 1)
        if len(body) > rules.MAX_BODY_BYTES:
            raise rules.too_large()
    return upstream.Forward(method, target, headers, body)


def websocket_target(request: DevRequest, frontend: Settings) -> tuple[DevServer, str] | None:
    """Where the HMR relay connects, with the proxy's host and path rules; None: refuse."""
    if host_refusal(request) is not None:
        return None
    server = proxied_dev_server(frontend)
    if server is None:
        return None
    try:
        return server, rules.checked_target(request.path, request.query, server.base)
    except rules.Refused:
        return None


@dataclass(frozen=True)
class FastPlan:
    fast: bool  # only SecurityMiddleware before the proxy: modules may be answered first
    security: SecurityHeaders  # what SecurityMiddleware adds to the fast paths' answers


_plan: FastPlan | None = None


@caches.register
def clear_cache() -> None:
    global _plan
    _plan = None


def fast_plan() -> FastPlan:
    global _plan
    if _plan is None:
        _plan = _make_plan()
    return _plan


def _make_plan() -> FastPlan:
    middleware = list(settings.MIDDLEWARE)
    if PROXY in middleware:
        before = headers_before(middleware, middleware.index(PROXY), set())
        if before is not None:
            return FastPlan(True, before)
    if requestfacts.SECURITY_MIDDLEWARE in middleware:
        return FastPlan(False, requestfacts.security_headers())
    return FastPlan(False, requestfacts.NO_SECURITY_HEADERS)


def answer_early(
    request: DevRequest, frontend: Settings
) -> tuple[Answer[upstream.Reply] | Pass, FastPlan]:
    """The fast paths' answer, made before Django's handler (blocking), or a ``Pass``."""
    plan, early = _early(request)
    return (early if early is not None else _answer(request, frontend, read_small=True)), plan


async def answer_early_async(
    request: DevRequest, frontend: Settings
) -> tuple[Answer[AsyncReply] | Pass, FastPlan]:
    """``answer_early`` on the event loop (``proxy_asgi``)."""
    plan, early = _early(request)
    return (early if early is not None else await _answer_async(request, frontend)), plan


def _early(request: DevRequest) -> tuple[FastPlan, Answer[Any] | Pass | None]:
    """What the fast paths decide before any exchange, the Host checked first (None: go on to
    the dev server)."""
    plan = fast_plan()
    if (refusal := host_refusal(request)) is not None:
        return plan, refusal  # whatever the plan: Django's own 400 would list the settings
    if not plan.fast or request.method not in ("GET", "HEAD") or request.has_body:
        return plan, Pass.NOT_MINE  # the middleware reads bodies, with its size limit
    if plan.security.ssl_redirect and not request.secure:
        return plan, Pass.NOT_MINE  # SecurityMiddleware redirects
    return plan, None
