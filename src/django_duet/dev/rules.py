"""What may go up to the dev server and what may come back: pure checks, no I/O.

Refused before any contact: a path with ``..``, ``.``, empty segments, backslashes, ``#`` or
control characters (also percent-encoded), a query with bytes a browser would have encoded, a
header value with a line break, a body over 1 MiB, an unusual method. Never forwarded: Cookie,
Authorization, Forwarded/X-Forwarded-*/X-Real-IP (a page cannot make the dev server act on
Django's session, nor spoof its client) and hop-by-hop headers. Never returned: the dev
server's Set-Cookie and hop-by-hop headers. Origin is kept, so Vite's own checks apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from django_duet.exceptions import DuetError

MAX_BODY_BYTES = 1024 * 1024
MAX_TARGET_LENGTH = 8 * 1024
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
# Credentials stay with Django; client identity headers would be spoofable.
PRIVATE_HEADERS = frozenset({"cookie", "authorization", "forwarded", "x-real-ip", "x-client-ip"})
# Hop-by-hop headers (RFC 9110 7.6.1) and those that describe the connection, not the message.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
_BAD_PATH = re.compile(r"[\x00-\x1f\x7f\\#]")
_QUERY = re.compile(r"[!-~]*")  # printable ASCII, as a browser sends it (no space, no '#')


class Refused(DuetError):
    """A request the dev proxy answers itself with ``status``, saying why (``detail``)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def checked_target(path: str, query: str, base: str) -> str:
    """The percent-encoded request target for the dev server, or ``Refused``.

    ``path`` is already percent-decoded (by the server): "%2e%2e" is "..", "%5c" is "\\" here.
    """
    if len(path) + len(query) > MAX_TARGET_LENGTH:
        raise Refused(414, "The URL is too long for the dev server.")
    if not path.startswith(base):
        raise Refused(400, f"The dev proxy only serves paths under {base}.")
    rest = path[len(base) :]
    segments = rest.split("/")
    if _BAD_PATH.search(rest) or any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        raise Refused(
            400,
            "The dev proxy refuses paths with '..', '.', '//', backslashes, '#' or control "
            "characters: the dev server never links to such a path.",
        )
    if "#" in query or not _QUERY.fullmatch(query):
        raise Refused(400, "The dev proxy refuses a query with spaces, '#' or non-ASCII bytes.")
    return quote(path, safe="/:@!$&'()*+,;=-._~") + (f"?{query}" if query else "")


def checked_method(method: str) -> str:
    if method not in METHODS:
        raise Refused(405, f"The dev proxy does not forward {method} requests.")
    return method


def meta_headers(meta: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
    """The request headers in ``META`` (a WSGI environ, ``HttpRequest.META``) as lowercase
    byte pairs: servers hand them over decoded as latin-1, this gives the bytes back."""
    pairs = []
    for key, value in meta.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key
        else:
            continue
        raw_name = name.lower().replace("_", "-").encode("latin-1")
        pairs.append((raw_name, str(value).encode("latin-1", "replace")))
    return pairs


def forwarded_headers(pairs: Iterable[tuple[bytes, bytes]]) -> tuple[tuple[bytes, bytes], ...]:
    """The request headers the dev server gets (lowercase names), or ``Refused``."""
    given = list(pairs)
    listed = _connection_tokens(
        value.decode("latin-1") for name, value in given if name == b"connection"
    )
    headers: list[tuple[bytes, bytes]] = []
    for name, value in given:
        lower = name.decode("latin-1")
        if lower in HOP_BY_HOP or lower in PRIVATE_HEADERS or lower in listed:
            continue
        if lower.startswith("x-forwarded-"):
            continue
        if any(c in value for c in b"\r\n\0"):
            raise Refused(400, f"The {lower} header holds a line break: the dev proxy refuses it.")
        headers.append((name, value))
    return tuple(headers)


def returned_headers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The dev server's response headers that reach the browser, repeated ones joined.

    No Set-Cookie: the dev server has no say over the cookies of Django's origin. The raw
    (still encoded) body is relayed as is, so its Content-Length still holds."""
    given = list(pairs)
    listed = _connection_tokens(value for name, value in given if name.lower() == "connection")
    headers: dict[str, str] = {}
    for name, value in given:
        lower = name.lower()
        if lower == "content-length":
            headers["Content-Length"] = value
        elif lower not in HOP_BY_HOP and lower not in listed and lower != "set-cookie":
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return list(headers.items())


def body_length(declared: str | None) -> int:
    """The declared Content-Length, checked before the body is read (``Refused`` if not)."""
    try:
        length = int(declared or 0)
    except ValueError:
        raise Refused(400, "The Content-Length header is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise too_large()
    return length


def too_large() -> Refused:
    return Refused(413, f"The dev proxy forwards bodies of up to {MAX_BODY_BYTES} bytes.")


def _connection_tokens(values: Iterable[str]) -> set[str]:
    return {token.strip().lower() for value in values for token in value.split(",")}
