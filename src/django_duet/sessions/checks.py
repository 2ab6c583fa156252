"""System checks for cookie sessions: cookie flags, the CORS paths of the SPA, the login
throttle and its settings, the client address behind a proxy, published secret keys."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from django_duet.conf import conf
from django_duet.sessions.origins import parse_origin, registrable_domain
from django_duet.sessions.published import is_published
from django_duet.sessions.spa_checks import spa_origins

COOKIES = ("SESSION_COOKIE", "CSRF_COOKIE")
# The no-Redis answer for the throttle's cache (docs/scaling.md).
DATABASE_CACHE = "django_duet.sessions.throttle_cache.DuetDatabaseCache"
DATABASE_CACHE_WHY = "a table of your database that `migrate` makes"


def _samesite(cookie: str) -> str:
    value = getattr(settings, f"{cookie}_SAMESITE")
    return str(value).lower() if value else ""  # False: no attribute, browsers treat it as Lax


def check_cookie_flags(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E016, W011, W012: cookies that browsers refuse, or that cannot reach the API."""
    messages: list[CheckMessage] = []
    for cookie in COOKIES:
        secure = getattr(settings, f"{cookie}_SECURE")
        if _samesite(cookie) == "none" and not secure:
            messages.append(
                Error(
                    f"{cookie}_SAMESITE = 'None' with {cookie}_SECURE = {secure!r}: browsers "
                    "refuse a SameSite=None cookie without Secure, so nobody can log in.",
                    hint=f"Set {cookie}_SECURE = True (and serve the site over https), or use "
                    f"{cookie}_SAMESITE = 'Lax' when the frontend is on the API's site.",
                    id="duet.E016",
                )
            )
    api_domains = _api_domains()
    for origin in spa_origins():
        if not api_domains or registrable_domain(origin.host) in api_domains:
            continue
        for cookie in COOKIES:
            if _samesite(cookie) != "none":
                value = getattr(settings, f"{cookie}_SAMESITE")
                messages.append(
                    Warning(
                        f"The SPA origin {str(origin)!r} is cross-site to the API "
                        f"({', '.join(sorted(api_domains))}), but {cookie}_SAMESITE = {value!r}: "
                        "the browser never sends that cookie with the SPA's requests.",
                        hint="Serve the SPA and the API on one site (app.example.com and "
                        "api.example.com), or set SameSite=None with Secure over https "
                        "(django_duet.spa.configure(..., api_origin=...) does it); Safari blocks "
                        "cross-site cookies anyway.",
                        id="duet.W011",
                    )
                )
    if settings.CSRF_COOKIE_HTTPONLY and not settings.CSRF_USE_SESSIONS:
        messages.append(
            Warning(
                "CSRF_COOKIE_HTTPONLY = True: the django-duet client reads the CSRF token from "
                "the cookie on same-origin pages and must then fetch the csrf endpoint before "
                "every first unsafe request; HttpOnly adds no protection to this cookie (see "
                "Django's CSRF_COOKIE_HTTPONLY docs).",
                hint="Remove CSRF_COOKIE_HTTPONLY (the default is False).",
                id="duet.W012",
            )
        )
    return messages


def _api_domains() -> set[str]:
    """Registrable domains the API answers on: DUET["API_ORIGIN"], else ALLOWED_HOSTS."""
    if conf.API_ORIGIN:
        try:
            return {registrable_domain(parse_origin(conf.API_ORIGIN).host)}
        except ValueError:
            return set()  # duet.E020
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h not in ("*", ".")]
    if len(hosts) != len(settings.ALLOWED_HOSTS):
        return set()  # a wildcard: cannot tell which site the API is on
    return {registrable_domain(h.lstrip(".").rsplit(":", 1)[0]) for h in hosts}


def _invalid_throttle_settings() -> list[str]:
    problems = []
    for name in ("LOGIN_FAILURES_PER_USERNAME", "LOGIN_FAILURES_PER_IP"):
        value = conf.raw(name)
        if value is not None and (type(value) is not int or value < 0):
            problems.append(f'DUET["{name}"] = {value!r} (want an int >= 0; 0 turns it off)')
    for name in ("LOGIN_THROTTLE_WINDOW", "CLIENT_IP_PROXY_COUNT"):
        value = conf.raw(name)
        if type(value) is not int or value < 1:
            problems.append(f'DUET["{name}"] = {value!r} (want an int >= 1)')
    alias = conf.raw("LOGIN_THROTTLE_CACHE")
    if alias not in settings.CACHES:
        problems.append(f'DUET["LOGIN_THROTTLE_CACHE"] = {alias!r} (not a key of CACHES)')
    header = conf.raw("CLIENT_IP_HEADER")
    if header is not None and (not isinstance(header, str) or header.upper().startswith("HTTP_")):
        problems.append(
            f'DUET["CLIENT_IP_HEADER"] = {header!r} (want a header name such as '
            "'X-Forwarded-For', or None)"
        )
    return problems


