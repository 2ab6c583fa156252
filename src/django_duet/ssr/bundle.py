"""Where the server bundle is, and its source, cached per process.

``duetSsr()`` writes the bundle to ``<BUILD_DIR>/.vite/ssr/server-<hash>.js`` and records the
current one in ``<BUILD_DIR>/.vite/duet-ssr.json``; ``DUET["SSR_BUNDLE"]`` names a bundle file
directly instead. In production the bundle is read once per process. In DEV_MODE the record (or
the named file) is stat'ed on each render, so a rebuild is picked up on the next request.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django_duet import caches
from django_duet.conf import Settings, conf
from django_duet.ssr.errors import SsrBundleInvalid, SsrBundleNotFound

RECORD = Path(".vite") / "duet-ssr.json"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024

Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class ServerBundle:
    path: Path
    stamp: Stamp  # (mtime_ns, size, inode): a rebuilt bundle is a new bundle
    source: str = field(repr=False, compare=False)
    key: tuple[str, Stamp] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compared on every render (engine_for): computed once.
        object.__setattr__(self, "key", (str(self.path), self.stamp))


def record_path(frontend: Settings = conf) -> Path:
    return frontend.BUILD_DIR / RECORD


# Outside DEV_MODE, by frontend name, until a settings change clears it.
_production: dict[str, ServerBundle] = {}


def get_bundle(frontend: Settings = conf) -> ServerBundle:
    """The frontend's current server bundle; SsrBundleNotFound / SsrBundleInvalid say what
    to fix."""
    found = _production.get(frontend.name)
    if found is not None:
        return found
    explicit = frontend.SSR_BUNDLE
    if explicit is not None:
        watched = explicit
        what = "server bundle"
    else:
        watched = record_path(frontend)
        what = "server bundle record"
    found = _load(str(watched), explicit is not None, _stamp(watched, what))
    if not frontend.DEV_MODE:  # this process's bundle from now on: no stat per render
        _production[frontend.name] = found
    return found


@caches.register
def clear_cache() -> None:
    _production.clear()
    _load.cache_clear()


def _stamp(path: Path, what: str) -> Stamp:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SsrBundleNotFound(path, what) from None
    except OSError as exc:
        raise SsrBundleInvalid(path, f"it cannot be read ({exc.strerror})") from None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=4)
def _load(watched: str, explicit: bool, stamp: Stamp) -> ServerBundle:
    # ``stamp`` is part of the cache key: a changed record or file is a new key.
    path = Path(watched) if explicit else bundle_from_record(Path(watched))
    return read_bundle(path)


def bundle_from_record(record: Path) -> Path:
    """The bundle file a ``duet-ssr.json`` names, refused if it points outside the build."""
    build_dir = record.parent.parent
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SsrBundleNotFound(record, "server bundle record") from None
    except OSError as exc:
        raise SsrBundleInvalid(record, f"the record cannot be read ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise SsrBundleInvalid(record, f"the record is not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise SsrBundleInvalid(record, "the record is not a version 1 duet-ssr.json")
    file = data.get("file")
    if not isinstance(file, str) or not file:
        raise SsrBundleInvalid(record, "the record has no 'file' string")
    parts = file.split("/")
    if file.startswith("/") or "\\" in file or "\x00" in file or ".." in parts:
        raise SsrBundleInvalid(record, f"the record names {file!r}, outside the build directory")
    return build_dir.joinpath(*parts)


def read_bundle(path: Path) -> ServerBundle:
    try:
        st = os.stat(path)
        if st.st_size > MAX_BUNDLE_BYTES:
            raise SsrBundleInvalid(path, f"{st.st_size} bytes, over {MAX_BUNDLE_BYTES}")
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SsrBundleNotFound(path, "server bundle") from None
    except OSError as exc:
        raise SsrBundleInvalid(path, f"it cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise SsrBundleInvalid(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return ServerBundle(path=path, stamp=(st.st_mtime_ns, st.st_size, st.st_ino), source=source)
