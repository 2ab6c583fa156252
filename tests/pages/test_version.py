"""Version skew: the build id on responses and in pages."""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from django_duet.pages.version import BUILD_HEADER, insert_build_meta


@pytest.fixture
def with_middleware(settings, build_dir):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django_duet.version.BuildIdMiddleware"]
    return hashlib.sha256((build_dir / ".vite" / "manifest.json").read_bytes()).hexdigest()[:16]


def test_responses_carry_the_build_id(client, with_middleware):
    response = client.get("/app/items/1")
    assert response[BUILD_HEADER] == with_middleware
    assert client.get("/app/missing.js")[BUILD_HEADER] == with_middleware  # 404s too


def test_async_stack_carries_it_too(async_client, with_middleware):
    async def get():
        return await async_client.get("/app/")

    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, get()).result(timeout=30)
    assert response[BUILD_HEADER] == with_middleware


def test_a_rebuild_changes_the_id(client, with_middleware, build_dir, settings):
    settings.DEBUG = True  # the manifest is re-read when it changes
    manifest = build_dir / ".vite" / "manifest.json"
    manifest.write_text(manifest.read_text().replace("main-AbCd1234", "main-Z9y8X7w6"))
    new = client.get("/app/")[BUILD_HEADER]
    assert new != with_middleware
    assert new == hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]


def test_the_build_id_is_one_hash_of_the_manifests_bytes(client, with_middleware, build_dir):
    # A manifest with CRLF line ends (written on Windows, or by a checkout that converted them):
    # the id the app serves, the one the page carries and the build record's are the same.
    from django_duet.build.record import write_record

    manifest = build_dir / ".vite" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"\n", b"\r\n"))
    record = write_record(build_dir)
    response = client.get("/app/")
    expected = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    assert response[BUILD_HEADER] == record.build_id == expected
    assert (
        f'<head><meta name="duet-build" content="{expected}"><title>' in response.content.decode()
    )


def test_no_build_no_header(client, settings, tmp_path):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django_duet.version.BuildIdMiddleware"]
    settings.DUET = {"BUILD_DIR": tmp_path}
    settings.ROOT_URLCONF = "tests.urls_empty"
    response = client.get("/nothing")
    assert response.status_code == 404 and BUILD_HEADER not in response


def test_client_routes_shell_gets_the_meta_after_head(client, with_middleware):
    html = client.get("/app/").content.decode()
    assert f'<head><meta name="duet-build" content="{with_middleware}"><title>' in html


def test_meta_is_not_inserted_twice(build_dir):
    html = '<html><head data-x="1"><meta name="duet-build" content="abc"></head></html>'
    assert insert_build_meta(html) == html
    assert insert_build_meta("<HEAD>").startswith('<HEAD><meta name="duet-build" content="')
