"""Finding the server bundle: the record duetSsr() writes, DUET["SSR_BUNDLE"], reloads."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from django_duet.ssr.bundle import bundle_from_record, clear_cache, get_bundle, read_bundle
from django_duet.ssr.errors import SsrBundleInvalid, SsrBundleNotFound


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def write_build(build: Path, name: str, source: str = "var x = 1;\n") -> Path:
    bundle = build / ".vite" / "ssr" / name
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_text(source)
    record = build / ".vite" / "duet-ssr.json"
    record.write_text(json.dumps({"version": 1, "file": f".vite/ssr/{name}", "entry": "x"}))
    return bundle


def test_the_record_names_the_bundle(tmp_path, settings):
    bundle = write_build(tmp_path, "server-AAAA.js", "var a = 1;\n")
    settings.DUET = {"BUILD_DIR": tmp_path}
    found = get_bundle()
    assert found.path == bundle
    assert found.source == "var a = 1;\n"


def test_without_a_record_the_error_says_how_to_build_one(tmp_path, settings):
    settings.DUET = {"BUILD_DIR": tmp_path}
    with pytest.raises(SsrBundleNotFound) as info:
        get_bundle()
    message = str(info.value)
    assert str(tmp_path / ".vite" / "duet-ssr.json") in message
    assert "duetSsr({ entry: 'src/ssr/server.tsx' })" in message


@pytest.mark.parametrize(
    "record, problem",
    [
        ("{not json", "the record is not JSON"),
        ('{"version": 2, "file": "x.js"}', "not a version 1 duet-ssr.json"),
        ('{"version": 1}', "no 'file' string"),
        ('{"version": 1, "file": "../../etc/passwd"}', "outside the build directory"),
        ('{"version": 1, "file": "/etc/passwd"}', "outside the build directory"),
        ('{"version": 1, "file": ".vite\\\\..\\\\x.js"}', "outside the build directory"),
    ],
)
def test_a_bad_record_is_refused(tmp_path, record, problem):
    path = tmp_path / ".vite" / "duet-ssr.json"
    path.parent.mkdir()
    path.write_text(record)
    with pytest.raises(SsrBundleInvalid, match=problem):
        bundle_from_record(path)


def test_a_record_naming_a_missing_file(tmp_path, settings):
    write_build(tmp_path, "server-AAAA.js").unlink()
    settings.DUET = {"BUILD_DIR": tmp_path}
    with pytest.raises(SsrBundleNotFound, match=r"No server bundle at .*server-AAAA\.js"):
        get_bundle()


def test_ssr_bundle_setting_names_the_file(tmp_path, settings):
    path = tmp_path / "elsewhere.js"
    path.write_text("var y;\n")
    settings.DUET = {"BUILD_DIR": tmp_path / "nowhere", "SSR_BUNDLE": str(path)}
    assert get_bundle().path == path


@pytest.mark.parametrize("dev_mode", [True, False])
def test_a_rebuild_is_picked_up_in_dev_mode_only(tmp_path, settings, dev_mode):
    settings.DUET = {"BUILD_DIR": tmp_path, "DEV_MODE": dev_mode}
    first = write_build(tmp_path, "server-AAAA.js")
    assert get_bundle().path == first
    second = write_build(tmp_path, "server-BBBB.js")
    os.utime(tmp_path / ".vite" / "duet-ssr.json", ns=(1, 1))  # whatever the clock resolution
    # In production the bundle is read once per process.
    assert get_bundle().path == (second if dev_mode else first)


def test_a_bundle_that_is_not_utf8(tmp_path):
    path = tmp_path / "server.js"
    path.write_bytes(b"var x = '\xff';\n")
    with pytest.raises(SsrBundleInvalid, match="not UTF-8"):
        read_bundle(path)


def test_a_bundle_that_cannot_be_read(tmp_path):
    # A directory where the file should be: an OSError other than "not found".
    (tmp_path / "server.js").mkdir()
    with pytest.raises(SsrBundleInvalid, match="cannot be read"):
        read_bundle(tmp_path / "server.js")
