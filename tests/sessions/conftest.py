"""Fixtures of the session, throttle, CORS and check tests."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import AsyncClient, Client

from django_duet.sessions import spa

from .helpers import APP_ORIGIN, PASSWORD, USERNAME, current_settings


@pytest.fixture
def auth_urls(settings):
    settings.ROOT_URLCONF = "tests.sessions.urls"
    settings.CSRF_FAILURE_VIEW = "django_duet.session_views.csrf_failure"
    # A fast hasher: these tests log in many times; the throttle, not the hash, is tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for alias in django_settings.CACHES:
        caches[alias].clear()  # throttle counters from other tests
    yield
    for alias in django_settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def user(db, auth_urls, django_user_model):
    return django_user_model.objects.create_user(USERNAME, "alice@example.test", PASSWORD)


@pytest.fixture
def csrf_client(auth_urls) -> Client:
    """A test client that, like a browser, is subject to the CSRF checks."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def async_csrf_client(auth_urls) -> AsyncClient:
    return AsyncClient(enforce_csrf_checks=True)


@pytest.fixture
def spa_settings(settings, auth_urls):
    """The test settings with the SPA preset applied for APP_ORIGIN (corsheaders installed)."""
    changes = spa.spa_settings(
        current_settings(), [APP_ORIGIN], api_origin="http://api.example.test"
    )
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.example.test"]  # the API's host
    return changes
