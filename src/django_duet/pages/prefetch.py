"""Prefetch of lazy chunks: what a page's entries can ``import()`` later, fetched after ``load``.

Laravel's ``Vite::prefetch()`` is the model: once the page has loaded, the browser fetches the
dynamic imports (and their CSS) in the background, a few at a time (``"waterfall"``) or all at
once (``"aggressive"``), so a lazy route is ready before the user asks for it. The lists come
from the build (dynamic imports are in Vite's manifest), prepared once per build and entries;
the tags carry the request's nonce and SRI (``pages.html.prefetch_script``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django_duet.build.manifest import Chunk, Manifest, resolve

STRATEGIES = ("waterfall", "aggressive")
MODULE, STYLE = "modulepreload", "prefetch"  # how each kind of file is fetched


def _static_closure(chunks: Mapping[str, Chunk], keys: Iterable[str]) -> list[Chunk]:
    """The chunks ``keys`` load statically (themselves included), each once, in walk order."""
    seen: set[str] = set()
    out: list[Chunk] = []
    stack = list(reversed(list(keys)))
    while stack:
        key = stack.pop()
        if key in seen or key not in chunks:
            continue
        seen.add(key)
        chunk = chunks[key]
        out.append(chunk)
        stack.extend(reversed(chunk.imports))
    return out


def lazy_files(manifest: Manifest, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``(file, how)`` for every file the entries ``names`` can reach through dynamic imports,
    nearest first (breadth first over ``import()``), less what the entries load statically.

    Each lazy chunk brings its script, its static imports (``"modulepreload"``: into the
    browser's module map, checked against ``script-src`` with the nonce and SRI) and its CSS
    (``"prefetch"``: into the HTTP cache, applied when Vite's preload helper inserts it).
    Formats without a chunk graph (webpack, create-react-app) have nothing to prefetch.
    """
    chunks = manifest.chunks
    on_page = _static_closure(chunks, [n for n in names if n in chunks])
    have = {c.file for c in on_page} | {css for c in on_page for css in c.css}
    queue = [key for chunk in on_page for key in chunk.dynamic_imports]
    visited: set[str] = set()
    files: dict[str, str] = {}
    while queue:
        key = queue.pop(0)
        if key in visited:
            continue
        visited.add(key)
        lazy = chunks[key]
        assets = resolve(chunks, lazy)
        for file in (*([assets.script] if assets.script else []), *assets.preloads):
            if file not in have:
                files.setdefault(file, MODULE)
        for file in assets.styles:
            if file not in have:
                files.setdefault(file, STYLE)
        queue.extend(k for c in _static_closure(chunks, [key]) for k in c.dynamic_imports)
    return tuple(files.items())
