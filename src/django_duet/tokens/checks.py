"""System checks of the token settings: duet.E050-E069 and duet.W050-W069 (docs/tokens.md).

Registered by ``django_duet/checks.py``. The key checks share ``keys.parse_key`` with the
code that signs, so a configuration the checks accept is one the endpoints can use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from django_duet.conf import DEFAULTS, conf
from django_duet.sessions.published import is_published
from django_duet.tokens.keys import SETTING, KeyConfigError, load_keyring, parse_key
from django_duet.tokens.middleware import PATH as MIDDLEWARE_PATH

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
MAX_ACCESS_LIFETIME = 3600  # beyond this, a stolen access token is a long-lived credential
MAX_LEEWAY = 300


def tokens_in_use() -> bool:
    in_middleware = MIDDLEWARE_PATH in getattr(settings, "MIDDLEWARE", [])
    return in_middleware or conf.is_set("TOKEN_SIGNING_KEYS")


def _error(exc: KeyConfigError) -> CheckMessage:
    cls = Warning if exc.check_id.startswith("duet.W") else Error
    return cls(exc.message, hint=exc.hint, id=exc.check_id)


def check_signing_keys(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E050-E055, W050, W052: keys present, strong, parseable, one algorithm each."""
    if not tokens_in_use():
        return []
    raw = conf.raw("TOKEN_SIGNING_KEYS")
    if raw is not None and not isinstance(raw, (list, tuple)):
        return [
            Error(
                f"{SETTING} is {raw!r}, not a list.",
                hint=f'Write {SETTING} = [{{"kid": ..., "algorithm": ..., "key": ...}}].',
                id="duet.E051",
            )
        ]
    entries = conf.TOKEN_SIGNING_KEYS
    messages: list[CheckMessage] = []
    parsed = []
    for index, entry in enumerate(entries):
        try:
            parsed.append(parse_key(index, entry))
        except KeyConfigError as exc:
            messages.append(_error(exc))
    if not messages:
        try:
            load_keyring(entries)  # no keys at all, duplicate kids
        except KeyConfigError as exc:
            messages.append(_error(exc))
    secret = str(getattr(settings, "SECRET_KEY", "")).encode()
    now = datetime.now(UTC)
    for key in parsed:
        if isinstance(key.verifying_key, bytes) and key.verifying_key == secret:
            messages.append(
                Warning(
                    f"{SETTING} key {key.kid!r} is SECRET_KEY: rotating one would rotate both, "
                    "and a leak of either is a leak of both.",
                    hint="Generate a separate secret for tokens (docs/tokens.md).",
                    id="duet.W050",
                )
            )
        if key.verify_until is not None and key.verify_until <= now:
            messages.append(
                Warning(
                    f"{SETTING} key {key.kid!r} has verify_until={key.verify_until.isoformat()!r}"
                    ", which has passed: it verifies nothing any more.",
                    hint="Remove the key from the list.",
                    id="duet.W052",
                )
            )
    return messages


def _seconds(name: str, *, minimum: int, maximum: int | None = None) -> CheckMessage | None:
    value = conf.raw(name)
    if name == "TOKEN_REFRESH_MAX_AGE" and value is None:
        return None
    too_big = maximum is not None and isinstance(value, int) and value > maximum
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or too_big:
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        return Error(
            f'DUET["{name}"] is {value!r}: it must be a whole number of seconds {bounds}.',
            hint=f'Write DUET["{name}"] = {DEFAULTS[name]!r} (the default) or another number.',
            id="duet.E056",
        )
    return None


def check_token_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E056-E058, W053: lifetimes, issuer and audience, middleware order."""
    if not tokens_in_use():
        return []
    found = [
        _seconds("TOKEN_ACCESS_LIFETIME", minimum=1),
        _seconds("TOKEN_REFRESH_LIFETIME", minimum=1),
        _seconds("TOKEN_REFRESH_MAX_AGE", minimum=1),
        _seconds("TOKEN_LEEWAY", minimum=0, maximum=MAX_LEEWAY),
    ]
    messages: list[CheckMessage] = [m for m in found if m is not None]
    for name in ("TOKEN_ISSUER", "TOKEN_AUDIENCE"):
        value = conf.raw(name)
        if not isinstance(value, str) or not value.strip():
            messages.append(
                Error(
                    f'DUET["{name}"] is {value!r}: it must be a non-empty string.',
                    hint=f'Write DUET["{name}"] = "https://api.example.com" (your API\'s URL).',
                    id="duet.E057",
                )
            )
    lifetime = conf.raw("TOKEN_ACCESS_LIFETIME")
    if isinstance(lifetime, int) and lifetime > MAX_ACCESS_LIFETIME:
        messages.append(
            Warning(
                f'DUET["TOKEN_ACCESS_LIFETIME"] is {lifetime!r} seconds: an access token cannot '
                "be revoked before it expires, so a stolen one works that long.",
                hint="Keep it short (the default is 300): apps refresh automatically.",
                id="duet.W053",
            )
        )
    middleware = list(getattr(settings, "MIDDLEWARE", []))
    if MIDDLEWARE_PATH in middleware and (
        AUTH_MIDDLEWARE not in middleware
        or middleware.index(MIDDLEWARE_PATH) < middleware.index(AUTH_MIDDLEWARE)
    ):
        messages.append(
            Error(
                f"{MIDDLEWARE_PATH!r} is not after {AUTH_MIDDLEWARE!r} in MIDDLEWARE = "
                f"{middleware!r}: AuthenticationMiddleware would replace the token's user.",
                hint=f"Put {MIDDLEWARE_PATH!r} right after {AUTH_MIDDLEWARE!r}.",
                id="duet.E058",
            )
        )
    return messages


def check_published_token_keys(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E059: a token key published in django-duet's repository (the example's fallback)."""
    if not tokens_in_use():
        return []
    entries = conf.raw("TOKEN_SIGNING_KEYS")
    if not isinstance(entries, (list, tuple)):
        return []  # duet.E051
    return [
        Error(
            f"{SETTING} key {entry.get('kid')!r} is a published key (the django-duet example's "
            "fallback, or a 'django-insecure-' one): anyone can sign access tokens with it.",
            hint="Generate a secret of your own (docs/tokens.md) and read it from the "
            "environment; every token signed with the published key stops working.",
            id="duet.E059",
        )
        for entry in entries
        if isinstance(entry, dict) and is_published(entry.get("key"))
    ]
