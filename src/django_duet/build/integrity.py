"""SRI hashes for the tags: from the build record when it matches the build, else computed once.

The record (``duet build``) holds a sha384 per file; a build made with plain ``npm run build``
after it would make the record stale, and a stale hash would make browsers refuse the script,
so the record is used only while its manifest hash matches the manifest on disk.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from django_duet.build.manifest import Manifest
from django_duet.build.record import read_record, sri_hash
from django_duet.conf import Settings, conf

_KEY = ("integrity",)


class _Hashes:
    """Hashes of one build: the record's, and any computed on demand (cached)."""

    def __init__(
        self, build_dir: Path, manifest: Path, bundler: Mapping[str, str] | None = None
    ) -> None:
        self.build_dir = build_dir
        record = read_record(build_dir)
        fresh = record is not None and record.manifest == sri_hash(manifest)
        self.known: dict[str, str] = dict(record.files) if record and fresh else {}
        # Hashes the bundler wrote into its own manifest (webpack-assets-manifest): always of
        # this very build.
        self.known.update(bundler or {})

    def __call__(self, file: str) -> str | None:
        found = self.known.get(file)
        if found is None:
            path = self.build_dir / file
            if not path.is_file():
                return None  # no hash beats a wrong one
            found = self.known[file] = sri_hash(path)
        return found


@functools.lru_cache(maxsize=8)
def _hashes(build_dir: str, manifest: str, manifest_stamp: tuple[int, int]) -> _Hashes:
    return _Hashes(Path(build_dir), Path(manifest))


def integrity_lookup(
    manifest: Manifest | None = None, frontend: Settings = conf
) -> Callable[[str], str | None] | None:
    """A file -> ``sha384-...`` function when SRI is on, else None.

    With the build's ``manifest`` outside DEV_MODE, the lookup is kept on it (no stat per call).
    """
    if not conf.SRI:
        return None
    if manifest is not None and not conf.DEV_MODE:
        found = manifest.prepared.get(_KEY)
        if found is None:
            found = manifest.prepared[_KEY] = _Hashes(
                frontend.BUILD_DIR, frontend.MANIFEST_PATH, manifest.integrity
            )
        return found
    path = frontend.MANIFEST_PATH
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None  # the tags raise the clear "no build" error themselves
    hashes = _hashes(str(frontend.BUILD_DIR), str(path), (st.st_mtime_ns, st.st_size))
    if manifest is not None and manifest.integrity:
        bundler = manifest.integrity
        return lambda file: bundler.get(file) or hashes(file)
    return hashes
