"""collectstatic with DuetS3StaticStorage never uploads a build's manifest (issue 19).

webpack's ``assets-manifest.json``, create-react-app's ``asset-manifest.json`` and
webpack-bundle-tracker's ``webpack-stats.json`` (which names the build machine's paths) sit
beside the files they describe; collectstatic used to upload each, and Django's hashing a copy
(``assets-manifest.0123456789ab.json``), to a bucket the CDN makes public. Here a real S3 server
(SeaweedFS on 127.0.0.1) gets each committed build: its keys are listed, the objects read
anonymously as through the CDN, and the tags rendered against it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.template import engines

from django_duet.build.record import sri_hash
from django_duet.serving.hashing import is_bundler_hashed
from django_duet.serving.s3 import IMMUTABLE, SHORT
from django_duet.testing.s3 import ACCESS_KEY, REGION, SECRET_KEY, SeaweedS3

FIXTURES = Path(__file__).parents[1] / "fixtures"

# format: (the build, STATIC_PREFIX, its manifest below the build)
BUILDS = {
    "webpack": (FIXTURES / "webpack-project" / "build", "", "assets-manifest.json"),
    "cra": (FIXTURES / "cra-project" / "build", "", "asset-manifest.json"),
    "webpack-stats": (FIXTURES / "webpack-stats-v3", "bundles/", "webpack-stats.json"),
}
BUCKET = "duet-manifests"
_folders = count()  # one bucket (SeaweedFS gives each its own volumes): a folder per deploy


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator[SeaweedS3]:
    with SeaweedS3(tmp_path_factory.mktemp("seaweedfs")) as server:
        server.create_bucket(BUCKET)
        yield server


class Deploy:
    """One build copied to a scratch folder, collected into a folder of its own in the bucket."""

    def __init__(self, s3: SeaweedS3, settings: Any, tmp_path: Path, format: str) -> None:
        source, self.prefix, self.manifest = BUILDS[format]
        self.s3 = s3
        self.bucket, self.location = BUCKET, f"static{next(_folders)}"
        self.build = tmp_path / "dist"
        shutil.copytree(source, self.build, ignore=shutil.ignore_patterns("README.md"))
        self.static_url = s3.object_url(self.bucket, self.location + "/")
        settings.DEBUG = False
        settings.DUET = {
            "BUILD_DIR": self.build,
            "MANIFEST_FORMAT": format,
            "STATIC_PREFIX": self.prefix,
        }
        prefix = self.prefix.rstrip("/")
        settings.STATICFILES_DIRS = [(prefix, self.build) if prefix else self.build]
        settings.STATIC_URL = self.static_url
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django_duet.storage_s3.DuetS3StaticStorage",
                "OPTIONS": {
                    "bucket_name": self.bucket,
                    "location": self.location,
                    "endpoint_url": s3.endpoint_url,
                    "region_name": REGION,
                    "addressing_style": "path",
                },
            },
        }

    def collectstatic(self) -> None:
        call_command("collectstatic", "--noinput", verbosity=0)

    def keys(self) -> set[str]:
        """The deploy's object keys, as static names (its folder left off)."""
        pages = self.s3.client().get_paginator("list_objects_v2")
        found = pages.paginate(Bucket=self.bucket, Prefix=self.location + "/")
        return {
            item["Key"].removeprefix(self.location + "/")
            for page in found
            for item in page.get("Contents", [])
        }

    def head(self, name: str) -> dict[str, Any]:
        key = f"{self.location}/{name}"
        return self.s3.client().head_object(Bucket=self.bucket, Key=key)  # type: ignore[no-any-return]

    def django_paths(self) -> dict[str, str]:
        """Django's manifest (kept in BUILD_DIR/.vite, never uploaded)."""
        data = json.loads((self.build / ".vite" / "staticfiles.json").read_text())
        return data["paths"]  # type: ignore[no-any-return]

    def build_files(self) -> set[str]:
        """Every file of the build, as a static name (STATIC_PREFIX included)."""
        return {
            self.prefix + path.relative_to(self.build).as_posix()
            for path in self.build.rglob("*")
            if path.is_file() and ".vite" not in path.relative_to(self.build).parts
        }


@pytest.fixture(params=list(BUILDS))
def deploy(request, s3, settings, tmp_path, monkeypatch) -> Deploy:
    # Only the upload needs credentials, from the environment as on a build machine.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    return Deploy(s3, settings, tmp_path, request.param)


def manifest_keys(deploy: Deploy, keys: set[str], name: str | None = None) -> list[str]:
    """The keys of the manifest under its name or as a hashed copy (name.0123456789ab.json)."""
    stem, ext = os.path.splitext(name or deploy.manifest)
    pattern = re.compile(rf"(?:^|/){re.escape(stem)}(?:\.[0-9a-f]{{12}})?{re.escape(ext)}$")
    return sorted(key for key in keys if pattern.search(key))


