"""Architecture 4: the build on S3-compatible storage behind a "CDN", pages from gunicorn.

A real SeaweedFS on 127.0.0.1 plays the bucket and the CDN (public reads, bucket CORS for the
app's origin only). `manage.py duet build --no-install` builds a scratch copy of the example
frontend with Vite's base at the CDN URL and uploads it with DuetS3StaticStorage; gunicorn
serves the pages on another origin; Chromium must load everything, and SRI must hold.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.serving.s3 import IMMUTABLE, SHORT
from django_duet.testing.s3 import ACCESS_KEY, REGION, SECRET_KEY, SeaweedS3
from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BIN, EXAMPLE, scratch_frontends

BUCKET = "duet-cdn"
FRONTEND = EXAMPLE / "frontend"


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator[SeaweedS3]:
    with SeaweedS3(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="module")
def cdn(s3, tmp_path_factory) -> dict[str, Any]:
    """`duet build` of a scratch frontend, uploaded to the bucket; the app's env and origin."""
    app_port = free_port()
    app_origin = f"http://127.0.0.1:{app_port}"
    s3.create_bucket(BUCKET, cors_origins=[app_origin])
    static_url = s3.object_url(BUCKET, "static/")
    scratch = tmp_path_factory.mktemp("cdn")
    # Copies of both frontends: `duet build` builds each, with the CDN's STATIC_URL.
    copies = scratch_frontends(scratch / "repo")
    frontend = Path(copies["DUET_EXAMPLE_FRONTEND_DIR"])
    options = {
        "bucket_name": BUCKET,
        "location": "static",
        "endpoint_url": s3.endpoint_url,
        "region_name": REGION,
        "addressing_style": "path",
        "gzip": True,  # gzip-encoded objects: the browser hashes the decoded bytes for SRI
    }
    env = {
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "e2e-secret-key-" + "c" * 40,
        "DUET_EXAMPLE_DB": str(scratch / "db.sqlite3"),
        "DUET_EXAMPLE_STATIC_ROOT": str(scratch / "unused-static-root"),
        **copies,
        "DUET_EXAMPLE_STATIC_URL": static_url,
        "DUET_EXAMPLE_STORAGE": "django_duet.storage_s3.DuetS3StaticStorage",
        "DUET_EXAMPLE_STORAGE_OPTIONS": json.dumps(options),
    }
    # Only the build step uploads, so only it gets the credentials (read by django-storages).
    uploader = {**env, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    for args in (["migrate", "--noinput"], ["duet", "build", "--no-install"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=EXAMPLE,
            env={**os.environ, **uploader},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    manifest = json.loads((frontend / "dist" / ".vite" / "manifest.json").read_text())
    return {
        "env": env,
        "port": app_port,
        "origin": app_origin,
        "static_url": static_url,
        "build": frontend / "dist",
        "manifest": manifest,
    }


@pytest.fixture(scope="module")
def app(cdn) -> Iterator[ServerProcess]:
    """gunicorn without bucket credentials: URLs and SRI come from the build on disk."""
    env = {**cdn["env"], "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    command = [str(BIN / "gunicorn"), "example.wsgi", "--bind", f"127.0.0.1:{cdn['port']}"]
    command += ["--workers", "2", "--threads", "4", "--worker-class", "gthread"]
    with ServerProcess(command, port=cdn["port"], cwd=EXAMPLE, env=env, name="app") as s:
        yield s


class AssetTags(HTMLParser):
    """The module scripts, module preloads and stylesheets of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if (tag == "script" and found.get("src")) or (
            tag == "link" and found.get("rel") in ("modulepreload", "stylesheet")
        ):
            self.tags.append({"tag": tag, **found})


def asset_tags(html: str) -> list[dict[str, str | None]]:
    parser = AssetTags()
    parser.feed(html)
    return parser.tags


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.mark.parametrize(
    "path, ready",
    [("/", ("island-greeting", "Hello, Django!")), ("/app/about", ("page-title", "About"))],
)
def test_pages_load_their_assets_from_the_cdn_in_chromium(duet_page, app, cdn, path, ready):
    loaded: list[str] = []
    duet_page.on(
        "response",
        lambda r: r.request.resource_type in ("script", "stylesheet") and loaded.append(r.url),
    )
    duet_page.goto(app.url + path)
    expect(duet_page.get_by_test_id(ready[0])).to_have_text(ready[1])
    assert loaded, "no script or stylesheet was loaded"
    assert [url for url in loaded if not url.startswith(cdn["static_url"])] == []
    if path == "/app/about":  # the lazy route's chunk came from the CDN through import()
        lazy = cdn["manifest"]["src/app/About.tsx"]["file"]
        assert cdn["static_url"] + lazy in loaded


def test_every_tag_has_crossorigin_and_the_sri_of_the_bytes_the_cdn_serves(app, cdn):
    tags = asset_tags(httpx.get(app.url + "/").text)
    kinds = {(t["tag"], t.get("rel")) for t in tags}
    assert {("script", None), ("link", "modulepreload"), ("link", "stylesheet")} <= kinds
    with httpx.Client() as client:
        for tag in tags:
            url = str(tag.get("src") or tag.get("href"))
            assert url.startswith(cdn["static_url"]), url
            assert "crossorigin" in tag, tag
            served = client.get(url)  # httpx decodes the gzip encoding, as browsers do
            assert served.status_code == 200, url
            assert tag["integrity"] == sri(served.content), url


def test_spa_shell_tags_carry_sri(app, cdn):
    tags = asset_tags(httpx.get(app.url + "/app/about").text)
    assert tags and all(str(t.get("src") or t["href"]).startswith(cdn["static_url"]) for t in tags)
    assert all("crossorigin" in t for t in tags)
    assert all(t.get("integrity") for t in tags)


def test_the_cdn_serves_types_cache_headers_and_gzip(s3, cdn):
    entry = cdn["manifest"]["src/island.tsx"]
    with httpx.Client(base_url=cdn["static_url"]) as client:
        script = client.get(entry["file"])
        assert script.headers["content-type"] == "text/javascript"
        assert script.headers["cache-control"] == IMMUTABLE
        assert script.headers["content-encoding"] == "gzip"
        assert script.content == (cdn["build"] / entry["file"]).read_bytes()
        css = client.get(entry["css"][0])
        assert css.headers["content-type"] == "text/css"
        assert css.headers["cache-control"] == IMMUTABLE
        assert client.get("favicon.svg").headers["cache-control"] == SHORT  # may change
        django = json.loads((cdn["build"] / ".vite" / "staticfiles.json").read_text())["paths"]
        assert client.get(django["favicon.svg"]).headers["cache-control"] == IMMUTABLE
        for private in (".vite/manifest.json", "staticfiles.json", ".vite/staticfiles.json"):
            assert client.get(private).status_code in (403, 404), private  # never uploaded


def test_bucket_cors_admits_the_app_origin_only(cdn):
    url = cdn["static_url"] + cdn["manifest"]["src/island.tsx"]["file"]
    allowed = httpx.get(url, headers={"origin": cdn["origin"]})
    assert allowed.headers["access-control-allow-origin"] == cdn["origin"]
    other = httpx.get(url, headers={"origin": "http://127.0.0.1:9"})
    assert "access-control-allow-origin" not in other.headers


def test_a_tampered_file_on_the_cdn_is_refused_by_the_browser(duet_page, s3, app, cdn):
    key = "static/" + cdn["manifest"]["src/island.tsx"]["file"]
    client = s3.client()
    original = client.get_object(Bucket=BUCKET, Key=key)
    body = original["Body"].read()
    keep = {"ContentType": original["ContentType"], "CacheControl": original["CacheControl"]}
    if original.get("ContentEncoding"):
        keep["ContentEncoding"] = original["ContentEncoding"]
    tampered = b"window.__tampered = true;\n" + (cdn["build"] / key[len("static/") :]).read_bytes()
    client.put_object(Bucket=BUCKET, Key=key, Body=tampered, ContentType="text/javascript")
    try:
        duet_page.problems.allow("integrity")  # expected: the point of this test
        with duet_page.expect_console_message(lambda m: "integrity" in m.text) as message:
            duet_page.goto(app.url + "/")
        assert "blocked" in message.value.text
        assert duet_page.evaluate("window.__tampered") is None  # never ran
        expect(duet_page.get_by_test_id("django-title")).to_be_visible()
        expect(duet_page.get_by_test_id("island-greeting")).to_have_count(0)
    finally:
        client.put_object(Bucket=BUCKET, Key=key, Body=body, **keep)
