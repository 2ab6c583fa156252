"""webpack-assets-manifest (``entrypoints: true``, with or without ``integrity: true``).

    {"main.js": "js/main.1f51.js" | {"src": "js/main.1f51.js", "integrity": "sha384-..."},
     "entrypoints": {"main": {"assets": {"js": [runtime, vendors, main], "css": [...]}}}}

Entrypoints become entries (their JS as classic scripts, in webpack's order, and their CSS);
the other keys become assets for ``{% duet_asset %}``; the integrity, when written, is used as
the SRI of each file. File names must be relative to the output directory: leave the plugin's
``publicPath`` option unset (webpack's own ``output.publicPath`` is fine).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_duet.build.formats.common import file_list, safe_file, split_assets
from django_duet.build.manifest import Chunk, EntryAssets, Manifest
from django_duet.exceptions import ManifestInvalid


def parse_webpack(path: Path, data: dict[str, Any], build_id: str) -> Manifest:
    chunks: dict[str, Chunk] = {}
    integrity: dict[str, str] = {}
    for key, raw in data.items():
        if key == "entrypoints":
            continue
        if isinstance(raw, dict):
            file, sri = raw.get("src"), raw.get("integrity")
            if isinstance(sri, str) and sri and isinstance(file, str):
                integrity[safe_file(path, key, file)] = sri
        else:
            file = raw
        if not isinstance(file, str) or not file:
            raise ManifestInvalid(path, f"{key!r} names no file (a string, or {{'src': ...}})")
        chunks[key] = Chunk(key=key, file=safe_file(path, key, file))
    entries: dict[str, EntryAssets] = {}
    for name, raw in data["entrypoints"].items():
        assets = raw.get("assets")
        if not isinstance(assets, dict):
            raise ManifestInvalid(path, f"entrypoint {name!r} has no 'assets' object")
        where = f"entrypoints[{name!r}].assets"
        entries[name] = split_assets(
            file_list(path, f"{where}.js", assets.get("js", []))
            + file_list(path, f"{where}.css", assets.get("css", []))
        )
    return Manifest(
        path=path,
        chunks=chunks,
        build_id=build_id,
        entries=entries,
        integrity=integrity,
        format="webpack",
    )
