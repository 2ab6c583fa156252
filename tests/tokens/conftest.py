"""Token tests: keys made here (never committed), the token middleware, a fresh throttle."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from django_duet.tokens.middleware import PATH

HS_SECRET = "tests-only-token-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"  # 70 B
HS_KEY = {"kid": "hs-1", "algorithm": "HS256", "key": HS_SECRET}
PASSWORD = "a-long-test-password-42"


def pem_private(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def pem_public(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="session")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def token_settings(settings):
    """The test settings with tokens on: HS256 key, middleware after AuthenticationMiddleware."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, PATH]
    settings.DUET = {**settings.DUET, "TOKEN_SIGNING_KEYS": [HS_KEY]}
    settings.ROOT_URLCONF = "tests.tokens.urls"
    cache.clear()  # the login throttle counts in the cache
    yield settings
    cache.clear()


@pytest.fixture
def user(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    return get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)


@pytest.fixture
def app(token_settings) -> Client:
    """A client acting as a mobile app: CSRF enforced (an app gets no exemption for free)."""
    return Client(enforce_csrf_checks=True)


def login(client: Client, username: str = "ada", password: str = PASSWORD):
    return client.post(
        "/api/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
