"""HTTP semantics of static answers: django-duet beside nginx, all serving one STATIC_ROOT.

gunicorn runs the example (DuetStaticMiddleware, WSGI), uvicorn its ``duet_asgi`` (the ASGI
static path), and nginx the server block of ``duet nginx-config``. Each request of the battery
goes to all three; django-duet must give nginx's status, headers and bytes, except where
nginx departs from RFC 9110 (``NGINX_DEPARTS``): there the RFC's answer is asserted, and
nginx's own, so docs/production.md stays true. ``--follow-symlinks``: with
``disable_symlinks``, Debian's ngx_brotli sometimes answers a br request without br
(tests/e2e/test_nginx.py), which would make a comparison flaky.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BIN, EXAMPLE, example_gunicorn, manage

TEN = "/static/ten.txt"  # 10 bytes, no .gz/.br
DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Got:
    status: int
    headers: httpx.Headers
    body: bytes  # as sent: not decoded


def fetch(base: str, path: str, headers: dict[str, str], method: str = "GET") -> Got:
    with httpx.Client(base_url=base, timeout=10) as client:
        del client.headers["accept-encoding"]  # only the case's own fields
        with client.stream(method, path, headers=headers) as response:
            body = b"".join(response.iter_raw())
    return Got(response.status_code, response.headers, body)


def parts(got: Got) -> list[tuple[str, bytes]]:
    """A multipart/byteranges body as (Content-Range, bytes) pairs."""
    boundary = got.headers["content-type"].split("boundary=", 1)[1].encode()
    *chunks, end = got.body.split(b"\r\n--" + boundary)
    assert chunks[0] == b"" and end == b"--\r\n", got.body[:200]
    found = []
    for chunk in chunks[1:]:
        head, _, data = chunk.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        found.append((fields["Content-Range"], data))
    return found


@dataclass(frozen=True)
class Facts:
    """Validators of the served files, from the disk (nginx's ETag shape)."""

    asset: str
    tags: dict[str, str]  # "ten", "asset", "asset.gz", "asset.br" -> ETag
    ten_modified: int

    def fill(self, value: str) -> str:
        return value.format(
            ten=self.tags["ten"],
            asset=self.tags["asset"],
            gz=self.tags["asset.gz"],
            lm=formatdate(self.ten_modified, usegmt=True),
            later=formatdate(self.ten_modified + 3600, usegmt=True),
            earlier=formatdate(self.ten_modified - 3600, usegmt=True),
        )


NGINX_OPTIONS = ("--brotli", "--follow-symlinks")


def listen(port: int) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(port)]


def tag(path: Path) -> str:
    stat = path.stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


