"""A build's manifest is for Django, never for browsers: which static URLs are manifests.

Vite's ``.vite/manifest.json`` stays private through its dot-directory (collectstatic ignores
``.*``, and no dot segment is ever served). The other formats write theirs beside the files
(webpack's ``assets-manifest.json``, create-react-app's ``asset-manifest.json``,
webpack-bundle-tracker's ``webpack-stats.json``, which also names the build machine's paths):
collectstatic copies them with the build, so the serving paths refuse them by name (also in
nginx's config), and a manifest under a name of the user's (``MANIFEST_PATH`` inside
``BUILD_DIR``) by its URL; DuetS3StaticStorage never uploads them (``is_static_manifest``).
A web app manifest (``manifest.json``) stays public.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from django_duet import caches
from django_duet.build.formats import DEFAULT_NAMES
from django_duet.conf import all_frontends

# The formats' own names that are not hidden in a dot-directory: private wherever they are.
MANIFEST_NAMES = frozenset(
    name for name in DEFAULT_NAMES.values() if "/" not in name and not name.startswith(".")
)


@caches.settings_cache(maxsize=1)
def manifest_urls() -> frozenset[str]:
    """The URL path of each frontend's manifest under STATIC_URL, when collectstatic copies it
    with the build (MANIFEST_PATH inside BUILD_DIR)."""
    static = urlsplit(str(settings.STATIC_URL or "")).path
    found: set[str] = set()
    for frontend in all_frontends():
        try:
            build, manifest = frontend.BUILD_DIR, frontend.MANIFEST_PATH
        except ImproperlyConfigured:
            continue  # a frontend that cannot be located: duet.E110 says so
        below = os.path.relpath(os.path.realpath(manifest), os.path.realpath(build))
        if below == os.pardir or below.startswith(os.pardir + os.sep):
            continue  # outside the build: never collected
        found.add(static + frontend.STATIC_PREFIX + PurePosixPath(*below.split(os.sep)).as_posix())
    return frozenset(found)


def custom_manifest_urls() -> tuple[str, ...]:
    """The manifest URLs that neither a dot segment nor MANIFEST_NAMES keep private already
    (for nginx's config, which cannot ask Django)."""
    return tuple(
        sorted(
            url
            for url in manifest_urls()
            if not any(s.startswith(".") for s in url.split("/"))
            and url.rsplit("/", 1)[-1] not in MANIFEST_NAMES
        )
    )


def is_manifest(url: str, name: str) -> bool:
    """Whether ``url`` (its last segment ``name``, less any .gz/.br) is a build's manifest."""
    if name in MANIFEST_NAMES:
        return True
    return url[: len(url) - len(url.rsplit("/", 1)[-1])] + name in manifest_urls()


def is_static_manifest(name: str) -> bool:
    """Whether the static file ``name`` (as collectstatic names it: relative to STATIC_URL, with
    any STATIC_PREFIX) is a build's manifest."""
    path = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    static = urlsplit(str(settings.STATIC_URL or "")).path
    return is_manifest(static + path, path.rsplit("/", 1)[-1])