def test_the_manifest_is_not_uploaded_and_every_other_file_is(deploy):
    deploy.collectstatic()
    keys = deploy.keys()
    assert manifest_keys(deploy, keys) == []
    others = deploy.build_files() - {deploy.prefix + deploy.manifest}
    assert others <= keys
    with httpx.Client(base_url=deploy.static_url) as cdn:
        assert cdn.get(deploy.prefix + deploy.manifest).status_code in (403, 404)
    # The bundler named its files by content: they keep those names (hashing them again would
    # rewrite their sourceMappingURL and break their SRI). Django hashes only the rest.
    kept = {name for name in others if is_bundler_hashed(name)}
    assert kept and kept <= keys
    paths = deploy.django_paths()
    assert set(paths) == others - kept
    for name, hashed in paths.items():
        assert re.fullmatch(r".+\.[0-9a-f]{12}(\.[^./]+)?", hashed), (name, hashed)
        assert hashed in keys


def test_the_other_files_keep_their_cache_headers_and_types(deploy):
    deploy.collectstatic()
    scripts = sorted(n for n in deploy.build_files() if n.endswith(".js") and is_bundler_hashed(n))
    assert scripts
    for name in scripts:  # named by content by the bundler: cached for good
        kept = deploy.head(name)
        assert kept["CacheControl"] == IMMUTABLE
        assert kept["ContentType"] == "text/javascript"
    for name, hashed in deploy.django_paths().items():  # the rest: short, and Django's copy
        assert deploy.head(name)["CacheControl"] == SHORT
        assert deploy.head(hashed)["CacheControl"] == IMMUTABLE


class Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("src") or found.get("href"):
            self.tags.append(found)


def test_the_tags_resolve_to_objects_the_cdn_serves(deploy):
    # webpack-stats' build has a source map: the case where a second hashing broke the SRI.
    deploy.collectstatic()
    parser = Urls()
    parser.feed(engines["django"].from_string('{% load duet %}{% duet_entry "main" %}').render())
    assert {"script", "link"} <= {("script" if t.get("src") else "link") for t in parser.tags}
    with httpx.Client() as cdn:
        for tag in parser.tags:
            url = str(tag.get("src") or tag.get("href"))
            name = url.removeprefix(deploy.static_url)
            assert is_bundler_hashed(name), url  # the bundler's own name, on the CDN
            served = cdn.get(url)
            assert served.status_code == 200, url
            original = deploy.build / name.removeprefix(deploy.prefix)
            assert served.content == original.read_bytes(), url
            # webpack-bundle-tracker lists its own digests (sha256 sha384 sha512): ours is one
            assert sri_hash(original) in str(tag["integrity"]).split(), url


def test_a_second_run_uploads_no_manifest_and_keeps_the_hashing(deploy):
    deploy.collectstatic()
    first = deploy.django_paths()
    future = time.time() + 3600  # a fresh build: every source is newer than its upload
    for path in deploy.build.rglob("*"):
        os.utime(path, (future, future))
    deploy.collectstatic()
    assert manifest_keys(deploy, deploy.keys()) == []
    assert deploy.django_paths() == first


def test_a_manifest_an_earlier_version_uploaded_is_removed(deploy):
    key = f"{deploy.location}/{deploy.prefix}{deploy.manifest}"
    deploy.s3.client().put_object(Bucket=deploy.bucket, Key=key, Body=b"{}")
    deploy.collectstatic()  # the source is older than that object: deleted all the same
    assert manifest_keys(deploy, deploy.keys()) == []


@pytest.mark.parametrize("deploy", ["webpack-stats"], indirect=True)
def test_a_manifest_under_a_name_of_its_own_stays_out(deploy, settings):
    (deploy.build / deploy.manifest).rename(deploy.build / "bundle-tracker.json")
    settings.DUET = {**settings.DUET, "MANIFEST_PATH": deploy.build / "bundle-tracker.json"}
    deploy.collectstatic()
    keys = deploy.keys()
    assert manifest_keys(deploy, keys, "bundle-tracker.json") == []
    assert "bundles/js/main.d3a05b21.js" in keys
    assert "bundle-tracker.json" not in deploy.django_paths()


@pytest.mark.parametrize("deploy", ["cra"], indirect=True)
def test_a_web_app_manifest_is_uploaded(deploy):
    """Browsers fetch a PWA's manifest.json: only the build's manifest stays out."""
    (deploy.build / "manifest.json").write_text('{"name": "app"}')
    deploy.collectstatic()
    keys = deploy.keys()
    assert "manifest.json" in keys
    assert deploy.django_paths()["manifest.json"] in keys
