"""Upload the build to S3-compatible object storage (behind a CDN) with ``collectstatic``.

``DuetS3StaticStorage`` is django-storages' S3 storage with Django's manifest hashing, except
for the bundler's files, which keep their names (see ``storage.py``), and with:

- ``Cache-Control`` per file: a year and ``immutable`` for every content-hashed name (Vite's
  and Django's), a short lifetime for the rest (``favicon.svg``, ``robots.txt`` ...);
- the ``Content-Type`` browsers insist on (module scripts, wasm, fonts), whatever the OS's
  mime table says;
- URLs built from ``STATIC_URL`` (the CDN), the one setting the Vite build also uses as its
  ``base``, so tags, lazy chunks and CSS ``url()`` all point at the same place;
- Django's manifest (``staticfiles.json``) kept beside Vite's in ``BUILD_DIR/.vite/`` rather
  than in the bucket: app servers, which have the build anyway, need no credentials nor a
  request to the bucket to make URLs, and the list of files is not published;
- no delete-then-upload of a bundler file that is already in the bucket: its name is its
  content, and deleting a live file would make pages already out there fail for a moment;
- no build manifest in the bucket (webpack's, create-react-app's, webpack-bundle-tracker's, a
  ``MANIFEST_PATH`` inside ``BUILD_DIR``: ``serving.manifests``), neither under its own name
  nor as a Django-hashed copy: they are for Django, and the bucket is public.

Needs ``pip install "django-duet[s3]"``. Setup: docs/deployment-cdn.md.
"""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import FileSystemStorage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3StaticStorage
from storages.utils import clean_name

from django_duet.conf import conf
from django_duet.serving.hashing import is_bundler_hashed
from django_duet.serving.manifests import is_static_manifest
from django_duet.serving.storage import KeepBundlerNamesMixin

if TYPE_CHECKING:
    from django.contrib.staticfiles.storage import _PostProcessT

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60"  # as whitenoise's default for files whose content may change

# What browsers require (a module script must be JavaScript, wasm streaming needs its type);
# Python's guess depends on the OS's mime.types, so these are fixed here.
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".html": "text/html; charset=utf-8",
}


class _StaticUrlMixin:
    """``url()`` under STATIC_URL, like FileSystemStorage, instead of the bucket's endpoint.

    Sits below Django's hashing in the MRO: the hashing mixin maps the name, this makes the URL.
    """

    def url(self, name: str, *args: Any, **kwargs: Any) -> str:
        path = str(filepath_to_uri(clean_name(name))).lstrip("/")
        return urljoin(str(settings.STATIC_URL), path)


class DuetS3StaticStorage(
    KeepBundlerNamesMixin,
    ManifestFilesMixin,
    _StaticUrlMixin,
    S3StaticStorage,  # type: ignore[misc]
):
    """``STORAGES["staticfiles"]``: collectstatic uploads the build; tags get CDN URLs.

    OPTIONS are django-storages' (``bucket_name``, ``location``, ``endpoint_url``, ``gzip`` ...)
    plus ``cache_control`` and ``immutable_cache_control``, and Django's ``manifest_storage``
    (default: a FileSystemStorage on ``BUILD_DIR/.vite``).
    """

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "cache_control": SHORT,
            "immutable_cache_control": IMMUTABLE,
        }

    def __init__(self, **options: Any) -> None:
        self._django_hashed: set[str] = set()
        if options.get("manifest_storage") is None:
            # A dot-folder: collectstatic never uploads it. Read once per process, offline.
            options["manifest_storage"] = FileSystemStorage(location=conf.BUILD_DIR / ".vite")
        super().__init__(**options)

    def _relative(self, key: str) -> str:
        """The static file name of an object key (django-storages adds ``location``)."""
        location = clean_name(self.location or "").strip("/")
        return key[len(location) + 1 :] if location and key.startswith(location + "/") else key

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        hashed = super().hashed_name(name, content, filename)
        if hashed != name:  # a name Django derived from the content: immutable as well
            self._django_hashed.add(clean_name(hashed))
        return hashed

    def is_immutable(self, name: str) -> bool:
        """Whether the static file ``name`` is named by its content (so never changes)."""
        return is_bundler_hashed(name) or clean_name(name) in self._django_hashed

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        # ``name`` is the object key here (under ``location``), as django-storages passes it.
        params: dict[str, Any] = super().get_object_parameters(name)
        immutable = self.is_immutable(self._relative(clean_name(name)))
        params["CacheControl"] = self.immutable_cache_control if immutable else self.cache_control
        content_type = CONTENT_TYPES.get(posixpath.splitext(name)[1].lower())
        if content_type and "ContentType" not in params:
            params["ContentType"] = content_type
        return params

    def stored_name(self, name: str) -> str:
        # Bundler files are left out of the manifest (see post_process): their name is final.
        if is_bundler_hashed(name):
            return str(clean_name(name))
        return str(super().stored_name(name))

    def post_process(self, *args: Any, **kwargs: Any) -> _PostProcessT:
        # Vite already rewrote the URLs inside its files: Django's pass over its CSS would
        # delete and upload each one again, a window in which live pages get 404s.
        # A build's manifest gets no hashed copy (nor a line in staticfiles.json): Django's
        # hashing reads every source from the finders (``paths``), never from the bucket, so
        # leaving one out changes nothing for the rest.
        paths, rest = (args[0], args[1:]) if args else (kwargs.pop("paths"), ())
        kept = {
            name: source
            for name, source in paths.items()
            if not is_bundler_hashed(name) and not is_static_manifest(name)
        }
        yield from super().post_process(kept, *rest, **kwargs)

    def _save(self, name: str, content: Any) -> str:
        # collectstatic copies a build's manifest with the build: it never reaches the bucket.
        if is_static_manifest(name):
            return str(clean_name(name))
        return str(super()._save(name, content))

    def get_modified_time(self, name: str) -> datetime:
        if is_static_manifest(name):
            # Only a bucket filled by an earlier version holds one: as older than any source,
            # collectstatic deletes it (and _save uploads nothing in its place).
            oldest = datetime.min.replace(microsecond=0)
            return oldest.replace(tzinfo=UTC) if settings.USE_TZ else oldest
        # collectstatic deletes, then uploads again, every file whose source is newer than the
        # stored copy: a fresh build touches every file. A bundler-hashed name already in the
        # bucket holds the same bytes, so it reports as never older than its source and is
        # skipped. (To replace a damaged object, delete it first.)
        if is_bundler_hashed(name):
            latest = datetime.max.replace(microsecond=0)
            return latest.replace(tzinfo=UTC) if settings.USE_TZ else latest
        return super().get_modified_time(name)  # type: ignore[no-any-return]
