"""Vite's ``.vite/manifest.json``: chunks by source name, each with its file, static and dynamic
imports, CSS and assets; an entry is resolved through its imports by ``Manifest.entry``."""

from __future__ import annotations

from typing import Any

from django_duet.build.formats.common import ManifestFile
from django_duet.build.manifest import Chunk, Manifest


def parse_vite(source: ManifestFile, data: Any, build_id: str) -> Manifest:
    if not isinstance(data, dict):
        raise source.invalid(f"expected a JSON object, got {type(data).__name__}")
    chunks = {key: _chunk(source, key, raw) for key, raw in data.items()}
    for chunk in chunks.values():
        for ref in (*chunk.imports, *chunk.dynamic_imports):
            if ref not in chunks:
                raise source.invalid(f"entry {chunk.key!r} imports {ref!r}, which is absent")
    return Manifest(path=source.path, chunks=chunks, build_id=build_id)


def _chunk(source: ManifestFile, key: str, raw: Any) -> Chunk:
    if not isinstance(raw, dict):
        raise source.invalid(f"entry {key!r} is a {type(raw).__name__}, not an object")
    file = raw.get("file")
    if not isinstance(file, str) or not file:
        raise source.invalid(f"entry {key!r} has no 'file' string")

    def strings(name: str) -> tuple[str, ...]:
        return tuple(source.strings(f"entry {key!r}: {name!r}", raw.get(name, [])))

    return Chunk(
        key=key,
        file=source.safe(key, file),
        src=raw["src"] if isinstance(raw.get("src"), str) else None,
        is_entry=raw.get("isEntry") is True,
        is_dynamic_entry=raw.get("isDynamicEntry") is True,
        imports=strings("imports"),
        dynamic_imports=strings("dynamicImports"),
        css=tuple(source.safe(key, f) for f in strings("css")),
        assets=tuple(source.safe(key, f) for f in strings("assets")),
    )
