"""The decisions of a static answer (django_duet.serving.conditional and .ranges), no server.

Each answer's body is played back from its segments over the file's bytes, as the servers
read it. The same cases against real servers and nginx: tests/e2e/test_static_semantics.py.
"""

from __future__ import annotations

from email.utils import formatdate

import pytest

from django_duet.serving.conditional import (
    Answer,
    Representation,
    Request,
    Resource,
    answer,
    negotiate,
)
from django_duet.serving.ranges import MAX_RANGES, multipart, parse_ranges

DATA = b"0123456789"
MTIME = 1_700_000_000
PLAIN = Representation("/ten.txt", 10, MTIME)
GZIP = Representation("/ten.txt.gz", 8, MTIME + 1, "gzip")
BR = Representation("/ten.txt.br", 6, MTIME + 1, "br")
BASE = [("Content-Type", "text/plain"), ("Cache-Control", "max-age=60, public")]
LAST_MODIFIED = formatdate(MTIME, usegmt=True)
TAG = f'"{MTIME:x}-a"'


def ask(*representations: Representation, method: str = "GET", **fields: str) -> Answer:
    resource = Resource(representations or (PLAIN,), BASE)
    return answer(Request(method, **fields), resource, boundary="B")


def body(result: Answer) -> bytes:
    return b"".join(s if isinstance(s, bytes) else DATA[s.start : s.stop] for s in result.body)


def header(result: Answer, name: str) -> str | None:
    return next((v for k, v in result.headers if k.lower() == name), None)


def test_the_whole_file_with_its_validators():
    result = ask()
    assert result.status == 200 and body(result) == DATA
    assert list(result.headers) == [
        *BASE,
        ("Last-Modified", LAST_MODIFIED),
        ("ETag", TAG),  # nginx's shape: mtime and size in hex
        ("Content-Length", "10"),
        ("Accept-Ranges", "bytes"),
    ]


@pytest.mark.parametrize(
    "accept_encoding, chosen",
    [
        (None, PLAIN),
        ("", PLAIN),
        ("gzip", GZIP),
        ("gzip;q=1", GZIP),
        ("gzip;q=0", PLAIN),  # q=0: not acceptable (RFC 9110 §12.5.3)
        ("GZIP ; Q=0.000", PLAIN),
        ("br", BR),
        ("br;q=0", PLAIN),
        ("br;q=0, gzip", GZIP),
        ("gzip, br", BR),  # equal weights: the smaller file
        ("gzip;q=1, br;q=0.5", GZIP),  # the weights decide first
        ("gzip;q=0.5", GZIP),  # identity not named: used only when nothing else is
        ("identity, gzip;q=0.5", PLAIN),
        ("*", PLAIN),  # a coding is sent only when named, as nginx
        ("gzip;q=abc", PLAIN),  # a malformed weight is a refusal, as nginx reads it
        ("deflate", PLAIN),
    ],
)
def test_content_coding(accept_encoding, chosen):
    assert negotiate(accept_encoding, [PLAIN, GZIP, BR]) == chosen


def test_each_coding_has_its_own_validators_and_vary():
    result = ask(PLAIN, GZIP, BR, accept_encoding="gzip")
    assert header(result, "content-encoding") == "gzip"
    assert header(result, "etag") == f'"{MTIME + 1:x}-8"'
    assert header(result, "content-length") == "8"
    assert header(result, "vary") == "Accept-Encoding"
    assert header(result, "accept-ranges") is None  # ranges of the plain file only
    assert result.representation == GZIP and result.body == (range(0, 8),)


def test_vary_keeps_the_files_own():
    result = answer(Request("GET"), Resource([PLAIN, GZIP], [("Vary", "Origin")]))
    assert header(result, "vary") == "Origin, Accept-Encoding"


