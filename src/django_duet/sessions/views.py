"""Cookie-session endpoints for JavaScript clients: ``csrf/``, ``login/``, ``logout/``, ``me/``.

Mounted with ``path("api/auth/", include("django_duet.urls"))``. Every answer is JSON and
``no-store``; errors are ``{"error": {"code", "message"}}`` (codes in ``jsonapi.ERROR_CODES``).
Login and logout rotate the CSRF token (Django does it in ``login()``; we do it in logout), so
both answer with the new token: a page on another origin cannot read the API's cookie.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token, rotate_token
from django.utils.module_loading import import_string
from django.views import csrf as django_csrf
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from django.views.decorators.debug import sensitive_post_parameters

from django_duet.conf import conf
from django_duet.sessions.credentials import check_credentials
from django_duet.sessions.jsonapi import error, json_endpoint, no_store, wants_json

logger = logging.getLogger("django_duet.auth")


def csrf_header_name() -> str:
    """CSRF_HEADER_NAME ("HTTP_X_CSRFTOKEN", a WSGI META key) as the HTTP header to send."""
    meta = settings.CSRF_HEADER_NAME
    if meta == "HTTP_X_CSRFTOKEN":
        return "X-CSRFToken"  # Django's documented spelling of its default
    name = meta.removeprefix("HTTP_")
    return "-".join(part.capitalize() for part in name.split("_"))


def serialize_user(user: Any) -> dict[str, Any]:
    """The user as the endpoints show it; DUET["USER_SERIALIZER"] replaces this."""
    if conf.USER_SERIALIZER:
        custom = import_string(conf.USER_SERIALIZER)
        return dict(custom(user))
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": getattr(user, "email", "") or "",
        "isStaff": bool(getattr(user, "is_staff", False)),
    }


@json_endpoint("GET", "HEAD")
@ensure_csrf_cookie
def csrf(request: HttpRequest) -> HttpResponse:
    """The token (and where to send it); also sets the CSRF cookie that the token pairs with."""
    return JsonResponse(
        {
            "csrfToken": get_token(request),
            "headerName": csrf_header_name(),
            "cookieName": settings.CSRF_COOKIE_NAME,
        }
    )


@json_endpoint("POST")
@sensitive_post_parameters("password")
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    user = check_credentials(request, "Login")
    if isinstance(user, HttpResponse):
        return user
    login(request, user)  # a new session key and a new CSRF token
    return JsonResponse({"user": serialize_user(user), "csrfToken": get_token(request)})


@json_endpoint("POST")
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    # Django keeps the CSRF cookie across logout; a new one means a token read while logged
    # in (by a script, from a page, or from a log) stops working.
    rotate_token(request)
    return JsonResponse({"csrfToken": get_token(request)})


# ``me/?anonymous=ok``: nobody logged in is an answer, not an error. Browsers log every 4xx as a
# console error, so a client asking "who is here?" on each page load opts in to 200 {"user": null};
# without the parameter me/ keeps answering 401, as clients written for it expect.
ANONYMOUS_PARAMETER = "anonymous"


@json_endpoint("GET", "HEAD")
def me(request: HttpRequest) -> HttpResponse:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        if request.GET.get(ANONYMOUS_PARAMETER) == "ok":
            return JsonResponse({"user": None})
        return error(401, "not_authenticated", "Not logged in.")
    return JsonResponse({"user": serialize_user(user)})


def csrf_failure(
    request: HttpRequest,
    reason: str = "",
    template_name: str = django_csrf.CSRF_FAILURE_TEMPLATE_NAME,
) -> HttpResponse:
    """CSRF_FAILURE_VIEW: JSON 403 ``csrf_failed`` for API clients, Django's page for browsers.

    The django-duet client refreshes its token and retries once on exactly this code.
    """
    match = getattr(request, "resolver_match", None)
    ours = match is not None and "duet" in match.app_names
    if ours or wants_json(request):
        return no_store(error(403, "csrf_failed", f"CSRF verification failed: {reason}"))
    return django_csrf.csrf_failure(request, reason=reason, template_name=template_name)
