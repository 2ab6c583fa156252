"""A Bearer request is CSRF-exempt; a cookie request keeps full CSRF protection; a request
with both is refused. Sync and async views alike, and the session endpoints' me/."""

from __future__ import annotations

import pytest
from django.test import AsyncClient

from .conftest import PASSWORD, bearer, login


@pytest.fixture
def access_token(app, user) -> str:
    return login(app).json()["access_token"]


def test_bearer_post_needs_no_csrf_token(app, access_token):
    response = app.post("/api/notes/", **bearer(access_token))
    assert response.status_code == 200
    assert response.json()["via"] == "token"
    assert response["Vary"] == "Authorization"
    assert not response.cookies  # no session was started for the app


def test_a_session_post_keeps_full_csrf_protection(app, user):
    assert app.login(username="ada", password=PASSWORD)
    refused = app.post("/api/notes/")
    assert refused.status_code == 403  # CsrfViewMiddleware: no token
    csrf = app.get("/api/auth/csrf/").json()["csrfToken"]
    accepted = app.post("/api/notes/", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert accepted.json()["via"] == "session"


@pytest.mark.parametrize("with_csrf", [False, True])
def test_both_a_token_and_a_session_cookie_are_refused(app, user, access_token, with_csrf):
    assert app.login(username="ada", password=PASSWORD)
    extra = (
        {"HTTP_X_CSRFTOKEN": app.get("/api/auth/csrf/").json()["csrfToken"]} if with_csrf else {}
    )
    response = app.post("/api/notes/", **bearer(access_token), **extra)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ambiguous_credentials"
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_request"')


def test_a_csrf_cookie_alone_is_no_session(app, access_token):
    app.get("/api/auth/csrf/")  # sets only the CSRF cookie
    assert app.post("/api/notes/", **bearer(access_token)).status_code == 200


def test_me_accepts_a_bearer_token(app, access_token):
    response = app.get("/api/auth/me/", **bearer(access_token))
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "ada"
    assert app.get("/api/auth/me/").status_code == 401


def test_anonymous_requests_pass_untouched(app, user):
    response = app.get("/api/notes/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "Authorization" not in response.get("Vary", "")


def test_bearer_required_refuses_sessions(app, user, access_token):
    assert app.get("/api/app-only/", **bearer(access_token)).status_code == 200
    assert app.login(username="ada", password=PASSWORD)
    response = app.get("/api/app-only/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_missing"


async def _async_calls(access_token: str) -> list[tuple[int, dict]]:
    client = AsyncClient(enforce_csrf_checks=True)
    results = []
    # The async client takes real headers (its **extra is the ASGI scope, not META).
    for headers in (
        {"Authorization": f"Bearer {access_token}"},
        {"Authorization": f"Bearer {access_token}x"},
        {},
    ):
        response = await client.post("/api/async-notes/", headers=headers)
        is_json = response["Content-Type"] == "application/json"
        results.append((response.status_code, response.json() if is_json else {}))
    return results


@pytest.mark.django_db(transaction=True)
def test_async_views_under_asgi(token_settings, settings):
    """The middleware in an async stack: user read without blocking, CSRF exemption kept."""
    from asgiref.sync import async_to_sync
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_user_model().objects.create_user("ada", password=PASSWORD)
    token = login(Client()).json()["access_token"]
    ok, bad, anonymous = async_to_sync(_async_calls)(token)
    assert ok == (200, {"user": "ada", "method": "POST"})
    assert bad[0] == 401 and bad[1]["error"]["code"] == "token_bad_signature"
    assert anonymous[0] == 403  # a POST without token nor CSRF: Django's CSRF refusal
