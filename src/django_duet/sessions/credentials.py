"""Username and password from a request body, under the login throttle.

One path for the web login (``login/``) and the apps' token login (``token/``): the same
validation, the same throttle budget, the same error codes.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.views.decorators.debug import sensitive_variables

from django_duet.sessions.jsonapi import InvalidRequest, error, read_fields
from django_duet.sessions.throttle import LoginThrottle, ThrottleUnavailable, client_ip

logger = logging.getLogger("django_duet.auth")
RETRY_AFTER_OUTAGE = 5  # seconds: a cache restart or failover


@sensitive_variables("fields")
def check_credentials(request: HttpRequest, what: str) -> Any | HttpResponse:
    """The authenticated user, or the JSON error to answer (400, 429, 401 or 503)."""
    try:
        fields = read_fields(request, ("username", "password"))
    except InvalidRequest as exc:
        return error(400, "invalid_request", str(exc))
    throttle = LoginThrottle(request, fields["username"])
    # Reserved before the password is checked, so a blocked guesser learns nothing, not even a
    # right guess, and requests in flight together cannot all pass a check made before any of
    # them failed. A check that raises keeps its reservation: it counts as a failure.
    try:
        wait = throttle.reserve()
    except ThrottleUnavailable as exc:
        return unavailable(what, exc)
    if wait is not None:
        logger.warning("%s throttled for %r from %s", what, fields["username"], client_ip(request))
        return error(
            429,
            "throttled",
            f"Too many failed logins. Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(request, username=fields["username"], password=fields["password"])
    if user is None:
        throttle.failed()
        return error(401, "invalid_credentials", "The username or password is incorrect.")
    try:
        throttle.succeeded()
    except ThrottleUnavailable as exc:  # gone since reserve(): no login it cannot account for
        return unavailable(what, exc)
    return user


def unavailable(what: str, exc: ThrottleUnavailable) -> HttpResponse:
    """Fail closed: without its counters the throttle would let every guess through."""
    logger.error("%s refused: %s", what, exc)
    return error(
        503,
        "throttle_unavailable",
        "Logins are paused for a moment: the login throttle cannot be reached. Try again soon.",
        headers={"Retry-After": str(RETRY_AFTER_OUTAGE)},
    )