def check_session_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E019, E022: the throttle's and the user serializer's settings."""
    messages: list[CheckMessage] = [
        Error(
            f"Invalid login throttle setting: {problem}.",
            hint="Fix the value in DUET; docs/sessions-and-csrf.md lists the defaults.",
            id="duet.E019",
        )
        for problem in _invalid_throttle_settings()
    ]
    path = conf.USER_SERIALIZER
    if path:
        try:
            function = import_string(path)
        except ImportError as exc:
            function, reason = None, str(exc)
        else:
            reason = "it is not callable"
        if not callable(function):
            messages.append(
                Error(
                    f'DUET["USER_SERIALIZER"] = {path!r} cannot be used: {reason}.',
                    hint="Give the dotted path of a function(user) -> dict, e.g. "
                    "'myapp.auth.user_json'.",
                    id="duet.E022",
                )
            )
    return messages


def check_throttle_cache(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E021, W014, W016: the throttle needs a cache that stores, shared by every process,
    with an atomic add()."""
    try:
        reverse("duet:login")
    except NoReverseMatch:
        return []  # the login endpoint is not mounted: nothing to throttle
    alias = conf.raw("LOGIN_THROTTLE_CACHE")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "") if alias in settings.CACHES else ""
    if backend.endswith("DummyCache"):
        return [
            Error(
                f"The login throttle uses CACHES[{alias!r}] = {backend!r}, which stores nothing: "
                "password guessing is not limited at all.",
                hint='Point DUET["LOGIN_THROTTLE_CACHE"] at a real cache: Redis or Memcached, '
                f"or without them {DATABASE_CACHE} ({DATABASE_CACHE_WHY}).",
                id="duet.E021",
            )
        ]
    if backend.endswith("FileBasedCache"):
        return [
            Warning(
                f"The login throttle uses CACHES[{alias!r}] = {backend!r}, whose add() is a read "
                "then a write: requests in flight together can take one attempt slot twice, so "
                "more passwords than the limit may be checked.",
                hint='Use a cache with an atomic add() for DUET["LOGIN_THROTTLE_CACHE"]: Redis '
                f"or Memcached, or without them {DATABASE_CACHE} ({DATABASE_CACHE_WHY}).",
                id="duet.W016",
            )
        ]
    if backend.endswith("LocMemCache"):
        return [
            Warning(
                f"The login throttle uses CACHES[{alias!r}] = {backend!r}: each process counts "
                "on its own, so N workers allow N times the configured failures.",
                hint='Use a cache shared by the processes for DUET["LOGIN_THROTTLE_CACHE"]: '
                f"Redis or Memcached, or without them {DATABASE_CACHE} ({DATABASE_CACHE_WHY}).",
                id="duet.W014",
            )
        ]
    return []


def _path(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def check_cors_paths(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """duet.E023, W015: the SPA's CORS answers on the API's paths, and only there."""
    if not spa_origins():
        return []
    regex = getattr(settings, "CORS_URLS_REGEX", r"^.*$")  # django-cors-headers' default
    try:
        pattern = re.compile(regex)
    except (re.error, TypeError):
        return []  # corsheaders.E009 reports it
    messages: list[CheckMessage] = []
    endpoint = _path("duet:csrf")
    if endpoint is not None and not pattern.match(endpoint):
        messages.append(
            Error(
                f"CORS_URLS_REGEX = {regex!r} does not match {endpoint!r}: the SPA's origins "
                "get no CORS headers from django_duet.urls, so they cannot log in.",
                hint="Pass the prefix django_duet.urls is mounted under to "
                f"spa.configure(..., api_prefixes=[{endpoint.removesuffix('csrf/')!r}]).",
                id="duet.E023",
            )
        )
    if pattern.match("/"):
        messages.append(
            Warning(
                f"CORS_URLS_REGEX = {regex!r} matches every path: the SPA's origins may read "
                "credentialed answers of /admin/, the pages and the static files too.",
                hint="Limit CORS to the API: spa.configure(..., api_prefixes=['/api/']) (the "
                "default) sets CORS_URLS_REGEX = r'^(?:/api/)'.",
                id="duet.W015",
            )
        )
    return messages


def check_client_ip_behind_proxy(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.W017: behind a proxy, the throttle must read the client's address from its header."""
    proxied = [
        name
        for name in ("SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST")
        if getattr(settings, name)
    ]
    if not proxied or conf.CLIENT_IP_HEADER or conf.LOGIN_FAILURES_PER_IP <= 0:
        return []
    if _path("duet:login") is None:
        return []  # no login to throttle
    return [
        Warning(
            f"{' and '.join(proxied)} say the site is behind a proxy, but "
            'DUET["CLIENT_IP_HEADER"] is unset: every client has the proxy\'s address, so '
            f"{conf.LOGIN_FAILURES_PER_IP} failed logins from anyone lock everyone out.",
            hint='Set DUET["CLIENT_IP_HEADER"] to the header your proxy overwrites with the '
            'client\'s address: "X-Real-IP" behind the nginx config of `manage.py duet '
            "nginx-config` (docs/sessions-and-csrf.md).",
            id="duet.W017",
        )
    ]


def check_published_secret_key(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """duet.E024: SECRET_KEY (or a fallback) is a key published in django-duet's repository."""
    keys = {"SECRET_KEY": [getattr(settings, "SECRET_KEY", "")]}
    keys["SECRET_KEY_FALLBACKS"] = list(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return [
        Error(
            f"{name} is a published key (the django-duet example's fallback, or Django's "
            "'django-insecure-' one): anyone can sign sessions, CSRF tokens and password reset "
            "links with it.",
            hint="Set a secret of your own from the environment, e.g. the output of `python -c "
            '"from django.core.management.utils import get_random_secret_key as k; print(k())"`.',
            id="duet.E024",
        )
        for name, values in keys.items()
        if any(is_published(value) for value in values)
    ]
