"""The single page app preset: cookie sessions for a frontend on other origins.

At the end of settings.py::

    from django_duet import spa
    spa.configure(globals(), origins=["https://app.example.com"],
                  api_origin="https://api.example.com")

``configure`` updates the settings namespace in place; ``spa_settings`` computes the same
changes as a dict without touching anything (to inspect them, or to merge them yourself).
It sets up django-cors-headers (the app, the middleware before anything that can answer first,
the allowed origins with credentials, on the API's paths only), CSRF_TRUSTED_ORIGINS, the
cookies' SameSite/Secure (Lax when the SPA is on the API's site, None + Secure when it is
cross-site) and
DUET["SPA_ORIGINS"]/["API_ORIGIN"], which the system checks read.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from django_duet.sessions.origins import Origin, parse_origin, same_site

CORS_APP = "corsheaders"
CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
# Middleware that may answer without calling the rest of the chain: CORS headers must be added
# around them (corsheaders' docs: "as high as possible").
ANSWERS_FIRST = (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_duet.static.DuetStaticMiddleware",
    "django.middleware.common.CommonMiddleware",
)
# Headers a cross-origin page may read besides the CORS-safelisted ones: the throttle's wait,
# and the build id that tells a page of an older frontend (docs/deploys.md).
EXPOSE_HEADERS = ("Retry-After", "X-Duet-Build")
# Where the SPA calls the API: credentialed CORS answers go to these paths only, never to the
# admin, the pages or the static files. Mount django_duet.urls below one of them.
DEFAULT_API_PREFIXES = ("/api/",)


def api_urls_regex(prefixes: Sequence[str]) -> str:
    """django-cors-headers' CORS_URLS_REGEX for paths under ``prefixes`` ("/api/", ...)."""
    if isinstance(prefixes, str) or not prefixes:
        raise ImproperlyConfigured(
            f"django_duet.spa: api_prefixes must be a non-empty list of paths, not {prefixes!r}."
        )
    for prefix in prefixes:
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ImproperlyConfigured(
                f"django_duet.spa: the API prefix {prefix!r} must start and end with '/' "
                "(write '/api/': '/api' would also match '/apiary')."
            )
    return "^(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + ")"


def _origins(values: Sequence[str], what: str) -> list[Origin]:
    if isinstance(values, str):
        raise ImproperlyConfigured(f"{what} must be a list of origins, not the string {values!r}.")
    parsed = []
    for value in values:
        try:
            parsed.append(parse_origin(value))
        except ValueError as exc:
            raise ImproperlyConfigured(f"django_duet.spa: {what}: {exc}.") from None
    return parsed


def _merge(existing: Any, extra: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*(existing or []), *extra]))  # in order, without repeats


