"""Vite 8's ``build.chunkImportMap``: ``{% duet_entry %}`` emits the build's import map first
(before any module script or modulepreload), once per page, with the nonce and this site's
URLs; compared as exact HTML on a build in the shape Vite 8.3 writes (manifest + importmap.json,
checked against a real `vite build` with the option on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from django_duet.build.record import sri_hash
from django_duet.pages import prepared
from django_duet.pages.importmap import ImportMapError
from django_duet.pages.links import add_link_header

# Vite's output with base "/static/": chunks import each other by stable names (the keys).
MANIFEST = {
    "src/main.tsx": {
        "file": "assets/main-Hash0001.js",
        "src": "src/main.tsx",
        "isEntry": True,
        "imports": ["_vendor-Hash0002.js"],
        "dynamicImports": ["src/lazy.tsx"],
        "css": ["assets/main-Css00001.css"],
    },
    "_vendor-Hash0002.js": {"file": "assets/vendor-Hash0002.js"},
    "src/lazy.tsx": {
        "file": "assets/lazy-Hash0003.js",
        "src": "src/lazy.tsx",
        "isDynamicEntry": True,
        "imports": ["_vendor-Hash0002.js"],
    },
}
IMPORT_MAP = {
    "imports": {
        "/static/assets/main-Stable01.js": "/static/assets/main-Hash0001.js",
        "/static/assets/vendor-Stable02.js": "/static/assets/vendor-Hash0002.js",
        "/static/assets/lazy-Stable03.js": "/static/assets/lazy-Hash0003.js",
    }
}


@pytest.fixture
def build(tmp_path, settings) -> Path:
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "importmap.json").write_text(json.dumps(IMPORT_MAP))
    (tmp_path / "assets").mkdir()
    for chunk in MANIFEST.values():
        (tmp_path / chunk["file"]).write_text(f"// {chunk['file']}\n")
    (tmp_path / "assets" / "main-Css00001.css").write_text("main { color: red }\n")
    settings.DUET = {"BUILD_DIR": tmp_path}
    return tmp_path


def render(source: str, nonce: str | None = "n0nce") -> str:
    request = RequestFactory().get("/")
    if nonce:
        request.csp_nonce = nonce
    return Template("{% load duet %}" + source).render(Context({"request": request}))


def importmap(urls: dict[str, str], nonce: str = "n0nce", **more: object) -> str:
    data = json.dumps({"imports": urls, **more}, separators=(",", ":"))
    return f'<script type="importmap" nonce="{nonce}">{data}</script>'


SAME_ORIGIN = {
    "/static/assets/main-Stable01.js": "/static/assets/main-Hash0001.js",
    "/static/assets/vendor-Stable02.js": "/static/assets/vendor-Hash0002.js",
    "/static/assets/lazy-Stable03.js": "/static/assets/lazy-Hash0003.js",
}


def test_the_map_comes_first_with_the_nonce_once_per_page(build):
    html = render('{% duet_entry "src/main.tsx" %}{% duet_entry "src/lazy.tsx" %}')
    lines = html.split("\n")
    assert lines[0] == importmap(SAME_ORIGIN)
    assert lines[1] == '<meta property="csp-nonce" nonce="n0nce">'
    assert lines[3] == (
        '<script type="module" src="/static/assets/main-Hash0001.js" nonce="n0nce"></script>'
    )
    assert html.count('type="importmap"') == 1
    # Before any module script or modulepreload of the page.
    assert html.index("importmap") < html.index('type="module"') < html.index("modulepreload")


def test_without_nonce_and_without_a_map(build):
    assert render('{% duet_entry "src/main.tsx" %}', nonce=None).startswith(
        '<script type="importmap">{"imports":'
    )
    (build / "importmap.json").unlink()
    prepared.clear_cache()  # read once per build: a deploy brings a new manifest with it
    assert "importmap" not in render('{% duet_entry "src/main.tsx" %}')


def test_urls_follow_the_static_storage(build, settings):
    # A CDN: the chunks import stable names relative to their own URL, so the keys move too.
    settings.STATIC_URL = "https://cdn.example.test/v2/"
    settings.DUET = {**settings.DUET, "STATIC_PREFIX": "front", "SRI": False}
    first = render('{% duet_entry "src/main.tsx" %}').split("\n")[0]
    cdn = "https://cdn.example.test/v2/front/assets/"
    assert first == importmap(
        {
            cdn + "main-Stable01.js": cdn + "main-Hash0001.js",
            cdn + "vendor-Stable02.js": cdn + "vendor-Hash0002.js",
            cdn + "lazy-Stable03.js": cdn + "lazy-Hash0003.js",
        }
    )


def test_sri_puts_each_files_hash_in_the_maps_integrity(build, settings):
    settings.DUET = {**settings.DUET, "SRI": True}
    first = render('{% duet_entry "src/main.tsx" %}').split("\n")[0]
    hashes = {url: sri_hash(build / url.removeprefix("/static/")) for url in SAME_ORIGIN.values()}
    assert first == importmap(SAME_ORIGIN, integrity=hashes)


def test_the_json_cannot_end_the_script(build):
    (build / "importmap.json").write_text(
        json.dumps({"imports": {"/static/assets/x<b>&.js": "/static/assets/main-Hash0001.js"}})
    )
    first = render('{% duet_entry "src/main.tsx" %}').split("\n")[0]
    assert "x\\u003Cb\\u003E\\u0026.js" in first and "<b>" not in first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"imports": ["a"]}', 'has no "imports" object of strings'),
        ('{"imports": {"/static/a.js": "/static/assets/gone-0000.js"}}', "which is not a file"),
    ],
)
def test_a_broken_map_says_what_to_do(build, content, message):
    (build / "importmap.json").write_text(content)
    with pytest.raises(ImportMapError, match=message) as error:
        render('{% duet_entry "src/main.tsx" %}')
    assert str(build / "importmap.json") in str(error.value)


def test_with_a_map_the_link_header_holds_the_stylesheets_only(build, settings):
    """A module preloaded from the header may be parsed before the map: Chromium then resolves
    its imports without it (the e2e test saw the 404s). Stylesheets are safe to hint."""
    settings.DUET = {**settings.DUET, "LINK_HEADER_MODULES": True}
    request = RequestFactory().get("/")
    Template('{% load duet %}{% duet_entry "src/main.tsx" %}').render(Context({"request": request}))
    response = add_link_header(request, HttpResponse())
    assert response["Link"] == "</static/assets/main-Css00001.css>; rel=preload; as=style"
    (build / "importmap.json").unlink()
    prepared.clear_cache()
    request = RequestFactory().get("/")
    Template('{% load duet %}{% duet_entry "src/main.tsx" %}').render(Context({"request": request}))
    assert add_link_header(request, HttpResponse())["Link"] == (
        "</static/assets/main-Css00001.css>; rel=preload; as=style, "
        "</static/assets/main-Hash0001.js>; rel=modulepreload, "
        "</static/assets/vendor-Hash0002.js>; rel=modulepreload"
    )


def test_a_leftover_import_map_is_a_start_up_error_e143(build: Path, settings) -> None:
    from django_duet.pages.checks import check_import_map

    assert check_import_map(None) == []  # the map of this very build
    # A later build without chunkImportMap, its folder not emptied: the old map names old files.
    manifest = json.loads((build / ".vite" / "manifest.json").read_text())
    manifest["src/main.tsx"]["file"] = "assets/main-Hash0009.js"
    (build / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    settings.DUET = {"BUILD_DIR": build}  # a new process reads the new build
    [error] = check_import_map(None)
    assert error.id == "duet.E143"
    assert "main-Hash0001.js" in error.msg
    assert str(build / "importmap.json") in error.hint
    (build / "importmap.json").unlink()
    assert check_import_map(None) == []
