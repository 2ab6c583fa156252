"""The Django REST Framework and django-ninja adapters, with and without the middleware."""

from __future__ import annotations

import pytest
from django.test import Client

from django_duet.tokens.middleware import PATH

from .conftest import PASSWORD, bearer, login


@pytest.fixture(params=["with middleware", "adapter alone"])
def api_client(request, app, settings):
    if request.param == "adapter alone":
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != PATH]
    return app


@pytest.fixture
def pair(app, user):
    return login(app).json()


def test_drf_bearer(api_client, pair):
    response = api_client.post("/api/drf/whoami/", **bearer(pair["access_token"]))  # no CSRF
    assert response.status_code == 200
    assert response.json() == {"user": "ada", "via": "AccessClaims"}


def test_drf_refused_token(api_client, pair, settings):
    header, payload, signature = pair["access_token"].split(".")
    tampered = (
        f"{header}.{payload}.{signature[:10]}{'A' if signature[10] != 'A' else 'B'}{signature[11:]}"
    )
    response = api_client.get("/api/drf/whoami/", **bearer(tampered))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_bad_signature"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_drf_session_keeps_csrf(api_client, pair):
    assert api_client.login(username="ada", password=PASSWORD)
    assert api_client.get("/api/drf/whoami/").json()["via"] == "NoneType"  # session auth
    assert api_client.post("/api/drf/whoami/").status_code == 403  # SessionAuthentication's CSRF


def test_drf_both_refused(api_client, pair):
    assert api_client.login(username="ada", password=PASSWORD)
    response = api_client.get("/api/drf/whoami/", **bearer(pair["access_token"]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ambiguous_credentials"


def test_drf_anonymous(api_client, user):
    response = api_client.get("/api/drf/whoami/")
    assert response.status_code == 401  # 401, not 403: our class comes first
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_ninja_bearer(api_client, pair):
    response = api_client.post("/api/ninja/whoami", **bearer(pair["access_token"]))
    assert response.status_code == 200
    assert response.json() == {"user": "ada"}


def test_ninja_refused_token_with_error_handler(api_client, pair):
    response = api_client.get("/api/ninja/whoami", **bearer("a.b"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_malformed"
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_ninja_refused_token_without_error_handler(app, pair, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != PATH]
    response = Client().get("/api/ninja-plain/whoami", **bearer("a.b"))  # loads MIDDLEWARE anew
    assert response.status_code == 401  # ninja's own error shape, but still a 401
    assert response.json() == {"detail": "A token has three dot-separated segments."}


def test_ninja_session_keeps_csrf(api_client, pair):
    assert api_client.login(username="ada", password=PASSWORD)
    assert api_client.get("/api/ninja/whoami").json() == {"user": "ada"}
    assert api_client.post("/api/ninja/whoami").status_code == 403


def test_ninja_both_refused(api_client, pair):
    assert api_client.login(username="ada", password=PASSWORD)
    response = api_client.get("/api/ninja/whoami", **bearer(pair["access_token"]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ambiguous_credentials"


def test_ninja_anonymous(api_client, user):
    assert api_client.get("/api/ninja/whoami").status_code == 401
