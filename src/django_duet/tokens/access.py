"""Access tokens: short-lived JWTs (RFC 9068 style), issued and verified with PyJWT.

Verification is strict and in a fixed order, so each kind of bad token gets its own stable
code: size, shape (three base64url segments), header (``alg`` allowed, ``typ`` ``at+jwt``,
``kid`` known and still verifying, ``alg`` equal to that key's algorithm), then signature and
claims (``exp``, ``nbf``, ``iat``, ``aud``, ``iss`` all required, checked with a small leeway).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from django.utils.crypto import constant_time_compare

from django_duet.conf import conf
from django_duet.tokens.errors import TokenRefused
from django_duet.tokens.keys import ALLOWED_ALGORITHMS, keyring

TOKEN_TYPE = "at+jwt"
# Ours are under 1 KB even with RSA-4096; a bigger one is an attack on the parser.
MAX_TOKEN_LENGTH = 4096
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "aud", "iss", "sub", "jti")
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class AccessClaims:
    """A verified access token."""

    user_id: str
    family: str  # the login (device) it was issued to: its refresh token family
    jti: str
    issued_at: int
    expires_at: int
    auth_digest: str
    claims: dict[str, Any]


def auth_digest(user: Any) -> str:
    """A short digest of the user's password hash (as Django's session auth hash), or ""."""
    return next(_auth_digests(user), "")


def _auth_digests(user: Any) -> Iterator[str]:
    # Current SECRET_KEY first, then SECRET_KEY_FALLBACKS (so rotating it logs nobody out).
    if not hasattr(user, "get_session_auth_hash"):
        return
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    for value in hashes:
        yield hashlib.sha256(value.encode()).hexdigest()[:32]


def auth_digest_matches(user: Any, digest: str) -> bool:
    """False once the user's password changed after the digest was taken."""
    if not hasattr(user, "get_session_auth_hash"):
        return True
    return any(constant_time_compare(digest, d) for d in _auth_digests(user))


def issue(user: Any, *, family: str, now: float | None = None) -> tuple[str, int]:
    """A signed access token for ``user`` and its lifetime in seconds."""
    key = keyring().signer
    issued = int(time.time() if now is None else now)
    lifetime = conf.TOKEN_ACCESS_LIFETIME
    payload = {
        "iss": conf.TOKEN_ISSUER,
        "aud": conf.TOKEN_AUDIENCE,
        "sub": str(user.pk),
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "jti": uuid.uuid4().hex,
        "sid": family,
        "sah": auth_digest(user),
    }
    headers = {"kid": key.kid, "typ": TOKEN_TYPE}
    token = jwt.encode(payload, key.signing_key, algorithm=key.algorithm, headers=headers)
    return token, lifetime


def _b64_json(segment: str, what: str) -> Any:
    if not _SEGMENT.match(segment):
        raise TokenRefused("token_malformed", f"The token's {what} is not base64url.")
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):  # 4 KB of "[[[[..." recurses deep
        raise TokenRefused(
            "token_malformed", f"The token's {what} is not base64url-encoded JSON."
        ) from None


def verify(token: str, *, at: datetime | None = None) -> AccessClaims:
    """The claims of a valid access token; TokenRefused with a stable code otherwise."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenRefused(
            "token_too_large", f"The token is longer than {MAX_TOKEN_LENGTH} characters."
        )
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRefused("token_malformed", "A token has three dot-separated segments.")
    header = _b64_json(parts[0], "header")
    if not isinstance(header, dict):
        raise TokenRefused("token_malformed", "The token's header is not a JSON object.")
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise TokenRefused("token_algorithm_refused", f"The algorithm {algorithm!r} is refused.")
    if header.get("typ") != TOKEN_TYPE:
        raise TokenRefused(
            "token_wrong_type", f"The token's typ is {header.get('typ')!r}, not {TOKEN_TYPE!r}."
        )
    key = keyring().find(header.get("kid"))
    if key is None or not key.verifies_at(at or datetime.now(UTC)):
        raise TokenRefused(
            "token_unknown_key", f"No key verifies tokens with kid {header.get('kid')!r}."
        )
    if algorithm != key.algorithm:
        raise TokenRefused(
            "token_algorithm_refused",
            f"The key {key.kid!r} verifies {key.algorithm} tokens, not {algorithm}.",
        )
    payload = _b64_json(parts[1], "payload")
    if not isinstance(payload, dict):
        raise TokenRefused("token_malformed", "The token's payload is not a JSON object.")
    if not _SEGMENT.match(parts[2]):
        raise TokenRefused("token_malformed", "The token's signature is not base64url.")
    claims = _claims(_decode(token, key.verifying_key, key.algorithm))
    # A signed token with a lifetime we never issue (a key used elsewhere, a forged exp):
    # refused, however valid its signature, rather than trusted for its absurd exp.
    longest = conf.TOKEN_ACCESS_LIFETIME + conf.TOKEN_LEEWAY
    if claims.expires_at - claims.issued_at > longest:
        raise TokenRefused(
            "token_claims_invalid",
            f"The token lives {claims.expires_at - claims.issued_at} s (exp - iat), longer than "
            f"TOKEN_ACCESS_LIFETIME + TOKEN_LEEWAY ({longest} s).",
        )
    return claims


def _decode(token: str, verifying_key: Any, algorithm: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            verifying_key,
            algorithms=[algorithm],
            audience=conf.TOKEN_AUDIENCE,
            issuer=conf.TOKEN_ISSUER,
            leeway=conf.TOKEN_LEEWAY,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError:
        raise TokenRefused("token_expired", "The access token has expired.") from None
    except jwt.ImmatureSignatureError:
        raise TokenRefused("token_not_yet_valid", "The access token is not valid yet.") from None
    except jwt.InvalidAudienceError:
        raise TokenRefused("token_wrong_audience", "The token is for another audience.") from None
    except jwt.InvalidIssuerError:
        raise TokenRefused("token_wrong_issuer", "The token comes from another issuer.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenRefused(
            "token_claims_invalid", f"The token lacks the {exc.claim!r} claim."
        ) from None
    except jwt.InvalidSignatureError:  # before DecodeError, its base class
        raise TokenRefused("token_bad_signature", "The token's signature is invalid.") from None
    except jwt.InvalidAlgorithmError:
        raise TokenRefused("token_algorithm_refused", "The algorithm is refused.") from None
    except jwt.DecodeError as exc:
        raise TokenRefused("token_malformed", f"The token cannot be decoded ({exc}).") from None
    except jwt.InvalidTokenError as exc:
        raise TokenRefused("token_invalid", f"The token is invalid ({exc}).") from None


def _claims(claims: dict[str, Any]) -> AccessClaims:
    wanted = {"sub": str, "jti": str, "sid": str, "sah": str, "iat": int, "exp": int}
    for name, kind in wanted.items():
        value = claims.get(name)
        empty = value == "" and name != "sah"  # sah is "" for users without a password hash
        if not isinstance(value, kind) or isinstance(value, bool) or empty:
            raise TokenRefused(
                "token_claims_invalid", f"The claim {name!r} is missing or not a {kind.__name__}."
            )
    return AccessClaims(
        user_id=claims["sub"],
        family=claims["sid"],
        jti=claims["jti"],
        issued_at=claims["iat"],
        expires_at=claims["exp"],
        auth_digest=claims["sah"],
        claims=claims,
    )
