"""whitenoise, hardened for a bundler build: use ``django_duet.static.DuetStaticMiddleware``.

On top of whitenoise it: serves Vite's hashed files ``immutable`` for a year; never serves
dotfiles (so not ``.vite/manifest.json`` nor ``.env``), the staticfiles manifest, the other
bundlers' manifests (``serving.manifests``), source maps (unless
``DUET["SERVE_SOURCE_MAPS"]``) or a file (or .gz/.br) reached through a symlink that
leaves its static root; answers content coding, conditional and range requests as RFC 9110
and nginx do (``conditional``, where whitenoise departs from both); and under ASGI streams
files in blocks instead of reading them whole.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from functools import cached_property
from typing import IO, Any
from wsgiref.headers import Headers

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from whitenoise.base import MissingFileError
from whitenoise.middleware import WhiteNoiseFileResponse, WhiteNoiseMiddleware

from django_duet.conf import conf
from django_duet.serving.hashing import is_bundler_hashed
from django_duet.serving.manifests import is_manifest
from django_duet.serving.static_file import DuetStaticFile

BLOCK_SIZE = 64 * 1024
_PRIVATE_NAMES = {"staticfiles.json"}
_COMPRESSED = (".gz", ".br")
_ENCODINGS = {"gzip": ".gz", "br": ".br"}  # whitenoise's precompressed variants


def is_public_url(url: str) -> bool:
    """Whether a static URL path may be served at all, whatever file it maps to."""
    segments = url.split("/")
    if any(s.startswith(".") for s in segments):
        return False
    name = segments[-1]
    for suffix in _COMPRESSED:
        name = name.removesuffix(suffix)
    if name in _PRIVATE_NAMES or is_manifest(url, name):
        return False
    return not (name.endswith(".map") and not conf.SERVE_SOURCE_MAPS)


class DuetStaticMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]
    FOREVER = 365 * 24 * 60 * 60  # one year, the conventional "immutable" lifetime

    @cached_property
    def _roots(self) -> tuple[str, ...]:
        roots = [settings.STATIC_ROOT, getattr(settings, "WHITENOISE_ROOT", None)]
        for finder in get_finders():
            storages = getattr(finder, "storages", {})
            roots += [getattr(s, "location", None) for s in storages.values()]
        return tuple(os.path.realpath(r) + os.sep for r in roots if r)

    def _allowed(self, url: str, path: str) -> bool:
        if not is_public_url(url):
            return False
        real = os.path.realpath(path)
        return any(real.startswith(root) for root in self._roots)

    def add_file_to_dictionary(self, url: str, path: str, stat_cache: Any = None) -> None:
        if self._allowed(url, path):
            super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file_at_path(self, path: str, url: str) -> Any:
        # Autorefresh (DEBUG) mode looks files up per request: same rules.
        if not self._allowed(url, path):
            raise MissingFileError(path)
        return super().find_file_at_path(path, url)

    def get_static_file(self, path: str, url: str, stat_cache: Any = None) -> DuetStaticFile:
        # whitenoise's headers (the same hooks, in its order); the answer is conditional's.
        if stat_cache is None and not os.path.exists(path):
            raise MissingFileError(path)
        headers = Headers([])
        self.add_mime_headers(headers, path, url)
        self.add_cache_headers(headers, path, url)
        if self.allow_all_origins:
            headers["Access-Control-Allow-Origin"] = "*"
        if self.add_headers_function is not None:
            self.add_headers_function(headers, path, url)
        encodings = {
            encoding: path + suffix
            for encoding, suffix in _ENCODINGS.items()
            if self._allowed(url + suffix, path + suffix)
        }
        return DuetStaticFile(path, headers.items(), encodings, stat_cache)

    def immutable_file_test(self, path: str, url: str) -> bool:
        if url.startswith(self.static_prefix) and is_bundler_hashed(url[len(self.static_prefix) :]):
            return True
        return bool(super().immutable_file_test(path, url))

    def serve(self, static_file: Any, request: HttpRequest) -> Any:
        response: WhiteNoiseFileResponse = WhiteNoiseMiddleware.serve(static_file, request)
        file = response.file_to_stream
        if isinstance(request, ASGIRequest) and file is not None:
            # Django would read a sync iterator whole into memory under ASGI.
            response.streaming_content = _read_blocks(file)
        return response


async def _read_blocks(file: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while block := await asyncio.to_thread(file.read, BLOCK_SIZE):
            yield block
    finally:
        file.close()
