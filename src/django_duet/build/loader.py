"""Where the manifest comes from, and its per-process cache (cleared on ``setting_changed``).

Loaded on first use, never at import: ``check``, ``migrate`` and ``collectstatic`` work before any
build exists. In DEV_MODE the file's stat is compared on each access, so a rebuild is picked up.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.http import HttpRequest

from django_duet import caches
from django_duet.build.formats import read_manifest
from django_duet.build.manifest import Manifest
from django_duet.conf import Settings, conf
from django_duet.exceptions import ManifestNotFound

_PINNED = "_duet_manifest"  # the default frontend's (the common case: one attribute)
_PINNED_NAMED = "_duet_manifests"  # {frontend name: Manifest} for the others


def get_manifest(request: HttpRequest | None = None, frontend: Settings = conf) -> Manifest:
    """The build's manifest. With a request, the one that request saw first: a page rendered
    while a new build lands never mixes the two builds (nor its build id with another's)."""
    if request is None:
        return _current(frontend)
    if frontend is conf:
        pinned: Manifest | None = getattr(request, _PINNED, None)
        if pinned is None:
            pinned = _current(conf)
            setattr(request, _PINNED, pinned)
        return pinned
    named: dict[str, Manifest] | None = getattr(request, _PINNED_NAMED, None)
    if named is None:
        named = {}
        setattr(request, _PINNED_NAMED, named)
    found = named.get(frontend.name)
    if found is None:
        found = named[frontend.name] = _current(frontend)
    return found


_production: Manifest | None = None  # outside DEV_MODE: this process's manifest, until a clear
_production_named: dict[str, Manifest] = {}


def _current(frontend: Settings) -> Manifest:
    global _production
    # Set outside DEV_MODE; a settings change clears them (apps.py): never stale across a switch.
    if frontend is conf:
        if _production is not None:
            return _production
    else:
        found = _production_named.get(frontend.name)
        if found is not None:
            return found
    path = frontend.MANIFEST_PATH
    manifest = _load(str(path), _stamp(path), frontend.MANIFEST_FORMAT)
    if not frontend.DEV_MODE:  # this process's build from now on: no stat, no path arithmetic
        if frontend is conf:
            _production = manifest
        else:
            _production_named[frontend.name] = manifest
    return manifest


@caches.register
def clear_cache() -> None:
    global _production
    _production = None
    _production_named.clear()
    _load.cache_clear()


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ManifestNotFound(path) from None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: tuple[int, int, int], manifest_format: str | None) -> Manifest:
    # ``stamp`` is part of the cache key: a changed file is a new key.
    return read_manifest(Path(path), manifest_format)  # a settings change clears this
