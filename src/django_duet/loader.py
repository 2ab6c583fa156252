"""Where the manifest comes from, and its per-process cache (cleared on ``setting_changed``).

Loaded on first use, never at import: ``check``, ``migrate`` and ``collectstatic`` work before any
build exists. In DEV_MODE the file's stat is compared on each access, so a rebuild is picked up.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.http import HttpRequest

from .conf import conf
from .exceptions import ManifestNotFound
from .manifest import Manifest, read_manifest

_PINNED = "_duet_manifest"


def get_manifest(request: HttpRequest | None = None) -> Manifest:
    """The build's manifest. With a request, the one that request saw first: a page rendered
    while a new build lands never mixes the two builds (nor its build id with another's)."""
    if request is not None:
        pinned: Manifest | None = getattr(request, _PINNED, None)
        if pinned is None:
            pinned = _current()
            setattr(request, _PINNED, pinned)
        return pinned
    return _current()


_production: Manifest | None = None  # outside DEV_MODE: this process's manifest, until a clear


def _current() -> Manifest:
    global _production
    if conf.DEV_MODE:
        path = conf.MANIFEST_PATH
        return _load(str(path), _stamp(path))
    if _production is None:  # no path arithmetic on the hot path once loaded
        _production = _load_once(str(conf.MANIFEST_PATH))
    return _production


def clear_cache() -> None:
    global _production
    _production = None
    _load.cache_clear()
    _load_once.cache_clear()


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ManifestNotFound(path) from None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: tuple[int, int, int]) -> Manifest:
    # ``stamp`` is part of the cache key: a changed file is a new key.
    return read_manifest(Path(path), conf.MANIFEST_FORMAT)  # a settings change clears this


@functools.lru_cache(maxsize=16)
def _load_once(path: str) -> Manifest:
    return _load(path, _stamp(Path(path)))