@pytest.mark.parametrize(
    "fields, status",
    [
        ({"if_none_match": TAG}, 304),
        ({"if_none_match": f'"x", {TAG}'}, 304),  # a list
        ({"if_none_match": f"W/{TAG}"}, 304),  # weak comparison (§13.1.2)
        ({"if_none_match": "*"}, 304),
        ({"if_none_match": '"x"'}, 200),
        ({"if_none_match": TAG[1:-1]}, 200),  # not an entity tag
        ({"if_match": '"x"'}, 412),  # §13.1.1
        ({"if_match": f"W/{TAG}"}, 412),  # strong comparison
        ({"if_match": "*"}, 200),
        ({"if_match": f'"x", {TAG}'}, 200),
        ({"if_unmodified_since": formatdate(MTIME - 1, usegmt=True)}, 412),  # §13.1.4
        ({"if_unmodified_since": LAST_MODIFIED}, 200),
        ({"if_unmodified_since": "yesterday"}, 200),  # not a date: ignored
        ({"if_match": "*", "if_unmodified_since": formatdate(0, usegmt=True)}, 200),
        ({"if_modified_since": LAST_MODIFIED}, 304),  # §13.1.3
        ({"if_modified_since": formatdate(MTIME + 60, usegmt=True)}, 304),  # later: nginx 200
        ({"if_modified_since": formatdate(MTIME - 60, usegmt=True)}, 200),
        ({"if_modified_since": "Sunday, 14-Nov-23 22:13:20 GMT"}, 304),  # RFC 850 form
        ({"if_modified_since": "Tue Nov 14 22:13:20 2023"}, 304),  # asctime form
        ({"if_none_match": TAG, "if_modified_since": formatdate(0, usegmt=True)}, 304),
        ({"if_none_match": '"x"', "if_modified_since": LAST_MODIFIED}, 200),
        ({"if_match": '"x"', "if_none_match": TAG}, 412),  # §13.2.2: If-Match first
    ],
)
def test_preconditions(fields, status):
    assert ask(**fields).status == status
    assert ask(method="HEAD", **fields).status == status


def test_not_modified_keeps_what_caches_update():
    result = ask(PLAIN, GZIP, if_none_match=TAG)
    assert list(result.headers) == [
        ("Cache-Control", "max-age=60, public"),
        ("ETag", TAG),
        ("Vary", "Accept-Encoding"),
    ]
    assert result.representation is None


def test_the_gzip_answer_is_validated_by_its_own_tag():
    gzip_tag = f'"{MTIME + 1:x}-8"'
    assert ask(PLAIN, GZIP, accept_encoding="gzip", if_none_match=gzip_tag).status == 304
    assert ask(PLAIN, GZIP, accept_encoding="gzip", if_none_match=TAG).status == 200


@pytest.mark.parametrize(
    "value, status, content_range, data",
    [
        ("bytes=0-0", 206, "bytes 0-0/10", b"0"),  # whitenoise: 416
        ("bytes=-1", 206, "bytes 9-9/10", b"9"),
        ("bytes=9-", 206, "bytes 9-9/10", b"9"),
        ("bytes=9-9", 206, "bytes 9-9/10", b"9"),
        ("bytes=2-5", 206, "bytes 2-5/10", b"2345"),
        ("bytes=0-", 206, "bytes 0-9/10", DATA),
        ("bytes=-20", 206, "bytes 0-9/10", DATA),
        ("bytes=5-99999999999999999999", 206, "bytes 5-9/10", b"56789"),
        ("BYTES= 1 - 2", 206, "bytes 1-2/10", b"12"),
        ("bytes=0-0,20-", 206, "bytes 0-0/10", b"0"),  # the one satisfiable range
        ("bytes=1-2,,", 206, "bytes 1-2/10", b"12"),  # empty list elements (§5.6.1.2)
        ("bytes=-0", 416, "bytes */10", b""),  # whitenoise: the whole file
        ("bytes=10-", 416, "bytes */10", b""),
        ("bytes=5-2", 416, "bytes */10", b""),
        ("bytes=-0,10-", 416, "bytes */10", b""),
        ("bytes=abc", 416, "bytes */10", b""),  # malformed: rejected, as nginx
        ("bytes=0-1,x", 416, "bytes */10", b""),
        ("bytes=-", 416, "bytes */10", b""),
        ("bytes=0x1-2", 416, "bytes */10", b""),
        ("bytes=", 200, None, DATA),
        ("items=0-5", 200, None, DATA),  # another unit: ignored (§14.2)
        ("bytes=0-5,3-8", 200, None, DATA),  # more bytes than the file, as nginx
    ],
)
def test_ranges(value, status, content_range, data):
    result = ask(range=value)
    assert result.status == status
    assert header(result, "content-range") == content_range
    assert body(result) == data
    if status != 416:
        assert header(result, "content-length") == str(len(data))


