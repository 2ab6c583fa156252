"""Hostile static requests through DuetStaticMiddleware (whitenoise): paths and Range headers.

Both modes: production (files indexed at start-up after collectstatic) and autorefresh
(DEBUG: files looked up per request, where a traversal would matter most). Private files
(dotfiles, the staticfiles manifest, source maps) and symlinks: tests/serving/test_static.py.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

BIG = "/static/assets/big-B1gB1g00.js"  # 400_000 bytes: "export const x = 1;\n" * 20_000
SIZE = 400_000
CONTENT = b"export const x = 1;\n" * 20_000


@pytest.fixture(params=["collected", "autorefresh"])
def static_mode(request, build_dir, settings):
    if request.param == "collected":
        request.getfixturevalue("collected")
    else:
        settings.DEBUG = True
        settings.WHITENOISE_AUTOREFRESH = True
    return request.param


def _get(client, path, **extra):
    # Reading a streamed answer to its end closes it (the test client's wrapper, as a WSGI
    # server would); closing it again would fire request_finished a second time.
    response = client.get(path, **extra)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# Also driven through duet_asgi's static path by tests/serving/test_static_asgi.py.
HOSTILE_PATHS = [
    "/static/%2e%2e/%2e%2e/settings.py",  # encoded traversal
    "/static/assets/%2e%2e/.env",
    "/static/assets/..%2f..%2fsettings.py",  # encoded slash
    "/static/%252e%252e/%252e%252e/settings.py",  # double-encoded: a literal "%2e%2e"
    "/static/assets%5c..%5c.env",  # backslashes
    "/static/assets/main-AbCd1234.js%00",  # null byte
    "/static/assets/%00.js",
    "/static/" + "a" * 10_000,  # over-long name
    "/static/" + "a/" * 3_000 + "x.js",  # over-long path
    "/static//etc/passwd",  # an absolute path after the prefix
    "/static/.env",  # dotfiles
    "/static/.vite/manifest.json",
    "/static/assets/main-AbCd1234.js/",  # a file as a folder
    "/static/assets/main-AbCd1234.js%20",  # trailing space
    "/static/ASSETS/main-AbCd1234.js",  # case
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_static_paths_are_404(client, static_mode, path):
    response, body = _get(client, path)
    assert response.status_code == 404
    assert b"TEST" not in body and b"SECRET" not in body  # the fixture .env holds neither


def test_the_file_itself_is_served(client, static_mode):
    response, body = _get(client, BIG)
    assert response.status_code == 200 and body == CONTENT


# (Range header, status, Content-Range, first byte, last byte + 1), as nginx answers them
# (django_duet.serving.ranges): another unit is ignored (200), junk is refused (416). Several
# ranges (one multipart answer): tests/serving/.
RANGES = [
    ("bytes=0-9", 206, f"bytes 0-9/{SIZE}", 0, 10),
    ("bytes=-5", 206, f"bytes {SIZE - 5}-{SIZE - 1}/{SIZE}", SIZE - 5, SIZE),  # suffix
    ("bytes=100-", 206, f"bytes 100-{SIZE - 1}/{SIZE}", 100, SIZE),  # open-ended
    ("bytes=0-99999999999999999999", 206, f"bytes 0-{SIZE - 1}/{SIZE}", 0, SIZE),  # end clamped
    ("bytes=-99999999999999999999", 206, f"bytes 0-{SIZE - 1}/{SIZE}", 0, SIZE),  # huge suffix
    ("bytes=999999-", 416, f"bytes */{SIZE}", 0, 0),  # beyond EOF
    (f"bytes={SIZE}-", 416, f"bytes */{SIZE}", 0, 0),  # exactly at EOF
    ("bytes=500-100", 416, f"bytes */{SIZE}", 0, 0),  # reversed
    ("bytes=" + "0-1," * 5_000 + "2-3", 200, None, 0, SIZE),  # a huge count: ignored
    ("bytes=0-399999,0-1", 200, None, 0, SIZE),  # more bytes than the file: ignored
    ("items=0-5", 200, None, 0, SIZE),  # another unit
    ("bytes=abc-def", 416, f"bytes */{SIZE}", 0, 0),  # junk
    ("bytes=0x10-0x20", 416, f"bytes */{SIZE}", 0, 0),
    ("bytes", 200, None, 0, SIZE),
]


@pytest.mark.parametrize("header, status, content_range, start, stop", RANGES)
def test_range_abuse(client, static_mode, header, status, content_range, start, stop):
    response, body = _get(client, BIG, HTTP_RANGE=header)
    assert response.status_code == status
    assert response.get("Content-Range") == content_range
    assert body == CONTENT[start:stop]
    if status != 416:
        assert response["Content-Length"] == str(stop - start)


def test_a_range_under_asgi_streams_only_the_slice(collected):
    async def fetch():
        response = await AsyncClient().get(BIG, headers={"range": "bytes=10-19"})
        body = b"".join([chunk async for chunk in response.streaming_content])
        return response, body

    response, body = async_to_sync(fetch)()
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{SIZE}"
    assert body == CONTENT[10:20]
