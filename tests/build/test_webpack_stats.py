"""webpack-bundle-tracker's webpack-stats.json (django-webpack-loader's file), 1.x and 3.x
shapes (tests/fixtures/webpack-stats-v1, -v3), read into the model the tags use; unfinished and
hostile files refused with errors that name the file and the format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from django_duet.build.formats import default_manifest_path, detect, parse_manifest, read_manifest
from django_duet.exceptions import EntryNotFound, ManifestInvalid, UnsafeManifestPath

FIXTURES = Path(__file__).parents[1] / "fixtures"
V3 = FIXTURES / "webpack-stats-v3"
V3_STATS = V3 / "webpack-stats.json"
V1 = FIXTURES / "webpack-stats-v1"
V1_STATS = V1 / "webpack-stats.json"
KIND = "not a valid webpack-bundle-tracker manifest"


def parse(data: object, format: str | None = "webpack-stats") -> object:
    return parse_manifest(Path("webpack-stats.json"), json.dumps(data), format)


def test_both_shapes_are_detected_from_the_content():
    assert detect(json.loads(V3_STATS.read_text())) == "webpack-stats"
    assert detect(json.loads(V1_STATS.read_text())) == "webpack-stats"
    assert detect({"status": "compile"}) == "webpack-stats"
    assert read_manifest(V3_STATS, None).format == "webpack-stats"
    assert read_manifest(V1_STATS, None).format == "webpack-stats"


def test_v3_chunks_become_entries_in_webpacks_order():
    manifest = read_manifest(V3_STATS, "webpack-stats")
    main = manifest.entry("main")
    assert main.script is None and main.preloads == ()
    assert main.scripts == (
        "js/runtime.4f1a2b3c.js",
        "js/vendors.9c2e7d10.js",
        "js/main.d3a05b21.js",
    )
    assert main.styles == ("css/main.6b7d8e9f.css",)
    admin = manifest.entry("admin")
    assert admin.scripts == (
        "js/runtime.4f1a2b3c.js",
        "js/vendors.9c2e7d10.js",
        "js/admin.77e0c4aa.js",
    )
    assert admin.styles == ()
    # Assets by name, and an asset module by its source file; source maps left out.
    assert manifest.chunk("src/logo.svg").file == "media/logo.8035a964.svg"
    assert manifest.chunk("js/480.aa11bb22.chunk.js").file == "js/480.aa11bb22.chunk.js"
    assert not any(f.endswith(".map") for f in manifest.files())
    assert all((V3 / name).is_file() for name in manifest.files())


def test_v3_integrity_is_written_by_the_plugin_for_each_file():
    data = json.loads(V3_STATS.read_text())
    manifest = read_manifest(V3_STATS, None)
    assert (
        manifest.integrity["js/main.d3a05b21.js"]
        == (data["assets"]["js/main.d3a05b21.js"]["integrity"])
    )
    assert manifest.integrity["js/main.d3a05b21.js"].split()[0].startswith("sha256-")
    assert set(manifest.integrity) == manifest.files()


def test_v1_chunk_objects_are_read_by_their_name():
    manifest = read_manifest(V1_STATS, None)
    main = manifest.entry("main")
    assert main.scripts == ("vendors-0828904584990b611fb8.js", "main-0828904584990b611fb8.js")
    assert main.styles == ("main-0828904584990b611fb8.css",)
    assert manifest.integrity == {}  # 1.x wrote none: duet build's record or the files give it
    assert all((V1 / "assets" / "bundles" / name).is_file() for name in manifest.files())


def test_v1_integrity_on_a_chunk_object_is_kept():
    manifest = parse(
        {"status": "done", "chunks": {"main": [{"name": "main.js", "integrity": "sha384-x"}]}}
    )
    assert manifest.integrity == {"main.js": "sha384-x"}


def test_a_huge_status_is_shown_bounded_and_a_listed_source_map_is_left_out():
    with pytest.raises(ManifestInvalid) as caught:
        parse({"status": "x" * 10**6})
    assert len(caught.value.problem) < 200
    manifest = parse({"status": "done", "chunks": {"main": [{"name": "main.js.map"}]}})
    assert manifest.files() == set()


def test_a_query_in_a_name_is_not_part_of_the_file_and_hot_updates_are_left_out():
    manifest = parse(
        {
            "status": "done",
            "chunks": {"main": ["main.js?5e6f", "main.css?7a8b", "main.1a2b.hot-update.js"]},
            "assets": {"main.js?5e6f": {"name": "main.js?5e6f", "integrity": "sha384-x"}},
        }
    )
    assert manifest.entry("main").scripts == ("main.js",)
    assert manifest.entry("main").styles == ("main.css",)
    assert manifest.integrity == {"main.js": "sha384-x"}
    with pytest.raises(UnsafeManifestPath):
        parse({"status": "done", "chunks": {"main": ["../main.js?x"]}})


def test_an_unknown_entry_names_the_chunks():
    with pytest.raises(EntryNotFound) as caught:
        read_manifest(V3_STATS, None).entry("mian")
    assert str(caught.value).index("'main'") < str(caught.value).index("'admin'")


@pytest.mark.parametrize("status", ["compile", "compiling", "initialization"])
def test_a_build_still_compiling_is_refused_at_once(tmp_path, status):
    path = tmp_path / "webpack-stats.json"
    path.write_text(json.dumps({"status": status, "assets": {}, "chunks": {}}))
    for format in (None, "webpack-stats"):
        with pytest.raises(ManifestInvalid) as caught:
            read_manifest(path, format)
        assert str(caught.value).startswith(f"The manifest {path} is {KIND}: status {status!r}")
        assert "webpack is still compiling" in caught.value.problem


def test_a_failed_build_is_refused_with_the_compilers_message():
    data = {
        "status": "error",
        "error": "ModuleNotFoundError",
        "message": "Module not found: Error: Can't resolve './missing' in '/app/src'",
    }
    with pytest.raises(ManifestInvalid, match=KIND) as caught:
        parse(data, None)
    assert caught.value.problem == (
        "status 'error': webpack failed to compile: ModuleNotFoundError: Module not found: Error: "
        "Can't resolve './missing' in '/app/src'. Fix it and build again"
    )
    # 0.4.x also named the file; a huge code frame is cut.
    data = {"status": "error", "error": "SyntaxError", "file": "./src/a.js", "message": "x" * 10**5}
    with pytest.raises(ManifestInvalid) as caught:
        parse(data)
    assert caught.value.problem.startswith(
        "status 'error': webpack failed to compile: SyntaxError: ./src/a.js: xxx"
    )
    assert len(caught.value.problem) < 2_200


def test_a_webpack_format_setting_on_a_stats_file_says_what_to_write():
    with pytest.raises(ManifestInvalid) as caught:
        read_manifest(V3_STATS, "webpack")
    assert "not a valid webpack manifest" in str(caught.value)
    assert caught.value.problem == (
        "DUET['MANIFEST_FORMAT'] is 'webpack', but the file is a webpack-bundle-tracker "
        "manifest: write 'webpack-stats', or None to detect the format"
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "no 'status' (webpack-bundle-tracker writes one: is this its file?)"),
        ({"status": "weird"}, "status 'weird', not 'done'"),
        ({"status": "done"}, "no 'chunks' object"),
        ({"status": "done", "chunks": {"main": "main.js"}}, "chunks['main'] is not a list"),
        ({"status": "done", "chunks": {"main": [1]}}, "chunks['main'] names no file"),
        ({"status": "done", "chunks": {"main": [{"path": "/a.js"}]}}, "chunks['main'] names no"),
        ({"status": "done", "chunks": {}, "assets": []}, "'assets' is not an object"),
        ({"status": "done", "chunks": {}, "assets": {"a.js": "a.js"}}, "assets['a.js'] is not"),
    ],
)
def test_a_file_of_another_shape_is_named(data, problem):
    with pytest.raises(ManifestInvalid, match=KIND) as caught:
        parse(data)
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    "name",
    [
        "../settings.py",
        "/etc/passwd",
        "https://evil.example/x.js",
        "js/../../x.js",
        "a\\b.js",
        "js//x.js",
        "x\x00.js",
    ],
)
def test_files_outside_the_build_directory_are_refused(name):
    shapes = [
        {"status": "done", "chunks": {"main": [name]}},
        {"status": "done", "chunks": {"main": [{"name": name}]}},
        {"status": "done", "chunks": {}, "assets": {name: {"name": name}}},
        {"status": "done", "chunks": {}, "assets": {"ok.js": {"name": name}}},
    ]
    for data in shapes:
        with pytest.raises(UnsafeManifestPath, match=KIND) as caught:
            parse(data)
        assert caught.value.value == name


def test_the_absolute_path_and_public_path_are_not_used():
    manifest = parse(
        {
            "status": "done",
            "publicPath": "https://cdn.example/bundles/",
            "chunks": {"main": ["main.js"]},
            "assets": {
                "main.js": {
                    "name": "main.js",
                    "path": "/somewhere/else/main.js",
                    "publicPath": "https://cdn.example/bundles/main.js",
                }
            },
        }
    )
    assert manifest.entry("main").scripts == ("main.js",)
    assert manifest.files() == {"main.js"}


def test_the_default_path_is_webpack_stats_json_in_the_build_directory(tmp_path):
    assert default_manifest_path(tmp_path, "webpack-stats") == tmp_path / "webpack-stats.json"
    assert default_manifest_path(tmp_path, None) == tmp_path / ".vite" / "manifest.json"
    assert default_manifest_path(V3, None) == V3_STATS


def test_errors_before_the_content_tells_name_the_format_by_the_file_name(tmp_path):
    path = tmp_path / "webpack-stats.json"
    path.write_text('{"status": "done",}')
    with pytest.raises(ManifestInvalid, match=f"{KIND}: bad JSON"):
        read_manifest(path, None)
