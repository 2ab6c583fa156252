"""JSON endpoints: one error shape, request bodies read with a size limit, no caching.

Every error is ``{"error": {"code": "<stable code>", "message": "<text for humans>"}}``;
clients branch on ``code`` (listed in ``ERROR_CODES``), never on the message.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_vary_headers

from django_duet.exceptions import DuetError

ERROR_CODES: dict[str, str] = {
    "invalid_request": "400: the body is not JSON/form data (or is nested too deeply), a field "
    "is missing, not a string, not valid Unicode or has a NUL, or the body is too large.",
    "not_authenticated": "401: the request has no logged-in session.",
    "invalid_credentials": "401: no active user with that username and password.",
    "csrf_failed": "403: the CSRF check refused the request; fetch a fresh token and retry once.",
    "permission_denied": "403: logged in, but not allowed to do this.",
    "method_not_allowed": "405: the endpoint does not answer this HTTP method (see Allow).",
    "throttled": "429: too many failed logins; retry after Retry-After seconds.",
    "throttle_unavailable": "503: the login throttle's cache (Redis ...) cannot be reached, so "
    "no login is checked; retry after Retry-After seconds.",
}
MAX_BODY_BYTES = 8 * 1024  # credentials are tiny; anything bigger is a mistake or an attack
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")  # HTML forms, FormData

View = Callable[..., HttpResponse]


class InvalidRequest(DuetError):
    """The request body cannot be used; the message says why and what to send instead."""


def error(
    status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
) -> JsonResponse:
    if code not in ERROR_CODES:
        raise ValueError(f"Unknown error code {code!r}: add it to ERROR_CODES (and the docs).")
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def read_fields(request: HttpRequest, names: Iterable[str]) -> dict[str, str]:
    """The non-empty string fields ``names`` of a JSON or form body, else InvalidRequest."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise InvalidRequest(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    content_type = request.content_type or ""
    if is_json_type(content_type):
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise InvalidRequest(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"The body is not valid JSON ({exc}).") from None
        except RecursionError:  # a few KB of "[[[[..." nest deeper than the parser recurses
            raise InvalidRequest("The body is JSON nested too deeply.") from None
        if not isinstance(data, dict):
            raise InvalidRequest("The body must be a JSON object.")
    elif content_type in _FORMS:
        try:
            data = request.POST
        except MultiPartParserError as exc:  # no boundary, a broken part
            raise InvalidRequest(f"The form body cannot be parsed ({exc}).") from None
    else:
        raise InvalidRequest(
            f"Unsupported Content-Type {content_type!r}: send application/json "
            f"(or a form: {' or '.join(_FORMS)})."
        )
    fields: dict[str, str] = {}
    for name in names:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidRequest(f"The field {name!r} is missing or not a non-empty string.")
        fields[name] = _text(name, value)
    return fields


def _text(name: str, value: str) -> str:
    # JSON's "\ud800" decodes to a lone surrogate, which no database, hasher or log can encode;
    # NUL is refused by PostgreSQL (and by Django's form fields, ProhibitNullCharactersValidator).
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest(
            f"The field {name!r} is not valid Unicode (it has a lone surrogate)."
        ) from None
    if "\x00" in value:
        raise InvalidRequest(f"The field {name!r} contains a NUL character.")
    return value


def wants_json(request: HttpRequest) -> bool:
    """A fetch()/XHR client rather than a browser navigation or an HTML form."""
    if is_json_type(request.content_type or ""):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def no_store(response: HttpResponse) -> HttpResponse:
    # Answers carry tokens and user data: never from a cache, and they differ per cookie/origin.
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ("Cookie", "Origin"))
    return response


def json_endpoint(*methods: str) -> Callable[[View], View]:
    """Allow only ``methods`` (JSON 405 otherwise), answer an uncaught InvalidRequest with a JSON
    400 ``invalid_request``, and mark every answer ``no-store``."""
    allowed = sorted({m.upper() for m in methods})

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response: HttpResponse = error(
                    405,
                    "method_not_allowed",
                    f"{request.method} is not allowed here; use {' or '.join(allowed)}.",
                    headers={"Allow": ", ".join(allowed)},
                )
            else:
                try:
                    response = view(request, *args, **kwargs)
                except InvalidRequest as exc:  # from read_fields, uncaught by the view
                    response = error(400, "invalid_request", str(exc))
            return no_store(response)

        return wrapper

    return decorator
