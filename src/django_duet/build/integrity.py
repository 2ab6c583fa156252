"""SRI hashes for the tags: from the build record when it matches the build, else computed once.

The record (``duet build``) holds a sha384 per file; a build made with plain ``npm run build``
after it would make the record stale, and a stale hash would make browsers refuse the script,
so the record is used only while its manifest hash matches the manifest on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from django_duet import caches
from django_duet.build.record import read_record, sri_hash
from django_duet.conf import Settings, conf


class _Hashes:
    """Hashes of one build: the record's, and any computed on demand (cached)."""

    def __init__(self, build_dir: Path, manifest: Path) -> None:
        self.build_dir = build_dir
        record = read_record(build_dir)
        fresh = record is not None and record.manifest == sri_hash(manifest)
        self.known: dict[str, str] = dict(record.files) if record and fresh else {}

    def __call__(self, file: str) -> str | None:
        found = self.known.get(file)
        if found is None:
            path = self.build_dir / file
            if not path.is_file():
                return None  # no hash beats a wrong one
            found = self.known[file] = sri_hash(path)
        return found


@caches.settings_cache(maxsize=8)
def _hashes(build_dir: str, manifest: str, manifest_stamp: tuple[int, int]) -> _Hashes:
    return _Hashes(Path(build_dir), Path(manifest))


def integrity_lookup(
    frontend: Settings = conf, bundler: Mapping[str, str] | None = None
) -> Callable[[str], str | None] | None:
    """A file -> ``sha384-...`` function for the frontend's build when SRI is on, else None.

    ``bundler``: the hashes the bundler wrote into its manifest (``Manifest.integrity``), used
    first. The tags call this once per build (``pages.prepared``).
    """
    if not conf.SRI:
        return None
    path = frontend.MANIFEST_PATH
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None  # the tags raise the clear "no build" error themselves
    hashes = _hashes(str(frontend.BUILD_DIR), str(path), (st.st_mtime_ns, st.st_size))
    if bundler:
        return lambda file: bundler.get(file) or hashes(file)
    return hashes
