"""Public files that must live at a scope, not under ``STATIC_URL``: a service worker (MSW's
``mockServiceWorker.js``, a PWA's ``sw.js``) controls only the pages under its own folder, and a
browser asks for ``/robots.txt`` and ``/favicon.ico`` at the root.

``DUET["PUBLIC_FILES"] = {"mockServiceWorker.js": "/app/", "robots.txt": "/"}`` (per frontend)
names files of Vite's ``public/`` and the URL folder each is served at. ``PublicFilesMiddleware``
answers exactly those URLs: in production from the build's copy of ``public/`` (Vite copies it
into the build directory), in development from the Vite dev server (``dev.public_files``), so
the URL is the same in both. The files are not hashed: ``Cache-Control: no-cache`` (stored,
revalidated with the ETag), and a script gets ``Service-Worker-Allowed`` with its folder. Any
other path, however spelled (``/app/../x``, ``/app/%2e%2e/x``), is not one of them and goes on
to Django. See docs/public-files.md.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from django_duet.conf import Settings, all_frontends
from django_duet.dev.server import active_dev_server
from django_duet.serving.static_file import DuetStaticFile
from django_duet.sync_async import SyncAndAsyncMiddleware

MIDDLEWARE = "django_duet.static.PublicFilesMiddleware"
WORKER_SUFFIXES = (".js", ".mjs")
CACHE_CONTROL = "no-cache"  # not hashed: a new deploy must reach the browser at once
_TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
}
_UNSAFE = set('\\?#%"<>') | {chr(c) for c in range(0x20)} | {"\x7f"}


@dataclass(frozen=True)
class PublicFile:
    name: str  # its path in public/ and in the build directory: "mockServiceWorker.js"
    scope: str  # the URL folder it is served at: "/" or "/app/"
    frontend: Settings

    @property
    def url(self) -> str:
        return self.scope + self.name

    @property
    def is_script(self) -> bool:
        return self.name.endswith(WORKER_SUFFIXES)

    def headers(self, scope_url: str) -> list[tuple[str, str]]:
        """What every answer carries, in production and in development alike."""
        headers = [("Cache-Control", CACHE_CONTROL), ("X-Content-Type-Options", "nosniff")]
        if self.is_script:
            headers.append(("Service-Worker-Allowed", scope_url))
        return headers


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a public file's name (None: it can)."""
    if not isinstance(name, str) or not name:
        return "a file name is a non-empty string"
    segments = name.split("/")
    if name.startswith("/") or any(s in ("", ".", "..") for s in segments):
        return "a file name is a path inside public/, without '..', '.', '//' or a leading '/'"
    if set(name) & _UNSAFE:
        return "a file name has no backslash, '?', '#', '%', quote, '<', '>' nor control character"
    if any(s.startswith(".") and s != ".well-known" for s in segments):
        return "a hidden file (a name starting with '.') is never served"
    return None


def scope_problem(scope: object) -> str | None:
    """Why ``scope`` cannot be a URL folder (None: it can)."""
    if not isinstance(scope, str) or not scope.startswith("/") or not scope.endswith("/"):
        return "a URL folder starts and ends with '/': '/' or '/app/'"
    if "//" in scope or any(s in (".", "..") for s in scope.split("/")) or set(scope) & _UNSAFE:
        return "a URL folder has no '//', '.', '..', '?', '#', '%', quote nor control character"
    return None


def public_files() -> dict[str, PublicFile]:
    """Every valid entry of every frontend's PUBLIC_FILES, by URL (duet.E130 reports the rest;
    the first frontend listing a URL keeps it, duet.E130 reports the others)."""
    files: dict[str, PublicFile] = {}
    for frontend in all_frontends():
        for name, scope in frontend.PUBLIC_FILES.items():
            if name_problem(name) is None and scope_problem(scope) is None:
                files.setdefault(scope + name, PublicFile(name, scope, frontend))
    return files


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    guessed = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    text = guessed.startswith("text/") or guessed in (
        "application/json",
        "application/manifest+json",
    )
    return f"{guessed}; charset=utf-8" if text else guessed


def build_path(file: PublicFile) -> Path | None:
    """The file in the build directory, if it is there and really inside it (no symlink out)."""
    root = os.path.realpath(file.frontend.BUILD_DIR)
    real = os.path.realpath(file.frontend.BUILD_DIR / file.name)
    if not real.startswith(root + os.sep) or not os.path.isfile(real):
        return None
    return Path(real)


def serve_from_build(file: PublicFile, request: HttpRequest) -> HttpResponse | None:
    path = build_path(file)
    if path is None:
        return None  # not built: Django's URLs decide (a 404, most likely)
    scope_url = request.path[: len(request.path) - len(file.name)]
    headers = [("Content-Type", content_type(file.name)), *file.headers(scope_url)]
    answer = DuetStaticFile(str(path), headers, {}).get_response(
        request.method or "GET", request.META
    )
    body = b""
    if answer.file is not None:
        with answer.file as stream:
            body = stream.read()  # public files are small: a worker, a manifest, an icon
    response = HttpResponse(body, status=int(answer.status))
    del response["Content-Type"]
    for key, value in answer.headers:
        response[key] = value
    return response


def answer(request: HttpRequest) -> HttpResponseBase | None:
    """The public file ``request`` asks for, or None: not one (or not built), Django goes on."""
    if request.method not in ("GET", "HEAD"):
        return None
    file = public_files().get(request.path_info)
    if file is None:
        return None
    dev = active_dev_server(request, file.frontend)
    if dev is not None:
        from django_duet.dev.public_files import dev_public_file  # development only

        scope_url = request.path[: len(request.path) - len(file.name)]
        return dev_public_file(dev, file.name, file.headers(scope_url), request.method == "HEAD")
    return serve_from_build(file, request)


class PublicFilesMiddleware(SyncAndAsyncMiddleware):
    """Answers ``DUET["PUBLIC_FILES"]``'s URLs; everything else goes on untouched."""

    def handle(self, request: HttpRequest) -> HttpResponseBase:
        response = answer(request)
        return response if response is not None else self.get_response(request)

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if request.path_info in public_files():  # cheap: only listed URLs leave the loop
            response = await sync_to_async(answer, thread_sensitive=False)(request)
        if response is not None:
            return response
        return await self.get_response(request)  # type: ignore[no-any-return]
