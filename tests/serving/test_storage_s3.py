"""DuetS3StaticStorage through collectstatic, with a dict for a bucket (no server, no network).

``MemoryBucket`` replaces only django-storages' S3 calls (below DuetS3StaticStorage in the MRO),
so the hashing, headers, URLs and skipping under test are the real ones. The same storage
against a real S3 server, in Chromium, is tests/e2e/test_cdn.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.template import engines
from storages.backends.s3 import S3StaticStorage
from storages.utils import clean_name

from django_duet.serving.s3 import IMMUTABLE, SHORT, DuetS3StaticStorage
from tests.helpers import duet_check_ids

CDN = "https://cdn.example.test/static/"


class _DictPrimitives(S3StaticStorage):  # type: ignore[misc]
    """The S3 object calls, on a dict: key -> (bytes, upload parameters)."""

    def __init__(self, **options: Any) -> None:
        self.objects: dict[str, tuple[bytes, dict[str, Any]]] = {}
        self.uploads: list[str] = []
        self.deletes: list[str] = []
        self.saved_at: dict[str, datetime] = {}
        super().__init__(**options)

    def _save(self, name: str, content: Any) -> str:
        key = self._normalize_name(clean_name(name))
        params = self._get_write_parameters(key, content)  # what boto3 would be given
        content.seek(0)
        data = content.read()
        self.objects[key] = (data.encode() if isinstance(data, str) else data, params)
        self.uploads.append(key)
        self.saved_at[key] = datetime.now(UTC)
        return str(clean_name(name))

    def _open(self, name: str, mode: str = "rb") -> ContentFile[bytes]:
        return ContentFile(self.objects[self._normalize_name(clean_name(name))][0], name=name)

    def exists(self, name: str) -> bool:
        return self._normalize_name(clean_name(name)) in self.objects

    def delete(self, name: str) -> None:
        key = self._normalize_name(clean_name(name))
        self.deletes.append(key)
        self.objects.pop(key, None)

    def get_modified_time(self, name: str) -> datetime:
        return self.saved_at[self._normalize_name(clean_name(name))]


class MemoryBucket(DuetS3StaticStorage, _DictPrimitives):
    pass


@pytest.fixture
def bucket(build_dir, settings) -> MemoryBucket:
    (build_dir / "assets" / "urls-Ur1s0000.css").write_text(
        ".a{background:url(./logo-L0g0L0g0.svg)}"
    )
    (build_dir / "site.css").write_text('body{background:url("assets/logo-L0g0L0g0.svg")}')
    settings.STATIC_URL = CDN
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": f"{__name__}.MemoryBucket",
            "OPTIONS": {"bucket_name": "assets", "location": "static"},
        },
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return storages["staticfiles"]  # type: ignore[return-value]


def test_collectstatic_uploads_every_file_with_its_cache_headers(bucket):
    objects = bucket.objects
    js = objects["static/assets/main-AbCd1234.js"][1]
    assert js["CacheControl"] == IMMUTABLE
    assert js["ContentType"] == "text/javascript"
    assert objects["static/assets/logo-L0g0L0g0.svg"][1]["ContentType"] == "image/svg+xml"
    assert objects["static/robots.txt"][1]["CacheControl"] == SHORT  # may change: short
    assert objects["static/site.css"][1]["CacheControl"] == SHORT
    (hashed,) = [k for k in objects if re.fullmatch(r"static/site\.[0-9a-f]{12}\.css", k)]
    assert objects[hashed][1] == {"CacheControl": IMMUTABLE, "ContentType": "text/css"}


def test_bundler_files_are_uploaded_once_untouched_and_never_rehashed(bucket, build_dir):
    assert not [k for k in bucket.objects if re.search(r"-[\w-]{8}\.[0-9a-f]{12}\.", k)]
    css = "static/assets/urls-Ur1s0000.css"
    assert bucket.objects[css][0] == (build_dir / "assets" / "urls-Ur1s0000.css").read_bytes()
    assert bucket.uploads.count(css) == 1  # Django's CSS pass skipped it: no delete + upload
    assert not [k for k in bucket.deletes if "/assets/" in k]


def test_django_manifest_stays_beside_vite_manifest_and_out_of_the_bucket(bucket, build_dir):
    manifest = json.loads((build_dir / ".vite" / "staticfiles.json").read_text())
    assert "site.css" in manifest["paths"]
    assert not [name for name in manifest["paths"] if name.startswith("assets/")]
    assert not [key for key in bucket.objects if "staticfiles.json" in key or "/." in key]


def test_urls_come_from_static_url(bucket):
    assert staticfiles_storage.url("assets/main-AbCd1234.js") == CDN + "assets/main-AbCd1234.js"
    site = staticfiles_storage.url("site.css")
    assert re.fullmatch(re.escape(CDN) + r"site\.[0-9a-f]{12}\.css", site)
    hashed = site.removeprefix(CDN)
    # Django's copy of site.css points at Vite's logo under its own (unchanged) name.
    assert bucket.objects["static/" + hashed][0] == (
        b'body{background:url("assets/logo-L0g0L0g0.svg")}'
    )


def test_tags_point_at_the_cdn_with_crossorigin_and_sri(bucket, build_dir):
    html = engines["django"].from_string('{% load duet %}{% duet_entry "src/theme.css" %}').render()
    digest = hashlib.sha384((build_dir / "assets" / "theme-Them3Css.css").read_bytes()).digest()
    assert html.splitlines()[-1] == (
        f'<link rel="stylesheet" href="{CDN}assets/theme-Them3Css.css" crossorigin '
        f'integrity="sha384-{base64.b64encode(digest).decode()}">'
    )


def test_a_new_build_does_not_delete_and_reupload_live_bundler_files(bucket, build_dir):
    future = time.time() + 3600  # a fresh build: every source is newer than its upload
    for folder, _, files in os.walk(build_dir):
        for name in files:
            os.utime(os.path.join(folder, name), (future, future))
    bucket.uploads.clear()
    call_command("collectstatic", "--noinput", verbosity=0)
    assert not [k for k in bucket.deletes if "/assets/" in k]
    assert not [k for k in bucket.uploads if "/assets/" in k]
    assert "static/robots.txt" in bucket.uploads  # an unhashed file is replaced as usual


def test_options_override_the_cache_headers(tmp_path):
    storage = DuetS3StaticStorage(
        bucket_name="assets",
        cache_control="no-cache",
        immutable_cache_control="public, max-age=600",
        object_parameters={"ContentDisposition": "inline"},
        manifest_storage=FileSystemStorage(location=tmp_path),
    )
    assert storage.get_object_parameters("assets/app-AbCd1234.mjs") == {
        "CacheControl": "public, max-age=600",
        "ContentType": "text/javascript",
        "ContentDisposition": "inline",
    }
    assert storage.get_object_parameters("app.wasm")["CacheControl"] == "no-cache"
    assert storage.get_object_parameters("app.wasm")["ContentType"] == "application/wasm"


def test_static_prefix_moves_the_bundler_files(tmp_path, settings):
    settings.DUET = {**settings.DUET, "STATIC_PREFIX": "frontend"}
    storage = DuetS3StaticStorage(
        bucket_name="b", location="s", manifest_storage=FileSystemStorage(location=tmp_path)
    )
    assert storage.get_object_parameters("s/frontend/assets/a-AbCd1234.js")["CacheControl"] == (
        IMMUTABLE
    )
    assert storage.get_object_parameters("s/assets/a-AbCd1234.js")["CacheControl"] == SHORT


def _ids(settings_override: dict[str, Any], settings) -> set[str]:
    for name, value in settings_override.items():
        setattr(settings, name, value)
    return set(duet_check_ids(include_deployment_checks=False))


S3 = "django_duet.storage_s3.DuetS3StaticStorage"


def test_checks_accept_a_complete_s3_setup(settings):
    storages_setting = {**settings.STORAGES, "staticfiles": {"BACKEND": S3, "OPTIONS": {}}}
    storages_setting["staticfiles"]["OPTIONS"] = {"bucket_name": "assets"}
    ids = _ids({"STORAGES": storages_setting, "STATIC_URL": CDN}, settings)
    assert not ids & {"duet.E090", "duet.E091", "duet.W090", "duet.W002"}


def test_checks_want_a_bucket_and_a_cdn_url(settings):
    storages_setting = {**settings.STORAGES, "staticfiles": {"BACKEND": S3}}
    ids = _ids({"STORAGES": storages_setting, "STATIC_URL": "/static/"}, settings)
    assert {"duet.E091", "duet.W090"} <= ids


def test_check_names_the_missing_extra(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "storages", None)  # as if django-storages were missing
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": S3}}
    (error,) = [m for m in run_checks() if m.id == "duet.E090"]
    assert "'storages' is not installed" in error.msg
    assert 'pip install "django-duet[s3]"' in error.hint
