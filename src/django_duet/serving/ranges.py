"""Byte ranges of a static file (RFC 9110 §14): the Range field read as nginx reads it, and
the multipart/byteranges body laid out as nginx lays it out. Used by ``conditional``."""

from __future__ import annotations

import re
import secrets

# Literal bytes, or the [start, stop) slice of the file.
Segment = bytes | range
# More ranges than this are answered with the whole file (RFC 9110 §14.2 lets a server ignore
# "a set of many small ranges"): nginx's max_ranges is unlimited unless configured.
MAX_RANGES = 100
_SPEC = re.compile(r"\s*([0-9]*)\s*-\s*([0-9]*)\s*")
_UNIT = "bytes="


def parse_ranges(value: str, size: int) -> list[range] | None:
    """The satisfiable ranges of a Range value for a ``size``-byte file, in the order asked.

    None: ignore the field and send the whole file (another unit, RFC 9110 §14.2; an empty
    file or range set; more bytes than the file or too many ranges, as nginx). ``[]``:
    nothing satisfiable, or a malformed set (§14.2 lets a server reject it; nginx does): 416.
    """
    if value[: len(_UNIT)].lower() != _UNIT or size == 0:
        return None
    specs = [spec for spec in value[len(_UNIT) :].split(",") if spec.strip()]  # §5.6.1.2
    if not specs:
        return None
    ranges = []
    for spec in specs:
        match = _SPEC.fullmatch(spec)
        if match is None or not any(match.groups()):
            return []
        first, last = match.groups()
        if not first:  # a suffix: the last N bytes; N=0 is unsatisfiable (§14.1.2)
            if int(last) > 0:
                ranges.append(range(max(size - int(last), 0), size))
            continue
        start = int(first)
        stop = size if not last else min(int(last) + 1, size)
        if start < stop:  # first-pos past the end, or above last-pos: skipped, as nginx
            ranges.append(range(start, stop))
    if len(ranges) > MAX_RANGES or sum(len(r) for r in ranges) > size:
        return None
    return ranges


def multipart(
    ranges: list[range], size: int, content_type: str | None, boundary: str | None = None
) -> tuple[tuple[Segment, ...], int, str]:
    """A multipart/byteranges body (§14.6) as segments, its length and its media type."""
    boundary = boundary or secrets.token_hex(10)
    segments: list[Segment] = []
    for part in ranges:
        head = f"\r\n--{boundary}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        head += f"Content-Range: bytes {part.start}-{part.stop - 1}/{size}\r\n\r\n"
        segments += [head.encode("latin-1"), part]
    segments.append(f"\r\n--{boundary}--\r\n".encode("latin-1"))
    length = sum(len(segment) for segment in segments)
    return tuple(segments), length, f"multipart/byteranges; boundary={boundary}"