@pytest.fixture(scope="module")
def stack(example_env, tmp_path_factory) -> Iterator[tuple[dict[str, str], Facts]]:
    scratch = tmp_path_factory.mktemp("semantics")
    root = scratch / "static"
    env = {**example_env, "DUET_EXAMPLE_STATIC_ROOT": str(root)}
    manage(env, "collectstatic", "--noinput")
    ten = root / "ten.txt"
    ten.write_bytes(b"0123456789")
    yesterday = int(time.time()) - DAY  # so that "an hour later" is still in the past
    os.utime(ten, (yesterday, yesterday))
    asset = max((root / "assets").glob("*.js"), key=lambda p: p.stat().st_size)
    assert asset.with_name(asset.name + ".gz").exists(), "the example build has .gz files"
    assert asset.with_name(asset.name + ".br").exists(), "the example build has .br files"
    tags = {"ten": tag(ten), "asset": tag(asset)}
    tags |= {f"asset.{s}": tag(asset.with_name(f"{asset.name}.{s}")) for s in ("gz", "br")}
    facts = Facts("/static/" + asset.relative_to(root).as_posix(), tags, yesterday)
    port = free_port()
    uvicorn = ServerProcess(
        [str(BIN / "uvicorn"), "example.asgi:application", "--no-access-log", *listen(port)],
        port=port,
        cwd=EXAMPLE,
        env=env,
        name="uvicorn",
    )
    with example_gunicorn(env, workers=1) as gunicorn, uvicorn:
        upstream = f"--upstream=127.0.0.1:{gunicorn.port}"
        config = subprocess.run(
            [sys.executable, "manage.py", "duet", "nginx-config", *NGINX_OPTIONS, upstream],
            cwd=EXAMPLE,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        with nginx_process(config, scratch / "nginx", free_port()) as nginx:
            servers = {"nginx": nginx.url, "gunicorn": gunicorn.url, "uvicorn": uvicorn.url}
            yield servers, facts


@dataclass(frozen=True)
class Case:
    id: str
    path: str  # TEN, or "asset": the example's largest script, with .gz and .br
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    encoding: str | None = None  # the Content-Encoding expected
    method: str = "GET"


CASES = [
    # Content coding (RFC 9110 §12.5.3): q=0 is a refusal.
    Case("no-accept-encoding", "asset"),
    Case("gzip", "asset", {"accept-encoding": "gzip"}, encoding="gzip"),
    Case("gzip-q1", "asset", {"accept-encoding": "gzip;q=1"}, encoding="gzip"),
    Case("gzip-q0", "asset", {"accept-encoding": "gzip;q=0"}),
    Case("br", "asset", {"accept-encoding": "br"}, encoding="br"),
    Case("br-q0", "asset", {"accept-encoding": "br;q=0"}),
    Case("br-q0-gzip", "asset", {"accept-encoding": "br;q=0, gzip"}, encoding="gzip"),
    Case("gzip-br", "asset", {"accept-encoding": "gzip, deflate, br"}, encoding="br"),
    Case("identity", "asset", {"accept-encoding": "identity"}),
    # If-None-Match (§13.1.2): weak comparison, lists and "*".
    Case("inm-strong", TEN, {"if-none-match": "{ten}"}, 304),
    Case("inm-list", TEN, {"if-none-match": '"x", {ten}'}, 304),
    Case("inm-weak", TEN, {"if-none-match": "W/{ten}"}, 304),
    Case("inm-star", TEN, {"if-none-match": "*"}, 304),
    Case("inm-other", TEN, {"if-none-match": '"x"'}),
    Case("inm-gzip-tag", "asset", {"if-none-match": "{gz}", "accept-encoding": "gzip"}, 304),
    # A representation's tag is its own: the plain file's does not validate the gzip answer.
    Case(
        "inm-plain-tag-gzip",
        "asset",
        {"if-none-match": "{asset}", "accept-encoding": "gzip"},
        encoding="gzip",
    ),
    # If-Match (§13.1.1): strong comparison, "*"; a failure is 412.
    Case("if-match-other", TEN, {"if-match": '"x"'}, 412),
    Case("if-match-weak", TEN, {"if-match": "W/{ten}"}, 412),
    Case("if-match-star", TEN, {"if-match": "*"}),
    Case("if-match-strong", TEN, {"if-match": '"x", {ten}'}),
    # If-Modified-Since (§13.1.3) and If-Unmodified-Since (§13.1.4).
    Case("ims-exact", TEN, {"if-modified-since": "{lm}"}, 304),
    Case("ims-earlier", TEN, {"if-modified-since": "{earlier}"}),
    Case("ius-earlier", TEN, {"if-unmodified-since": "{earlier}"}, 412),
    Case("ius-later", TEN, {"if-unmodified-since": "{later}"}),
    # Ranges (§14): one byte is a range like any other; a zero-length suffix is unsatisfiable.
    Case("range-first-byte", TEN, {"range": "bytes=0-0"}, 206),
    Case("range-suffix-1", TEN, {"range": "bytes=-1"}, 206),
    Case("range-last-byte", TEN, {"range": "bytes=9-"}, 206),
    Case("range-suffix-0", TEN, {"range": "bytes=-0"}, 416),
    Case("range-at-end", TEN, {"range": "bytes=10-"}, 416),
    Case("range-some", TEN, {"range": "bytes=2-5"}, 206),
    Case("range-long-suffix", TEN, {"range": "bytes=-20"}, 206),
    Case("range-reversed", TEN, {"range": "bytes=5-2"}, 416),
    Case("range-junk", TEN, {"range": "bytes=abc"}, 416),
    Case("range-other-unit", TEN, {"range": "items=0-5"}),
    # Several ranges: multipart/byteranges in the order asked; more bytes than the file: 200.
    Case("ranges-two", TEN, {"range": "bytes=0-0,-1"}, 206),
    Case("ranges-unordered", TEN, {"range": "bytes=6-7, 0-1"}, 206),
    Case("ranges-one-satisfiable", TEN, {"range": "bytes=0-0,20-"}, 206),
    Case("ranges-overlap-past-size", TEN, {"range": "bytes=0-5,3-8"}),
    # If-Range (§13.1.5): a strong tag or the exact date, else the whole file.
    Case("if-range-match", TEN, {"range": "bytes=0-3", "if-range": "{ten}"}, 206),
    Case("if-range-other", TEN, {"range": "bytes=0-3", "if-range": '"x"'}),
    Case("if-range-weak", TEN, {"range": "bytes=0-3", "if-range": "W/{ten}"}),
    Case("if-range-date", TEN, {"range": "bytes=0-3", "if-range": "{lm}"}, 206),
    Case("if-range-other-date", TEN, {"range": "bytes=0-3", "if-range": "{earlier}"}),
    # nginx (like most servers) serves ranges of the plain file only.
    Case("range-gzip", "asset", {"range": "bytes=0-9", "accept-encoding": "gzip"}, encoding="gzip"),
    Case("range-plain", "asset", {"range": "bytes=0-9"}, 206),
    # HEAD (§9.3.2): GET's status and headers, no body.
    Case("head", TEN, method="HEAD"),
    Case("head-br", "asset", {"accept-encoding": "br"}, encoding="br", method="HEAD"),
    Case("head-inm", TEN, {"if-none-match": "{ten}"}, 304, method="HEAD"),
]

# Where nginx 1.22 departs from RFC 9110: the case, nginx's status, and why.
NGINX_DEPARTS = {
    # `if_modified_since exact` (its default) answers 304 only for the very same date (§13.1.3).
    "ims-later": (Case("ims-later", TEN, {"if-modified-since": "{later}"}, 304), 200),
    # nginx needs both validators to match; §13.1.3: If-None-Match present, IMS is ignored.
    "inm-and-ims": (
        Case("inm-and-ims", TEN, {"if-none-match": "{ten}", "if-modified-since": "{earlier}"}, 304),
        200,
    ),
    # §13.1.4: If-Unmodified-Since is ignored when If-Match is present; nginx checks both.
    "if-match-and-ius": (
        Case("if-match-and-ius", TEN, {"if-match": "*", "if-unmodified-since": "{earlier}"}),
        412,
    ),
    # §14.2: range handling is defined for GET only; nginx answers a HEAD with Range 206.
    "head-range": (Case("head-range", TEN, {"range": "bytes=0-0"}, method="HEAD"), 206),
}

SERVERS = ["gunicorn", "uvicorn"]
# Compared where both send them: a 412/416 body is nginx's HTML page, a 304 has no length.
SAME_ON_SUCCESS = ("content-encoding", "content-range", "etag", "accept-ranges")


def ask(stack, server: str, case: Case) -> Got:
    servers, facts = stack
    path = facts.asset if case.path == "asset" else case.path
    headers = {name: facts.fill(value) for name, value in case.headers.items()}
    return fetch(servers[server], path, headers, case.method)


def expect_case(got: Got, case: Case) -> None:
    assert got.status == case.status, (case.id, got.status, dict(got.headers))
    assert got.headers.get("content-encoding") == case.encoding, case.id
    if case.method == "HEAD" or got.status == 304:
        assert got.body == b"", case.id


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_answer_as_nginx(stack, server, case):
    reference, got = ask(stack, "nginx", case), ask(stack, server, case)
    expect_case(reference, case)
    expect_case(got, case)
    if got.status in (200, 206, 304):
        for name in ("etag", "vary") if case.path == "asset" else ("etag",):
            assert got.headers.get(name) == reference.headers.get(name), (case.id, name)
    if got.status == 416:
        assert got.headers["content-range"] == reference.headers["content-range"]
    if got.status not in (200, 206):
        return
    for name in SAME_ON_SUCCESS:
        assert got.headers.get(name) == reference.headers.get(name), (case.id, name)
    if got.headers.get("content-type", "").startswith("multipart/byteranges"):
        assert reference.headers["content-type"].startswith("multipart/byteranges")
        if case.method == "GET":
            assert parts(got) == parts(reference), case.id
            assert got.headers["content-length"] == str(len(got.body))
        return
    assert got.headers["content-length"] == reference.headers["content-length"], case.id
    assert got.body == reference.body, case.id


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("name", NGINX_DEPARTS)
def test_rfc_answer_where_nginx_departs(stack, server, name):
    case, nginx_status = NGINX_DEPARTS[name]
    reference = ask(stack, "nginx", case)
    assert reference.status == nginx_status, (
        f"nginx now answers {case.id} with {reference.status}: update docs/production.md"
    )
    got = ask(stack, server, case)
    expect_case(got, case)
    assert got.headers["etag"] == stack[1].tags["ten"]
    if got.status == 200:
        assert "content-range" not in got.headers
        assert got.headers["content-length"] == "10"
        assert got.body == (b"" if case.method == "HEAD" else b"0123456789")
