"""System checks for origins set up by hand: credentialed CORS origins that CSRF refuses, and an
API origin whose host Django refuses.

spa_checks.py checks what DUET["SPA_ORIGINS"] declares; a project that configured
django-cors-headers itself declares nothing there, so these read django-cors-headers' and
Django's own settings. Each id is explained in docs/sessions-and-csrf.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.http.request import validate_host

from django_duet.conf import conf
from django_duet.sessions.origins import csrf_trusts, parse_origin
from django_duet.sessions.spa_checks import cors, spa_origins

WRITE_HINT = (
    "Add it to CSRF_TRUSTED_ORIGINS (django_duet.spa.configure(globals(), origins=[...]) sets "
    "both lists); if that origin only ever reads, add 'duet.W018' to SILENCED_SYSTEM_CHECKS."
)


def _trusted_match_regex(regex: re.Pattern[str], trusted: Sequence[str]) -> bool:
    """Whether some CSRF_TRUSTED_ORIGINS entry is an origin ``regex`` allows.

    A regex allows a set of origins we cannot list, so this looks for any overlap: an exact
    entry the regex matches, or a wildcard entry ('https://*.example.com') whose domain the
    pattern names. No overlap at all means every origin it allows is refused by CSRF.
    """
    for entry in trusted:
        if "://*." in entry:
            host = entry.split("://*.", 1)[1].split(":", 1)[0]
            if re.escape(host) in regex.pattern or host in regex.pattern:
                return True
        elif regex.match(entry):
            return True
    return False


def _cannot_write(message: str, hint: str) -> Warning:
    return Warning(message, hint=hint, id="duet.W018")


def check_credentialed_origins(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.W018: origins CORS lets read with cookies, which Django's CSRF check refuses."""
    if not getattr(settings, "CORS_ALLOW_CREDENTIALS", False):
        return []
    trusted = list(settings.CSRF_TRUSTED_ORIGINS)
    declared = {str(o) for o in spa_origins()}  # duet.E014 reports those
    messages: list[CheckMessage] = []
    origin_name, origins = cors("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
    for value in origins:
        try:
            origin = parse_origin(value)
        except ValueError:
            continue  # not an origin: django-cors-headers' checks (duet.E012 for "null") say so
        if str(origin) in declared or csrf_trusts(origin, trusted):
            continue
        messages.append(
            _cannot_write(
                f"{origin_name} allows {value!r} with CORS_ALLOW_CREDENTIALS = True, but it is "
                f"not in CSRF_TRUSTED_ORIGINS = {trusted!r}: its pages can read your API with "
                "the user's cookies, and Django refuses every POST from them with 'Origin "
                "checking failed'.",
                WRITE_HINT,
            )
        )
    regex_name, regexes = cors("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
    for value in regexes:
        try:
            regex = re.compile(value)
        except (re.error, TypeError):
            continue  # not a regex: django-cors-headers' checks say so
        if _trusted_match_regex(regex, trusted) or any(regex.match(o) for o in declared):
            continue
        messages.append(
            _cannot_write(
                f"{regex_name} has {regex.pattern!r} with CORS_ALLOW_CREDENTIALS = True, but no "
                f"origin in CSRF_TRUSTED_ORIGINS = {trusted!r} is one it allows: Django refuses "
                "every POST from those origins with 'Origin checking failed'.",
                "List the origins it is meant for in CSRF_TRUSTED_ORIGINS, exactly (a "
                "wildcard such as 'https://*.example.com' also lets every other host of that "
                "site write); if they only ever read, add 'duet.W018' to SILENCED_SYSTEM_CHECKS.",
            )
        )
    return messages


def check_api_host(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E025: DUET["API_ORIGIN"]'s host must pass ALLOWED_HOSTS."""
    if not conf.API_ORIGIN:
        return []
    try:
        api = parse_origin(conf.API_ORIGIN)
    except ValueError:
        return []  # duet.E020
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:  # what Django's HttpRequest.get_host() falls back to
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if validate_host(api.host, allowed):
        return []
    return [
        Error(
            f'DUET["API_ORIGIN"] = {conf.API_ORIGIN!r}, but {api.host!r} is not in '
            f"ALLOWED_HOSTS = {list(settings.ALLOWED_HOSTS)!r}: Django answers every request "
            "of the SPA with 400 Bad Request (DisallowedHost).",
            hint=f"Add {api.host!r} to ALLOWED_HOSTS.",
            id="duet.E025",
        )
    ]
