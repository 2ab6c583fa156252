"""Documented path of the cookie-session views (live in ``sessions.views``)."""

from django_duet.sessions.views import (
    csrf,
    csrf_failure,
    login_view,
    logout_view,
    me,
    serialize_user,
)

__all__ = ["csrf", "csrf_failure", "login_view", "logout_view", "me", "serialize_user"]
