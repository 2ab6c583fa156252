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


# --- HTTP semantics (django_duet.serving.conditional), where whitenoise departs from RFC 9110 --

BIG = "/static/assets/big-B1gB1g00.js"  # compressible: collectstatic writes .gz and .br
ROBOTS = "/static/robots.txt"  # 14 bytes, no .gz/.br (too small to gain)
ROBOTS_BODY = b"User-agent: *\n"

# Request headers ("{tag}": the file's ETag), status, Content-Encoding, body (None: the .gz
# or .br file's bytes). Also sent through duet_asgi by tests/serving/test_static_asgi.py.
SEMANTICS = {
    "gzip-q0": (BIG, {"accept-encoding": "gzip;q=0"}, 200, None, BIG),
    "br-q0": (BIG, {"accept-encoding": "br;q=0"}, 200, None, BIG),
    "br-q0-gzip": (BIG, {"accept-encoding": "br;q=0, gzip"}, 200, "gzip", None),
    "gzip-q1": (BIG, {"accept-encoding": "gzip;q=1"}, 200, "gzip", None),
    "if-range-other": (ROBOTS, {"range": "bytes=0-3", "if-range": '"x"'}, 200, None, ROBOTS),
    "if-range-match": (ROBOTS, {"range": "bytes=0-3", "if-range": "{tag}"}, 206, None, b"User"),
    "inm-list": (ROBOTS, {"if-none-match": '"x", {tag}'}, 304, None, b""),
    "inm-weak": (ROBOTS, {"if-none-match": "W/{tag}"}, 304, None, b""),
    "inm-star": (ROBOTS, {"if-none-match": "*"}, 304, None, b""),
    "if-match-other": (ROBOTS, {"if-match": '"x"'}, 412, None, b""),
    "if-match-weak": (ROBOTS, {"if-match": "W/{tag}"}, 412, None, b""),
    "if-match-star": (ROBOTS, {"if-match": "*"}, 200, None, ROBOTS),
    "first-byte": (ROBOTS, {"range": "bytes=0-0"}, 206, None, b"U"),
    "suffix-1": (ROBOTS, {"range": "bytes=-1"}, 206, None, b"\n"),
    "last-byte": (ROBOTS, {"range": "bytes=13-"}, 206, None, b"\n"),
    "suffix-0": (ROBOTS, {"range": "bytes=-0"}, 416, None, b""),
}


def semantics_case(root, name):
    """The case's URL, request headers and expected (status, Content-Encoding, body)."""
    url, headers, status, encoding, expected = SEMANTICS[name]
    file = root / url.removeprefix("/static/")
    stat = file.stat()
    tag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    headers = {k: v.replace("{tag}", tag) for k, v in headers.items()}
    if expected is None:
        expected = file.with_name(file.name + {"gzip": ".gz", "br": ".br"}[encoding]).read_bytes()
    elif isinstance(expected, str):
        expected = (root / expected.removeprefix("/static/")).read_bytes()
    return url, headers, (status, encoding, expected)


@pytest.mark.parametrize("name", SEMANTICS)
def test_http_semantics(collected, client, name):
    url, headers, expected = semantics_case(collected, name)
    response = fetch(client, url, headers=headers)
    assert (response.status_code, response.get("Content-Encoding"), response.body) == expected


@pytest.mark.parametrize("name", SEMANTICS)
def test_http_semantics_under_asgi(collected, async_client, name):
    url, headers, expected = semantics_case(collected, name)

    async def get():
        response = await async_client.get(url, headers=headers)
        if response.is_async:
            body = b"".join([block async for block in response.streaming_content])
        else:  # no body: Django's empty iterator
            body = b"".join(response.streaming_content)
        response.close()
        return response, body

    with ThreadPoolExecutor(1) as pool:
        response, body = pool.submit(asyncio.run, get()).result(timeout=30)
    assert (response.status_code, response.get("Content-Encoding"), body) == expected


def test_several_ranges_are_one_multipart_answer(collected, client):
    response = fetch(client, BIG, headers={"range": "bytes=0-5,-3"})
    assert response.status_code == 206
    content_type = response["Content-Type"]
    assert content_type.startswith("multipart/byteranges; boundary=")
    boundary = content_type.split("boundary=")[1].encode()
    part = b'\r\n--%s\r\nContent-Type: text/javascript; charset="utf-8"\r\nContent-Range: %s'
    assert response.body == (
        part % (boundary, b"bytes 0-5/400000") + b"\r\n\r\nexport"
        + part % (boundary, b"bytes 399997-399999/400000") + b"\r\n\r\n1;\n"
        + b"\r\n--%s--\r\n" % boundary
    )  # fmt: skip
    assert response["Content-Length"] == str(len(response.body))


def test_each_coding_has_its_own_etag(collected, client):
    tags = {
        encoding: fetch(client, BIG, headers={"accept-encoding": encoding})["ETag"]
        for encoding in ("identity", "gzip", "br")
    }
    assert len(set(tags.values())) == 3
    gzip_answer = fetch(
        client, BIG, headers={"accept-encoding": "gzip", "if-none-match": tags["gzip"]}
    )
    assert gzip_answer.status_code == 304
    plain_tag = fetch(
        client, BIG, headers={"accept-encoding": "gzip", "if-none-match": tags["identity"]}
    )
    assert plain_tag.status_code == 200 and plain_tag["Content-Encoding"] == "gzip"


def test_a_variant_symlinked_out_of_the_root_is_not_used(collected, client, tmp_path):
    outside = tmp_path / "outside.gz"
    outside.write_bytes(b"SECRET")
    os.symlink(outside, collected / "robots.txt.gz")
    response = fetch(client, ROBOTS, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert response.body == ROBOTS_BODY
