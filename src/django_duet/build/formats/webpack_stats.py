"""webpack-bundle-tracker's ``webpack-stats.json``, the file django-webpack-loader reads.

2.x and 3.x (entry files by name, every emitted file in ``assets``)::

    {"status": "done", "publicPath": "/static/bundles/",
     "chunks": {"main": ["js/runtime.1a2b.js", "css/main.3c4d.css", "js/main.5e6f.js"]},
     "assets": {"js/main.5e6f.js": {"name": "js/main.5e6f.js", "path": "/abs/.../main.5e6f.js",
                                    "publicPath": "/static/bundles/js/main.5e6f.js",
                                    "integrity": "sha256-... sha384-... sha512-..."}, ...}}

0.4.x and 1.x (no ``assets``; each chunk file is an object)::

    {"status": "done", "chunks": {"main": [{"name": "main.5e6f.js", "path": "...",
                                            "publicPath": "..."}]}}

While webpack compiles the file says ``{"status": "compile"}`` (1.x: ``"compiling"``); after a
failed compile ``{"status": "error", "error": "ModuleNotFoundError", "message": "..."}``. Both
are refused at once with what the file says (django-webpack-loader polls and waits instead).

Each chunk becomes an entry of the same name (``{% duet_entry "main" %}``): its JavaScript as
classic scripts in webpack's order, its CSS as stylesheets. Files are the ``name`` of each asset,
relative to webpack's ``output.path`` (the build directory); ``path`` (absolute, on the machine
that built) and ``publicPath`` (a URL) are not used: URLs come from ``STATIC_URL`` and
``STATIC_PREFIX`` like every format's. ``integrity``, when written, is each file's SRI.
``{% duet_asset %}`` takes an asset's name or its ``sourceFilename`` (``"src/logo.svg"``).
A ``?query`` in a name (``filename: "[name].js?[contenthash]"``) is not part of the file on
disk: it is dropped, as the plugin does for ``path``. Source maps and hot-update files are left
out, as django-webpack-loader's default ``IGNORE`` does.
"""

from __future__ import annotations

from typing import Any

from django_duet.build.formats.common import ManifestFile, split_assets
from django_duet.build.manifest import Chunk, EntryAssets, Manifest

COMPILING = ("compile", "compiling", "initialization")
_LEFT_OUT = (".map", ".hot-update.js", ".hot-update.json")
MAX_MESSAGE_CHARS = 2_000  # a compiler message can hold a whole code frame


def parse_webpack_stats(source: ManifestFile, data: Any, build_id: str) -> Manifest:
    if not isinstance(data, dict):
        raise source.invalid("not a JSON object")
    refuse_unfinished(source, data)
    raw_chunks = data.get("chunks")
    if not isinstance(raw_chunks, dict):
        raise source.invalid("no 'chunks' object (webpack-bundle-tracker writes one when done)")
    raw_assets = data.get("assets", {})
    if not isinstance(raw_assets, dict):
        raise source.invalid("'assets' is not an object")
    chunks: dict[str, Chunk] = {}
    integrity: dict[str, str] = {}
    for key, raw in raw_assets.items():
        if not isinstance(raw, dict):
            raise source.invalid(f"assets[{key!r}] is not an object")
        file = _name(source, f"assets[{key!r}]", raw.get("name", key))
        if file.endswith(_LEFT_OUT):
            continue  # never on a page (source maps are served only if SERVE_SOURCE_MAPS)
        _keep_integrity(raw, file, integrity)
        chunks.setdefault(file, Chunk(key=file, file=file))
        original = raw.get("sourceFilename")  # webpack 5's asset modules: "src/logo.svg"
        if isinstance(original, str) and original:
            chunks.setdefault(original, Chunk(key=original, file=file))
    entries: dict[str, EntryAssets] = {}
    for name, listed in raw_chunks.items():
        where = f"chunks[{name!r}]"
        if not isinstance(listed, list):
            raise source.invalid(f"{where} is not a list of files")
        files = []
        for item in listed:
            is_object = isinstance(item, dict)  # 0.4.x, 1.x: {"name": ..., "path": ..., ...}
            file = _name(source, where, item.get("name") if is_object else item)
            if file.endswith(_LEFT_OUT):
                continue
            if is_object:
                _keep_integrity(item, file, integrity)
                chunks.setdefault(file, Chunk(key=file, file=file))
            files.append(file)
        entries[name] = split_assets(files)
    return Manifest(
        path=source.path,
        chunks=chunks,
        build_id=build_id,
        entries=entries,
        integrity=integrity,
        format="webpack-stats",
    )


def refuse_unfinished(source: ManifestFile, data: dict[str, Any]) -> None:
    """Only a finished build is read: the tags never wait for webpack (a page would hang)."""
    status = data.get("status")
    if status == "done":
        return
    shown = repr(status)[:80]  # the file's own text: bounded
    if status in COMPILING:
        raise source.invalid(
            f"status {shown}: webpack is still compiling, or stopped before it finished "
            "(a watcher, or a killed build). Wait for the build to end with status 'done', or "
            "run the production build again"
        )
    if status is None:
        raise source.invalid("no 'status' (webpack-bundle-tracker writes one: is this its file?)")
    if status == "error":
        raise source.invalid(f"status 'error': webpack failed to compile: {_compiler_error(data)}")
    raise source.invalid(
        f"status {shown}, not 'done' (webpack-bundle-tracker writes 'done' after a build)"
    )


def _compiler_error(data: dict[str, Any]) -> str:
    parts = [
        str(data[key]) for key in ("error", "file", "message") if isinstance(data.get(key), str)
    ]
    text = ": ".join(parts) or "no message written"
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + " [...]"
    return f"{text}. Fix it and build again"


def _name(source: ManifestFile, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise source.invalid(f"{where} names no file (a file name, or an object with a 'name')")
    return source.safe(where, value.split("?", 1)[0])


def _keep_integrity(raw: dict[str, Any], file: str, integrity: dict[str, str]) -> None:
    sri = raw.get("integrity")
    if isinstance(sri, str) and sri:
        integrity[file] = sri
