"""Static files answered by ``duet_asgi`` itself, before Django's ASGI handler.

Django runs its middleware chain under ASGI through ``sync_to_async`` (a thread hop per sync
middleware, a few per request), which makes a static file several times slower under uvicorn
than under gunicorn. Here the wrapper answers static requests with the same file table and
rules as ``DuetStaticMiddleware``: an instance of the class named in ``MIDDLEWARE``, built at
the first request (and again after ``setting_changed``), whose ``StaticFile.get_response``
gives status and headers (304, Range, br/gzip, Cache-Control); the body goes out in 64 KiB
blocks (past the first 512 KiB read in a thread), never the whole file in memory. Anything
else goes to Django.

The fast path stays off (Django serves the file, as before) when the result could differ from
Django's: ``DuetStaticMiddleware`` not in ``MIDDLEWARE``; a middleware before it other than
``SecurityMiddleware`` (whose response headers are added here) or the dev proxy; development
mode (the dev proxy answers static paths); a plain-http request when ``SECURE_SSL_REDIRECT``
wants a redirect.

Why not ServeStatic (a whitenoise fork with native ASGI): it would be a second file table with
its own settings (``SERVESTATIC_*``) and its own responders, so our hardening (private files,
symlink escapes, immutable Vite files) would be written a second time for it and its headers
could drift from the WSGI path's; reusing whitenoise's ``StaticFile`` keeps them identical in
about a hundred lines.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import get_script_prefix
from django.utils.module_loading import import_string

from django_duet import caches
from django_duet.dev.server import dev_enabled
from django_duet.serving.middleware import BLOCK_SIZE, DuetStaticMiddleware

SECURITY = "django.middleware.security.SecurityMiddleware"
# Middleware that may sit before DuetStaticMiddleware without changing a static response:
# SecurityMiddleware's headers are added below; the dev proxy only acts in development mode.
# The first blocks of an answer are read on the event loop (a page-cache read of 64 KiB takes
# microseconds, like the open() and stat() whitenoise already does there); only the rest of a
# large file goes to a thread. A thread hop costs up to the GIL switch interval while the loop
# is busy: reading every block in a thread halved the small-file rate (docs/benchmarks.md).
INLINE_BYTES = 512 * 1024
_TRANSPARENT = {SECURITY, "django_duet.proxy.DevProxyMiddleware"}


@dataclass
class _Table:
    server: Any  # a DuetStaticMiddleware (whitenoise): files, find_file, autorefresh
    ssl_redirect: bool
    hsts: str | None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


_table: _Table | None = None
_built = False


@caches.register
def clear_cache() -> None:
    """Forget the file table and the plan: rebuilt at the next request (``setting_changed``)."""
    global _table, _built
    _table, _built = None, False


def _static_class(middleware: list[str]) -> tuple[type[DuetStaticMiddleware], int] | None:
    for index, name in enumerate(middleware):
        cls = import_string(name)
        if isinstance(cls, type) and issubclass(cls, DuetStaticMiddleware):
            return cls, index
    return None


def _build() -> _Table | None:
    middleware = list(settings.MIDDLEWARE)
    found = _static_class(middleware)
    if found is None or dev_enabled():
        return None
    cls, index = found
    if not set(middleware[:index]) <= _TRANSPARENT:
        return None
    table = _Table(server=cls(get_response=None), ssl_redirect=False, hsts=None)
    if SECURITY in middleware[:index]:
        table.ssl_redirect, table.hsts, table.headers = security_headers()
    return table


def security_headers() -> tuple[bool, str | None, list[tuple[bytes, bytes]]]:
    """What SecurityMiddleware would do to a response: (redirects plain http, the HSTS value
    for https, the other headers it adds), for answers made before Django."""
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
    headers = [(k.encode(), v.encode("latin-1")) for k, v in pairs if v]
    return bool(settings.SECURE_SSL_REDIRECT), hsts, headers


async def _current() -> _Table | None:
    global _table, _built
    if not _built:
        # Scanning STATIC_ROOT touches the disk: not on the event loop.
        table = await asyncio.to_thread(_build)
        _table, _built = table, True
    return _table


def _meta(scope: dict[str, Any] | Any) -> dict[str, str]:
    """Request headers as Django's ASGIRequest puts them in META (what whitenoise reads)."""
    headers: defaultdict[str, list[str]] = defaultdict(list)
    for raw_name, raw_value in scope.get("headers") or []:
        name = raw_name.decode("latin-1")
        if "_" not in name:  # as Django: no spoofing through underscores
            headers["HTTP_" + name.upper().replace("-", "_")].append(raw_value.decode("latin-1"))
    return {name: ",".join(values) for name, values in headers.items()}


def _is_secure(scope: Any, meta: dict[str, str]) -> bool:
    if settings.SECURE_PROXY_SSL_HEADER:  # as HttpRequest.scheme
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = meta.get(header)
        if value is not None:
            return bool(value.split(",", 1)[0].strip() == secure_value)
    return bool(scope.get("scheme") == "https")


async def serve_static(scope: Any, receive: Any, send: Any) -> bool:
    """Answer an HTTP request for a static file; False if Django should handle it."""
    table = await _current()
    if table is None:
        return False
    path = scope["path"]
    script_name = get_script_prefix(scope)
    path_info = path.removeprefix(script_name) if script_name else path
    server = table.server
    if server.autorefresh:  # development-like: per-request lookup on disk
        static_file = await asyncio.to_thread(server.find_file, path_info)
    else:
        static_file = server.files.get(path_info)
    if static_file is None:
        return False
    meta = _meta(scope)
    secure = _is_secure(scope, meta)
    if table.ssl_redirect and not secure:
        return False  # SecurityMiddleware redirects (or serves an exempt path)
    response = static_file.get_response(scope["method"].upper(), meta)
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if table.hsts and secure:
        headers.append((b"strict-transport-security", table.hsts.encode()))
    headers += table.headers
    await send({"type": "http.response.start", "status": int(response.status), "headers": headers})
    file = response.file
    if file is None:  # HEAD, 304, 405, 416, redirects
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True
    length = dict(response.headers).get("Content-Length")
    remaining = int(length) if length is not None else None
    try:
        sent = 0
        while True:
            if sent < INLINE_BYTES:
                block = file.read(BLOCK_SIZE)
            else:
                block = await asyncio.to_thread(file.read, BLOCK_SIZE)
            sent += len(block)
            if remaining is not None:
                remaining -= len(block)
            last = not block or (remaining is not None and remaining <= 0)
            await send({"type": "http.response.body", "body": block, "more_body": not last})
            if last:
                return True
    finally:
        file.close()
