"""A staticfiles storage for a bundler build: compressed, Django-hashed, but never re-hashed.

Vite's files are already named by content hash. Hashing them again renames chunks whose
`import` statements still name the old files, so the browser fetches (and runs) a module
twice. Everything else (admin, app static) is hashed as with whitenoise's storage.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

from django_duet.serving.hashing import is_bundler_hashed


class KeepBundlerNamesMixin(HashedFilesMixin):
    """Django's hashing for every file but the bundler's (shared by the disk and S3 storages)."""

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        if is_bundler_hashed(name):
            return name
        return str(super().hashed_name(name, content, filename))


class DuetStaticFilesStorage(
    KeepBundlerNamesMixin,
    CompressedManifestStaticFilesStorage,  # type: ignore[misc]
):
    pass
