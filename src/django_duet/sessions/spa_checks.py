"""System checks for the single page app model: CORS and CSRF origins.

Each id is explained in docs/sessions-and-csrf.md.

django-cors-headers' settings are read by name (with its legacy aliases), never imported, so
these checks run whether or not it is installed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from django_duet.conf import conf
from django_duet.sessions.origins import Origin, csrf_trusts, parse_origin
from django_duet.sessions.spa import ANSWERS_FIRST, CORS_APP, CORS_MIDDLEWARE

PRESET_HINT = (
    "django_duet.spa.configure(globals(), origins=[...]) at the end of settings.py sets it."
)
# A dot between two name characters, not escaped: in a regex it matches any character.
_LOOSE_DOT = re.compile(r"(?<=[A-Za-z0-9-])\.(?=[A-Za-z0-9])")
_CHAR_CLASS = re.compile(r"\[(?:\\.|[^\]])*\]")  # a dot inside [...] is literal
_TOKEN = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|.", re.DOTALL)  # an escape, a class, a character


def anchored(pattern: str) -> str:
    """``pattern`` anchored with ^...$ and its host-name dots escaped: what E011 proposes."""
    body = pattern.removeprefix("^")
    if body.endswith("\\Z"):
        body = body[:-2]
    elif body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    # Escape each bare dot before a name character (a host's dot), outside [...] and escapes.
    parts = [
        r"\." if m.group() == "." and body[m.end() : m.end() + 1].isalnum() else m.group()
        for m in _TOKEN.finditer(body)
    ]
    return "^" + "".join(parts) + "$"


def cors(name: str, legacy: str, default: Any) -> tuple[str, Any]:
    """django-cors-headers' setting ``name`` (or its old alias ``legacy``) and its value."""
    if hasattr(settings, name) or not hasattr(settings, legacy):
        return name, getattr(settings, name, default)
    return legacy, getattr(settings, legacy)


def spa_origins() -> list[Origin]:
    """The valid DUET["SPA_ORIGINS"] (E020 reports the others)."""
    valid = []
    for value in conf.SPA_ORIGINS:
        try:
            valid.append(parse_origin(value))
        except ValueError:
            continue
    return valid