def test_several_ranges_are_multipart_in_the_order_asked():
    result = ask(range="bytes=6-7,0-0")
    expected = (
        b"\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 6-7/10\r\n\r\n67"
        b"\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/10\r\n\r\n0"
        b"\r\n--B--\r\n"
    )
    assert result.status == 206 and body(result) == expected
    assert header(result, "content-type") == "multipart/byteranges; boundary=B"
    assert header(result, "content-length") == str(len(expected))
    assert header(result, "content-range") is None


def test_too_many_ranges_get_the_whole_file():
    value = "bytes=" + ",".join(["0-0"] * (MAX_RANGES + 1))
    assert parse_ranges(value, 1_000) is None
    assert len(parse_ranges(value.rsplit(",", 1)[0], 1_000) or []) == MAX_RANGES


def test_an_empty_file_ignores_ranges():
    empty = Representation("/empty", 0, MTIME)
    assert answer(Request("GET", range="bytes=-1"), Resource([empty], [])).status == 200


def test_the_boundary_is_random_when_not_given():
    first, second = multipart([range(0, 1)] * 2, 10, None), multipart([range(0, 1)] * 2, 10, None)
    assert first[2] != second[2]
    assert len(first[2]) == len(second[2])


@pytest.mark.parametrize(
    "if_range, status",
    [
        (TAG, 206),
        ('"x"', 200),  # another version: the whole file, never a splice (§13.1.5)
        (f"W/{TAG}", 200),  # a weak tag never matches
        (LAST_MODIFIED, 206),  # the exact date
        (formatdate(MTIME + 1, usegmt=True), 200),
        ("garbage", 200),
    ],
)
def test_if_range(if_range, status):
    result = ask(range="bytes=0-3", if_range=if_range)
    assert result.status == status
    assert body(result) == (DATA[:4] if status == 206 else DATA)


def test_if_range_without_range_is_ignored():
    assert ask(if_range='"x"').status == 200


def test_head_gets_the_get_headers_and_no_body():
    get, head = ask(accept_encoding="br"), ask(method="HEAD", accept_encoding="br")
    assert head.headers == get.headers and head.status == 200
    assert head.representation is None and head.body == ()


def test_head_ignores_range():
    # RFC 9110 §14.2: range handling is defined for GET only (nginx answers 206).
    result = ask(method="HEAD", range="bytes=0-0")
    assert result.status == 200 and header(result, "content-length") == "10"


def test_compressed_answers_ignore_range():
    result = ask(PLAIN, GZIP, accept_encoding="gzip", range="bytes=0-0")
    assert result.status == 200 and result.representation == GZIP


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_are_405(method):
    result = ask(method=method, if_none_match=TAG)
    assert (result.status, list(result.headers)) == (405, [("Allow", "GET, HEAD")])


def test_request_fields_from_a_wsgi_environ():
    environ = {"HTTP_RANGE": "bytes=0-0", "HTTP_IF_NONE_MATCH": "*", "HTTP_HOST": "x"}
    request = Request.from_meta("get", environ)
    assert request == Request("GET", range="bytes=0-0", if_none_match="*")


def test_a_file_without_mtime_has_no_validators():
    undated = Representation("/x", 10, 0)
    result = answer(Request("GET", if_modified_since=LAST_MODIFIED), Resource([undated], []))
    assert result.status == 200
    assert header(result, "etag") is None and header(result, "last-modified") is None
