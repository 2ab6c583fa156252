"""webpack-assets-manifest (``entrypoints: true``, with or without ``integrity: true``).

    {"main.js": "js/main.1f51.js" | {"src": "js/main.1f51.js", "integrity": "sha384-..."},
     "entrypoints": {"main": {"assets": {"js": [runtime, vendors, main], "css": [...]}}}}

Entrypoints become entries (their JS as classic scripts, in webpack's order, and their CSS);
the other keys become assets for ``{% duet_asset %}``; the integrity, when written, is used as
the SRI of each file. File names must be relative to the output directory: leave the plugin's
``publicPath`` option unset (webpack's own ``output.publicPath`` is fine).
"""

from __future__ import annotations

from typing import Any

from django_duet.build.formats.common import ManifestFile, split_assets
from django_duet.build.manifest import Chunk, EntryAssets, Manifest


def parse_webpack(source: ManifestFile, data: Any, build_id: str) -> Manifest:
    entrypoints = data.get("entrypoints") if isinstance(data, dict) else None
    if not isinstance(entrypoints, dict):
        raise source.invalid(
            "no 'entrypoints' object (write it with webpack-assets-manifest's entrypoints: true)"
        )
    chunks: dict[str, Chunk] = {}
    integrity: dict[str, str] = {}
    for key, raw in data.items():
        if key == "entrypoints":
            continue
        if isinstance(raw, dict):
            file, sri = raw.get("src"), raw.get("integrity")
            if isinstance(sri, str) and sri and isinstance(file, str):
                integrity[source.safe(key, file)] = sri
        else:
            file = raw
        if not isinstance(file, str) or not file:
            raise source.invalid(f"{key!r} names no file (a string, or {{'src': ...}})")
        chunks[key] = Chunk(key=key, file=source.safe(key, file))
    entries: dict[str, EntryAssets] = {}
    for name, raw in entrypoints.items():
        assets = raw.get("assets") if isinstance(raw, dict) else None
        if not isinstance(assets, dict):
            raise source.invalid(f"entrypoint {name!r} has no 'assets' object")
        where = f"entrypoints[{name!r}].assets"
        entries[name] = split_assets(
            source.files(f"{where}.js", assets.get("js", []))
            + source.files(f"{where}.css", assets.get("css", []))
        )
    return Manifest(
        path=source.path,
        chunks=chunks,
        build_id=build_id,
        entries=entries,
        integrity=integrity,
        format="webpack",
    )
