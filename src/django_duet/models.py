"""Refresh tokens, stored server side as hashes (docs/tokens.md).

A *family* is one login on one device: every refresh token it ever had, each used once. The
family is what logout revokes, and what theft detection revokes when a used token comes back.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class RefreshTokenFamily(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duet_token_families"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    # The login's absolute end (DUET["TOKEN_REFRESH_MAX_AGE"]); null: refreshing never ends it.
    expires_at = models.DateTimeField(null=True, blank=True)
    # Digest of the password hash at login: a password change ends the family.
    auth_digest = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "refresh token family"
        verbose_name_plural = "refresh token families"
        indexes = [models.Index(fields=["user", "revoked_at"], name="duet_family_user_revoked")]

    def __str__(self) -> str:
        state = f"revoked ({self.revoked_reason})" if self.revoked_at else "active"
        return f"{self.user_id} / {self.id} ({state})"


class RefreshToken(models.Model):
    family = models.ForeignKey(RefreshTokenFamily, on_delete=models.CASCADE, related_name="tokens")
    # SHA-256 of the token: it is 256 random bits, so a fast hash cannot be reversed, and a
    # leaked table gives no usable token.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "refresh token"

    def __str__(self) -> str:
        return f"{self.family_id} #{self.pk}"
