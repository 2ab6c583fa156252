"""django-ninja adapter: ``DuetBearer`` and ``add_error_handler``.

    api = NinjaAPI(auth=[DuetBearer(), django_auth])  # apps, then the web's session (CSRF on)
    add_error_handler(api)  # refusals as {"error": {"code", "message"}} + WWW-Authenticate

Without ``add_error_handler`` a refused token still gets 401, as ninja's ``{"detail": ...}``.
Importing this module needs django-ninja; nothing else in django-duet does.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from django_duet.exceptions import DuetError
from django_duet.tokens.auth import attach
from django_duet.tokens.auth import authenticate as authenticate_request
from django_duet.tokens.errors import TokenRefused, refusal_response


class TokenAuthenticationError(DuetError, AuthenticationError):
    """A refused token, as ninja's 401 error (with django-duet's code kept on it)."""

    def __init__(self, refusal: TokenRefused) -> None:
        super().__init__(status_code=refusal.status, message=refusal.message)
        self.refusal = refusal


class DuetBearer(HttpBearer):
    """Bearer access tokens from ``token/``; ``request.auth`` is the user."""

    def __call__(self, request: HttpRequest) -> Any:
        claims = getattr(request, "duet_token", None)
        if claims is not None:  # the middleware has already checked this very token
            return request.user
        try:
            result = authenticate_request(request)
        except TokenRefused as exc:
            raise TokenAuthenticationError(exc) from None
        if result is None:
            return None  # no Bearer token: let the next auth class (a session?) try
        attach(request, *result)
        return result[0]

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # ninja's abstract hook; __call__ reads the header itself (and applies the cookie rule).
        return self(request)


def add_error_handler(api: NinjaAPI) -> None:
    """Answer refused tokens with django-duet's JSON error and ``WWW-Authenticate`` header."""

    # ``exc`` is a TokenAuthenticationError (ninja's stub types it loosely).
    def handler(request: HttpRequest, exc: Any) -> HttpResponse:
        return refusal_response(exc.refusal)

    api.add_exception_handler(TokenAuthenticationError, handler)
