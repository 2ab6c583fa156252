"""Where the manifest comes from, and its per-process cache (cleared on ``setting_changed``).

Loaded on first use, never at import: ``check``, ``migrate`` and ``collectstatic`` work before any
build exists. In DEV_MODE the file's stat is compared on each access, so a rebuild is picked up.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .conf import conf
from .exceptions import ManifestNotFound
from .manifest import Manifest, read_manifest


def get_manifest() -> Manifest:
    path = conf.MANIFEST_PATH
    if conf.DEV_MODE:
        return _load(str(path), _stamp(path))
    return _load_once(str(path))


def clear_cache() -> None:
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
    return read_manifest(Path(path))


@functools.lru_cache(maxsize=16)
def _load_once(path: str) -> Manifest:
    return _load(path, _stamp(Path(path)))
