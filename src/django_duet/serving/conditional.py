"""What a static file's answer is, from the request's header fields (RFC 9110), framework-free.

Both static paths (``DuetStaticMiddleware`` under WSGI and ``duet_asgi``'s) answer through
``answer()``: content coding (§12.5.3), preconditions in the RFC's order (§13.2.2), then Range
(§14.2). It replaces whitenoise's own handling, which serves a coding refused with ``q=0``,
ignores If-Range, lists, weak tags and ``*``, and miscounts one-byte ranges
(docs/upstream-whitenoise.md). Where the RFC leaves a choice it follows nginx's static
module, so one client sees the same answers from both; where nginx departs from the RFC
(If-Modified-Since compared for equality, Range honoured on HEAD, docs/production.md) it
follows the RFC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate, mktime_tz, parsedate_tz
from functools import cached_property

from django_duet import caches
from django_duet.serving.ranges import Segment, multipart, parse_ranges

Headers = list[tuple[str, str]]
# Kept on a 304 (RFC 9110 §15.4.5): what a cache updates its stored answer with.
_NOT_MODIFIED = {"cache-control", "content-location", "date", "etag", "expires", "vary"}
# Set here for each answer: any copy in the file's own headers is dropped.
_DECIDED = {"content-length", "content-encoding", "content-range", "etag", "last-modified"}
_QVALUE = re.compile(r"\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*", re.IGNORECASE)
_ENTITY_TAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')


@dataclass(frozen=True)
class Representation:
    """One file a URL can answer with: the file itself (``encoding=None``) or a .gz/.br."""

    path: str
    size: int
    mtime: int  # whole seconds since the epoch; 0 when the filesystem reports none
    encoding: str | None = None

    @cached_property
    def etag(self) -> str | None:
        # nginx's shape, of this representation: a strong tag differs per content coding
        # (RFC 9110 §8.8.3.3), and nginx and Django give a file the same tag.
        return f'"{self.mtime:x}-{self.size:x}"' if self.mtime else None


@dataclass
class Request:
    """The request header fields that decide a static answer (None: absent)."""

    method: str
    accept_encoding: str | None = None
    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None
    if_unmodified_since: str | None = None
    if_range: str | None = None
    range: str | None = None

    @classmethod
    def from_meta(cls, method: str, meta: Mapping[str, str]) -> Request:
        """From CGI-style names (``HTTP_IF_NONE_MATCH``: a WSGI environ, Django's META)."""
        get = meta.get
        return cls(method.upper(), *[get(key) for key in _META_KEYS])


# In the order of Request's fields after the method.
_META_KEYS = (
    "HTTP_ACCEPT_ENCODING",
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Sequence[tuple[str, str]]
    representation: Representation | None  # whose file ``body`` slices; None: no body
    body: tuple[Segment, ...] = ()  # literal bytes and range(start, stop)s of the file


class Resource:
    """A file as ``answer`` needs it: its representations (the plain file first) and its other
    headers (Content-Type, Cache-Control ...), with each representation's headers worked out
    once, as whitenoise does (a 304 then costs a few dictionary lookups)."""

    def __init__(
        self, representations: Sequence[Representation], headers: Sequence[tuple[str, str]]
    ) -> None:
        self.representations = tuple(representations)
        vary = len(self.representations) > 1
        self.content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        self.full = {r: _headers(r, headers, vary) for r in self.representations}
        self.ok = {  # a 200: ranges are served of the plain file only
            r: tuple(full) if r.encoding else (*full, ("Accept-Ranges", "bytes"))
            for r, full in self.full.items()
        }
        self.not_modified = {
            r: tuple(h for h in full if h[0].lower() in _NOT_MODIFIED)
            for r, full in self.full.items()
        }


def answer(request: Request, resource: Resource, boundary: str | None = None) -> Answer:
    """The answer to ``request`` for ``resource``."""
    if request.method not in ("GET", "HEAD"):
        return Answer(405, [("Allow", "GET, HEAD")], None)
    chosen = negotiate(request.accept_encoding, resource.representations)
    status = _precondition(request, chosen)
    if status == 412:
        return Answer(412, [("Content-Length", "0")], None)
    if status == 304:
        return Answer(304, resource.not_modified[chosen], None)
    ok = Answer(200, resource.ok[chosen], chosen, (range(0, chosen.size),))
    # nginx, like most servers, serves byte ranges of the plain file only (RFC 9110 §14.2
    # lets a server ignore Range); the .gz and .br answers do not advertise them.
    if chosen.encoding is not None or not _range_applies(request, chosen):
        return _sent(request, ok)
    ranges = parse_ranges(request.range or "", chosen.size)
    if ranges is None:  # ignored (RFC 9110 §14.2)
        return ok
    if not ranges:
        unsatisfied = [("Content-Range", f"bytes */{chosen.size}"), ("Content-Length", "0")]
        return Answer(416, unsatisfied, None)
    full = resource.full[chosen]
    if len(ranges) == 1:
        (part,) = ranges
        single = [
            *_without(full, "content-length"),
            ("Content-Range", f"bytes {part.start}-{part.stop - 1}/{chosen.size}"),
            ("Content-Length", str(len(part))),
        ]
        return Answer(206, single, chosen, (part,))
    body, length, media_type = multipart(ranges, chosen.size, resource.content_type, boundary)
    several = [*_without(full, "content-length", "content-type"), ("Content-Type", media_type)]
    several.append(("Content-Length", str(length)))
    return Answer(206, several, chosen, body)


def negotiate(
    accept_encoding: str | None, representations: Sequence[Representation]
) -> Representation:
    """The representation to send (RFC 9110 §12.5.3): a coding the request names with the
    highest q above 0, the smallest file among equals; else the file itself. Like nginx, a
    coding is chosen only when named (``*`` alone gets the file, which it also accepts), and
    the file itself when identity is preferred over every named coding."""
    plain = representations[0]
    qualities = _qualities(accept_encoding or "")
    best, best_q = plain, qualities.get("identity", 0.0)
    for candidate in sorted(representations[1:], key=lambda r: r.size):
        q = qualities.get(candidate.encoding or "", 0.0)
        if q > best_q:
            best, best_q = candidate, q
    return best


@caches.settings_cache(maxsize=64)  # browsers send a handful of distinct values
def _qualities(accept_encoding: str) -> Mapping[str, float]:
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip().lower()
        if not coding or coding in qualities:
            continue
        q = 1.0
        if parameters:
            # A malformed weight counts as a refusal, as nginx reads it.
            match = _QVALUE.fullmatch(parameters)
            q = float(match.group(1)) if match else 0.0
        qualities[coding] = q
    return qualities


def _headers(chosen: Representation, headers: Sequence[tuple[str, str]], vary: bool) -> Headers:
    """A 200's headers for ``chosen`` (but Accept-Ranges)."""
    full = [(k, v) for k, v in headers if k.lower() not in _DECIDED]
    if chosen.mtime:
        full.append(("Last-Modified", formatdate(chosen.mtime, usegmt=True)))
    if chosen.etag:
        full.append(("ETag", chosen.etag))
    if chosen.encoding:
        full.append(("Content-Encoding", chosen.encoding))
    full.append(("Content-Length", str(chosen.size)))
    if vary:
        others = [v for k, v in full if k.lower() == "vary"]
        full = _without(full, "vary")
        full.append(("Vary", ", ".join([*others, "Accept-Encoding"])))
    return full


def _precondition(request: Request, chosen: Representation) -> int | None:
    """412, 304 or None (go on), in RFC 9110 §13.2.2's order."""
    if request.if_match is not None:
        if not _matches(request.if_match, chosen.etag, weak=False):  # §13.1.1
            return 412
    elif request.if_unmodified_since is not None:  # §13.1.4: only without If-Match
        since = _date(request.if_unmodified_since)
        if since is not None and chosen.mtime and chosen.mtime > since:
            return 412
    if request.if_none_match is not None:  # §13.1.2: If-Modified-Since is then ignored
        return 304 if _matches(request.if_none_match, chosen.etag, weak=True) else None
    if request.if_modified_since is not None and chosen.mtime:  # §13.1.3
        since = _date(request.if_modified_since)
        if since is not None and chosen.mtime <= since:
            return 304
    return None


def _range_applies(request: Request, chosen: Representation) -> bool:
    # §14.2: range handling is defined for GET only; §13.1.5: If-Range with a strong tag or
    # the exact Last-Modified, else the whole file (a resumed download never splices).
    if request.method != "GET" or request.range is None:
        return False
    if request.if_range is None:
        return True
    validator = request.if_range.strip()
    if validator.endswith('"'):
        return validator == chosen.etag and not validator.startswith("W/")
    return chosen.mtime != 0 and _date(validator) == chosen.mtime


def _matches(field: str, etag: str | None, weak: bool) -> bool:
    """Whether an If-Match/If-None-Match list matches (§8.8.3.2: weak or strong)."""
    if field == etag:  # what browsers send: one strong tag, this one
        return True
    if field.strip() == "*":
        return True
    if etag is None:
        return False
    for match in _ENTITY_TAG.finditer(field):
        if match.group(2) == etag and (weak or not match.group(1)):
            return True
    return False


def _date(value: str) -> int | None:
    parsed = parsedate_tz(value)  # the three HTTP-date forms (§5.6.7)
    return mktime_tz(parsed) if parsed is not None else None


def _without(headers: Headers, *names: str) -> Headers:
    return [(k, v) for k, v in headers if k.lower() not in names]


def _sent(request: Request, result: Answer) -> Answer:
    """HEAD: the GET answer's status and headers, no body (§9.3.2)."""
    if request.method == "HEAD":
        return Answer(result.status, result.headers, None)
    return result
