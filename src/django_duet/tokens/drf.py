"""Django REST Framework adapter: ``DuetTokenAuthentication``.

    REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [
        "django_duet.tokens.drf.DuetTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the web, with its CSRF check
    ]}

Refusals answer 401 with ``{"error": {"code", "message"}}``, as the plain-Django middleware
does. Importing this module needs djangorestframework; nothing else in django-duet does.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from django_duet.tokens.auth import authenticate
from django_duet.tokens.errors import TokenRefused


class DuetTokenAuthentication(BaseAuthentication):  # type: ignore[misc]
    """Bearer access tokens from ``token/``; DRF's ``request.auth`` is the AccessClaims."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        django_request = request._request
        # The middleware, when installed, has already checked this very token.
        claims = getattr(django_request, "duet_token", None)
        if claims is not None:
            return django_request.user, claims
        try:
            return authenticate(django_request)
        except TokenRefused as exc:
            failure = AuthenticationFailed({"error": {"code": exc.code, "message": exc.message}})
            failure.status_code = exc.status
            raise failure from None

    def authenticate_header(self, request: Request) -> str:
        # DRF asks the first authentication class for this header, and answers 403 instead of
        # 401 when it has none: list this class first.
        return 'Bearer realm="api"'
