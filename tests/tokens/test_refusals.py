"""Every kind of bad access token gets 401 (with WWW-Authenticate) and its own stable code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from django_duet.tokens import access, refresh
from django_duet.tokens.errors import TOKEN_ERROR_CODES

from .conftest import HS_SECRET, bearer, pem_private, pem_public


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(user, **changes):
    now = int(time.time())
    base = {
        "iss": "django-duet",
        "aud": "django-duet",
        "sub": str(user.pk),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "j" * 32,
        "sid": str(refresh.start_family(user)[0].pk),  # a login: tokens live as long as it
        "sah": access.auth_digest(user),
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload, *, key=HS_SECRET, algorithm="HS256", kid="hs-1", typ="at+jwt"):
    headers = {"kid": kid, "typ": typ}
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def hmac_token(header: dict, payload: dict, secret: bytes) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def refused(client, token: str, code: str, status: int = 401) -> None:
    response = client.get("/api/notes/", **bearer(token))
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert code in TOKEN_ERROR_CODES


def test_a_valid_token_passes(app, user):
    response = app.get("/api/notes/", **bearer(sign(claims(user))))
    assert response.status_code == 200
    assert response.json() == {"user": "ada", "method": "GET", "via": "token"}


def test_expired(app, user):
    past = int(time.time()) - 1000
    refused(app, sign(claims(user, iat=past, nbf=past, exp=past + 300)), "token_expired")


def test_expiry_allows_the_configured_clock_skew(app, user, settings):
    just_expired = int(time.time()) - 10  # within the default 30 s leeway
    assert app.get("/api/notes/", **bearer(sign(claims(user, exp=just_expired)))).status_code == 200
    # The leeway is a setting: with none, the same token is refused.
    settings.DUET = {**settings.DUET, "TOKEN_LEEWAY": 0}
    refused(app, sign(claims(user, exp=just_expired)), "token_expired")


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_not_yet_valid(app, user, claim):
    refused(app, sign(claims(user, **{claim: int(time.time()) + 600})), "token_not_yet_valid")


def test_wrong_audience(app, user):
    refused(app, sign(claims(user, aud="another-api")), "token_wrong_audience")


def test_wrong_issuer(app, user):
    refused(app, sign(claims(user, iss="https://evil.example")), "token_wrong_issuer")


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "aud", "iss", "sub", "jti"])
def test_each_required_claim(app, user, claim):
    refused(app, sign(claims(user, **{claim: None})), "token_claims_invalid")


def test_tampered_payload(app, user):
    header, _, signature = sign(claims(user)).split(".")
    other = b64(json.dumps(claims(user, sub="999")).encode())
    refused(app, f"{header}.{other}.{signature}", "token_bad_signature")


def test_tampered_signature(app, user):
    token = sign(claims(user))
    flipped = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused(app, flipped, "token_bad_signature")


def test_signed_with_another_secret(app, user):
    refused(app, sign(claims(user), key="x9" * 20 + "another-secret"), "token_bad_signature")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none(app, user, alg):
    header = b64(json.dumps({"alg": alg, "typ": "at+jwt", "kid": "hs-1"}).encode())
    payload = b64(json.dumps(claims(user)).encode())
    refused(app, f"{header}.{payload}.", "token_algorithm_refused")


def test_alg_not_the_keys_algorithm(app, user):
    # HS512 is allowed in general, but the key hs-1 is bound to HS256.
    refused(app, sign(claims(user), algorithm="HS512"), "token_algorithm_refused")


def test_hs_rs_confusion(app, user, settings, rsa_key):
    """The RSA public key (which anyone may have) used as an HMAC secret forges nothing."""
    settings.DUET = {
        **settings.DUET,
        "TOKEN_SIGNING_KEYS": [{"kid": "rs-1", "algorithm": "RS256", "key": pem_private(rsa_key)}],
    }
    genuine = sign(claims(user), key=pem_private(rsa_key), algorithm="RS256", kid="rs-1")
    assert app.get("/api/notes/", **bearer(genuine)).status_code == 200
    forged = hmac_token(
        {"alg": "HS256", "typ": "at+jwt", "kid": "rs-1"}, claims(user), pem_public(rsa_key).encode()
    )
    refused(app, forged, "token_algorithm_refused")


def test_unknown_kid(app, user):
    refused(app, sign(claims(user), kid="who-knows"), "token_unknown_key")


def test_no_kid(app, user):
    token = jwt.encode(claims(user), HS_SECRET, algorithm="HS256", headers={"typ": "at+jwt"})
    refused(app, token, "token_unknown_key")


def test_wrong_type(app, user):
    refused(app, sign(claims(user), typ="JWT"), "token_wrong_type")


def test_oversized(app, user):
    refused(app, sign(claims(user, pad="x" * 5000)), "token_too_large")


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.e30.sig",  # not base64url
        "eyJhbGciOiJIUzI1NiJ9=.e30.sig",  # padding is not base64url
        f"{b64(b'not json')}.e30.sig",
        f"{b64(b'[1, 2]')}.e30.sig",  # JSON, but not an object
    ],
)
def test_malformed(app, token):
    refused(app, token, "token_malformed")


def test_malformed_payload_and_signature(app, user):
    header = sign(claims(user)).split(".")[0]
    refused(app, f"{header}.{b64(b'[1]')}.sig", "token_malformed")
    refused(app, f"{header}.{b64(b'garbage')}.sig", "token_malformed")
    payload = sign(claims(user)).split(".")[1]
    refused(app, f"{header}.{payload}.", "token_malformed")
    refused(app, f"{header}.{payload}.ab+/", "token_malformed")


def test_empty_bearer(app, user):
    response = app.get("/api/notes/", HTTP_AUTHORIZATION="Bearer   ")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_malformed"


def test_other_schemes_are_left_alone(app, user):
    response = app.get("/api/notes/", HTTP_AUTHORIZATION="Basic YWRhOnB3")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"  # the view's own answer


def test_scheme_is_case_insensitive(app, user):
    response = app.get("/api/notes/", HTTP_AUTHORIZATION=f"bEaReR {sign(claims(user))}")
    assert response.status_code == 200


def test_sub_of_no_user(app, user):
    refused(app, sign(claims(user, sub="123456")), "user_inactive")
    refused(app, sign(claims(user, sub="not-a-number")), "token_claims_invalid")


def test_an_absurd_lifetime_is_refused_however_well_signed(app, user):
    now = int(time.time())
    refused(app, sign(claims(user, exp=now + 10 * 365 * 24 * 3600)), "token_claims_invalid")
    # A few seconds over: the server reads its clock later than this test (a second may turn).
    refused(app, sign(claims(user, exp=now + 300 + 30 + 5)), "token_claims_invalid")
    # Up to TOKEN_ACCESS_LIFETIME + TOKEN_LEEWAY (300 + 30): what we issue, and clock skew.
    assert app.get("/api/notes/", **bearer(sign(claims(user, exp=now + 330)))).status_code == 200
