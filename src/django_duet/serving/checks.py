"""System checks of production serving: a storage that re-hashes the build (W002), and the build
on object storage behind a CDN (docs/deployment-cdn.md).

They look at the settings only (never at the network), so ``manage.py check`` stays offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles.storage import HashedFilesMixin
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from django_duet.serving.storage import KeepBundlerNamesMixin

S3_BACKEND = "django_duet.storage_s3.DuetS3StaticStorage"


def _staticfiles() -> tuple[str, dict[str, Any]]:
    config: dict[str, Any] = settings.STORAGES.get("staticfiles", {})
    return str(config.get("BACKEND", "")), dict(config.get("OPTIONS") or {})


def check_s3_storage(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E090/E091/W090: the S3 storage's dependencies, bucket, and STATIC_URL."""
    backend, options = _staticfiles()
    if not backend.startswith("django_duet.storage_s3."):
        return []
    try:
        import boto3  # noqa: F401
        import storages  # noqa: F401
    except ImportError as exc:
        return [
            Error(
                f'STORAGES["staticfiles"]["BACKEND"] is {backend!r}, but {exc.name!r} is not '
                "installed.",
                hint='pip install "django-duet[s3]" (django-storages and boto3).',
                id="duet.E090",
            )
        ]
    messages: list[CheckMessage] = []
    if not (options.get("bucket_name") or getattr(settings, "AWS_STORAGE_BUCKET_NAME", None)):
        messages.append(
            Error(
                f"{backend} has no bucket: neither "
                'STORAGES["staticfiles"]["OPTIONS"]["bucket_name"] nor AWS_STORAGE_BUCKET_NAME '
                "is set, so collectstatic cannot upload the build.",
                hint='Add "bucket_name": "<your bucket>" to STORAGES["staticfiles"]["OPTIONS"].',
                id="duet.E091",
            )
        )
    static_url = str(settings.STATIC_URL or "")
    if "://" not in static_url and not static_url.startswith("//"):
        messages.append(
            Warning(
                f"STATIC_URL is {static_url!r}, a path on the app's own origin, while {backend} "
                "uploads the files to a bucket: browsers would ask the app server for them.",
                hint="Set STATIC_URL to the CDN (or bucket) URL that serves the uploaded files, "
                'e.g. "https://cdn.example.com/static/" for OPTIONS "location": "static". '
                "Silence this check if a proxy on your origin forwards STATIC_URL to the bucket.",
                id="duet.W090",
            )
        )
    return messages


def check_storage(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.W002: a hashing storage that is not ours renames Vite's chunks a second time."""
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    try:
        cls = import_string(backend)
    except ImportError:
        return []  # Django reports an unimportable storage itself
    if not isinstance(cls, type) or not issubclass(cls, HashedFilesMixin):
        return []
    if issubclass(cls, KeepBundlerNamesMixin):  # DuetStaticFilesStorage, DuetS3StaticStorage
        return []
    return [
        Warning(
            f'STORAGES["staticfiles"]["BACKEND"] is {backend!r}, which hashes Vite\'s already '
            "hashed files again: chunks get renamed while imports still name the old files, "
            "and the browser loads modules twice.",
            hint='Use "django_duet.storage.DuetStaticFilesStorage" (compressed, hashed, '
            "but leaves the bundler's files alone).",
            id="duet.W002",
        )
    ]
