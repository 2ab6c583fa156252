"""Origins that must not get CORS, and CSRF tokens that must not pass, at the session endpoints.

The SPA preset (django-cors-headers) allows exactly APP_ORIGIN. The allowed origin's own
answers, and four of the origins below (another host, a suffix host, ``null``, https), are in
tests/sessions/test_cors.py; these cover the rest of the near-misses.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.sessions.helpers import APP_ORIGIN, PASSWORD, USERNAME, get_token, login

INCORRECT = "CSRF token from the 'X-Csrftoken' HTTP header incorrect."
NEAR_MISSES = [
    "null",
    "http://app.example.test.:5173",  # trailing dot
    "http://app.example.test:5174",  # another port
    "http://app.example.test",  # no port
    "http://app.example.test:80",
    "https://app.example.test:5173",  # another scheme
    "ws://app.example.test:5173",
    "http://app.example.test:51730",  # the allowed origin is a prefix of it
    "http://app.example.test:5173.evil.example",
    "http://xapp.example.test:5173",  # the allowed host is a suffix of it
    "http://evilapp.example.test:5173",
    "http://example.test:5173",  # the parent domain
    "http://sub.app.example.test:5173",  # a subdomain
    "http://app.example.test:5173 ",
    "http://user@app.example.test:5173",  # userinfo
    f"{APP_ORIGIN}, http://evil.example",  # a list
    "http://evil.example#" + APP_ORIGIN,
    "http://APP.example.test:5173x",
    "*",
    "",
]


@pytest.mark.parametrize("origin", NEAR_MISSES)
def test_near_miss_origins_get_no_cors_headers(spa_settings, csrf_client, origin):
    response = csrf_client.get("/api/auth/csrf/", headers={"Origin": origin})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


def test_an_origin_with_a_path_is_echoed_as_sent_and_so_matches_no_page(spa_settings, csrf_client):
    # django-cors-headers compares scheme and host:port only, so "APP_ORIGIN/" passes, but it
    # echoes the header as sent: no browser sends a path in Origin, and no page's origin
    # equals "APP_ORIGIN/", so no browser would let a page read the answer.
    response = csrf_client.get("/api/auth/csrf/", headers={"Origin": APP_ORIGIN + "/"})
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN + "/"


@pytest.mark.parametrize("origin", NEAR_MISSES[:12])
def test_near_miss_origins_get_no_preflight_permission(spa_settings, origin):
    response = Client().options(
        "/api/auth/login/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-csrftoken",
        },
    )
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


def _post_logout(client: Client, **headers):
    return client.post("/api/auth/logout/", headers=headers)


def _fail(response, reason: str) -> None:
    assert response.status_code == 403
    body = response.json()
    assert body["error"]["code"] == "csrf_failed"
    assert body["error"]["message"] == f"CSRF verification failed: {reason}"
    assert "no-store" in response["Cache-Control"]


def test_no_cookie_and_no_token(csrf_client, user):
    _fail(_post_logout(csrf_client), "CSRF cookie not set.")


def test_cookie_but_no_token(csrf_client, user):
    get_token(csrf_client)
    _fail(_post_logout(csrf_client), "CSRF token missing.")


@pytest.mark.parametrize(
    "forged, reason",
    [
        ("x" * 64, INCORRECT),  # right length and alphabet, wrong secret
        ("A" * 32, INCORRECT),  # an unmasked-length token, wrong secret
        ("short", "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."),
        ("!" * 64, "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters."),
        ("x" * 65, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."),
    ],
)
def test_forged_tokens(csrf_client, user, forged, reason):
    get_token(csrf_client)
    _fail(_post_logout(csrf_client, **{"X-CSRFToken": forged}), reason)


def test_a_token_from_another_session_is_refused(csrf_client, user):
    # The attacker's own token (from their own visit) paired with the victim's cookie.
    attacker = Client(enforce_csrf_checks=True)
    stolen_elsewhere = get_token(attacker)
    get_token(csrf_client)
    _fail(_post_logout(csrf_client, **{"X-CSRFToken": stolen_elsewhere}), INCORRECT)


def test_a_token_from_before_login_is_refused_after_it(csrf_client, user):
    before = get_token(csrf_client)
    assert login(csrf_client, before).status_code == 200
    _fail(_post_logout(csrf_client, **{"X-CSRFToken": before}), INCORRECT)


def test_a_token_from_before_logout_is_refused_after_it(csrf_client, user):
    token = login(csrf_client, get_token(csrf_client)).json()["csrfToken"]
    assert _post_logout(csrf_client, **{"X-CSRFToken": token}).status_code == 200
    _fail(login(csrf_client, token), INCORRECT)


def test_the_cookie_value_copied_into_the_header_is_not_enough_without_the_cookie(
    csrf_client, user
):
    token = get_token(csrf_client)
    fresh = Client(enforce_csrf_checks=True)  # no cookie: a cross-site form cannot send it
    _fail(_post_logout(fresh, **{"X-CSRFToken": token}), "CSRF cookie not set.")


def test_a_token_in_the_json_body_is_not_read(csrf_client, user):
    get_token(csrf_client)
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        "/api/auth/login/",
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
        content_type="application/json",
    )
    _fail(response, "CSRF token missing.")


def test_an_untrusted_origin_with_a_valid_token(spa_settings, csrf_client, user):
    token = get_token(csrf_client)
    response = login(csrf_client, token, HTTP_ORIGIN="http://app.example.test:5174")
    _fail(
        response,
        "Origin checking failed - http://app.example.test:5174 does not match any trusted origins.",
    )
    response = login(csrf_client, token, HTTP_ORIGIN="null")
    _fail(response, "Origin checking failed - null does not match any trusted origins.")
