"""``duet_login``: log a user in through the real login endpoint, into a page's own cookies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest


class LoginFailed(AssertionError):
    pass


def log_in(page: Any, base_url: str, username: str, password: str, prefix: str) -> Any:
    """POST {prefix}login/ from the page's request context, so the session lands in its cookies."""
    api = base_url.rstrip("/") + "/" + prefix.strip("/") + "/"
    token = page.request.get(api + "csrf/")
    if not token.ok:
        raise LoginFailed(f"GET {api}csrf/ answered {token.status}: is django_duet.urls there?")
    csrf = token.json()
    answer = page.request.post(
        api + "login/",
        data={"username": username, "password": password},
        headers={csrf["headerName"]: csrf["csrfToken"]},
    )
    if not answer.ok:
        raise LoginFailed(
            f"Logging {username!r} in: POST {api}login/ answered "
            f"{answer.status} {answer.text()[:500]}"
        )
    return answer.json()["user"]


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


@pytest.fixture
def duet_login(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Callable[..., Any]:
    """``duet_login(page, username, password, base_url=None)``: the logged-in user's JSON.

    The origin is ``base_url``, else the page's current origin, else ``duet_live_server``.
    """
    prefix = pytestconfig.getini("duet_auth_prefix") or "/api/auth/"

    def login(page: Any, username: str, password: str, base_url: str | None = None) -> Any:
        base = base_url or _origin(page.url) or request.getfixturevalue("duet_live_server").url
        return log_in(page, base, username, password, prefix)

    return login
