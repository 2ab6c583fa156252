"""Vite's ``.vite/manifest.json``: parsed into an immutable model, resolved per entry.

Pure: no Django settings here (see ``loader.py`` for where the file comes from and caching).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django_duet.exceptions import (
    EntryNotFound,
    ManifestInvalid,
    ManifestNotFound,
    UnsafeManifestPath,
)

# A file value must be a plain relative path inside the build directory.
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
FUZZY_NAMES_LIMIT = 2_000  # over it, an unknown entry's error lists names without difflib


@dataclass(frozen=True)
class Chunk:
    key: str
    file: str
    src: str | None = None
    is_entry: bool = False
    is_dynamic_entry: bool = False
    imports: tuple[str, ...] = ()
    dynamic_imports: tuple[str, ...] = ()
    css: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()

    @property
    def is_stylesheet(self) -> bool:
        return self.file.endswith(".css")


@dataclass(frozen=True)
class EntryAssets:
    """What a page needs for one entry: files relative to the build directory."""

    script: str | None
    preloads: tuple[str, ...]
    styles: tuple[str, ...]
    # Classic scripts to run in this order (webpack, create-react-app: runtime, vendors, main),
    # emitted as <script defer>; Vite's entry is the module ``script``.
    scripts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    path: Path
    chunks: Mapping[str, Chunk]
    # Derived from the manifest's content, which names every file by its content hash: the
    # same on every app server of a deploy, whatever order they were deployed in.
    build_id: str = ""
    # Formats that list each entrypoint's files themselves (webpack, CRA): already resolved.
    entries: Mapping[str, EntryAssets] = field(default_factory=dict)
    # SRI hashes the bundler wrote into the manifest (webpack-assets-manifest), by file.
    integrity: Mapping[str, str] = field(default_factory=dict)
    format: str = "vite"
    _resolved: dict[str, EntryAssets] = field(default_factory=dict, compare=False, repr=False)
    # Rendered tags per (entry, tag options), filled by render.py: they live as long as the
    # build (a new manifest, or a settings change, starts a new Manifest object).
    prepared: dict[tuple[object, ...], Any] = field(default_factory=dict, compare=False, repr=False)

    def chunk(self, name: str) -> Chunk:
        try:
            return self.chunks[name]
        except KeyError:
            raise EntryNotFound(name, self.path, self.nearest(name)) from None

    def nearest(self, name: str) -> list[str]:
        """Entry names (not shared chunks), the closest to ``name`` first."""
        names = sorted(
            {*self.entries, *(k for k, c in self.chunks.items() if not k.startswith("_"))}
        )
        if not names:  # an empty build ("{}"): difflib refuses n=0
            return []
        if len(names) > FUZZY_NAMES_LIMIT:  # difflib takes ~50 µs a name: rank by shared prefix
            # Characters, not path components, are what a typo shares with the real name.
            return sorted(names, key=lambda k: -len(os.path.commonprefix((k, name))))  # noqa: RUF071
        close = difflib.get_close_matches(name, names, n=len(names), cutoff=0.0)
        return close or names

    def entry(self, name: str) -> EntryAssets:
        """The script, transitive static imports and stylesheets of one entry (memoized)."""
        found = self._resolved.get(name)
        if found is None:
            listed = self.entries.get(name)
            found = listed if listed is not None else resolve(self.chunks, self.chunk(name))
            self._resolved[name] = found
        return found

    def files(self) -> set[str]:
        """Every file the manifest names (chunks, CSS, assets)."""
        out: set[str] = set()
        for c in self.chunks.values():
            out.add(c.file)
            out.update(c.css)
            out.update(c.assets)
        for e in self.entries.values():
            out.update(e.scripts, e.preloads, e.styles)
            if e.script:
                out.add(e.script)
        return out


def resolve(chunks: Mapping[str, Chunk], entry: Chunk) -> EntryAssets:
    """Walk static imports depth first, each chunk once (cycles end at a visited chunk).

    Stylesheets come dependencies first, as Vite orders them in its own HTML, so an entry's
    own CSS wins the cascade. Dynamic imports are left to load on demand.
    """
    seen: set[str] = {entry.key}
    preloads: list[str] = []
    styles: list[str] = []
    listed: set[str] = set()
    # An explicit stack, not recursion: a hostile or huge manifest (an import chain of
    # thousands of chunks) must not hit Python's recursion limit.
    stack: list[tuple[Chunk, Iterator[str]]] = [(entry, iter(entry.imports))]
    while stack:
        chunk, pending = stack[-1]
        for key in pending:
            if key not in seen:
                seen.add(key)
                child = chunks[key]
                stack.append((child, iter(child.imports)))
                break
        else:  # every import of ``chunk`` visited: its CSS, then the chunk itself
            stack.pop()
            for css in chunk.css:
                if css not in listed:
                    listed.add(css)
                    styles.append(css)
            if stack and not chunk.is_stylesheet:
                preloads.append(chunk.file)
    if entry.is_stylesheet:
        if entry.file not in listed:
            styles.append(entry.file)
        return EntryAssets(script=None, preloads=tuple(preloads), styles=tuple(styles))
    unique = tuple(dict.fromkeys(p for p in preloads if p != entry.file))
    return EntryAssets(script=entry.file, preloads=unique, styles=tuple(styles))


def parse_manifest(path: Path, text: str) -> Manifest:
    """Validate and convert the JSON text of a Vite manifest."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestInvalid(
            path, f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ManifestInvalid(path, "JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise ManifestInvalid(path, f"expected a JSON object, got {type(data).__name__}")
    chunks = {key: _chunk(path, key, raw) for key, raw in data.items()}
    for chunk in chunks.values():
        for ref in (*chunk.imports, *chunk.dynamic_imports):
            if ref not in chunks:
                raise ManifestInvalid(path, f"entry {chunk.key!r} imports {ref!r}, which is absent")
    build_id = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Manifest(path=path, chunks=chunks, build_id=build_id)


def read_manifest(path: Path, format: str | None = "vite") -> Manifest:
    """The manifest at ``path``, in ``format`` ("vite", "webpack", "cra"; None: detected)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ManifestNotFound(path) from None
    if size > MAX_MANIFEST_BYTES:
        raise ManifestInvalid(path, f"{size} bytes, over the {MAX_MANIFEST_BYTES} bytes limit")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestNotFound(path) from None
    except UnicodeDecodeError as exc:
        raise ManifestInvalid(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if format == "vite":
        return parse_manifest(path, text)
    from django_duet.build.formats import (
        parse_any,  # the other bundlers' formats, converted to this model
    )

    return parse_any(path, text, format)


def _chunk(path: Path, key: str, raw: Any) -> Chunk:
    if not isinstance(raw, dict):
        raise ManifestInvalid(path, f"entry {key!r} is a {type(raw).__name__}, not an object")
    file = raw.get("file")
    if not isinstance(file, str) or not file:
        raise ManifestInvalid(path, f"entry {key!r} has no 'file' string")
    return Chunk(
        key=key,
        file=_safe(path, key, file),
        src=raw["src"] if isinstance(raw.get("src"), str) else None,
        is_entry=raw.get("isEntry") is True,
        is_dynamic_entry=raw.get("isDynamicEntry") is True,
        imports=_strings(path, key, raw, "imports"),
        dynamic_imports=_strings(path, key, raw, "dynamicImports"),
        css=tuple(_safe(path, key, f) for f in _strings(path, key, raw, "css")),
        assets=tuple(_safe(path, key, f) for f in _strings(path, key, raw, "assets")),
    )


def _strings(path: Path, key: str, raw: dict[str, Any], name: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestInvalid(path, f"entry {key!r}: {name!r} must be a list of strings")
    return tuple(value)


def _safe(path: Path, key: str, value: str) -> str:
    """Refuse file names that could point outside the build directory or off-site."""
    parts = value.split("/")
    if (
        value.startswith(("/", "\\"))
        or "\\" in value
        or "\x00" in value
        or _SCHEME.match(value)
        or any(p in ("..", ".", "") for p in parts)
        or any(ord(ch) < 0x20 for ch in value)
    ):
        raise UnsafeManifestPath(path, key, value)
    return value