def check_cors_origins(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E010, E011, W010, E012: CORS settings that let other sites read answers."""
    messages: list[CheckMessage] = []
    all_name, allow_all = cors("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False)
    credentials = getattr(settings, "CORS_ALLOW_CREDENTIALS", False)
    if allow_all and credentials:
        messages.append(
            Error(
                f"{all_name} = {allow_all!r} with CORS_ALLOW_CREDENTIALS = {credentials!r}: "
                "django-cors-headers then echoes any Origin back, so every website can make "
                "requests with your users' cookies and read the answers.",
                hint=f"Remove {all_name} and list the SPA's origins in CORS_ALLOWED_ORIGINS. "
                + PRESET_HINT,
                id="duet.E010",
            )
        )
    regex_name, regexes = cors("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
    for regex in regexes:
        pattern = getattr(regex, "pattern", regex)
        if not isinstance(pattern, str):
            continue
        if not (pattern.startswith("^") and pattern.endswith(("$", r"\Z"))):
            messages.append(
                Error(
                    f"{regex_name} has {pattern!r}, which is not anchored with ^...$: the match "
                    "is a prefix match, so 'https://app.example.com.evil.net' passes for "
                    "'https://app.example.com'.",
                    hint=f"Write it as r'{anchored(pattern)}', or list exact origins in "
                    "CORS_ALLOWED_ORIGINS.",
                    id="duet.E011",
                )
            )
        elif _LOOSE_DOT.search(_CHAR_CLASS.sub("", pattern)):
            messages.append(
                Warning(
                    f"{regex_name} has {pattern!r}, with an unescaped '.' in a host name: it "
                    "matches any character, so a look-alike domain (appxexample.com) passes.",
                    hint="Escape the dots in host names: r'^https://app\\.example\\.com$'.",
                    id="duet.W010",
                )
            )
    origin_name, origins = cors("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
    for name, values in (
        (origin_name, origins),
        ("CSRF_TRUSTED_ORIGINS", settings.CSRF_TRUSTED_ORIGINS),
        ('DUET["SPA_ORIGINS"]', conf.SPA_ORIGINS),
    ):
        if "null" in values:
            messages.append(
                Error(
                    f"{name} = {values!r} allows the origin 'null', which sandboxed iframes, "
                    "file: pages and redirects send: any website can produce it.",
                    hint=f"Remove 'null' from {name}; give the frontend a real origin.",
                    id="duet.E012",
                )
            )
    return messages


def check_spa_origins(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E020, E018, E013, E014, E015: every SPA origin can send cookies and pass CSRF."""
    messages: list[CheckMessage] = []
    for name, values in (
        ('DUET["SPA_ORIGINS"]', conf.SPA_ORIGINS),
        ('DUET["API_ORIGIN"]', [conf.API_ORIGIN] if conf.API_ORIGIN else []),
    ):
        for value in values:
            try:
                parse_origin(value)
            except ValueError as exc:
                if value != "null":  # E012
                    messages.append(
                        Error(
                            f"{name} has {value!r}: {exc}.",
                            hint="Write origins as scheme://host[:port] in lower case, without a "
                            "path or trailing slash: 'https://app.example.com'.",
                            id="duet.E020",
                        )
                    )
    origins = spa_origins()
    if not origins:
        return messages
    listed = [str(o) for o in origins]
    installed = CORS_APP in settings.INSTALLED_APPS
    if not installed or CORS_MIDDLEWARE not in settings.MIDDLEWARE:
        missing = "INSTALLED_APPS" if not installed else "MIDDLEWARE"
        absent = CORS_APP if not installed else CORS_MIDDLEWARE
        messages.append(
            Error(
                f'DUET["SPA_ORIGINS"] = {listed!r}, but {absent!r} is not in {missing}'
                ": without django-cors-headers the SPA cannot read any answer.",
                hint="pip install 'django-duet[spa]'; " + PRESET_HINT,
                id="duet.E018",
            )
        )
    credentials = getattr(settings, "CORS_ALLOW_CREDENTIALS", False)
    if not credentials:
        messages.append(
            Error(
                f'CORS_ALLOW_CREDENTIALS = {credentials!r} while DUET["SPA_ORIGINS"] = {listed!r}: '
                "the browser drops the answers to the SPA's requests made with cookies "
                "(credentials: 'include'), so login and every session request fail.",
                hint="Set CORS_ALLOW_CREDENTIALS = True. " + PRESET_HINT,
                id="duet.E013",
            )
        )
    trusted = list(settings.CSRF_TRUSTED_ORIGINS)
    _, allow_all = cors("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False)
    origin_name, cors_origins = cors("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
    _, regexes = cors("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
    for origin in origins:
        if not csrf_trusts(origin, trusted):
            messages.append(
                Error(
                    f"The SPA origin {str(origin)!r} is not in CSRF_TRUSTED_ORIGINS = {trusted!r}: "
                    "Django refuses every POST from it with 'Origin checking failed'.",
                    hint=f"Add {str(origin)!r} to CSRF_TRUSTED_ORIGINS. " + PRESET_HINT,
                    id="duet.E014",
                )
            )
        allowed = (
            allow_all
            or str(origin) in cors_origins
            or any(re.match(r, str(origin)) for r in regexes)
        )
        if not allowed:
            messages.append(
                Error(
                    f"The SPA origin {str(origin)!r} is not in {origin_name} = "
                    f"{list(cors_origins)!r} (nor matched by a regex): the browser hides "
                    "every answer from it.",
                    hint=f"Add {str(origin)!r} to {origin_name}. " + PRESET_HINT,
                    id="duet.E015",
                )
            )
    return messages


def check_cors_middleware_order(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E017: CorsMiddleware must wrap every middleware that can answer by itself."""
    middleware = list(settings.MIDDLEWARE)
    if CORS_MIDDLEWARE not in middleware:
        return []
    position = middleware.index(CORS_MIDDLEWARE)
    earlier = [m for m in middleware[:position] if m in ANSWERS_FIRST]
    if not earlier:
        return []
    return [
        Error(
            f"{CORS_MIDDLEWARE!r} comes after {earlier[0]!r} in MIDDLEWARE: that middleware can "
            "answer (a static file, a slash redirect) before CORS headers are added, so the "
            "browser refuses those answers and preflight requests get no CORS headers.",
            hint=f"Move {CORS_MIDDLEWARE!r} above {earlier[0]!r}.",
            id="duet.E017",
        )
    ]


def check_http_origins(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.W013: plain-http origins trusted in production."""
    origin_name, cors_origins = cors("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
    messages: list[CheckMessage] = []
    for name, values in (
        ('DUET["SPA_ORIGINS"]', conf.SPA_ORIGINS),
        (origin_name, cors_origins),
        ("CSRF_TRUSTED_ORIGINS", settings.CSRF_TRUSTED_ORIGINS),
    ):
        insecure = [v for v in values if isinstance(v, str) and v.startswith("http://")]
        if insecure:
            messages.append(
                Warning(
                    f"{name} trusts plain-http origins {insecure!r}: anyone on the network path "
                    "can alter those pages and act with your users' sessions.",
                    hint=f"Use https:// origins in {name} in production (keep http:// ones in "
                    "the development settings only).",
                    id="duet.W013",
                )
            )
    return messages
