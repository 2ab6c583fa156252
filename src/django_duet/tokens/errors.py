"""Why a token was refused: one exception, stable codes, and the JSON answer for each.

Answers have the shape of the session endpoints' errors,
``{"error": {"code": "<stable code>", "message": "<text for humans>"}}``, plus the
``WWW-Authenticate: Bearer`` header of RFC 6750. Apps branch on ``code``, never on the message.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.cache import patch_vary_headers

from django_duet.exceptions import DuetError

TOKEN_ERROR_CODES: dict[str, str] = {
    # Access tokens (Authorization: Bearer ...)
    "token_missing": "401: the endpoint only serves apps: send Authorization: Bearer <token>.",
    "token_malformed": "401: not three base64url segments, or a header/payload that is not a "
    "JSON object.",
    "token_too_large": "401: longer than MAX_TOKEN_LENGTH; no token we issue comes close.",
    "token_algorithm_refused": "401: the alg header is 'none', not allowed, or not the "
    "algorithm of the key named by kid (HS/RS confusion).",
    "token_wrong_type": "401: the typ header is not 'at+jwt': some other JWT.",
    "token_unknown_key": "401: no configured key has this kid, or its verify_until passed.",
    "token_bad_signature": "401: the signature does not match: the token was altered.",
    "token_expired": "401: exp has passed; refresh and retry.",
    "token_not_yet_valid": "401: nbf or iat is in the future (beyond the allowed clock skew).",
    "token_wrong_audience": "401: aud is not DUET['TOKEN_AUDIENCE'].",
    "token_wrong_issuer": "401: iss is not DUET['TOKEN_ISSUER'].",
    "token_claims_invalid": "401: a required claim is missing or has the wrong type, or the "
    "token lives longer (exp - iat) than TOKEN_ACCESS_LIFETIME + TOKEN_LEEWAY.",
    "token_invalid": "401: refused for another reason that the message names.",
    "token_revoked": "401: the token's login ended (logout, logout of all devices, "
    "deactivation, theft detection) or the password changed since it was issued.",
    "user_inactive": "401: the user was deactivated or deleted.",
    "ambiguous_credentials": "400: the request has both a Bearer token and a session cookie.",
    # Refresh tokens (token/refresh/)
    "refresh_invalid": "401: not a refresh token this server issued.",
    "refresh_expired": "401: the refresh token, or its login's maximum age, has expired.",
    "refresh_revoked": "401: the device was logged out (logout, logout of all devices, "
    "password change, or theft detection).",
    "refresh_reused": "401: an already used refresh token was presented: every token of that "
    "login is now revoked (theft detection). Log in again.",
}


class TokenRefused(DuetError):
    """A token (or a request's credentials) refused, with a code from TOKEN_ERROR_CODES."""

    def __init__(self, code: str, message: str, *, status: int = 401) -> None:
        if code not in TOKEN_ERROR_CODES:
            raise ValueError(f"Unknown token error code {code!r}: add it to TOKEN_ERROR_CODES.")
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def www_authenticate(exc: TokenRefused) -> str:
    kind = "invalid_request" if exc.status == 400 else "invalid_token"
    # RFC 6750 allows printable ASCII in error_description, except quote and backslash.
    description = exc.message.encode("ascii", "replace").decode().replace("\\", "/")
    description = description.replace('"', "'")
    return f'Bearer error="{kind}", error_description="{description}"'


def refusal_response(exc: TokenRefused) -> JsonResponse:
    response = JsonResponse(
        {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
    )
    response["WWW-Authenticate"] = www_authenticate(exc)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ("Authorization",))
    return response
