"""create-react-app's ``build/asset-manifest.json``.

    {"files": {"main.js": "/static/js/main.1a2b.js", "index.html": "/index.html", ...},
     "entrypoints": ["static/css/main.3c4d.css", "static/js/main.1a2b.js"]}

CRA builds one entry: it is named ``main`` (``{% duet_entry "main" %}``); its files come from
``entrypoints`` (relative to the build directory), in CRA's order. ``files`` values carry CRA's
PUBLIC_URL prefix; they become assets (``{% duet_asset "main.css" %}``) with that prefix
removed: the longest common prefix that makes them match the entrypoints' names, else "/".
CRA writes no integrity: ``duet build`` records it, or it is computed on first use.
"""

from __future__ import annotations

from typing import Any

from django_duet.build.formats.common import ManifestFile, split_assets
from django_duet.build.manifest import Chunk, Manifest

ENTRY = "main"


def public_prefix(files: dict[str, Any], entrypoints: list[str]) -> str:
    """CRA's PUBLIC_URL as it appears before every ``files`` value ("/" by default)."""
    for value in files.values():
        for entry in entrypoints:
            if isinstance(value, str) and value.endswith("/" + entry):
                return value[: -len(entry)]
    return "/"


def parse_cra(source: ManifestFile, data: Any, build_id: str) -> Manifest:
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise source.invalid("no 'files' object (create-react-app writes one)")
    entrypoints = source.files("entrypoints", data.get("entrypoints"))
    prefix = public_prefix(files, entrypoints)
    chunks: dict[str, Chunk] = {}
    for key, value in files.items():
        if not isinstance(value, str):
            raise source.invalid(f"files[{key!r}] is not a string")
        if key.endswith(".map") or not value.startswith(prefix):
            continue  # source maps, or a file outside the build's URL space
        chunks[key] = Chunk(key=key, file=source.safe(f"files[{key!r}]", value, prefix))
    return Manifest(
        path=source.path,
        chunks=chunks,
        build_id=build_id,
        entries={ENTRY: split_assets(entrypoints)},
        format="cra",
    )
