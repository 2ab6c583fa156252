"""Deactivating a user ends their logins, so that reactivating them revives no token.

An access token lives only as long as its login (its refresh token family, checked on every
Bearer request: auth.py). Saving a user with ``is_active = False`` revokes every login they
have, from the admin, ``user.save()`` or a form alike. ``QuerySet.update()`` sends no signal:
after ``update(is_active=False)`` call ``refresh.revoke_all(user, refresh.USER_INACTIVE)``
(otherwise a login ends only when one of its tokens is used while the user is inactive).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save

from django_duet.tokens import refresh


def end_logins_of_inactive_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not getattr(instance, "is_active", True):
        refresh.revoke_all(instance, refresh.USER_INACTIVE)


def connect() -> None:
    """Called from ``AppConfig.ready()``: the user model is known by then."""
    post_save.connect(
        end_logins_of_inactive_user,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="django_duet.tokens.inactive_user",
    )