def spa_settings(
    current: MutableMapping[str, Any],
    origins: Sequence[str],
    *,
    api_origin: str | None = None,
    cross_site: bool | None = None,
    cookie_domain: str | None = None,
    api_prefixes: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The settings to change, given the ``current`` ones (``globals()`` of settings.py).

    ``cross_site`` overrides the site comparison of each origin with ``api_origin`` (which
    knows only a few multi-label public suffixes); without ``api_origin`` the SPA is taken
    to be same-site. ``cookie_domain`` sets SESSION_/CSRF_COOKIE_DOMAIN; leave it None (host-
    only cookies) unless other hosts of your site must receive the cookies too.
    ``api_prefixes`` are the paths that answer the SPA with CORS headers (default
    ``DEFAULT_API_PREFIXES``; a CORS_URLS_REGEX already in ``current`` is kept when omitted).
    """
    spa = _origins(origins, "origins")
    if not spa:
        raise ImproperlyConfigured("django_duet.spa.configure() needs at least one SPA origin.")
    api = _origins([api_origin], "api_origin")[0] if api_origin else None
    if cross_site is None:
        cross_site = api is not None and any(not same_site(o, api) for o in spa)
    if cross_site and api is not None and api.scheme != "https" and not api.is_loopback:
        raise ImproperlyConfigured(
            f"The SPA origins {[str(o) for o in spa]} are cross-site to the API {str(api)!r}: "
            "its cookies need SameSite=None; Secure, which browsers only store over https. "
            "Serve the API over https, or the SPA on the API's site (app.example.com with "
            "api.example.com) so Lax cookies work."
        )
    texts = list(dict.fromkeys(str(o) for o in spa))
    changes: dict[str, Any] = {
        "INSTALLED_APPS": _merge(current.get("INSTALLED_APPS"), [CORS_APP]),
        "MIDDLEWARE": _with_cors_middleware(list(current.get("MIDDLEWARE") or [])),
        "CORS_ALLOWED_ORIGINS": _merge(current.get("CORS_ALLOWED_ORIGINS"), texts),
        "CORS_ALLOW_CREDENTIALS": True,  # cookies travel with the SPA's requests
        # Only the API answers other origins: not /admin/, the pages nor the static files.
        "CORS_URLS_REGEX": (
            current["CORS_URLS_REGEX"]
            if api_prefixes is None and "CORS_URLS_REGEX" in current
            else api_urls_regex(api_prefixes or DEFAULT_API_PREFIXES)
        ),
        "CORS_EXPOSE_HEADERS": _merge(current.get("CORS_EXPOSE_HEADERS"), EXPOSE_HEADERS),
        # Django's CSRF check compares the Origin header with the request's host; the SPA's
        # origin differs, so it has to be trusted by name.
        "CSRF_TRUSTED_ORIGINS": _merge(current.get("CSRF_TRUSTED_ORIGINS"), texts),
        "DUET": {
            **(current.get("DUET") or {}),
            "SPA_ORIGINS": texts,
            **({"API_ORIGIN": str(api)} if api else {}),
        },
    }
    header = current.get("CSRF_HEADER_NAME")
    if header and header != "HTTP_X_CSRFTOKEN":  # the default is in corsheaders' default_headers
        from corsheaders.defaults import default_headers

        http_name = header.removeprefix("HTTP_").replace("_", "-").lower()
        changes["CORS_ALLOW_HEADERS"] = _merge(
            current.get("CORS_ALLOW_HEADERS", default_headers), [http_name]
        )
    if cross_site:
        # Browsers send cross-site cookies only when marked None, and accept None only with
        # Secure. (Safari blocks third-party cookies whatever the flags: see the docs.)
        for cookie in ("SESSION_COOKIE", "CSRF_COOKIE"):
            changes[f"{cookie}_SAMESITE"] = "None"
            changes[f"{cookie}_SECURE"] = True
    else:
        # Same-site requests carry Lax cookies, and Lax still keeps them off other sites' POSTs.
        for cookie in ("SESSION_COOKIE", "CSRF_COOKIE"):
            if current.get(f"{cookie}_SAMESITE", "Lax") not in ("Lax", "Strict"):
                changes[f"{cookie}_SAMESITE"] = "Lax"
    if cookie_domain is not None:
        changes["SESSION_COOKIE_DOMAIN"] = cookie_domain
        changes["CSRF_COOKIE_DOMAIN"] = cookie_domain
    return changes


def _with_cors_middleware(middleware: list[str]) -> list[str]:
    if CORS_MIDDLEWARE in middleware:
        return middleware  # placed by the user; duet.E017 reports a bad place
    positions = [middleware.index(m) for m in ANSWERS_FIRST if m in middleware]
    middleware.insert(min(positions) if positions else 0, CORS_MIDDLEWARE)
    return middleware


def configure(
    namespace: MutableMapping[str, Any],
    origins: Sequence[str],
    *,
    api_origin: str | None = None,
    cross_site: bool | None = None,
    cookie_domain: str | None = None,
    api_prefixes: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Apply ``spa_settings`` to ``namespace`` (settings.py's ``globals()``); return them."""
    changes = spa_settings(
        namespace,
        origins,
        api_origin=api_origin,
        cross_site=cross_site,
        cookie_domain=cookie_domain,
        api_prefixes=api_prefixes,
    )
    namespace.update(changes)
    return changes
