"""The dev proxy against a fake dev server: what it forwards, and everything it refuses."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, RequestFactory

from django_duet.dev.proxy import DevProxyMiddleware
from django_duet.dev.rules import MAX_BODY_BYTES

from .fake_devserver import MODULE, FakeDevServer, closed_port


def test_streams_a_module_with_its_headers(client, fake):
    response = client.get(
        "/static/src/main.tsx?v=1&import",
        HTTP_ACCEPT="*/*",
        HTTP_IF_NONE_MATCH='W/"x"',
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == MODULE
    assert response["Content-Type"] == "text/javascript"
    assert response["ETag"] == 'W/"abc"'
    assert response["X-Upstream"] == "fake"
    assert response["Content-Length"] == str(len(MODULE))
    assert "Keep-Alive" not in response  # hop-by-hop
    assert "Set-Cookie" not in response and "sessionid" not in response.cookies
    [seen] = fake.requests
    assert seen.path == "/static/src/main.tsx?v=1&import"
    assert seen.headers["host"] == f"127.0.0.1:{fake.port}"
    assert seen.headers["if-none-match"] == 'W/"x"'
    assert seen.headers["origin"] == "http://testserver"  # kept: Vite checks it


def test_credentials_and_client_claims_are_never_forwarded(client, fake):
    client.cookies["sessionid"] = "secret-session"
    client.get(
        "/static/src/main.tsx",
        HTTP_AUTHORIZATION="Bearer secret-token",
        HTTP_PROXY_AUTHORIZATION="Basic c2VjcmV0",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_FORWARDED="for=6.6.6.6;host=evil.example",
        HTTP_X_REAL_IP="6.6.6.6",
        HTTP_CONNECTION="close, X-Drop-Me",
        HTTP_X_DROP_ME="listed in Connection",
        HTTP_X_KEEP="kept",
    )
    [seen] = fake.requests
    names = set(seen.headers)
    for private in (
        "cookie",
        "authorization",
        "proxy-authorization",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "forwarded",
        "x-real-ip",
        "x-drop-me",
    ):
        assert private not in names
    assert "secret" not in repr(seen.headers)
    assert seen.headers["x-keep"] == "kept"


def test_what_the_dev_server_lacks_goes_on_to_django(client, fake):
    response = client.get("/static/missing/admin.css")
    assert response.status_code == 404
    assert b"Page not found" in response.content or response.content == b""  # Django's 404
    assert len(fake.requests) == 1
    # A POST that the dev server refuses is its answer, not Django's.
    assert client.post("/static/missing/x", data=b"", content_type="text/plain").status_code == 404


def test_paths_outside_the_dev_base_are_not_proxied(client, fake):
    client.get("/src/main.tsx")
    client.get("/@vite/client")
    client.get("/favicon.svg")
    assert fake.requests == [] and fake.connections == 0


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/src/%2E%2E/%2e%2e/secret.txt",
        "/static/@fs/..%2f..%2fetc/passwd",
        "/static/./src/main.tsx",
        "/static/src/./main.tsx",
        "/static//etc/passwd",
        "/static/@fs//etc/passwd",
        "/static/src%5c..%5c..%5csecret.txt",
        "/static/src/main.tsx%00.js",
        "/static/.env%23.js",
        "/static/src/a%0d%0aX-Injected:%201",
    ],
)
def test_traversal_and_odd_paths_are_refused_before_any_contact(client, fake, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"refuses paths" in response.content
    assert fake.requests == []


def test_a_query_with_bytes_a_browser_encodes_is_refused(fake):
    request = RequestFactory().get("/static/src/main.tsx")
    request.META["QUERY_STRING"] = "raw#x"
    response = DevProxyMiddleware(lambda r: None)(request)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert fake.requests == []


def test_a_foreign_host_is_refused_before_any_contact(client, fake):
    # DNS rebinding: evil.example resolving to 127.0.0.1 must not reach the dev server.
    response = client.get("/static/src/main.tsx", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert fake.connections == 0 and fake.requests == []


def test_a_header_with_a_line_break_is_refused(fake):
    request = RequestFactory().get("/static/src/main.tsx", HTTP_X_NOTE="a\r\nX-Injected: 1")
    response = DevProxyMiddleware(lambda r: None)(request)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert b"line break" in response.content
    assert fake.requests == []


def test_bodies_up_to_the_limit_are_forwarded_and_larger_ones_refused(client, fake):
    ok = client.post("/static/__plugin", data=b"x" * 10, content_type="application/octet-stream")
    assert b"".join(ok.streaming_content) == b"echo:" + b"x" * 10
    too_big = client.post(
        "/static/__plugin",
        data=b"x" * (MAX_BODY_BYTES + 1),
        content_type="application/octet-stream",
    )
    assert too_big.status_code == 413
    assert len(fake.requests) == 1


def test_trace_is_not_forwarded(client, fake):
    assert client.generic("TRACE", "/static/src/main.tsx").status_code == 405
    assert fake.requests == []


def test_off_when_debug_is_off(client, fake, settings):
    settings.DEBUG = False
    assert client.get("/static/src/main.tsx").status_code == 404
    assert fake.connections == 0


def test_off_when_dev_mode_is_off(client, fake, settings):
    settings.DUET = {**settings.DUET, "DEV_MODE": False}
    assert client.get("/static/src/main.tsx").status_code == 404
    assert fake.connections == 0


def test_a_stale_hot_file_leaves_static_to_django(client, dev_settings, hot_path):
    FakeDevServer().hot_file(hot_path, url=f"http://127.0.0.1:{closed_port()}")
    assert client.get("/static/src/main.tsx").status_code == 404  # Django's own 404


def test_a_dev_server_gone_leaves_static_to_django_and_says_so(client, fake, caplog):
    # No liveness check per module (a connection to Vite each): the send finds out.
    port = fake.port
    fake.stop()
    with caplog.at_level("WARNING", logger="django_duet.dev.server"):
        assert client.get("/static/src/main.tsx").status_code == 404  # Django's own 404
        assert client.get("/static/src/other.tsx").status_code == 404
    [warning] = [r.getMessage() for r in caplog.records if "Stale hot file" in r.getMessage()]
    assert f"127.0.0.1:{port}" in warning and "duet dev" in warning  # once, saying what to do


def test_the_proxy_never_opens_a_liveness_connection(client, fake):
    for _ in range(3):
        assert client.get("/static/src/main.tsx").status_code == 200
    # One connection per request at most (the fake closes each): none only to probe.
    assert len(fake.requests) == 3 and fake.connections == 3


def test_a_hanging_dev_server_is_a_504_within_the_timeout(client, fake, settings):
    fake.mode = "hang"
    settings.DUET = {**settings.DUET, "DEV_PROXY_TIMEOUT": 0.5}
    started = time.monotonic()
    response = client.get("/static/src/main.tsx")
    assert response.status_code == 504
    assert time.monotonic() - started < 4
    assert b"DEV_PROXY_TIMEOUT" in response.content


@pytest.mark.parametrize("mode", ["garbage", "close"])
def test_a_dev_server_that_answers_garbage_is_a_502(client, fake, mode):
    fake.mode = mode
    response = client.get("/static/src/main.tsx")
    assert response.status_code == 502
    assert b"not valid HTTP" in response.content


def test_asgi_streams_and_refuses_the_same(fake):
    async def flow() -> None:
        client = AsyncClient()
        response = await client.get("/static/src/main.tsx", headers={"origin": "http://testserver"})
        assert response.status_code == 200
        assert response.is_async
        assert b"".join([chunk async for chunk in response.streaming_content]) == MODULE
        assert (await client.get("/static/%2e%2e/x")).status_code == 400
        assert (await client.get("/static/x", headers={"host": "evil.example"})).status_code == 400
        assert (await client.get("/static/missing/y")).status_code == 404

    async_to_sync(flow)()
    assert [seen.path for seen in fake.requests] == ["/static/src/main.tsx", "/static/missing/y"]


def test_other_apps_static_files_are_served_after_the_dev_server(client, fake, settings, tmp_path):
    # `duet dev` runs runserver --nostatic: the proxy hands misses on to the finders.
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "missing").mkdir()
    (tmp_path / "extra" / "missing" / "app.css").write_text("body{}")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path / "extra"]
    response = Client().get("/static/missing/app.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"body{}"
