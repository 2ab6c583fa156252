"""webpack and create-react-app manifests, from real builds (tests/fixtures/*-project, each with
the script that regenerates its output), converted to the model the tags read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from django_duet.build.formats import (
    MAX_MANIFEST_BYTES,
    default_manifest_path,
    detect,
    parse_manifest,
    read_manifest,
)
from django_duet.build.record import sri_hash
from django_duet.exceptions import EntryNotFound, ManifestInvalid, UnsafeManifestPath
from django_duet.pages.html import nonce_attribute, prepare_entry

FIXTURES = Path(__file__).parents[1] / "fixtures"
WEBPACK = FIXTURES / "webpack-project" / "build"
WEBPACK_MANIFEST = WEBPACK / "assets-manifest.json"
VITE_MANIFEST = FIXTURES / "build" / ".vite" / "manifest.json"


def webpack_files() -> dict[str, str]:
    """The hashed names of this build, by role (they change when the fixture is rebuilt)."""
    data = json.loads(WEBPACK_MANIFEST.read_text())
    return {key: value["src"] for key, value in data.items() if key != "entrypoints"}


def test_formats_are_detected_from_the_content():
    assert detect(json.loads(WEBPACK_MANIFEST.read_text())) == "webpack"
    assert detect(json.loads(VITE_MANIFEST.read_text())) == "vite"
    assert detect({"files": {}, "entrypoints": []}) == "cra"
    assert read_manifest(WEBPACK_MANIFEST, None).format == "webpack"
    assert read_manifest(VITE_MANIFEST, None).format == "vite"


def test_webpack_entrypoints_become_entries_in_webpacks_order():
    f = webpack_files()
    manifest = read_manifest(WEBPACK_MANIFEST, "webpack")
    main = manifest.entry("main")
    assert main.script is None and main.preloads == ()
    assert main.scripts == (f["runtime.js"], f["shared.js"], f["main.js"])
    assert main.styles == (f["shared.css"], f["main.css"])
    admin = manifest.entry("admin")
    assert admin.scripts == (f["runtime.js"], f["shared.js"], f["admin.js"])
    assert admin.styles == (f["shared.css"],)
    assert manifest.chunk("media/logo.svg").file == f["media/logo.svg"]
    assert {*main.scripts, *main.styles, f["js/480.bdde27c9.chunk.js"]} <= manifest.files()
    assert all((WEBPACK / name).is_file() for name in manifest.files())


def test_webpacks_integrity_is_the_files_sha384():
    manifest = read_manifest(WEBPACK_MANIFEST, "webpack")
    assert manifest.integrity  # the plugin ran with integrity: true
    for file, sri in manifest.integrity.items():
        assert sri == sri_hash(WEBPACK / file), file
    assert "media/logo.8035a964.svg" not in manifest.integrity  # written empty: no hash


def test_webpack_tags_are_deferred_classic_scripts_then_stylesheets():
    f = webpack_files()
    manifest = read_manifest(WEBPACK_MANIFEST, "webpack")
    prepared = prepare_entry(
        manifest.entry("main"),
        lambda file: "/static/" + file,
        integrity_for=manifest.integrity.get,
    )
    sri = manifest.integrity
    assert nonce_attribute("n0nce").join(prepared.parts).split("\n") == [
        *(
            f'<script defer src="/static/{f[k]}" integrity="{sri[f[k]]}" nonce="n0nce"></script>'
            for k in ("runtime.js", "shared.js", "main.js")
        ),
        *(
            f'<link rel="stylesheet" href="/static/{f[k]}" integrity="{sri[f[k]]}" nonce="n0nce">'
            for k in ("shared.css", "main.css")
        ),
    ]


def test_webpack_without_integrity_has_plain_names(tmp_path):
    data = json.loads(WEBPACK_MANIFEST.read_text())
    plain = {k: (v if k == "entrypoints" else v["src"]) for k, v in data.items()}
    path = tmp_path / "assets-manifest.json"
    path.write_text(json.dumps(plain))
    manifest = read_manifest(path, None)
    assert manifest.integrity == {}
    assert manifest.entry("main") == read_manifest(WEBPACK_MANIFEST, None).entry("main")


def test_an_unknown_entry_names_the_entrypoints():
    manifest = read_manifest(WEBPACK_MANIFEST, "webpack")
    with pytest.raises(EntryNotFound) as caught:
        manifest.entry("mian")
    assert "main" in str(caught.value)


def test_a_public_path_prefix_in_the_plugin_output_is_refused(tmp_path):
    path = tmp_path / "assets-manifest.json"
    path.write_text(json.dumps({"main.js": "/static/js/main.js", "entrypoints": {}}))
    with pytest.raises(UnsafeManifestPath):
        read_manifest(path, "webpack")


def test_a_format_setting_that_contradicts_the_file_is_an_error():
    with pytest.raises(ManifestInvalid, match="is a webpack manifest"):
        read_manifest(WEBPACK_MANIFEST, "cra")
    with pytest.raises(ManifestInvalid, match="parcel"):
        parse_manifest(WEBPACK_MANIFEST, WEBPACK_MANIFEST.read_text(), "parcel")


@pytest.mark.parametrize(
    ("format", "name"),
    [
        ("vite", "Vite"),
        ("webpack", "webpack"),
        ("webpack-stats", "webpack-bundle-tracker"),
        ("cra", "create-react-app"),
        (None, "Vite, webpack, webpack-bundle-tracker or create-react-app"),
    ],
)
def test_every_format_reads_its_file_through_one_error_path(tmp_path, format, name):
    path = tmp_path / "manifest.json"
    path.write_text(text := '{"main.js": "js/main.js",}')
    with pytest.raises(ManifestInvalid) as caught:
        read_manifest(path, format)
    with pytest.raises(json.JSONDecodeError) as bad:  # its wording changed in Python 3.13
        json.loads(text)
    where = f"line {bad.value.lineno} column {bad.value.colno}"
    assert caught.value.problem == f"bad JSON at {where}: {bad.value.msg}"
    assert str(caught.value).startswith(f"The manifest {path} is not a valid {name} manifest: ")
    with path.open("wb") as file:
        file.truncate(MAX_MANIFEST_BYTES + 1)
    with pytest.raises(ManifestInvalid, match=f"not a valid {name} manifest: .* bytes limit"):
        read_manifest(path, format)
    path.write_bytes(b"{\xff}")
    with pytest.raises(ManifestInvalid, match=f"not a valid {name} manifest: not UTF-8"):
        read_manifest(path, format)


@pytest.mark.parametrize(
    ("format", "text", "problem"),
    [
        ("webpack", "{}", "no 'entrypoints' object"),
        ("webpack", "[]", "no 'entrypoints' object"),
        ("webpack", '{"entrypoints": {"main": []}}', "entrypoint 'main' has no 'assets' object"),
        ("webpack", '{"entrypoints": {"main": {"assets": []}}}', "entrypoint 'main' has no"),
        ("cra", "{}", "no 'files' object"),
        ("cra", '{"files": {}, "entrypoints": "main.js"}', "entrypoints must be a list of strings"),
    ],
)
def test_a_file_of_another_shape_than_its_format_is_named(format, text, problem):
    with pytest.raises(ManifestInvalid) as caught:
        parse_manifest(Path("m.json"), text, format)
    assert problem in caught.value.problem
    assert f"{'webpack' if format == 'webpack' else 'create-react-app'} manifest" in str(
        caught.value
    )


def test_unsafe_paths_name_the_format():
    text = json.dumps({"main.js": "../x.js", "entrypoints": {}})
    with pytest.raises(UnsafeManifestPath, match=r"not a valid webpack manifest: .*'\.\./x\.js'"):
        parse_manifest(Path("m.json"), text, "webpack")


def test_the_default_manifest_path_follows_the_format(tmp_path):
    assert default_manifest_path(tmp_path, "cra") == tmp_path / "asset-manifest.json"
    assert default_manifest_path(tmp_path, None) == tmp_path / ".vite" / "manifest.json"
    (tmp_path / "assets-manifest.json").write_text("{}")
    assert default_manifest_path(tmp_path, None) == tmp_path / "assets-manifest.json"
    assert default_manifest_path(WEBPACK, None) == WEBPACK_MANIFEST


CRA = FIXTURES / "cra-project" / "build"
CRA_MANIFEST = CRA / "asset-manifest.json"


def test_cra_has_one_entry_named_main_in_cras_order():
    data = json.loads(CRA_MANIFEST.read_text())
    manifest = read_manifest(CRA_MANIFEST, None)
    assert manifest.format == "cra" and manifest.integrity == {}
    main = manifest.entry("main")
    assert main.scripts == (data["files"]["main.js"].removeprefix("/"),)
    assert main.styles == (data["files"]["main.css"].removeprefix("/"),)
    assert manifest.chunk("main.js").file == main.scripts[0]  # {% duet_asset "main.js" %}
    assert all((CRA / name).is_file() for name in manifest.files())


def test_cras_public_url_prefix_is_removed(tmp_path):
    data = json.loads(CRA_MANIFEST.read_text())
    data["files"] = {k: "/static" + v for k, v in data["files"].items()}  # PUBLIC_URL=/static
    path = tmp_path / "asset-manifest.json"
    path.write_text(json.dumps(data))
    manifest = read_manifest(path, "cra")
    assert manifest.chunk("main.css").file == data["entrypoints"][0]
    assert manifest.entry("main") == read_manifest(CRA_MANIFEST, "cra").entry("main")
