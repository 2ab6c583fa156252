"""What Django would decide about a request it has not seen, and what SecurityMiddleware adds.

Answers made before Django's handler (``duet_asgi``'s static files, the dev proxy's fast paths
under ASGI and ``duet dev``'s WSGI server) must behave as if Django had made them: the host it
would accept (``HttpRequest.get_host``: ALLOWED_HOSTS, DEBUG's local names,
USE_X_FORWARDED_HOST), the scheme (``SECURE_PROXY_SSL_HEADER``) and SecurityMiddleware's
response headers. They are read here once, from a ``META`` mapping (a WSGI environ is one;
``asgi_meta`` builds it from a scope as ``ASGIRequest`` does), and the dev proxy middleware
applies the same host rule, so the three doors and the static path cannot drift apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host

SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]  # HttpRequest.get_host's, with DEBUG on
Meta = Mapping[str, Any]


def asgi_meta(scope: Mapping[str, Any]) -> dict[str, str]:
    """The parts of ``ASGIRequest.META`` read here and by whitenoise, from an ASGI scope."""
    server = scope.get("server")
    meta = {
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]) if server else "unknown",
        "SERVER_PORT": str(server[1]) if server else "0",
    }
    headers: defaultdict[str, list[str]] = defaultdict(list)
    for raw_name, raw_value in scope.get("headers") or ():
        name = raw_name.decode("latin-1")
        if "_" in name:  # as Django: no spoofing through underscores
            continue
        if name in ("content-length", "content-type"):
            key = name.upper().replace("-", "_")
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        headers[key].append(raw_value.decode("latin-1"))
    meta.update((key, ",".join(values)) for key, values in headers.items())
    return meta


def is_secure(meta: Meta, scheme: str) -> bool:
    """``HttpRequest.is_secure``: SECURE_PROXY_SSL_HEADER when the proxy sent it, else the
    server's own scheme ("https"; "wss" for a WebSocket)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = meta.get(header)
        if value is not None:
            return bool(str(value).split(",", 1)[0].strip() == secure_value)
    return scheme in ("https", "wss")


def raw_host(meta: Meta, secure: bool) -> str:
    """The host Django reads (``HttpRequest._get_raw_host``), not yet checked."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        return str(meta["HTTP_X_FORWARDED_HOST"])
    if "HTTP_HOST" in meta:
        return str(meta["HTTP_HOST"])
    host, port = str(meta.get("SERVER_NAME", "")), str(meta.get("SERVER_PORT", ""))
    return host if port == ("443" if secure else "80") else f"{host}:{port}"


def host_allowed(host: str) -> bool:
    """Whether ``HttpRequest.get_host`` accepts ``host`` (else it raises DisallowedHost)."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = DEBUG_HOSTS
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


@dataclass(frozen=True)
class SecurityHeaders:
    """What SecurityMiddleware does to a request and its answer, read from the settings."""

    ssl_redirect: bool  # a plain-http request gets a redirect (left to Django)
    hsts: str | None  # Strict-Transport-Security, on secure answers only
    headers: tuple[tuple[bytes, bytes], ...] = ()  # lowercase names

    def add_to(self, headers: list[tuple[bytes, bytes]], secure: bool) -> list[tuple[bytes, bytes]]:
        """``headers`` with SecurityMiddleware's added, as it does: never over the answer's own."""
        present = {name for name, _ in headers}
        extra = [*self.headers]
        if self.hsts and secure:
            extra.append((b"strict-transport-security", self.hsts.encode("latin-1")))
        return headers + [(name, value) for name, value in extra if name not in present]


NO_SECURITY_HEADERS = SecurityHeaders(ssl_redirect=False, hsts=None)


def security_headers() -> SecurityHeaders:
    """SecurityMiddleware's effect with the current settings (its ``process_response``)."""
    hsts = None
    if settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        hsts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
        hsts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
    policy = settings.SECURE_REFERRER_POLICY
    if isinstance(policy, str):
        policy = ",".join(v.strip() for v in policy.split(","))
    elif policy:
        policy = ",".join(policy)
    pairs = [
        ("x-content-type-options", "nosniff" if settings.SECURE_CONTENT_TYPE_NOSNIFF else ""),
        ("referrer-policy", policy or ""),
        ("cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or ""),
    ]
    headers = tuple((k.encode(), v.encode("latin-1")) for k, v in pairs if v)
    return SecurityHeaders(bool(settings.SECURE_SSL_REDIRECT), hsts, headers)


def headers_before(
    middleware: list[str], index: int, transparent: set[str]
) -> SecurityHeaders | None:
    """For an answer made in place of ``middleware[index]``: the headers of what runs before it
    (SecurityMiddleware's, or none), or None when something else before it might change the
    request or answer it (then only Django may answer)."""
    before = set(middleware[:index])
    if not before <= transparent | {SECURITY_MIDDLEWARE}:
        return None
    return security_headers() if SECURITY_MIDDLEWARE in before else NO_SECURITY_HEADERS
