"""Who a request with ``Authorization: Bearer <access token>`` is: shared by the middleware
and the DRF and django-ninja adapters.

A Bearer token is sent on purpose by the app's code, never attached by the browser, so a
request authenticated by one needs no CSRF protection. A session cookie is attached by the
browser to any request, forged ones included: such requests keep full CSRF protection. A
request carrying both is refused, since nothing could tell which one the caller meant (and
a cookie could otherwise ride along a token's CSRF exemption).
"""

from __future__ import annotations

import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest

from django_duet.models import RefreshTokenFamily
from django_duet.tokens import refresh
from django_duet.tokens.access import AccessClaims, auth_digest_matches, verify
from django_duet.tokens.errors import TokenRefused

SCHEME = "bearer"  # compared case-insensitively (RFC 9110 section 11.1)


def bearer_token(request: HttpRequest) -> str | None:
    """The Bearer credentials of the request, or None when it sends none (or another scheme).

    Raises TokenRefused when the request also carries a session cookie.
    """
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != SCHEME:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        raise TokenRefused(
            "ambiguous_credentials",
            "The request has both a Bearer token and a session cookie: send one. Apps send "
            "the token without cookies (fetch's credentials: 'omit'); the web, only cookies.",
            status=400,
        )
    credentials = credentials.strip()
    if not credentials:
        raise TokenRefused("token_malformed", "The Authorization header has no token.")
    return credentials


def _user_pk(claims: AccessClaims) -> Any:
    try:
        return get_user_model()._meta.pk.to_python(claims.user_id)
    except ValidationError:
        raise TokenRefused("token_claims_invalid", "The token's sub is not a user id.") from None


def _family_pk(claims: AccessClaims) -> uuid.UUID:
    try:
        return uuid.UUID(claims.family)
    except ValueError:
        raise TokenRefused("token_claims_invalid", "The token's sid is not a login id.") from None


def check_user(user: Any, family: RefreshTokenFamily | None, claims: AccessClaims) -> Any:
    """``user`` if the token may still act for them; TokenRefused otherwise."""
    if user is None or not getattr(user, "is_active", True):
        raise TokenRefused("user_inactive", "The user is inactive or no longer exists.")
    if family is None or family.revoked_at is not None:
        reason = f" ({family.revoked_reason})" if family is not None else ""
        raise TokenRefused("token_revoked", f"The login this token belongs to has ended{reason}.")
    if not auth_digest_matches(user, claims.auth_digest):
        raise TokenRefused("token_revoked", "The password changed since this token was issued.")
    return user


def _load_user(pk: Any) -> Any:
    try:
        return get_user_model()._default_manager.get(pk=pk)
    except ObjectDoesNotExist:
        return None


def _load(claims: AccessClaims) -> tuple[Any, RefreshTokenFamily | None]:
    """The token's user and its login (refresh token family), in one query; None when gone."""
    user_pk, family_pk = _user_pk(claims), _family_pk(claims)
    family = (
        RefreshTokenFamily.objects.select_related("user")
        .filter(pk=family_pk, user_id=user_pk)
        .first()
    )
    if family is None:  # the user was deleted (the login with them), or the login purged
        return _load_user(user_pk), None
    if not getattr(family.user, "is_active", True) and family.revoked_at is None:
        # Seen inactive: the login ends for good, so reactivating the user revives no token
        # (deactivation through save() already ended it: signals.py).
        refresh.revoke_family(family, refresh.USER_INACTIVE)
    return family.user, family


def authenticate(request: HttpRequest) -> tuple[Any, AccessClaims] | None:
    """(user, claims) for a Bearer request, None without one; TokenRefused when refused.

    The user and the token's login are read from the database on every request, so that
    deactivating a user, changing their password or logging the device out refuses their
    access tokens at once.
    """
    token = bearer_token(request)
    if token is None:
        return None
    claims = verify(token)
    return check_user(*_load(claims), claims), claims


async def aauthenticate(request: HttpRequest) -> tuple[Any, AccessClaims] | None:
    """``authenticate`` for async code: the same checks, the database read without blocking."""
    token = bearer_token(request)
    if token is None:
        return None
    claims = verify(token)  # pure computation: no I/O
    user, family = await sync_to_async(_load)(claims)
    return check_user(user, family, claims), claims


def attach(request: HttpRequest, user: Any, claims: AccessClaims) -> None:
    """Make ``user`` the request's user, as AuthenticationMiddleware would for a session."""
    request.user = user
    request.duet_token = claims  # type: ignore[attr-defined]

    async def auser() -> Any:
        return user

    request.auser = auser
    # What csrf_exempt does for a view, for this request only: CsrfViewMiddleware skips its
    # check when this is set (the test client uses it the same way).
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
