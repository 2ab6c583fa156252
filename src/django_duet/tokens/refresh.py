"""Refresh tokens: opaque, single use, rotated on every refresh, with theft detection.

Presenting a refresh token uses it up and returns a new one. If a used token is presented
again, two parties hold the family's tokens (the app and a thief, or a buggy client that
refreshes twice): the whole family is revoked, so the thief's copy dies as well as the app's.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone

from django_duet.conf import conf
from django_duet.models import RefreshToken, RefreshTokenFamily
from django_duet.tokens.access import auth_digest, auth_digest_matches
from django_duet.tokens.errors import TokenRefused

logger = logging.getLogger("django_duet.tokens")

PREFIX = "duet_rt_"  # tells our tokens apart, and lets secret scanners find leaked ones
MAX_LENGTH = 200

# Why a family was revoked (RefreshTokenFamily.revoked_reason)
LOGOUT = "logout"
LOGOUT_ALL = "logout_all"
PASSWORD_CHANGED = "password_changed"
REUSE_DETECTED = "reuse_detected"
USER_INACTIVE = "user_inactive"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(family: RefreshTokenFamily, now: datetime) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=conf.TOKEN_REFRESH_LIFETIME)
    if family.expires_at is not None:
        expires = min(expires, family.expires_at)
    RefreshToken.objects.create(
        family=family, token_hash=hash_token(token), created_at=now, expires_at=expires
    )
    return token


def start_family(user: Any, *, user_agent: str = "") -> tuple[RefreshTokenFamily, str]:
    """A new login (device) for ``user`` and its first refresh token."""
    now = timezone.now()
    max_age = conf.TOKEN_REFRESH_MAX_AGE
    with transaction.atomic():
        family = RefreshTokenFamily.objects.create(
            user=user,
            created_at=now,
            last_used_at=now,
            expires_at=None if max_age is None else now + timedelta(seconds=max_age),
            auth_digest=auth_digest(user),
            user_agent=user_agent[:200],
        )
        return family, _new_token(family, now)


def lifetime_left(family: RefreshTokenFamily, now: datetime | None = None) -> int:
    """Seconds the newest refresh token of ``family`` stays valid (for the answer)."""
    now = now or timezone.now()
    expires = now + timedelta(seconds=conf.TOKEN_REFRESH_LIFETIME)
    if family.expires_at is not None:
        expires = min(expires, family.expires_at)
    return max(0, round((expires - now).total_seconds()))


def _find(token: str) -> RefreshToken:
    if not isinstance(token, str) or not token.startswith(PREFIX) or len(token) > MAX_LENGTH:
        raise TokenRefused("refresh_invalid", "This is not a refresh token from this server.")
    row = (
        RefreshToken.objects.select_related("family", "family__user")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if row is None:
        raise TokenRefused("refresh_invalid", "This refresh token is unknown (or was purged).")
    return row


def revoke_family(family: RefreshTokenFamily, reason: str) -> None:
    # A conditional update: the first reason recorded wins, and it is one statement.
    RefreshTokenFamily.objects.filter(pk=family.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def rotate(token: str, *, user_agent: str = "") -> tuple[Any, RefreshTokenFamily, str]:
    """Use ``token`` up: (user, family, the new refresh token); TokenRefused otherwise."""
    row = _find(token)
    family, now = row.family, timezone.now()
    user = family.user
    if not getattr(user, "is_active", True):
        revoke_family(family, USER_INACTIVE)
        raise TokenRefused("user_inactive", "The user is inactive.")
    if family.revoked_at is not None:
        raise TokenRefused("refresh_revoked", f"This login was revoked ({family.revoked_reason}).")
    if row.used_at is not None:
        _reused(family)
    if row.expires_at <= now or (family.expires_at is not None and family.expires_at <= now):
        raise TokenRefused("refresh_expired", "The refresh token has expired: log in again.")
    if not auth_digest_matches(user, family.auth_digest):
        revoke_family(family, PASSWORD_CHANGED)
        raise TokenRefused("refresh_revoked", "The password changed since this login.")
    with transaction.atomic():
        # Only one of two concurrent refreshes with the same token can claim it.
        claimed = RefreshToken.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
        if claimed:
            new = _new_token(family, now)
            family.last_used_at = now
            family.auth_digest = auth_digest(user)  # moves off a SECRET_KEY_FALLBACKS digest
            if user_agent:
                family.user_agent = user_agent[:200]
            family.save(update_fields=["last_used_at", "auth_digest", "user_agent"])
    if not claimed:
        _reused(family)
    return user, family, new


def _reused(family: RefreshTokenFamily) -> NoReturn:
    revoke_family(family, REUSE_DETECTED)
    logger.warning(
        "A used refresh token came back for user %s (family %s): every token of that login "
        "is revoked.",
        family.user_id,
        family.pk,
    )
    raise TokenRefused(
        "refresh_reused",
        "This refresh token was already used: every token of this login is revoked. Log in again.",
    )


def revoke(token: str) -> bool:
    """Log out the device holding ``token`` (used or not); False if it is unknown."""
    try:
        row = _find(token)
    except TokenRefused:
        return False
    revoke_family(row.family, LOGOUT)
    return True


def revoke_all(user: Any, reason: str = LOGOUT_ALL) -> int:
    """Log out every device of ``user``; the number of logins revoked."""
    return RefreshTokenFamily.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def purge(now: datetime | None = None, *, keep_revoked_days: int = 30) -> int:
    """Delete logins that can no longer refresh (rows deleted); run it daily (docs/tokens.md)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=conf.TOKEN_REFRESH_LIFETIME)
    revoked = now - timedelta(days=keep_revoked_days)
    deleted, _ = (
        RefreshTokenFamily.objects.filter(expires_at__lte=now)
        | RefreshTokenFamily.objects.filter(last_used_at__lte=stale)
        | RefreshTokenFamily.objects.filter(revoked_at__lte=revoked)
    ).delete()
    return deleted
