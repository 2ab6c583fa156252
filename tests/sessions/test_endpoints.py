"""The JSON session endpoints (csrf/, login/, logout/, me/): test client, CSRF enforced."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from .helpers import PASSWORD, USERNAME, get_token, login


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def assert_private(response) -> None:
    assert response["Cache-Control"] == "no-store"
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"cookie", "origin"} <= vary


def test_csrf_endpoint_gives_token_names_and_cookie(csrf_client, user):
    response = csrf_client.get("/api/auth/csrf/")
    assert response.status_code == 200
    body = response.json()
    assert body["headerName"] == "X-CSRFToken" and body["cookieName"] == "csrftoken"
    assert response.cookies["csrftoken"].value  # the secret the token pairs with
    assert_private(response)
    # The token works for an unsafe request (and nothing else was needed).
    assert login(csrf_client, body["csrfToken"]).status_code == 200


def test_csrf_endpoint_follows_renamed_header_and_cookie(csrf_client, settings):
    settings.CSRF_HEADER_NAME = "HTTP_X_MY_CSRF"
    settings.CSRF_COOKIE_NAME = "api_csrf"
    response = csrf_client.get("/api/auth/csrf/")
    assert response.json()["headerName"] == "X-My-Csrf"
    assert response.json()["cookieName"] == "api_csrf"
    assert "api_csrf" in response.cookies


def test_login_returns_user_and_rotated_token_and_old_token_is_refused(csrf_client, user):
    old = get_token(csrf_client)
    response = login(csrf_client, old)
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": user.pk,
        "username": USERNAME,
        "email": "alice@example.test",
        "isStaff": False,
    }
    assert body["csrfToken"] != old
    assert response.cookies["sessionid"].value
    assert_private(response)
    refused = csrf_client.post("/api/auth/logout/", headers={"X-CSRFToken": old})
    error = assert_error(refused, 403, "csrf_failed")
    assert "incorrect" in error["message"]
    assert csrf_client.get("/api/auth/me/").status_code == 200  # still logged in
    accepted = csrf_client.post("/api/auth/logout/", headers={"X-CSRFToken": body["csrfToken"]})
    assert accepted.status_code == 200


def test_login_accepts_form_encoded_body(csrf_client, user):
    token = get_token(csrf_client)
    response = csrf_client.post(
        "/api/auth/login/",
        {"username": USERNAME, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert response.json()["user"]["username"] == USERNAME


def test_wrong_password_and_unknown_user_look_the_same(csrf_client, user):
    token = get_token(csrf_client)
    wrong = assert_error(login(csrf_client, token, password="nope"), 401, "invalid_credentials")
    unknown = assert_error(login(csrf_client, token, username="bob"), 401, "invalid_credentials")
    assert wrong == unknown
    assert csrf_client.get("/api/auth/me/").status_code == 401


def test_inactive_user_cannot_log_in(csrf_client, user):
    user.is_active = False
    user.save()
    assert_error(login(csrf_client, get_token(csrf_client)), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body, content_type, fragment",
    [
        ("{not json", "application/json", "not valid JSON"),
        ('["alice", "pw"]', "application/json", "JSON object"),
        ('{"username": "alice"}', "application/json", "'password'"),
        ('{"username": "alice", "password": 123}', "application/json", "'password'"),
        ('{"username": "", "password": "x"}', "application/json", "'username'"),
        ("username=alice&password=x", "text/plain", "Content-Type 'text/plain'"),
        ('{"username": "alice", "password": "' + "x" * 9000 + '"}', "application/json", "larger"),
    ],
)
def test_bad_login_bodies_are_invalid_request(csrf_client, user, body, content_type, fragment):
    token = get_token(csrf_client)
    response = csrf_client.post(
        "/api/auth/login/", body, content_type=content_type, headers={"X-CSRFToken": token}
    )
    assert fragment in assert_error(response, 400, "invalid_request")["message"]


def test_login_without_csrf_token_is_refused_as_json(csrf_client, user):
    response = csrf_client.post(
        "/api/auth/login/",
        {"username": USERNAME, "password": PASSWORD},
        content_type="application/json",
    )
    assert "CSRF cookie not set" in assert_error(response, 403, "csrf_failed")["message"]
    get_token(csrf_client)  # a cookie, but still no token in the header
    response = csrf_client.post("/api/auth/login/", {"username": USERNAME, "password": PASSWORD})
    assert "CSRF token missing" in assert_error(response, 403, "csrf_failed")["message"]
    assert csrf_client.get("/api/auth/me/").status_code == 401


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("get", "/api/auth/login/", "POST"),
        ("get", "/api/auth/logout/", "POST"),
        ("put", "/api/auth/me/", "GET, HEAD"),
        ("post", "/api/auth/csrf/", "GET, HEAD"),
    ],
)
def test_wrong_method_is_json_405(auth_urls, method, path, allow):
    response = getattr(Client(), method)(path)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allow
    assert_private(response)


def test_me_is_401_then_the_user(csrf_client, user):
    response = csrf_client.get("/api/auth/me/")
    assert_error(response, 401, "not_authenticated")
    assert_private(response)
    login(csrf_client, get_token(csrf_client))
    response = csrf_client.get("/api/auth/me/")
    assert response.status_code == 200 and response.json()["user"]["username"] == USERNAME
    assert_private(response)


def test_logout_ends_session_and_rotates_token(csrf_client, user):
    token = login(csrf_client, get_token(csrf_client)).json()["csrfToken"]
    session_cookie = csrf_client.cookies["sessionid"].value
    response = csrf_client.post("/api/auth/logout/", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    new = response.json()["csrfToken"]
    assert new != token
    assert_private(response)
    assert csrf_client.get("/api/auth/me/").status_code == 401
    # The old session cookie is dead on the server, not just dropped by this client.
    replay = Client()
    replay.cookies["sessionid"] = session_cookie
    assert replay.get("/api/auth/me/").status_code == 401
    # The token read while logged in no longer works; the new one does.
    assert_error(
        csrf_client.post("/api/auth/logout/", headers={"X-CSRFToken": token}), 403, "csrf_failed"
    )
    assert csrf_client.post("/api/auth/logout/", headers={"X-CSRFToken": new}).status_code == 200


def test_user_serializer_setting(csrf_client, user, settings):
    settings.DUET = {
        **settings.DUET,
        "USER_SERIALIZER": "tests.sessions.test_endpoints.short_user",
    }
    login(csrf_client, get_token(csrf_client))
    assert csrf_client.get("/api/auth/me/").json() == {"user": {"name": USERNAME}}


def short_user(user) -> dict:
    return {"name": user.get_username()}


def test_csrf_failure_view_answers_html_outside_the_api(csrf_client):
    get_token(csrf_client)
    page = csrf_client.post("/form/", {"text": "x"}, headers={"Accept": "text/html"})
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")
    assert b"CSRF verification failed" in page.content
    # A fetch() client of any view gets JSON, by its Accept or its Content-Type.
    by_accept = csrf_client.post("/form/", {"text": "x"}, headers={"Accept": "application/json"})
    assert "CSRF token missing" in assert_error(by_accept, 403, "csrf_failed")["message"]
    by_type = csrf_client.post("/form/", "{}", content_type="application/json")
    assert_error(by_type, 403, "csrf_failed")


@pytest.mark.django_db(transaction=True)
def test_endpoints_under_asgi(async_csrf_client, auth_urls, django_user_model):
    django_user_model.objects.create_user(USERNAME, "", PASSWORD)
    async_to_sync(_asgi_flow)(async_csrf_client)


async def _asgi_flow(client) -> None:
    response = await client.get("/api/auth/csrf/")
    assert response.status_code == 200
    assert_private(response)
    token = response.json()["csrfToken"]
    assert_error(await client.get("/api/auth/me/"), 401, "not_authenticated")
    refused = await client.post(
        "/api/auth/login/",
        {"username": USERNAME, "password": PASSWORD},
        content_type="application/json",
    )
    assert_error(refused, 403, "csrf_failed")
    response = await client.post(
        "/api/auth/login/",
        {"username": USERNAME, "password": PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert (await client.get("/api/auth/me/")).json()["user"]["username"] == USERNAME
