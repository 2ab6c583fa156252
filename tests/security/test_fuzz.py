"""Property tests (Hypothesis): the manifest parser, the dev proxy's request checks, origins.

No input may crash them with anything but their documented errors. ``DUET_FUZZ_EXAMPLES``
raises the number of examples (``make soak`` does); CI keeps it modest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote

from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_duet.build.formats import parse_manifest
from django_duet.dev.rules import (
    HOP_BY_HOP,
    PRIVATE_HEADERS,
    Refused,
    checked_target,
    forwarded_headers,
    meta_headers,
)
from django_duet.exceptions import EntryNotFound, ManifestInvalid
from django_duet.sessions.origins import csrf_trusts, parse_origin, registrable_domain, same_site

EXAMPLES = int(os.environ.get("DUET_FUZZ_EXAMPLES", "60"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
M = Path("m.json")

# Keys and file names drawn from a small alphabet, so references often hit other keys.
names = st.text(alphabet="ab_./\\:%\x00\n", min_size=0, max_size=6)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | names,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12,
)
chunk = st.fixed_dictionaries(
    {},
    optional={
        "file": names | values,
        "src": names | values,
        "isEntry": values,
        "imports": st.lists(names, max_size=4) | values,
        "dynamicImports": st.lists(names, max_size=3) | values,
        "css": st.lists(names, max_size=3) | values,
        "assets": st.lists(names, max_size=3) | values,
    },
)
manifests = st.dictionaries(names, chunk | values, max_size=8)


def _check_resolution(manifest) -> None:
    files = manifest.files()
    for key in manifest.chunks:
        assets = manifest.entry(key)
        assert set(assets.preloads) <= files and set(assets.styles) <= files
        assert len(set(assets.preloads)) == len(assets.preloads)
        assert len(set(assets.styles)) == len(assets.styles)
        assert assets.script is None or assets.script not in assets.preloads
        for file in (*assets.preloads, *assets.styles):
            parts = file.split("/")
            assert ".." not in parts and "" not in parts and "\\" not in file


@fuzz
@given(manifests)
def test_structured_manifests_parse_or_raise_manifest_invalid(data):
    try:
        manifest = parse_manifest(M, json.dumps(data))
    except ManifestInvalid:
        return
    _check_resolution(manifest)


@fuzz
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_manifest_invalid(text):
    try:
        manifest = parse_manifest(M, text)
    except ManifestInvalid:
        return
    _check_resolution(manifest)


@fuzz
@given(manifests, names)
def test_unknown_names_raise_entry_not_found(data, name):
    try:
        manifest = parse_manifest(M, json.dumps(data))
    except ManifestInvalid:
        return
    if name in manifest.chunks:
        manifest.entry(name)
        return
    try:
        manifest.entry(name)
    except EntryNotFound as exc:
        assert exc.name == name
    else:  # pragma: no cover - the property failing
        raise AssertionError(f"{name!r} resolved without being in the manifest")


path_text = st.text(alphabet=st.sampled_from(list("/.a%2eEfF5c\\#?\x00\r\n\x7f é@:;")), max_size=40)


@fuzz
@given(path_text, st.text(max_size=30))
def test_the_dev_proxy_target_stays_under_its_base(rest, query):
    base = "/static/"
    try:
        target = checked_target(base + rest, query, base)
    except Refused as exc:
        assert exc.status in (400, 414)
        return
    target.encode("ascii")  # percent-encoded ASCII only
    path = target.split("?", 1)[0]
    assert path.startswith(base)
    decoded = unquote(path)  # what the dev server will see, decoded once
    assert decoded == base + rest
    segments = decoded[len(base) :].split("/")
    assert ".." not in segments and "." not in segments and "\\" not in decoded
    assert not any(ord(c) < 0x20 or c == "\x7f" for c in decoded)


header_names = st.text(
    alphabet=st.sampled_from(list("abcxXforwdedhstcoki-_")), min_size=1, max_size=20
)
header_values = st.text(max_size=30).filter(lambda v: v == v.strip())


@fuzz
@given(st.dictionaries(header_names, header_values, max_size=6))
def test_forwarded_headers_never_carry_credentials_hops_or_line_breaks(raw):
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in raw.items()}
    request = RequestFactory().get("/static/src/main.tsx", **meta)
    try:
        headers = forwarded_headers(meta_headers(request.META))
    except Refused as exc:
        assert exc.status == 400
        assert any(c in v for v in raw.values() for c in "\r\n\0")
        return
    for name, value in headers:
        text = name.decode("latin-1")
        assert text not in PRIVATE_HEADERS and text not in HOP_BY_HOP
        assert not text.startswith("x-forwarded-")
        assert not any(c in value for c in (b"\r", b"\n", b"\0"))


origin_text = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda scheme, host, port, tail: f"{scheme}://{host}{port}{tail}",
        st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
        st.text(alphabet="abc.-[]:1*@%", min_size=0, max_size=15),
        st.sampled_from(["", ":80", ":0", ":65536", ":08", ":x", ":"]),
        st.sampled_from(["", "/", "?q", "#f", " "]),
    ),
)


@fuzz
@given(origin_text, origin_text)
def test_origin_parsing_is_value_error_or_a_consistent_origin(a, b):
    try:
        first = parse_origin(a)
    except ValueError:
        return
    assert first.scheme in ("http", "https")
    assert str(first).startswith(f"{first.scheme}://")
    registrable_domain(first.host)
    assert same_site(first, first)
    assert csrf_trusts(first, [str(first)])
    try:
        second = parse_origin(b)
    except ValueError:
        return
    same_site(first, second)
    csrf_trusts(first, [b, f"{second.scheme}://*.{second.host}"])
