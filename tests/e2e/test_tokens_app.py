"""A "mobile app" (plain httpx, no cookies) against the example served as in production (the duet
plugin's ``duet_live_server``: gunicorn): log in for tokens, call the protected API, refresh many
times, revoke, and be refused afterwards.

The same users and the same API serve the web's cookie sessions, which keep their CSRF check.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

USERNAME, PASSWORD = "demo", "demo-password-123"  # created by `manage.py demo_user`
AUTH = "/api/auth/"


class MobileApp:
    """What an app does: keep the pair in its own store, send the access token, refresh it."""

    def __init__(self, base_url: str) -> None:
        # An app has no cookie jar: a fresh client per call can never send a cookie back.
        self.base_url = base_url
        self.tokens: dict[str, Any] | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(base_url=self.base_url, timeout=10.0) as client:
            response = client.request(method, path, **kwargs)
            assert not client.cookies, f"{path} set cookies {dict(client.cookies)}"
            return response

    def login(self) -> httpx.Response:
        response = self.call(
            "POST", AUTH + "token/", json={"username": USERNAME, "password": PASSWORD}
        )
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def refresh(self) -> httpx.Response:
        assert self.tokens is not None
        body = {"refresh_token": self.tokens["refresh_token"]}
        response = self.call("POST", AUTH + "token/refresh/", json=body)
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        assert self.tokens is not None
        headers = {"Authorization": f"Bearer {self.tokens['access_token']}"}
        return self.call(method, path, headers=headers, **kwargs)


def flip(signature: str) -> str:
    """The signature with one character changed (in the middle: every bit of it counts)."""
    swapped = "A" if signature[5] != "A" else "B"
    return signature[:5] + swapped + signature[6:]


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


@pytest.fixture
def app(example_server) -> MobileApp:
    return MobileApp(example_server.url)


def test_obtain_call_refresh_revoke(app: MobileApp) -> None:
    assert app.login().status_code == 200
    assert app.tokens is not None and app.tokens["token_type"] == "Bearer"

    me = app.api("GET", AUTH + "me/")
    assert me.status_code == 200
    assert me.json()["user"]["username"] == USERNAME

    # The example's notes API: a plain Django view behind CsrfViewMiddleware. No CSRF token.
    created = app.api("POST", "/api/notes/", json={"text": "written by the app"})
    assert created.status_code == 201, created.text
    assert created.headers["Vary"].count("Authorization") == 1

    used: list[str] = []
    for round_number in range(25):
        used.append(app.tokens["refresh_token"])
        response = app.refresh()
        assert response.status_code == 200, (round_number, response.text)
        notes = app.api("GET", "/api/notes/")
        assert notes.status_code == 200
        assert "written by the app" in [n["text"] for n in notes.json()["notes"]]
    assert len(set(used)) == len(used)  # a new refresh token every time

    revoked = app.call(
        "POST", AUTH + "token/revoke/", json={"refresh_token": app.tokens["refresh_token"]}
    )
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": True}
    after = app.refresh()
    assert after.status_code == 401
    assert error_code(after) == "refresh_revoked"
    assert after.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_stolen_refresh_token_kills_its_login(example_server) -> None:
    phone, thief = MobileApp(example_server.url), MobileApp(example_server.url)
    assert phone.login().status_code == 200
    thief.tokens = dict(phone.tokens or {})  # copied off the device
    assert phone.refresh().status_code == 200  # the app goes on, rotating
    replay = thief.refresh()
    assert replay.status_code == 401
    assert error_code(replay) == "refresh_reused"
    # Theft detection revoked the family: the phone's current token is dead too.
    assert error_code(phone.refresh()) == "refresh_revoked"
    assert phone.login().status_code == 200  # logging in again starts a new family


def test_logout_of_all_devices(example_server) -> None:
    devices = [MobileApp(example_server.url) for _ in range(3)]
    for device in devices:
        assert device.login().status_code == 200
    response = devices[0].api("POST", AUTH + "token/revoke-all/")
    assert response.status_code == 200
    assert response.json()["revoked"] >= 3
    for device in devices:
        assert error_code(device.refresh()) == "refresh_revoked"


def test_parallel_calls_with_one_token(app: MobileApp) -> None:
    assert app.login().status_code == 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: app.api("GET", AUTH + "me/").status_code, range(16)))
    assert statuses == [200] * 16


def test_bad_tokens_are_refused_by_the_real_server(app: MobileApp) -> None:
    assert app.login().status_code == 200
    good = app.tokens["access_token"]
    header, payload, signature = good.split(".")
    cases = {
        "token_malformed": "not-a-token",
        "token_too_large": "a" * 5000,
        "token_bad_signature": f"{header}.{payload}.{flip(signature)}",
        "token_algorithm_refused": "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0." + payload + ".",
    }
    for code, token in cases.items():
        app.tokens["access_token"] = token
        response = app.api("GET", AUTH + "me/")
        assert (response.status_code, error_code(response)) == (401, code)


def test_the_web_keeps_cookie_sessions_with_csrf(example_server, app: MobileApp) -> None:
    """The same backend, the same user, in a browser's way: cookies, and CSRF on every POST."""
    with httpx.Client(base_url=example_server.url, timeout=10.0) as browser:
        csrf = browser.get(AUTH + "csrf/").json()["csrfToken"]
        login = browser.post(
            AUTH + "login/",
            json={"username": USERNAME, "password": PASSWORD},
            headers={"X-CSRFToken": csrf, "Origin": example_server.url},
        )
        assert login.status_code == 200, login.text
        no_csrf = browser.post(
            "/api/notes/", json={"text": "forged"}, headers={"Origin": example_server.url}
        )
        assert no_csrf.status_code == 403
        # A Bearer token next to the session cookie does not buy an exemption: refused.
        assert app.login().status_code == 200
        both = browser.post(
            "/api/notes/",
            json={"text": "both"},
            headers={"Authorization": f"Bearer {app.tokens['access_token']}"},
        )
        assert both.status_code == 400
        assert error_code(both) == "ambiguous_credentials"
