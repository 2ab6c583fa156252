"""Signing algorithms and key rotation: a key id in the header, old keys verifying until
their verify_until."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.core.exceptions import ImproperlyConfigured

from django_duet.tokens import access

from .conftest import HS_KEY, bearer, login, pem_private, pem_public


def keys(settings, *entries):
    settings.DUET = {**settings.DUET, "TOKEN_SIGNING_KEYS": list(entries)}


@pytest.fixture
def ed_key():
    return ed25519.Ed25519PrivateKey.generate()


@pytest.mark.parametrize(
    ("algorithm", "key_fixture"),
    [("RS256", "rsa_key"), ("PS256", "rsa_key"), ("ES256", "ec_key"), ("EdDSA", "ed_key")],
)
def test_asymmetric_algorithms(app, user, settings, request, algorithm, key_fixture):
    key = request.getfixturevalue(key_fixture)
    keys(settings, {"kid": "k1", "algorithm": algorithm, "key": pem_private(key)})
    token = login(app).json()["access_token"]
    header = jwt.get_unverified_header(token)
    assert header == {"alg": algorithm, "kid": "k1", "typ": "at+jwt"}
    # Anyone with the public key alone can verify it (another service, say).
    jwt.decode(token, pem_public(key), algorithms=[algorithm], audience="django-duet")
    assert app.get("/api/notes/", **bearer(token)).status_code == 200


def test_rotation(app, user, settings, ec_key):
    keys(settings, HS_KEY)
    old_token = login(app).json()["access_token"]
    until = datetime.now(UTC) + timedelta(minutes=10)
    new = {"kid": "ec-2", "algorithm": "ES256", "key": pem_private(ec_key)}
    keys(settings, new, {**HS_KEY, "verify_until": until.isoformat()})
    new_token = login(app).json()["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == "ec-2"  # the first key signs
    assert app.get("/api/notes/", **bearer(new_token)).status_code == 200
    assert app.get("/api/notes/", **bearer(old_token)).status_code == 200  # still verifies
    # After verify_until, the old key verifies nothing.
    with pytest.raises(access.TokenRefused) as refused:
        access.verify(old_token, at=until + timedelta(seconds=1))
    assert refused.value.code == "token_unknown_key"
    keys(settings, new, {**HS_KEY, "verify_until": datetime.now(UTC) - timedelta(seconds=1)})
    response = app.get("/api/notes/", **bearer(old_token))
    assert response.json()["error"]["code"] == "token_unknown_key"
    # Removed from the list altogether: the same.
    keys(settings, new)
    assert (
        app.get("/api/notes/", **bearer(old_token)).json()["error"]["code"] == "token_unknown_key"
    )


def test_a_retired_key_may_be_public_only(app, user, settings, rsa_key, ec_key):
    keys(settings, {"kid": "rs-1", "algorithm": "RS256", "key": pem_private(rsa_key)})
    old_token = login(app).json()["access_token"]
    keys(
        settings,
        {"kid": "ec-2", "algorithm": "ES256", "key": pem_private(ec_key)},
        {"kid": "rs-1", "algorithm": "RS256", "key": pem_public(rsa_key)},
    )
    assert app.get("/api/notes/", **bearer(old_token)).status_code == 200


def test_a_new_key_added_last_verifies_before_it_signs(app, user, settings, ec_key):
    """Step one of a rotation across many servers: every server learns the key first."""
    new = {"kid": "ec-2", "algorithm": "ES256", "key": pem_private(ec_key)}
    keys(settings, new, HS_KEY)
    token_from_an_updated_server = login(app).json()["access_token"]
    keys(settings, HS_KEY, new)  # a server still signing with the old key
    assert app.get("/api/notes/", **bearer(token_from_an_updated_server)).status_code == 200
    assert jwt.get_unverified_header(login(app).json()["access_token"])["kid"] == "hs-1"


def test_bad_keys_fail_loudly_at_run_time(app, user, settings):
    keys(settings, {"kid": "k", "algorithm": "HS256", "key": "short"})
    with pytest.raises(ImproperlyConfigured, match=r"weak HS256 secret.*duet\.E053"):
        login(app)
    keys(settings)
    with pytest.raises(ImproperlyConfigured, match=r"empty.*duet\.E050"):
        login(app)
