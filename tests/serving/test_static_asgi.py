"""Static files answered by duet_asgi before Django (django_duet.serving.asgi).

The wrapped ASGI application is driven directly: scope, receive and send, as uvicorn calls it.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import unquote

import pytest
from django.core.asgi import get_asgi_application

from django_duet.asgi import duet_asgi
from django_duet.serving import asgi as static_asgi
from tests.security.test_hostile_static import BIG, CONTENT, HOSTILE_PATHS, RANGES
from tests.serving.test_static import SEMANTICS, semantics_case

IMMUTABLE = "max-age=31536000, public, immutable"

# Requests Django answers close the database connection (request_finished).
pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    chunks: list[bytes] = field(default_factory=list)
    reached_django: bool = False

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def call(path, method="GET", headers=None, scheme="http"):
    """One HTTP request through duet_asgi, in a thread of its own (Playwright may hold a loop)."""
    django_app = get_asgi_application()
    reached = []

    async def django(scope, receive, send):
        reached.append(scope["path"])
        await django_app(scope, receive, send)

    app = duet_asgi(django)
    raw = [(b"host", b"testserver")]
    raw += [(k.lower().encode(), v.encode("latin-1")) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": unquote(path),  # as uvicorn decodes it
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages = []

    async def run():
        sent = False

        async def receive():
            nonlocal sent
            if sent:  # the client stays connected: Django cancels this wait when it is done
                await asyncio.Event().wait()
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            messages.append(message)

        await app(scope, receive, send)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result(timeout=30)
    start, *bodies = messages
    assert start["type"] == "http.response.start"
    assert all(m["type"] == "http.response.body" for m in bodies)
    assert bodies[-1].get("more_body", False) is False
    assert all(m["more_body"] for m in bodies[:-1])
    names = {k.decode().lower(): v.decode("latin-1") for k, v in start["headers"]}
    answer = Answer(start["status"], names, [m.get("body", b"") for m in bodies], bool(reached))
    return answer


@pytest.fixture(autouse=True)
def _fresh_table():
    static_asgi.clear_cache()
    yield
    static_asgi.clear_cache()


def test_vite_file_is_immutable_and_answered_before_django(collected):
    answer = call("/static/assets/main-AbCd1234.js")
    assert answer.status == 200 and not answer.reached_django
    assert answer.headers["cache-control"] == IMMUTABLE
    assert answer.body == (collected / "assets" / "main-AbCd1234.js").read_bytes()
    # SecurityMiddleware is not in the test settings: none of its headers are invented.
    assert "x-content-type-options" not in answer.headers


def test_security_middleware_headers_are_kept(collected, settings):
    settings.MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", *settings.MIDDLEWARE]
    settings.SECURE_HSTS_SECONDS = 3600
    plain = call("/static/assets/main-AbCd1234.js")
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert plain.headers["referrer-policy"] == "same-origin"
    assert plain.headers["cross-origin-opener-policy"] == "same-origin"
    assert "strict-transport-security" not in plain.headers
    secure = call("/static/assets/main-AbCd1234.js", scheme="https")
    assert secure.headers["strict-transport-security"] == "max-age=3600"
    assert not secure.reached_django


def test_ssl_redirect_is_left_to_django(collected, settings):
    settings.MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", *settings.MIDDLEWARE]
    settings.SECURE_SSL_REDIRECT = True
    answer = call("/static/assets/main-AbCd1234.js")
    assert answer.status == 301 and answer.reached_django
    assert not call("/static/assets/main-AbCd1234.js", scheme="https").reached_django


def test_unknown_middleware_before_static_keeps_files_in_django(collected, settings):
    settings.MIDDLEWARE = [
        "django.middleware.common.CommonMiddleware",
        *settings.MIDDLEWARE,
    ]
    answer = call("/static/assets/main-AbCd1234.js")
    assert answer.status == 200 and answer.reached_django


def test_without_duet_static_middleware_nothing_is_served(collected, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "DuetStatic" not in m]
    answer = call("/static/assets/main-AbCd1234.js")
    assert answer.status == 404 and answer.reached_django


@pytest.mark.parametrize("encoding, expected", [("br", "br"), ("gzip", "gzip"), ("br, gzip", "br")])
def test_precompressed_variants(collected, encoding, expected):
    answer = call("/static/assets/big-B1gB1g00.js", headers={"accept-encoding": encoding})
    assert answer.headers["content-encoding"] == expected
    assert "Accept-Encoding" in answer.headers["vary"]
    assert answer.headers["cache-control"] == IMMUTABLE
    assert answer.body == (collected / f"assets/big-B1gB1g00.js.{expected[:2]}").read_bytes()


def test_etag_and_if_modified_since_give_304(collected):
    first = call("/static/assets/main-AbCd1234.js")
    etag = call("/static/assets/main-AbCd1234.js", headers={"if-none-match": first.headers["etag"]})
    assert etag.status == 304 and etag.body == b""
    since = formatdate(os.stat(collected / "assets" / "main-AbCd1234.js").st_mtime, usegmt=True)
    ims = call("/static/assets/main-AbCd1234.js", headers={"if-modified-since": since})
    assert ims.status == 304 and not ims.reached_django


@pytest.mark.parametrize("header, status, content_range, start, stop", RANGES)
def test_ranges_as_django_answers_them(collected, header, status, content_range, start, stop):
    answer = call(BIG, headers={"range": header})
    assert answer.status == status
    assert answer.headers.get("content-range") == content_range
    assert answer.body == CONTENT[start:stop]
    if status != 416:
        assert answer.headers["content-length"] == str(stop - start)


@pytest.mark.parametrize(
    "url",
    [
        "/static/.vite/manifest.json",
        "/static/.env",
        "/static/staticfiles.json",
        "/static/assets/main-AbCd1234.js.map",
    ],
)
def test_private_files_are_404(collected, url):
    target = collected / url.removeprefix("/static/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("private")
    static_asgi.clear_cache()  # the table is built from STATIC_ROOT as it is now
    answer = call(url)
    assert answer.status == 404 and answer.reached_django
    assert b"private" not in answer.body


def test_symlink_escape_is_404(collected, tmp_path):
    (tmp_path / "outside-secret.txt").write_text("secret")
    os.symlink(tmp_path / "outside-secret.txt", collected / "assets" / "leak-L3akL3ak.js")
    os.symlink(collected / "assets" / "admin-Adm1n000.js", collected / "assets" / "al-Al1asAl1.js")
    static_asgi.clear_cache()
    assert call("/static/assets/leak-L3akL3ak.js").status == 404
    assert call("/static/assets/al-Al1asAl1.js").status == 200


def test_other_paths_reach_django(collected):
    answer = call("/app/")
    assert answer.status == 200 and answer.reached_django
    assert answer.headers["content-type"].startswith("text/html")


def test_head_has_headers_and_no_body(collected):
    answer = call(BIG, method="HEAD")
    assert answer.status == 200 and answer.body == b""
    assert answer.headers["content-length"] == str(len(CONTENT))


def test_post_is_405_as_under_django(collected):
    answer = call(BIG, method="POST")
    assert answer.status == 405 and answer.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("inline_bytes", [512 * 1024, 64 * 1024, 0])
def test_large_file_arrives_in_blocks(collected, monkeypatch, inline_bytes):
    # Blocks past INLINE_BYTES are read in a thread: both ways give the same answer.
    monkeypatch.setattr(static_asgi, "INLINE_BYTES", inline_bytes)
    answer = call(BIG)
    assert answer.status == 200 and not answer.reached_django
    assert len(answer.chunks) > 1
    assert max(len(c) for c in answer.chunks) <= 64 * 1024
    assert answer.body == CONTENT


@pytest.fixture(params=["collected", "autorefresh"])
def asgi_static_mode(request, build_dir, settings):
    if request.param == "collected":
        request.getfixturevalue("collected")
    else:  # DEBUG without the dev server: whitenoise looks files up per request
        settings.DEBUG = True
        settings.WHITENOISE_AUTOREFRESH = True
        settings.DUET = {**settings.DUET, "DEV_MODE": False}
    return request.param


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_are_404(asgi_static_mode, path):
    answer = call(path)
    assert answer.status == 404 and answer.reached_django
    assert b"TEST" not in answer.body and b"SECRET" not in answer.body


def test_autorefresh_serves_and_hides_like_django(asgi_static_mode):
    answer = call(BIG)
    assert answer.status == 200 and answer.body == CONTENT and not answer.reached_django
    assert call("/static/assets/main-AbCd1234.js.map").status == 404


def test_development_mode_leaves_static_paths_to_django(build_dir, settings):
    settings.DEBUG = True  # DEV_MODE follows DEBUG: the dev proxy may answer these paths
    answer = call("/static/assets/main-AbCd1234.js")
    assert answer.reached_django


@pytest.mark.parametrize("name", SEMANTICS)
def test_http_semantics(collected, name):
    url, headers, expected = semantics_case(collected, name)
    answer = call(url, headers=headers)
    assert (answer.status, answer.headers.get("content-encoding"), answer.body) == expected
    assert not answer.reached_django


def test_several_ranges_arrive_as_one_multipart_answer_in_blocks(collected):
    answer = call(BIG, headers={"range": "bytes=0-99999,-200000"})
    assert answer.status == 206
    boundary = answer.headers["content-type"].split("boundary=")[1].encode()
    assert answer.headers["content-length"] == str(len(answer.body))
    assert len(answer.chunks) > 1 and max(len(c) for c in answer.chunks) <= 64 * 1024
    *_, first, second, end = answer.body.split(b"\r\n--" + boundary)
    assert first.endswith(b"Content-Range: bytes 0-99999/400000\r\n\r\n" + CONTENT[:100_000])
    assert second.endswith(b"\r\n\r\n" + CONTENT[200_000:])
    assert end == b"--\r\n"


def test_head_with_a_range_gets_the_whole_files_headers(collected):
    # RFC 9110 §14.2: range handling is defined for GET only.
    answer = call(BIG, method="HEAD", headers={"range": "bytes=0-0"})
    assert answer.status == 200 and answer.body == b""
    assert answer.headers["content-length"] == str(len(CONTENT))
    assert "content-range" not in answer.headers
