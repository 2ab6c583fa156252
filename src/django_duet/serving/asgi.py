"""Static files answered by ``duet_asgi`` itself, before Django's ASGI handler.

Django runs its middleware chain under ASGI through ``sync_to_async`` (a thread hop per sync
middleware, a few per request), which makes a static file several times slower under uvicorn
than under gunicorn. Here the wrapper answers static requests with the same file table and
rules as ``DuetStaticMiddleware``: an instance of the class named in ``MIDDLEWARE``, built at
the first request (and again after ``setting_changed``), whose
``DuetStaticFile.get_response`` gives status and headers (``serving.conditional``: 304/412,
Range, br/gzip); the body goes out in 64 KiB blocks (past the first 512 KiB read in a
thread), never the whole file in memory. Anything else goes to Django.

The fast path stays off (Django serves the file, as before) when the result could differ from
Django's: ``DuetStaticMiddleware`` not in ``MIDDLEWARE``; a middleware before it other than
``SecurityMiddleware`` (whose response headers are added here) or the dev proxy; development
mode (the dev proxy answers static paths); a plain-http request when ``SECURE_SSL_REDIRECT``
wants a redirect.

Why not ServeStatic (a whitenoise fork with native ASGI): it would be a second file table with
its own settings (``SERVESTATIC_*``) and its own responders, so our hardening (private files,
symlink escapes, immutable Vite files) would be written a second time for it and its headers
could drift from the WSGI path's; reusing the middleware's file table and its ``DuetStaticFile``
keeps them identical in about a hundred lines.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import get_script_prefix
from django.utils.module_loading import import_string

from django_duet import caches
from django_duet.dev.server import dev_enabled
from django_duet.serving.middleware import BLOCK_SIZE, DuetStaticMiddleware
from django_duet.serving.requestfacts import SecurityHeaders, asgi_meta, headers_before, is_secure

# Besides SecurityMiddleware (whose headers are added here, serving.requestfacts), the dev
# proxy may sit before DuetStaticMiddleware: it only acts in development mode.
DEV_PROXY = "django_duet.proxy.DevProxyMiddleware"
# The first blocks of an answer are read on the event loop (a page-cache read of 64 KiB takes
# microseconds, like the open() and stat() whitenoise already does there); only the rest of a
# large file goes to a thread. A thread hop costs up to the GIL switch interval while the loop
# is busy: reading every block in a thread halved the small-file rate (docs/benchmarks.md).
INLINE_BYTES = 512 * 1024


@dataclass
class _Table:
    server: Any  # a DuetStaticMiddleware (whitenoise): files, find_file, autorefresh
    security: SecurityHeaders  # SecurityMiddleware's, when it comes before


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
    security = headers_before(middleware, index, {DEV_PROXY})
    return None if security is None else _Table(cls(get_response=None), security)


async def _current() -> _Table | None:
    global _table, _built
    if not _built:
        # Scanning STATIC_ROOT touches the disk: not on the event loop.
        table = await asyncio.to_thread(_build)
        _table, _built = table, True
    return _table


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
    meta = asgi_meta(scope)
    secure = is_secure(meta, scope.get("scheme", "http"))
    if table.security.ssl_redirect and not secure:
        return False  # SecurityMiddleware redirects (or serves an exempt path)
    response = static_file.get_response(scope["method"].upper(), meta)
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers = table.security.add_to(headers, secure)
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
