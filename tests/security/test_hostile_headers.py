"""Hostile headers and paths at the dev proxy, Host and X-Forwarded-* tricks.

Already covered in tests/dev/test_proxy.py (not repeated): encoded traversal,
backslashes, null byte, '#' and CRLF in the path, a raw '#' in the query, an X-Note header
with CRLF, foreign Host, credentials and X-Forwarded-* never forwarded, bodies over 1 MiB,
TRACE, a dev server that hangs or answers garbage.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from django_duet.dev.proxy import DevProxyMiddleware
from django_duet.dev.rules import MAX_TARGET_LENGTH
from django_duet.sessions.throttle import client_ip

REFUSED_PATH = b"refuses paths"


def _proxy(request):
    response = DevProxyMiddleware(lambda r: None)(request)  # type: ignore[arg-type]
    assert response is not None
    return response


@pytest.mark.parametrize(
    "header, value",
    [
        ("HTTP_ACCEPT", "text/javascript\r\nX-Injected: 1"),
        ("HTTP_ORIGIN", "http://testserver\r\n\r\nGET /evil HTTP/1.1"),
        ("HTTP_IF_NONE_MATCH", 'W/"x"\nX-Injected: 1'),
        ("HTTP_USER_AGENT", "agent\rX-Injected: 1"),
        ("HTTP_X_CUSTOM", "a\x00b"),
        ("HTTP_ACCEPT_LANGUAGE", "en\r\n"),
    ],
)
def test_line_breaks_and_nul_in_any_forwarded_header_are_refused(fake, header, value):
    request = RequestFactory().get("/static/src/main.tsx", **{header: value})
    response = _proxy(request)
    assert response.status_code == 400
    assert b"holds a line break" in response.content
    assert fake.requests == []


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/static/%252e%252e/secret", 200, None),  # double-encoded: forwarded still encoded
        ("/static/src/" + "a" * MAX_TARGET_LENGTH, 414, b"too long"),
        ("/static/src/%2e", 400, REFUSED_PATH),
        ("/static/src/%2E%2E", 400, REFUSED_PATH),
        ("/static/src/%7f.js", 400, REFUSED_PATH),  # DEL
        ("/static/src/%09.js", 400, REFUSED_PATH),  # TAB
        ("/static/src/%0a.js", 400, REFUSED_PATH),  # LF alone
        ("/static/src/..;/x.js", 200, None),  # "..;" is a name here, not a parent (Tomcat-ism)
    ],
)
def test_dev_proxy_paths(client, fake, path, status, message):
    response = client.get(path)
    assert response.status_code == status
    if message:
        assert message in response.content
        assert fake.requests == []
    else:
        b"".join(response.streaming_content)
        [seen] = fake.requests
        assert ".." not in seen.path.replace("..;", "")  # nothing decoded into a parent step
        assert seen.path.startswith("/static/")


def test_double_encoding_reaches_the_dev_server_as_sent(client, fake):
    b"".join(client.get("/static/%252e%252e/secret").streaming_content)
    assert fake.requests[0].path == "/static/%252e%252e/secret"


@pytest.mark.parametrize(
    "query",
    ["a b", "x=\u00e9", "x=1\r\nX-Injected: 1", "x=\x7f", "x=#frag"],
)
def test_queries_a_browser_would_have_encoded_are_refused(fake, query):
    request = RequestFactory().get("/static/src/main.tsx")
    request.META["QUERY_STRING"] = query
    response = _proxy(request)
    assert response.status_code == 400
    assert b"refuses a query" in response.content
    assert fake.requests == []


def test_an_encoded_nul_in_the_query_is_forwarded_as_sent(client, fake):
    # Percent-encoded is what a browser sends: the dev server decides what it means.
    response = client.get("/static/src/main.tsx?x=%00")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert fake.requests[0].path == "/static/src/main.tsx?x=%00"


def test_a_content_length_that_is_not_a_number_is_refused(fake):
    request = RequestFactory().post("/static/__plugin", data=b"x", content_type="text/plain")
    request.META["CONTENT_LENGTH"] = "12abc"
    response = _proxy(request)
    assert response.status_code == 400
    assert b"Content-Length header is not a number" in response.content


def test_a_declared_huge_body_is_refused_before_reading(fake):
    request = RequestFactory().post("/static/__plugin", data=b"x", content_type="text/plain")
    request.META["CONTENT_LENGTH"] = str(10**12)
    response = _proxy(request)
    assert response.status_code == 413
    assert fake.requests == []


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "127.0.0.1.evil.example",
        "evil.example:80@127.0.0.1",
        "127.0.0.1:5173@evil.example",
        "testserver\r\nX-Injected: 1",
        "[::1]",
        "0x7f.0.0.1",
    ],
)
def test_foreign_or_malformed_hosts_never_reach_the_dev_server(client, fake, host):
    response = client.get("/static/src/main.tsx", HTTP_HOST=host)
    assert response.status_code == 400
    assert fake.connections == 0


@pytest.mark.parametrize(
    "header",
    ["HTTP_X_FORWARDED_HOST", "HTTP_X_ORIGINAL_HOST", "HTTP_FORWARDED", "HTTP_X_HOST"],
)
def test_forwarded_host_claims_do_not_pass_the_host_check(client, fake, settings, header):
    # Only with USE_X_FORWARDED_HOST does Django read X-Forwarded-Host, and then it is checked.
    settings.USE_X_FORWARDED_HOST = header == "HTTP_X_FORWARDED_HOST"
    response = client.get("/static/src/main.tsx", **{header: "evil.example"})
    if settings.USE_X_FORWARDED_HOST:
        assert response.status_code == 400
        assert fake.connections == 0
    else:
        assert response.status_code == 200
        b"".join(response.streaming_content)
        seen = fake.requests[0].headers
        assert seen["host"] == f"127.0.0.1:{fake.port}"  # the dev server's own, always
        assert "x-forwarded-host" not in seen and "forwarded" not in seen


@pytest.mark.parametrize(
    "setting, count, forwarded, expected",
    [
        (None, 1, "6.6.6.6", "10.0.0.9"),  # no trusted proxy: the header is ignored
        ("X-Forwarded-For", 1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the proxy's entry
        ("X-Forwarded-For", 1, "", "10.0.0.9"),  # missing: the socket's address
        ("X-Forwarded-For", 2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        ("X-Forwarded-For", 3, "203.0.113.7, 10.1.1.1", "10.0.0.9"),  # fewer than the proxies
    ],
)
def test_client_ip_for_the_login_throttle_is_not_spoofable(
    settings, setting, count, forwarded, expected
):
    settings.DUET = {**settings.DUET, "CLIENT_IP_HEADER": setting, "CLIENT_IP_PROXY_COUNT": count}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
