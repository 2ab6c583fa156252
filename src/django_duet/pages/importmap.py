"""Vite 8's ``build.chunkImportMap``: the build's import map, with this site's URLs.

With the option on, Vite's chunks import each other through stable names
(``./jsx-runtime-BcoINA9M.js``) and the build writes ``importmap.json`` (next to ``assets/``)
mapping each stable name to the hashed file. A change in one chunk then changes that chunk's
file only, not the file of every chunk that imports it: a deploy invalidates fewer cached files
(docs/performance.md). The map must come before any module script or modulepreload of the page;
Vite puts it in the HTML it writes, ``{% duet_entry %}`` emits it from here.

Vite writes URLs under its ``base``; the tags' URLs come from ``staticfiles_storage.url``
(a CDN, another prefix), so each URL is rewritten: the hashed file's through the storage, the
stable name's beside it (the chunks import it relative to their own URL).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from pathlib import Path

from django_duet.build.manifest import Manifest
from django_duet.exceptions import DuetError

IMPORT_MAP_NAME = "importmap.json"  # Vite's default (rolldownOptions.experimental.chunkImportMap)
MAX_IMPORT_MAP_BYTES = 4 * 1024 * 1024


class ImportMapError(DuetError, ValueError):
    pass


def read_import_map(
    build_dir: Path,
    manifest: Manifest,
    url_for: Callable[[str], str],
    integrity_for: Callable[[str], str | None] | None = None,
) -> str | None:
    """The import map's JSON for the page, or None when the build has none."""
    path = build_dir / IMPORT_MAP_NAME
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_IMPORT_MAP_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(raw) > MAX_IMPORT_MAP_BYTES:
        raise ImportMapError(f"{path} is over {MAX_IMPORT_MAP_BYTES} bytes: is it Vite's?")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportMapError(
            f"{path} is not valid JSON ({error}): rebuild the frontend (`npm run build`)."
        ) from None
    imports = data.get("imports") if isinstance(data, dict) else None
    if not isinstance(imports, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in imports.items()
    ):
        raise ImportMapError(
            f'{path} has no "imports" object of strings: is it the import map of Vite\'s '
            "build.chunkImportMap? Rebuild the frontend, or remove the file."
        )
    files = manifest.files()
    base = _base(imports.values(), files)
    rewritten: dict[str, str] = {}
    integrity: dict[str, str] = {}
    for key, value in imports.items():
        if (
            base is None
            or not key.startswith(base)
            or not value.startswith(base)
            or value[len(base) :] not in files  # a map left by an earlier build
        ):
            raise ImportMapError(
                f"{path} maps {key!r} to {value!r}, which is not a file of the build's "
                f"manifest ({manifest.path}): rebuild the frontend so that both agree."
            )
        stable, file = key[len(base) :], value[len(base) :]
        url = url_for(file)
        rewritten[_beside(url, file, stable, url_for)] = url
        sri = integrity_for(file) if integrity_for else None
        if sri:
            integrity[url] = sri
    out: dict[str, dict[str, str]] = {"imports": rewritten}
    if integrity:  # checked for modules the map loads, import() included (Chromium 127+)
        out["integrity"] = integrity
    return json.dumps(out, separators=(",", ":"))


def _base(values: object, files: set[str]) -> str | None:
    """Vite's ``base`` as the map spells it: what precedes a manifest file in a value."""
    for value in values:  # type: ignore[attr-defined]
        for file in files:
            if value.endswith(file):
                return str(value[: -len(file)])
    return None


def _beside(url: str, file: str, stable: str, url_for: Callable[[str], str]) -> str:
    """The URL of the stable name ``stable``: in the hashed file's directory, as the chunks
    (which import it relative to their own URL) resolve it."""
    name = posixpath.basename(file)
    if posixpath.dirname(file) == posixpath.dirname(stable) and url.endswith(name):
        return url[: -len(name)] + posixpath.basename(stable)
    return url_for(stable)
