"""Origins and sites, as browsers compare them for CORS, CSRF and SameSite cookies.

An *origin* is ``scheme://host[:port]``; a *site* is the scheme plus the registrable domain
(``https://example.com`` for ``https://app.example.com:8443``). Cookies with ``SameSite=Lax``
travel between origins of one site and never between sites. Telling the registrable domain
needs the Public Suffix List; we use the last two labels plus a short list of well-known
multi-label suffixes, and ``django_duet.spa.configure(cross_site=...)`` overrides it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django_duet.exceptions import DuetError

# Suffixes under which different labels belong to different owners (incomplete on purpose:
# pass cross_site= to the preset when yours is missing).
MULTI_LABEL_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "co.jp",
        "com.br",
        "com.cn",
        "co.in",
        "co.za",
        "github.io",
        "gitlab.io",
        "herokuapp.com",
        "vercel.app",
        "netlify.app",
        "pages.dev",
        "workers.dev",
        "onrender.com",
        "fly.dev",
        "azurewebsites.net",
        "azurestaticapps.net",
        "cloudfront.net",
        "appspot.com",
        "web.app",
        "firebaseapp.com",
        "amplifyapp.com",
        "railway.app",
    }
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int | None

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port else "")

    @property
    def is_loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.endswith(".localhost")

    @property
    def site(self) -> str:
        """Scheme and registrable domain: what SameSite compares (schemeful same-site)."""
        return f"{self.scheme}://{registrable_domain(self.host)}"


class InvalidOrigin(DuetError, ValueError):
    """Not an origin a browser sends; the message says what is wrong with it."""


def parse_origin(value: object) -> Origin:
    """``Origin`` of an origin string; else InvalidOrigin (a ValueError) saying what is wrong."""
    if not isinstance(value, str):
        raise InvalidOrigin(f"{value!r} is not a string")
    if value == "null":
        raise InvalidOrigin(
            "'null' is the origin of sandboxed iframes, file: pages and redirects: any site "
            "can produce it, so it must never be trusted"
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise InvalidOrigin(f"{value!r} is not a valid origin ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidOrigin(
            f"{value!r} is not an origin: write scheme://host[:port], e.g. "
            "'https://app.example.com'"
        )
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidOrigin(
            f"{value!r} has more than scheme://host[:port] (a browser's Origin "
            "header never has a path, not even a trailing slash)"
        )
    if "*" in value:
        raise InvalidOrigin(f"{value!r} has a wildcard: list each origin")
    if value != value.lower():
        raise InvalidOrigin(
            f"{value!r} has upper-case letters: browsers send origins in "
            "lower case, so it would never match"
        )
    host = parts.hostname
    if ":" in host:  # IPv6 literal, kept in brackets as in the Origin header
        host = f"[{host}]"
    return Origin(parts.scheme, host, port)


def registrable_domain(host: str) -> str:
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare)
        return host  # an IP address is its own site
    except ValueError:
        pass
    labels = bare.rstrip(".").split(".")
    if len(labels) <= 2:
        return bare
    if ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: Origin, b: Origin) -> bool:
    return a.site == b.site


def host_matches(host: str, pattern: str) -> bool:
    """Django's ALLOWED_HOSTS matching: "." + domain allows the domain and its subdomains."""
    host, pattern = host.lower(), pattern.lower()
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern


def csrf_trusts(origin: Origin, trusted: list[str] | tuple[str, ...]) -> bool:
    """Whether Django's CSRF check accepts ``origin`` through CSRF_TRUSTED_ORIGINS."""
    text = str(origin)
    for entry in trusted:
        if entry == text:
            return True
        if "://*." in entry:
            scheme, rest = entry.split("://*.", 1)
            netloc = f"{origin.host}:{origin.port}" if origin.port else origin.host
            if scheme == origin.scheme and (netloc == rest or netloc.endswith("." + rest)):
                return True
    return False
