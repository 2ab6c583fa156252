"""Token endpoints for apps: ``token/`` (log in), ``token/refresh/``, ``token/revoke/`` and
``token/revoke-all/``.

The first three take their credentials in the body, never from a cookie, so they have no
ambient authority to protect and are CSRF-exempt. ``token/revoke-all/`` acts for the caller's
user: with a Bearer token it is exempt like any Bearer request; with a session cookie it keeps
Django's CSRF check.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import user_logged_in
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from django_duet.sessions.credentials import check_credentials
from django_duet.sessions.jsonapi import InvalidRequest, error, json_endpoint, read_fields
from django_duet.sessions.views import serialize_user
from django_duet.tokens import access, refresh
from django_duet.tokens.errors import TokenRefused, refusal_response

logger = logging.getLogger("django_duet.tokens")


def _user_agent(request: HttpRequest) -> str:
    return str(request.headers.get("User-Agent", ""))


def token_pair(user: Any, family: Any, refresh_token: str) -> JsonResponse:
    """The answer of a login or a refresh, with OAuth 2.0's field names (RFC 6749 5.1)."""
    access_token, expires_in = access.issue(user, family=str(family.pk))
    return JsonResponse(
        {
            "token_type": "Bearer",
            "access_token": access_token,
            "expires_in": expires_in,
            "refresh_token": refresh_token,
            "refresh_expires_in": refresh.lifetime_left(family),
            "user": serialize_user(user),
        }
    )


@csrf_exempt
@json_endpoint("POST")
@sensitive_post_parameters("password")
def obtain(request: HttpRequest) -> HttpResponse:
    """Log in with username and password; the same throttle as the web's ``login/``."""
    user = check_credentials(request, "Token login")
    if isinstance(user, HttpResponse):
        return user
    family, refresh_token = refresh.start_family(user, user_agent=_user_agent(request))
    # As django.contrib.auth.login() does: last_login, and the app's own receivers.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return token_pair(user, family, refresh_token)


@csrf_exempt
@json_endpoint("POST")
@sensitive_post_parameters("refresh_token")
@sensitive_variables("fields")
def refresh_view(request: HttpRequest) -> HttpResponse:
    """A new access token and a new refresh token, for a refresh token that is used up."""
    try:
        fields = read_fields(request, ("refresh_token",))
    except InvalidRequest as exc:
        return error(400, "invalid_request", str(exc))
    try:
        user, family, new_refresh = refresh.rotate(
            fields["refresh_token"], user_agent=_user_agent(request)
        )
    except TokenRefused as exc:
        return refusal_response(exc)
    return token_pair(user, family, new_refresh)


@csrf_exempt
@json_endpoint("POST")
@sensitive_post_parameters("refresh_token")
@sensitive_variables("fields")
def revoke_view(request: HttpRequest) -> HttpResponse:
    """Log this device out. Answers 200 for unknown tokens too (RFC 7009 2.2)."""
    try:
        fields = read_fields(request, ("refresh_token",))
    except InvalidRequest as exc:
        return error(400, "invalid_request", str(exc))
    return JsonResponse({"revoked": refresh.revoke(fields["refresh_token"])})


@json_endpoint("POST")
def revoke_all_view(request: HttpRequest) -> HttpResponse:
    """Log every device of the caller out (their access tokens end within their lifetime)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return error(401, "not_authenticated", "Log in (or send a Bearer token) first.")
    return JsonResponse({"revoked": refresh.revoke_all(user)})
