"""The dev proxy in front of Django's WSGI handler (proxy_wsgi.py, what `duet dev` runs under
runserver): modules answered before Django, with the middleware's rules; the rest reaches
Django and the middleware."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler

from django_duet.dev import upstream
from django_duet.dev.proxy_wsgi import duet_wsgi

from .fake_devserver import MODULE

SECURITY = "django.middleware.security.SecurityMiddleware"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_proxy_plan")]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    chunks: list[bytes]
    reached_django: bool

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def call(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Answer:
    reached: list[str] = []
    django = WSGIHandler()

    def recording(environ, start_response):  # type: ignore[no-untyped-def]
        reached.append(environ["PATH_INFO"])
        return django(environ, start_response)

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.encode().decode("latin-1"),  # as a WSGI server hands it over
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{key}"] = value
    started: list[tuple[str, list[tuple[str, str]]]] = []
    result = duet_wsgi(recording)(environ, lambda s, h, e=None: started.append((s, h)))
    try:
        chunks = list(result)
    finally:
        getattr(result, "close", lambda: None)()
    status, raw = started[0]
    names = {k.lower(): v for k, v in raw}
    return Answer(int(status.split()[0]), names, chunks, bool(reached))


def test_a_module_is_answered_before_django_with_the_proxys_rules(fake):
    answer = call(
        "/static/src/main.tsx",
        headers={"cookie": "sessionid=secret", "x-forwarded-for": "203.0.113.9"},
    )
    assert answer.status == 200 and answer.body == MODULE and not answer.reached_django
    assert answer.headers["x-upstream"] == "fake"
    assert "set-cookie" not in answer.headers and "keep-alive" not in answer.headers
    [seen] = fake.requests
    assert "cookie" not in seen.headers and "x-forwarded-for" not in seen.headers


def test_a_large_answer_is_streamed(fake):
    answer = call("/static/big/vendor.js")
    assert answer.body == MODULE * 400 and not answer.reached_django
    assert len(answer.chunks) > 1


def test_security_middlewares_headers_are_added(fake, settings):
    settings.MIDDLEWARE = [SECURITY, *settings.MIDDLEWARE]
    answer = call("/static/src/main.tsx")
    assert not answer.reached_django and answer.headers["x-content-type-options"] == "nosniff"


def test_a_hostile_path_is_refused_without_contact(fake):
    answer = call("/static/src/../secret.txt")
    assert answer.status == 400 and b"Refused by the dev proxy" in answer.body
    assert fake.requests == [] and not answer.reached_django


def test_a_404_goes_to_django_without_a_second_request(fake):
    answer = call("/static/missing/x.js")
    assert answer.reached_django and answer.status == 404 and len(fake.requests) == 1


def test_bodies_and_a_stopped_dev_server_go_to_django_a_foreign_host_does_not(fake):
    answer = call("/static/src/main.tsx", method="POST", headers={"content-length": "0"})
    assert answer.reached_django and answer.body == b"echo:"  # the middleware forwarded it
    answer = call("/static/src/main.tsx", headers={"content-length": "3"})
    assert answer.reached_django
    answer = call("/static/src/main.tsx", headers={"host": "evil.example"})
    assert not answer.reached_django and answer.status == 400  # a plain 400 (issue 17)
    assert b"<h1>Bad Request (400)</h1>" in answer.body and b"ROOT_URLCONF" not in answer.body
    fake.stop()
    upstream.close_client()  # a stopped Vite's connections are gone too (the fake's linger)
    answer = call("/static/src/main.tsx")
    assert answer.reached_django and answer.status == 404


def test_outside_development_nothing_is_intercepted(fake, settings):
    settings.DEBUG = False
    answer = call("/static/src/main.tsx")
    assert answer.reached_django and fake.requests == []


def test_the_host_and_scheme_are_read_as_django_reads_them(fake, settings):
    settings.USE_X_FORWARDED_HOST = True
    answer = call("/static/src/main.tsx", headers={"x-forwarded-host": "evil.example"})
    assert answer.status == 400 and not answer.reached_django and fake.requests == []
    settings.USE_X_FORWARDED_HOST = False
    settings.MIDDLEWARE = [SECURITY, *settings.MIDDLEWARE]
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    secure = call("/static/src/main.tsx", headers={"x-forwarded-proto": "https"})
    assert not secure.reached_django
    assert secure.headers["strict-transport-security"] == "max-age=3600"
