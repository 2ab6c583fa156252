"""A static file as both paths answer it: whitenoise finds it and gives its headers (type,
caching, CORS), ``conditional`` decides the answer, this opens the bytes it names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from io import BufferedIOBase
from typing import IO, Any

from whitenoise.responders import FileEntry, MissingFileError, Response

from django_duet.serving.conditional import Answer, Representation, Request, Resource, answer
from django_duet.serving.ranges import Segment


class DuetStaticFile:
    """Replaces whitenoise's ``StaticFile``: the same ``get_response(method, META)``."""

    def __init__(
        self,
        path: str,
        headers: Iterable[tuple[str, str]],
        encodings: Mapping[str, str],
        stat_cache: Mapping[str, Any] | None = None,
    ) -> None:
        representations = [_representation(path, None, stat_cache)]
        for encoding, variant in encodings.items():
            try:
                representations.append(_representation(variant, encoding, stat_cache))
            except MissingFileError:
                continue
        self.resource = Resource(representations, list(headers))

    def get_response(self, method: str, request_headers: Mapping[str, str]) -> Response:
        result = answer(Request.from_meta(method, request_headers), self.resource)
        return Response(result.status, result.headers, _open(result))


def _representation(
    path: str, encoding: str | None, stat_cache: Mapping[str, Any] | None
) -> Representation:
    entry = FileEntry(path, stat_cache)  # whitenoise's: a regular file, or MissingFileError
    return Representation(path, entry.size, int(entry.mtime), encoding)


def _open(result: Answer) -> IO[bytes] | None:
    chosen = result.representation
    if chosen is None:
        return None
    file = open(chosen.path, "rb")  # noqa: SIM115 (closed by the server, as whitenoise's)
    if result.body == (range(0, chosen.size),):
        return file  # the whole file, as is: a WSGI server may sendfile() it
    return SegmentedFile(file, result.body)  # type: ignore[return-value]


class SegmentedFile(BufferedIOBase):
    """A range answer's body: literal bytes and slices of one open file, read in order."""

    def __init__(self, file: IO[bytes], segments: Sequence[Segment]) -> None:
        self._file = file
        self._segments = list(reversed(segments))  # popped from the end

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        limit = None if size is None or size < 0 else size
        out = bytearray()
        while self._segments and (limit is None or len(out) < limit):
            want = None if limit is None else limit - len(out)
            segment = self._segments.pop()
            if isinstance(segment, bytes):
                taken = segment[:want]
                rest: Segment = segment[len(taken) :]
            else:
                self._file.seek(segment.start)
                taken = self._file.read(len(segment) if want is None else min(want, len(segment)))
                if not taken:  # the file shrank under us: end the body here
                    self._segments.clear()
                    break
                rest = segment[len(taken) :]
            out += taken
            if len(rest):
                self._segments.append(rest)
        return bytes(out)

    def close(self) -> None:
        super().close()
        self._file.close()
