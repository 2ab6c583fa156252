"""The dev proxy under duet_asgi (proxy_asgi.py): modules answered before Django, with the
middleware's rules; everything this path does not take reaches Django and the middleware."""

from __future__ import annotations

import pytest

from tests.serving.test_static_asgi import call

from .fake_devserver import MODULE

SECURITY = "django.middleware.security.SecurityMiddleware"
pytestmark = pytest.mark.usefixtures("fresh_proxy_plan")


def test_a_module_is_answered_before_django_with_the_proxys_rules(fake):
    answer = call(
        "/static/src/main.tsx",
        headers={
            "cookie": "sessionid=secret",
            "authorization": "Bearer secret",
            "x-forwarded-for": "203.0.113.9",
            "origin": "http://testserver",
        },
    )
    assert answer.status == 200 and answer.body == MODULE
    assert not answer.reached_django
    assert answer.headers["x-upstream"] == "fake" and answer.headers["etag"] == 'W/"abc"'
    assert "set-cookie" not in answer.headers and "keep-alive" not in answer.headers
    assert answer.headers["content-length"] == str(len(MODULE))
    [seen] = fake.requests
    assert seen.path == "/static/src/main.tsx"
    assert "cookie" not in seen.headers and "authorization" not in seen.headers
    assert "x-forwarded-for" not in seen.headers
    assert seen.headers["origin"] == "http://testserver"  # kept: Vite checks it


def test_a_large_answer_is_streamed_in_blocks(fake):
    answer = call("/static/big/vendor.js")
    assert answer.body == MODULE * 400 and not answer.reached_django
    assert len([c for c in answer.chunks if c]) > 1


def test_security_middlewares_headers_are_added_as_it_would(fake, settings):
    settings.MIDDLEWARE = [SECURITY, *settings.MIDDLEWARE]
    answer = call("/static/src/main.tsx")
    assert not answer.reached_django
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


def test_a_hostile_path_is_refused_without_contact(fake):
    answer = call("/static/src/%2e%2e/secret.txt")
    assert answer.status == 400 and b"Refused by the dev proxy" in answer.body
    assert fake.requests == [] and not answer.reached_django


def test_a_404_goes_to_django_without_a_second_request_to_the_dev_server(fake):
    answer = call("/static/missing/x.js")
    assert answer.reached_django and answer.status == 404
    assert len(fake.requests) == 1  # the middleware saw the scope's mark and did not ask again


def test_a_request_with_a_body_is_left_to_the_middleware(fake):
    answer = call("/static/src/main.tsx", method="POST", headers={"content-length": "0"})
    assert answer.reached_django  # POST: the middleware forwards it
    answer = call("/static/src/main.tsx", headers={"content-length": "5"})
    assert answer.reached_django


def test_a_foreign_host_gets_a_plain_400_before_django(fake):
    # Not Django's DisallowedHost page: with DEBUG it lists the settings (issue 17).
    answer = call("/static/src/main.tsx", headers={"host": "evil.example"})
    assert not answer.reached_django and answer.status == 400
    assert b"<h1>Bad Request (400)</h1>" in answer.body and b"ROOT_URLCONF" not in answer.body
    assert fake.requests == []


def test_a_stopped_dev_server_leaves_the_request_to_django(fake):
    fake.stop()
    answer = call("/static/src/main.tsx")
    assert answer.reached_django and answer.status == 404


def test_another_middleware_before_the_proxy_keeps_the_django_path(fake, settings):
    settings.MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"] + [
        m for m in settings.MIDDLEWARE if "SessionMiddleware" not in m
    ]
    answer = call("/static/src/main.tsx")
    assert answer.reached_django and answer.status == 200 and answer.body == MODULE


def test_the_host_is_read_as_django_reads_it(fake, settings):
    # With USE_X_FORWARDED_HOST, Django checks X-Forwarded-Host: so does the fast path.
    settings.USE_X_FORWARDED_HOST = True
    answer = call("/static/src/main.tsx", headers={"x-forwarded-host": "evil.example"})
    assert answer.status == 400 and not answer.reached_django
    assert fake.requests == []


def test_the_scheme_is_read_as_django_reads_it(fake, settings):
    # Behind a TLS proxy (SECURE_PROXY_SSL_HEADER) the answer is secure: SecurityMiddleware's
    # HSTS is added, as Django would, and never to a plain-http answer.
    settings.MIDDLEWARE = [SECURITY, *settings.MIDDLEWARE]
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    secure = call("/static/src/main.tsx", headers={"x-forwarded-proto": "https"})
    assert not secure.reached_django
    assert secure.headers["strict-transport-security"] == "max-age=3600"
    plain = call("/static/src/main.tsx", scheme="https", headers={"x-forwarded-proto": "http"})
    assert "strict-transport-security" not in plain.headers
