"""Production serving through DuetStaticMiddleware (whitenoise) after collectstatic."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage

IMMUTABLE = "max-age=31536000, public, immutable"

# Closing a response sends request_finished, whose handler touches the database connection.
pytestmark = pytest.mark.django_db


def fetch(client, url, **kwargs):
    """GET, read the whole body and close the file (whitenoise streams an open file)."""
    response = client.get(url, **kwargs)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response


def test_vite_files_are_not_hashed_a_second_time(collected):
    names = sorted(
        p.name
        for p in (collected / "assets").iterdir()
        if p.name.startswith("main-") and p.suffix not in (".br", ".gz")
    )
    assert names == [
        "main-AbCd1234.js",
        "main-AbCd1234.js.map",
        "main-MainCss0.css",
    ]
    assert staticfiles_storage.url("assets/main-AbCd1234.js") == "/static/assets/main-AbCd1234.js"


def test_other_static_files_are_still_hashed(collected):
    hashed = staticfiles_storage.url("robots.txt")
    assert hashed.startswith("/static/robots.") and hashed != "/static/robots.txt"


def test_hashed_vite_file_is_immutable_for_a_year(collected, client):
    response = fetch(client, "/static/assets/main-AbCd1234.js")
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE
    assert response.body.startswith(b"export const name")


def test_django_hashed_file_is_immutable_and_unhashed_is_not(collected, client):
    assert fetch(client, staticfiles_storage.url("robots.txt"))["Cache-Control"] == IMMUTABLE
    unhashed = fetch(client, "/static/robots.txt")
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]


@pytest.mark.parametrize("encoding, expected", [("br", "br"), ("gzip", "gzip"), ("br, gzip", "br")])
def test_precompressed_variants_are_served(collected, client, encoding, expected):
    assert (collected / "assets" / "big-B1gB1g00.js.br").exists()
    response = fetch(
        client, "/static/assets/big-B1gB1g00.js", headers={"accept-encoding": encoding}
    )
    assert response["Content-Encoding"] == expected
    assert response["Cache-Control"] == IMMUTABLE
    assert "Accept-Encoding" in response["Vary"]


@pytest.mark.parametrize(
    "url",
    [
        "/static/.vite/manifest.json",
        "/static/.vite/duet.json",
        "/static/.env",
        "/static/staticfiles.json",
        "/static/assets/main-AbCd1234.js.map",
    ],
)
def test_private_files_are_never_served_even_if_copied_into_static_root(collected, client, url):
    # A deploy that copies the whole build (cp -r) puts these files into STATIC_ROOT.
    target = collected / url.removeprefix("/static/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("private")
    assert fetch(client, url).status_code == 404


def test_source_maps_are_served_when_enabled(collected, client, settings):
    settings.DUET = {**settings.DUET, "SERVE_SOURCE_MAPS": True}
    assert fetch(client, "/static/assets/main-AbCd1234.js.map").status_code == 200


def test_symlink_leaving_the_static_root_is_not_served(collected, client, tmp_path):
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("secret")
    os.symlink(outside, collected / "assets" / "leak-L3akL3ak.js")
    os.symlink(
        collected / "assets" / "admin-Adm1n000.js", collected / "assets" / "alias-Al1asAl1.js"
    )
    assert fetch(client, "/static/assets/leak-L3akL3ak.js").status_code == 404
    assert fetch(client, "/static/assets/alias-Al1asAl1.js").status_code == 200


def test_symlinked_directory_leaving_the_root_is_not_served(collected, client, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("secret")
    os.symlink(outside, collected / "linked")
    assert fetch(client, "/static/linked/x.txt").status_code == 404


def test_debug_autorefresh_mode_applies_the_same_rules(build_dir, client, settings):
    settings.DEBUG = True  # whitenoise then finds files per request through the finders
    assert fetch(client, "/static/assets/main-AbCd1234.js").status_code == 200
    assert fetch(client, "/static/.vite/manifest.json").status_code == 404
    assert fetch(client, "/static/.env").status_code == 404
    assert fetch(client, "/static/assets/main-AbCd1234.js.map").status_code == 404


def test_asgi_streams_large_files_in_blocks(collected, async_client):
    async def get():
        response = await async_client.get("/static/assets/big-B1gB1g00.js")
        blocks = [block async for block in response.streaming_content]
        response.close()
        return response, blocks

    # In a thread of its own: Playwright's sync API may hold an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        response, blocks = pool.submit(asyncio.run, get()).result(timeout=30)
    assert response.status_code == 200
    assert response.is_async
    assert len(blocks) > 1
    assert max(len(b) for b in blocks) <= 64 * 1024
    assert b"".join(blocks) == (collected / "assets" / "big-B1gB1g00.js").read_bytes()


def test_wsgi_response_stays_a_plain_file_response(collected, client):
    response = client.get("/static/assets/big-B1gB1g00.js")
    response.close()
    assert not response.is_async
