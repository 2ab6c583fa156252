"""Constants and helpers of the session tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.test import Client

USERNAME, PASSWORD = "alice", "correct-horse-battery-staple"
APP_ORIGIN = "http://app.example.test:5173"


def current_settings() -> dict:
    """The settings as a settings module's globals() would hold them (what spa.configure gets).
    Without EMAIL_*: Django 6.1 deprecated them (MAILERS) and warns on every read, and the SPA
    preset reads none."""
    names = (n for n in dir(django_settings) if n.isupper() and not n.startswith("EMAIL_"))
    return {name: getattr(django_settings, name) for name in names}


def get_token(client: Client) -> str:
    response = client.get("/api/auth/csrf/")
    assert response.status_code == 200
    return response.json()["csrfToken"]


def login(client: Client, token: str, username: str = USERNAME, password: str = PASSWORD, **extra):
    return client.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        content_type="application/json",
        headers={"X-CSRFToken": token},
        **extra,
    )
