"""What the dev proxy's fast paths share (``proxy_asgi`` under duet_asgi, ``proxy_wsgi`` under
``duet dev``'s runserver): when they may answer before Django, and the exchange itself.

A module request through Django pays for the whole handler (request object, signals, the
middleware chain; under ASGI a thread hop per sync step) before ``DevProxyMiddleware`` forwards
it, and a page loads a hundred modules. The fast paths apply the middleware's rules to the
raw request and answer a GET or HEAD themselves; everything else goes to Django unchanged:
other methods, a request with a body, a foreign Host, a stopped dev server, a 404 (maybe
another app's static file: the middleware then asks the finders, without asking the dev
server again), and every setup where a middleware other than SecurityMiddleware comes before
the proxy (its effect could differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from django_duet import caches
from django_duet.conf import Settings
from django_duet.dev.proxy import Refused, checked_target, forwarded_headers
from django_duet.dev.server import DevServer, proxied_dev_server
from django_duet.dev.upstream import Forward, send
from django_duet.serving.requestfacts import SECURITY_MIDDLEWARE as SECURITY
from django_duet.serving.requestfacts import security_headers

PROXY = "django_duet.proxy.DevProxyMiddleware"
READ_WHOLE_BYTES = 256 * 1024  # answers up to this size are read in the sending thread


@dataclass(frozen=True)
class Plan:
    ssl_redirect: bool
    hsts: str | None
    headers: list[tuple[bytes, bytes]]  # SecurityMiddleware's, added to every answer

    def security(self, secure: bool) -> list[tuple[bytes, bytes]]:
        if self.hsts and secure:
            return [*self.headers, (b"strict-transport-security", self.hsts.encode())]
        return list(self.headers)


_plan: Plan | None = None
_planned = False


@caches.register
def clear_cache() -> None:
    """Called on ``setting_changed`` (apps.py)."""
    global _plan, _planned
    _plan, _planned = None, False


def current_plan() -> Plan | None:
    """None when the fast paths must leave every request to Django."""
    global _plan, _planned
    if not _planned:
        _plan, _planned = _make_plan(), True
    return _plan


def _make_plan() -> Plan | None:
    middleware = list(settings.MIDDLEWARE)
    if PROXY not in middleware:
        return None
    before = middleware[: middleware.index(PROXY)]
    if not set(before) <= {SECURITY}:
        return None  # e.g. a middleware that may answer or change the request first
    if SECURITY not in before:
        return Plan(False, None, [])
    found = security_headers()
    return Plan(found.ssl_redirect, found.hsts, list(found.headers))


def host_allowed(host: str) -> bool:
    """ALLOWED_HOSTS as ``HttpRequest.get_host`` applies it (DEBUG adds the local names)."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


@dataclass(frozen=True)
class Request:
    """The parts of a request the fast paths look at, from a scope or an environ."""

    method: str
    path: str  # percent-decoded, as Django's request.path
    query: str
    host: str
    secure: bool
    headers: list[tuple[bytes, bytes]]  # lowercase names
    has_body: bool


def prepare(
    request: Request, frontend: Settings, plan: Plan
) -> tuple[DevServer, Forward] | Refused | None:
    """The exchange to make, a refusal to answer, or None: leave the request to Django."""
    if request.method not in ("GET", "HEAD") or request.has_body:
        return None  # the middleware reads bodies, with its size limit
    if not host_allowed(request.host):
        return None  # Django's DisallowedHost answers (400) and logs it
    if plan.ssl_redirect and not request.secure:
        return None  # SecurityMiddleware redirects
    server = proxied_dev_server(frontend)
    if server is None:
        return None
    try:
        target = checked_target(request.path, request.query, server.base)
        headers = forwarded_headers(request.headers)
    except Refused as exc:
        return exc
    return server, Forward(request.method, target, headers, b"")


def exchange(server: DevServer, forward: Forward) -> tuple[httpx.Response, bytes | None]:
    """Sends and, for a small answer, reads it whole (the connection goes back to the pool).

    ``None`` as the body: read it from the response (and close it) block by block."""
    upstream = send(server, forward)
    length = upstream.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= READ_WHOLE_BYTES:
        try:
            return upstream, b"".join(upstream.iter_raw())
        finally:
            upstream.close()
    return upstream, None


def header_bytes(pairs: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]
