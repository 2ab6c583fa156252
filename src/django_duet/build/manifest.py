"""The parsed build: an immutable model of a bundler's manifest, resolved per entry.

Every format (``formats/``: Vite, webpack, create-react-app) is parsed into this one model; it
holds no cache and reads no settings (``loader.py`` says where the file is and keeps it).
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django_duet.exceptions import EntryNotFound

FUZZY_NAMES_LIMIT = 2_000  # over it, an unknown entry's error lists names without difflib


def build_id_of(content: bytes) -> str:
    """A build's id, from its manifest's bytes (the record and the pages use this one too).

    The manifest names every file by its content hash: the id follows the content, the same on
    every app server of a deploy, whatever order they were deployed in."""
    return hashlib.sha256(content).hexdigest()[:16]


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
    build_id: str = ""  # build_id_of(the manifest's bytes)
    # Formats that list each entrypoint's files themselves (webpack, CRA): already resolved.
    entries: Mapping[str, EntryAssets] = field(default_factory=dict)
    # SRI hashes the bundler wrote into the manifest (webpack-assets-manifest), by file.
    integrity: Mapping[str, str] = field(default_factory=dict)
    format: str = "vite"

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
        """The script, transitive static imports and stylesheets of one entry.

        Not memoized: the tags resolve an entry once per build (``pages.prepared``)."""
        listed = self.entries.get(name)
        return listed if listed is not None else resolve(self.chunks, self.chunk(name))

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
