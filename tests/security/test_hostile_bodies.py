"""Hostile JSON bodies at the anonymous endpoints: each a JSON 400 ``invalid_request``, never a 500.

Found by an outside probe: a 4 KB body nested 2,000 levels deep raised RecursionError, and a
lone surrogate (JSON's ``"\\ud800"``) in a username, password or refresh token raised
UnicodeEncodeError where it was hashed or sent to the database.
"""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from django_duet.tokens.middleware import PATH as TOKEN_MIDDLEWARE

DEEP = "[" * 2000 + "]" * 2000  # 4,000 bytes
ENDPOINTS = {
    "login/": ("username", "password"),
    "token/": ("username", "password"),
    "token/refresh/": ("refresh_token",),
    "token/revoke/": ("refresh_token",),
}


def bodies(fields: tuple[str, ...]) -> dict[str, str]:
    """name -> raw JSON text: the whole body, or one field, made hostile."""

    def body(hostile: str, field: str) -> str:
        values = {name: '"duet_rt_ok-value"' for name in fields}
        values[field] = hostile
        return "{" + ", ".join(f'"{name}": {value}' for name, value in values.items()) + "}"

    found = {"deep body": DEEP, "deep object": '{"a": ' * 1000 + "1" + "}" * 1000}
    for field in fields:
        found[f"deep {field}"] = body(DEEP, field)
        found[f"lone high surrogate in {field}"] = body('"duet_rt_\\ud800"', field)
        found[f"lone low surrogate in {field}"] = body('"duet_rt_x\\udfff"', field)
        found[f"NUL in {field}"] = body('"duet_rt_a\\u0000b"', field)
    return found


CASES = [
    (endpoint, name, text)
    for endpoint, fields in ENDPOINTS.items()
    for name, text in bodies(fields).items()
]


@pytest.fixture
def anonymous(settings, auth_urls) -> Client:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, TOKEN_MIDDLEWARE]
    key = {"kid": "k", "algorithm": "HS256", "key": "tests-only-hostile-bodies-" + "h" * 40}
    settings.DUET = {**settings.DUET, "TOKEN_SIGNING_KEYS": [key]}
    # An exception in a view becomes the 500 a real server answers, rather than a raise here.
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def assert_invalid_request(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "invalid_request"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("endpoint", "case", "text"), CASES, ids=[f"{e}{c}" for e, c, _ in CASES])
def test_hostile_json_is_a_400(anonymous, user, endpoint, case, text):
    token = anonymous.get("/api/auth/csrf/").json()["csrfToken"]
    assert len(text.encode()) <= 8 * 1024  # under the body limit: the parser sees it
    response = anonymous.post(
        f"/api/auth/{endpoint}", text, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert_invalid_request(response)


@pytest.mark.parametrize("text", [DEEP, '{"text": "\\ud800"}', '{"text": "a\\u0000"}'])
def test_the_reader_offered_to_users_views_is_safe_too(anonymous, text):
    # A view under json_endpoint that lets read_fields' InvalidRequest through.
    response = Client(raise_request_exception=False).post(
        "/echo/", text, content_type="application/json"
    )
    assert_invalid_request(response)


@pytest.mark.parametrize("endpoint", ["token/", "token/refresh/", "token/revoke/"])
def test_a_form_that_cannot_be_parsed_is_a_json_400(anonymous, endpoint):
    response = anonymous.post(
        f"/api/auth/{endpoint}", b"--x\r\n", content_type="multipart/form-data; boundary="
    )
    assert_invalid_request(response)


def test_a_bearer_token_nested_deep_is_refused_not_a_500(anonymous, db):
    segment = base64.urlsafe_b64encode(b"[" * 3000).rstrip(b"=").decode()  # 4,000 characters
    response = anonymous.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {segment}.e30.c2ln")
    assert response.status_code == 401, response.content[:300]
    assert response.json()["error"]["code"] == "token_malformed"
