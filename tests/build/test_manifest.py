"""Manifest resolution over a hand-built manifest: chains, cycles, shared chunks, CSS, assets."""

import dataclasses
from pathlib import Path

import pytest

from django_duet.build.formats import parse_manifest, read_manifest
from django_duet.exceptions import (
    EntryNotFound,
    ManifestInvalid,
    ManifestNotFound,
    UnsafeManifestPath,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "build" / ".vite" / "manifest.json"


@pytest.fixture
def manifest():
    return read_manifest(FIXTURE)


def test_entry_with_chain_preloads_transitively_each_once(manifest):
    assets = manifest.entry("src/main.tsx")
    assert assets.script == "assets/main-AbCd1234.js"
    # shared is imported by main and by chain-b: listed once; chain-b before chain-a (post-order)
    assert assets.preloads == (
        "assets/shared-Sh4red00.js",
        "assets/chain-b-ChainB00.js",
        "assets/chain-a-ChainA00.js",
    )


def test_css_of_imported_chunks_comes_first_and_once(manifest):
    assert manifest.entry("src/main.tsx").styles == (
        "assets/shared-SharedC0.css",
        "assets/chain-b-ChainBC0.css",
        "assets/main-MainCss0.css",
    )


def test_dynamic_imports_are_not_preloaded(manifest):
    assets = manifest.entry("src/main.tsx")
    everything = (assets.script, *assets.preloads, *assets.styles)
    assert not any("lazy" in f for f in everything)
    assert len(everything) == 7  # an entry resolved to nothing would pass the line above


def test_cycles_terminate_and_never_preload_the_entry_itself(manifest):
    assets = manifest.entry("src/admin.tsx")
    assert assets.script == "assets/admin-Adm1n000.js"
    assert assets.preloads == (
        "assets/shared-Sh4red00.js",
        "assets/cycle-b-CycleB00.js",
        "assets/cycle-a-CycleA00.js",
    )
    assert assets.styles == ("assets/shared-SharedC0.css",)


def test_css_only_entry_gives_stylesheets_and_no_script(manifest):
    assets = manifest.entry("src/theme.css")
    assert assets.script is None
    assert assets.preloads == ()
    assert assets.styles == ("assets/theme-Them3Css.css",)


def test_dynamic_entry_can_be_resolved_on_its_own(manifest):
    assets = manifest.entry("src/lazy.tsx")
    assert assets.preloads == ("assets/shared-Sh4red00.js", "assets/lazy-only-LazyOnly.js")
    assert assets.styles == ("assets/shared-SharedC0.css", "assets/lazy-LazyCss0.css")


def test_assets_by_source_path(manifest):
    assert manifest.chunk("src/logo.svg").file == "assets/logo-L0g0L0g0.svg"


def test_the_model_is_immutable_and_resolves_the_same_each_time(manifest):
    # What the tags prepare from a build is kept beside it (pages.prepared), never on it.
    with pytest.raises(dataclasses.FrozenInstanceError):
        manifest.build_id = "x"
    assert not [f.name for f in dataclasses.fields(manifest) if f.name.startswith("_")]
    assert manifest.entry("src/main.tsx") == manifest.entry("src/main.tsx")


def test_unknown_entry_lists_entries_nearest_first(manifest):
    with pytest.raises(EntryNotFound) as info:
        manifest.entry("src/mian.tsx")
    assert info.value.known[0] == "src/main.tsx"
    assert not any(k.startswith("_") for k in info.value.known)
    message = str(info.value)
    assert "'src/mian.tsx' is not in the manifest" in message
    assert str(FIXTURE) in message
    assert "input" in message


def test_missing_file_names_the_path():
    with pytest.raises(ManifestNotFound) as info:
        read_manifest(Path("/nonexistent/.vite/manifest.json"))
    assert "/nonexistent/.vite/manifest.json" in str(info.value)
    assert "duet build" in str(info.value)


def test_malformed_json_gives_file_and_position():
    with pytest.raises(ManifestInvalid) as info:
        parse_manifest(Path("m.json"), '{\n  "a": {"file": "x.js",}\n}')
    assert "m.json" in str(info.value)
    assert "line 2 column" in str(info.value)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[]", "expected a JSON object, got list"),
        ('{"a": 1}', "entry 'a' is a int"),
        ('{"a": {}}', "entry 'a' has no 'file' string"),
        ('{"a": {"file": "a.js", "imports": "b"}}', "'imports' must be a list of strings"),
        ('{"a": {"file": "a.js", "imports": ["_missing"]}}', "imports '_missing', which is absent"),
        ('{"a": {"file": "a.js", "css": [1]}}', "'css' must be a list of strings"),
    ],
)
def test_malformed_structure_is_named(text, problem):
    with pytest.raises(ManifestInvalid) as info:
        parse_manifest(Path("m.json"), text)
    assert problem in str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        "../secret.js",
        "assets/../../etc/passwd",
        "/etc/passwd",
        "\\\\host\\share.js",
        "assets\\..\\x.js",
        "https://evil.example/x.js",
        "//evil.example/x.js",
        "javascript:alert(1)",
        "assets/./x.js",
        "assets//x.js",
        "assets/x\x00.js",
        "assets/x\n.js",
    ],
)
def test_paths_escaping_the_build_dir_are_refused(value):
    import json

    for field in ("file", "css", "assets"):
        raw = {"file": "ok.js"}
        raw[field] = value if field == "file" else [value]
        with pytest.raises(UnsafeManifestPath) as info:
            parse_manifest(Path("m.json"), json.dumps({"src/a.ts": raw}))
        assert repr(value) in str(info.value)


def test_deeply_nested_json_is_a_clear_error():
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ManifestInvalid):
        parse_manifest(Path("m.json"), text)
