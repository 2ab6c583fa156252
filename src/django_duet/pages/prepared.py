"""One frontend's build as the tags use it: each entry's tag HTML, prepared once per build.

URLs (``staticfiles_storage.url``), escaping and SRI cost most of a tag (tens of microseconds an
entry): they are done the first time a build renders an entry and kept here, beside the build,
never on the immutable ``Manifest``. One ``PreparedBuild`` per frontend: two frontends reading
one manifest each have their own URLs. A request then adds only its nonce.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.staticfiles.storage import staticfiles_storage

from django_duet import caches
from django_duet.build.integrity import integrity_lookup
from django_duet.build.manifest import Manifest
from django_duet.conf import Settings, conf
from django_duet.dev.server import dev_enabled
from django_duet.pages.html import (
    BUILD_META_KEY,
    CSP_META,
    Prefetched,
    PreparedEntry,
    PreparedTag,
    build_meta,
    importmap_script,
    once,
    prefetch_script,
    prepare_entry,
    without,
)
from django_duet.pages.importmap import read_import_map
from django_duet.pages.prefetch import lazy_files

MAX_ENTRIES = 1024  # prepared entries kept per build; past it, the least recently used go


def static_url(file: str, frontend: Settings = conf) -> str:
    """URL of a build file, through the configured staticfiles storage (whitenoise, CDN ...)."""
    return staticfiles_storage.url(frontend.STATIC_PREFIX + file)


@dataclass(frozen=True)
class TagSettings:
    """What the tags read from the settings: read once, until a setting changes."""

    dev: bool  # DEBUG and DEV_MODE: a dev server may be in use
    crossorigin: str | None
    sri: bool


@caches.settings_cache(maxsize=1)
def tag_settings() -> TagSettings:
    return TagSettings(dev=dev_enabled(), crossorigin=conf.CROSSORIGIN, sri=conf.SRI)


class PreparedBuild:
    """The tag HTML of one frontend's build: the build meta and each entry's tags."""

    def __init__(self, frontend: Settings, manifest: Manifest, settings: TagSettings) -> None:
        self.frontend = frontend
        self.manifest = manifest
        self.meta = str(build_meta(manifest.build_id)) if manifest.build_id else ""
        self._crossorigin = settings.crossorigin
        self._integrity_for = (
            integrity_lookup(frontend, manifest.integrity) if settings.sri else None
        )
        # Bounded by entries (a template may name entries from variables); thread-safe.
        self.entry = functools.lru_cache(maxsize=MAX_ENTRIES)(self._prepare)
        # An entry less the tags an earlier one put on the page (shared chunks), by entry and
        # those URLs: pages combine their entries in a few ways, prepared once each too.
        self.rest = functools.lru_cache(maxsize=4 * MAX_ENTRIES)(self._rest)
        self.lazy = functools.lru_cache(maxsize=MAX_ENTRIES)(self._lazy)
        # Vite's build.chunkImportMap: the map, with this site's URLs (None: the build has none)
        self.import_map = read_import_map(
            frontend.BUILD_DIR, manifest, self._url, self._integrity_for
        )
        self._import_map_key = f"duet:importmap:{frontend.name}"

    def _url(self, file: str) -> str:
        return static_url(file, self.frontend)

    def _prepare(self, name: str) -> PreparedEntry:
        return prepare_entry(
            self.manifest.entry(name),
            functools.partial(static_url, frontend=self.frontend),
            crossorigin=self._crossorigin,
            integrity_for=self._integrity_for,
        )

    def _rest(self, name: str, on_page: frozenset[str]) -> PreparedEntry:
        return without(self.entry(name), on_page)

    def _lazy(self, names: tuple[str, ...]) -> tuple[Prefetched, ...]:
        integrity_for = self._integrity_for
        return tuple(
            (
                self._url(file),
                how,
                integrity_for(file) if integrity_for else None,
                self._crossorigin,
            )
            for file, how in lazy_files(self.manifest, names)
        )

    def html(
        self,
        names: tuple[str, ...],
        emitted: set[str],
        nonce_attr: str,
        links: list[PreparedTag] | None = None,
        prefetch: tuple[int, ...] = (),
    ) -> str:
        """What ``names`` add to a page that has ``emitted`` (updated): the import map, the
        csp-nonce meta and the build meta once per page, then each entry's tags not on the page
        yet (also added to ``links``: ``pages.links``), then, with ``prefetch`` (its
        concurrency, 0 for all at once), the script that prefetches their lazy chunks."""
        parts = []
        if self.import_map and once(emitted, self._import_map_key):
            parts.append(importmap_script(self.import_map, nonce_attr))
        if nonce_attr and once(emitted, CSP_META.url):
            parts.append(CSP_META.head + nonce_attr + CSP_META.tail)
        if self.meta and once(emitted, BUILD_META_KEY):
            parts.append(self.meta)
        for name in names:
            entry = self.entry(name)
            on_page = entry.urls.intersection(emitted)
            if on_page:
                entry = self.rest(name, on_page)
            if entry.tags:
                emitted.update(entry.urls)
                parts.append(nonce_attr.join(entry.parts))
                if links is not None:
                    # A module preloaded from the header could be parsed before the page's
                    # import map, its imports then resolved without it (404s in Chromium 156):
                    # with a map, only the stylesheets go into the header.
                    links.extend(t for t in entry.tags if t.style or not self.import_map)
        if prefetch:
            parts.append(self._prefetch(names, emitted, nonce_attr, prefetch[0]))
        return "\n".join(p for p in parts if p)

    def _prefetch(
        self, names: tuple[str, ...], emitted: set[str], nonce_attr: str, concurrency: int
    ) -> str:
        """The prefetch script for the lazy chunks of ``names``, less what the page has or an
        earlier prefetch took."""
        files = [
            f for f in self.lazy(names) if f[0] not in emitted and once(emitted, "prefetch:" + f[0])
        ]
        return prefetch_script(files, concurrency, nonce_attr)


_builds: dict[str, PreparedBuild] = {}  # by frontend name: the current build of each
clear_cache = caches.register(_builds.clear)  # also: a first render, in the benchmark


def prepared_build(frontend: Settings, manifest: Manifest) -> PreparedBuild:
    """The prepared tags of ``manifest`` for ``frontend``; a new build starts afresh."""
    found = _builds.get(frontend.name)
    if found is None or found.manifest is not manifest:
        found = _builds[frontend.name] = PreparedBuild(frontend, manifest, tag_settings())
    return found
