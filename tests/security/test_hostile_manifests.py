"""Malformed and hostile manifests: each refused with its exact error, or handled in bounds.

Paths outside the build directory (``..``, absolute, URLs, backslashes, NUL, control
characters, in ``file``/``css``/``assets``), bad JSON and 100_000-deep arrays are in
tests/build/test_manifest.py; these cover size, shape and graph abuse.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.core import checks
from django.template import engines
from django.test import RequestFactory

from django_duet.build.formats import MAX_MANIFEST_BYTES, parse_manifest, read_manifest
from django_duet.exceptions import EntryNotFound, ManifestInvalid, UnsafeManifestPath

M = Path("m.json")


def _parse(data: object):
    return parse_manifest(M, json.dumps(data))


def _chain(n: int, *, cycle: bool) -> dict[str, dict[str, object]]:
    chunks: dict[str, dict[str, object]] = {
        f"_c{i}": {"file": f"assets/c{i}.js", "imports": [f"_c{i + 1}"]} for i in range(n)
    }
    if cycle:
        chunks[f"_c{n - 1}"]["imports"] = ["_c0"]
    else:
        chunks[f"_c{n - 1}"]["imports"] = []
    chunks["src/main.ts"] = {"file": "assets/main.js", "isEntry": True, "imports": ["_c0"]}
    return chunks


@pytest.mark.parametrize("n", [1, 1_000, 20_000])
def test_import_cycles_of_any_length_resolve(n):
    manifest = _parse(_chain(n, cycle=True))
    assets = manifest.entry("src/main.ts")
    assert len(assets.preloads) == n
    assert assets.preloads[-1] == "assets/c0.js"  # dependencies first, as Vite orders them


def test_a_chunk_importing_itself():
    manifest = _parse({"a": {"file": "a.js", "imports": ["a"], "css": ["a.css"]}})
    assert manifest.entry("a").preloads == ()
    assert manifest.entry("a").styles == ("a.css",)


def test_a_cycle_through_the_entry_never_preloads_the_entry():
    data = _chain(1_000, cycle=False)
    data["_c999"]["imports"] = ["src/main.ts"]
    assert "assets/main.js" not in _parse(data).entry("src/main.ts").preloads


def test_an_import_chain_of_50_000_chunks():
    started = time.monotonic()
    assets = _parse(_chain(50_000, cycle=False)).entry("src/main.ts")
    assert len(assets.preloads) == 50_000
    assert time.monotonic() - started < 10


def test_one_entry_with_20_000_imports_and_css():
    data: dict[str, dict[str, object]] = {
        f"_s{i}": {"file": f"assets/s{i}.js", "css": [f"assets/s{i}.css", "assets/all.css"]}
        for i in range(20_000)
    }
    data["e"] = {"file": "e.js", "imports": list(data), "css": ["assets/all.css"]}
    assets = _parse(data).entry("e")
    assert len(assets.preloads) == 20_000
    assert len(assets.styles) == 20_001 and assets.styles.count("assets/all.css") == 1


def test_100_000_entries_and_an_unknown_name(monkeypatch):
    data = {f"src/p{i}.ts": {"file": f"assets/p{i}.js"} for i in range(100_000)}
    manifest = _parse(data)
    assert manifest.entry("src/p99999.ts").script == "assets/p99999.js"

    def quadratic(*args, **kwargs):  # difflib: ~50 us a name, 5 s here
        raise AssertionError("difflib ranked 100,000 names")

    # An error page stays fast on a huge build: names are ranked by shared prefix, not difflib
    # (a speed goal is the benchmarks'; what is tested is that the bounded path is taken).
    monkeypatch.setattr("django_duet.build.manifest.difflib.get_close_matches", quadratic)
    with pytest.raises(EntryNotFound) as info:
        manifest.entry("src/p12345.tsx")
    assert info.value.known[0] == "src/p12345.ts"
    assert "(and 99988 more)" in str(info.value)  # the message stays short


def test_a_manifest_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "manifest.json"
    with path.open("wb") as file:
        file.truncate(MAX_MANIFEST_BYTES + 1)  # sparse: nothing is written, nothing read
    with pytest.raises(ManifestInvalid) as info:
        read_manifest(path)
    assert info.value.problem == f"{MAX_MANIFEST_BYTES + 1} bytes, over the 33554432 bytes limit"


def test_an_oversized_manifest_is_a_deploy_check_error(tmp_path, settings):
    path = tmp_path / "manifest.json"
    with path.open("wb") as file:
        file.truncate(MAX_MANIFEST_BYTES + 1)
    settings.DUET = {**settings.DUET, "MANIFEST_PATH": path}
    [error] = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "duet.E003"]
    assert "over the 33554432 bytes limit" in error.msg


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{"a": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001, "JSON nested too deeply"),
        (
            '{"a": {"file": "a.js", "imports": ' + "[" * 50_000 + "]" * 50_000 + "}}",
            "JSON nested too deeply",
        ),
        ("\ufeff{}", "bad JSON at line 1 column 1: Unexpected UTF-8 BOM (decode using utf-8-sig)"),
        ('{"a": {"file": NaN}}', "entry 'a' has no 'file' string"),
        ('{"a": {"file": ["a.js"]}}', "entry 'a' has no 'file' string"),
        ('{"a": {"file": ""}}', "entry 'a' has no 'file' string"),
        (
            '{"a": {"file": "a.js", "imports": [null]}}',
            "entry 'a': 'imports' must be a list of strings",
        ),
        (
            '{"a": {"file": "a.js", "dynamicImports": {"b": 1}}}',
            "entry 'a': 'dynamicImports' must be a list of strings",
        ),
        (
            '{"a": {"file": "a.js", "dynamicImports": ["zzz"]}}',
            "entry 'a' imports 'zzz', which is absent",
        ),
        ('"just a string"', "expected a JSON object, got str"),
        ("null", "expected a JSON object, got NoneType"),
        ("1e999999", "expected a JSON object, got float"),
        ("", "bad JSON at line 1 column 1: Expecting value"),
    ],
)
def test_malformed_manifests_say_what_is_wrong(text, problem):
    with pytest.raises(ManifestInvalid) as info:
        parse_manifest(M, text)
    assert info.value.problem == problem


@pytest.mark.parametrize(
    "value",
    ["file:///etc/passwd", "data:text/javascript,alert(1)", "C:\\x.js", "\t.js"],
)
def test_more_paths_off_the_build_are_refused(value):
    with pytest.raises(UnsafeManifestPath) as info:
        _parse({"a": {"file": value}})
    assert info.value.value == value


def test_not_utf8(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_bytes(b'{"a": {"file": "\xff.js"}}')
    with pytest.raises(ManifestInvalid) as info:
        read_manifest(path)
    assert info.value.problem == "not UTF-8 (invalid start byte at byte 16)"


def test_hostile_file_names_cannot_break_out_of_the_tag(tmp_path, settings):
    # Legal relative names full of HTML and URL syntax: quoted by the storage, escaped by
    # format_html, so they stay one attribute value.
    names = ['assets/x".js', "assets/x'><script>alert(1)</script>.js", "assets/x?y#z.js"]
    build = tmp_path / "dist"
    (build / ".vite").mkdir(parents=True)
    data = {"src/main.ts": {"file": names[0], "imports": ["_b", "_c"]}}
    data["_b"] = {"file": names[1]}
    data["_c"] = {"file": names[2]}
    (build / ".vite" / "manifest.json").write_text(json.dumps(data))
    settings.DUET = {"BUILD_DIR": build}
    html = (
        engines["django"]
        .from_string('{% load duet %}{% duet_entry "src/main.ts" %}')
        .render({}, RequestFactory().get("/"))
    )
    assert "<script>alert" not in html and "x'>" not in html and 'x".js' not in html
    assert html.split("\n")[1:] == [
        '<script type="module" src="/static/assets/x%22.js"></script>',
        '<link rel="modulepreload" '
        'href="/static/assets/x&#x27;%3E%3Cscript%3Ealert(1)%3C/script%3E.js">',
        '<link rel="modulepreload" href="/static/assets/x%3Fy%23z.js">',
    ]


@pytest.mark.parametrize("text", ["{}", '{"_shared.js": {"file": "s.js"}}'])
def test_an_unknown_entry_in_a_build_without_entries(text):
    # Found by test_fuzz.py: difflib raised ValueError (n=0) instead of EntryNotFound.
    with pytest.raises(EntryNotFound) as info:
        parse_manifest(M, text).entry("src/main.tsx")
    assert info.value.known == []
    assert "Entries there, nearest first: none." in str(info.value)
