"""The migration pages, run: each page's peer setup (settings and a template with the peer's
tags) and its django-duet translation are read from the page's marked code blocks; the
translation renders the page's HTML on a fixture build, and loads the files the peer loaded."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from django_duet.dev import server as devserver
from tests.dev.fake_devserver import FakeDevServer
from tests.helpers import render_template

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
WEBPACK_PAGE = ROOT / "docs" / "migrating-from-django-webpack-loader.md"
VITE_PAGE = ROOT / "docs" / "migrating-from-django-vite.md"
_BLOCK = re.compile(r"<!-- tested: ([\w-]+) -->\n```\w*\n(.*?)```", re.S)
_BUILD_ID = re.compile(r'(<meta name="duet-build" content=")[0-9a-f]{16}(">)')


def blocks(page: Path) -> dict[str, str]:
    """The code blocks the page marks ``<!-- tested: name -->``."""
    return dict(_BLOCK.findall(page.read_text()))


def run_settings(block: str, base_dir: Path, debug: bool = False) -> dict[str, Any]:
    """A settings block run as settings.py would run it."""
    namespace: dict[str, Any] = {"BASE_DIR": base_dir, "DEBUG": debug}
    exec(block, namespace)
    return {k: v for k, v in namespace.items() if k.isupper()}


def template(block: str) -> str:
    """A page's template without its ``{% load %}`` line (the helper loads duet)."""
    first, _, rest = block.partition("\n")
    assert first == "{% load duet %}", first
    return rest


def peer_names(block: str, tag: str) -> list[str]:
    return re.findall(rf"{{% {tag} '([^']+)'", block)


def urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


# django-webpack-loader -----------------------------------------------------------------------

WEBPACK_PROJECT = FIXTURES / "webpack-stats-v1"  # the layout of django-webpack-loader's README


@pytest.fixture
def webpack_page(settings):
    page = blocks(WEBPACK_PAGE)
    ported = run_settings(page["settings"], WEBPACK_PROJECT)
    settings.STATICFILES_DIRS = ported["STATICFILES_DIRS"]
    settings.DUET = ported["DUET"]
    return page


def test_the_webpack_loader_page_renders_its_html(webpack_page):
    html = render_template(template(webpack_page["template"]))
    assert _BUILD_ID.sub(r"\1…\2", html) == webpack_page["html"]


def test_the_webpack_loader_page_loads_what_render_bundle_loaded(webpack_page):
    """django-webpack-loader's URL for a chunk file: STATIC_URL + BUNDLE_DIR_NAME + its name
    (publicPath aside), the js of ``render_bundle 'main' 'js'``, the css of ``'css'``."""
    peer = run_settings(webpack_page["peer-settings"], WEBPACK_PROJECT)["WEBPACK_LOADER"]
    config = peer["DEFAULT"]
    stats = json.loads(Path(config["STATS_FILE"]).read_text())
    bundles = peer_names(webpack_page["peer-template"], "render_bundle")
    assert bundles == ["main", "main"]
    names = [chunk["name"] for chunk in stats["chunks"]["main"]]
    loaded = [f"/static/{config['BUNDLE_DIR_NAME']}{n}" for n in names]
    css = [u for u in loaded if u.endswith(".css")]
    js = [u for u in loaded if u.endswith(".js")]
    html = render_template(template(webpack_page["template"]))
    assert urls(html) == js + css  # the same files and URLs, scripts deferred in the <head>
    assert re.findall(r'{% duet_entry "([^"]+)"', webpack_page["template"]) == ["main"]
    # The settings' translation, as the page's table gives it.
    ported = run_settings(webpack_page["settings"], WEBPACK_PROJECT)["DUET"]
    assert ported["MANIFEST_PATH"] == config["STATS_FILE"]
    assert ported["STATIC_PREFIX"] + "/" == config["BUNDLE_DIR_NAME"]


def test_the_webpack_loader_page_stays_right_with_a_stats_file_in_the_build(tmp_path, settings):
    """The stats file in output.path (the plugin's `path`): no MANIFEST_PATH, as the page says."""
    build = tmp_path / "assets" / "bundles"
    shutil.copytree(WEBPACK_PROJECT / "assets" / "bundles", build)
    shutil.copy(WEBPACK_PROJECT / "webpack-stats.json", build)
    page = blocks(WEBPACK_PAGE)
    ported = run_settings(page["settings"], tmp_path)
    del ported["DUET"]["MANIFEST_PATH"]
    settings.STATICFILES_DIRS = ported["STATICFILES_DIRS"]
    settings.DUET = ported["DUET"]
    html = render_template(template(page["template"]))
    assert _BUILD_ID.sub(r"\1…\2", html) == page["html"]


# django-vite ---------------------------------------------------------------------------------


@pytest.fixture
def vite_project(tmp_path) -> Path:
    """A project whose frontend/dist is the fixture Vite build."""
    shutil.copytree(FIXTURES / "build", tmp_path / "frontend" / "dist")
    return tmp_path


@pytest.fixture
def vite_page(settings, vite_project):
    page = blocks(VITE_PAGE)
    ported = run_settings(page["settings"], vite_project)
    settings.STATICFILES_DIRS = ported["STATICFILES_DIRS"]
    settings.DUET = ported["DUET"]
    return page


def test_the_django_vite_page_renders_its_html_in_production(vite_page):
    html = render_template(template(vite_page["template"]))
    assert _BUILD_ID.sub(r"\1…\2", html) == vite_page["html"]


def test_the_django_vite_page_loads_what_vite_asset_loaded(vite_page, vite_project):
    """django-vite's files for an entry: its file, its static imports' files, their CSS; the
    peer's settings name the same manifest the ported ones read."""
    peer = run_settings(vite_page["peer-settings"], vite_project)["DJANGO_VITE"]["default"]
    manifest = json.loads(Path(peer["manifest_path"]).read_text())
    entries = peer_names(vite_page["peer-template"], "vite_asset")
    assert entries == ["src/main.tsx"]
    wanted: set[str] = set()
    pending = list(entries)
    while pending:
        chunk = manifest[pending.pop()]
        if chunk["file"] not in wanted:
            wanted |= {chunk["file"], *chunk.get("css", ())}
            pending += chunk.get("imports", [])
    (logo,) = peer_names(vite_page["peer-template"], "vite_asset_url")
    html = render_template(template(vite_page["template"]))
    prefix = "/static/" + peer["static_url_prefix"]
    assert sorted(urls(html)) == sorted(prefix + f for f in {*wanted, manifest[logo]["file"]})
    ported = run_settings(vite_page["settings"], vite_project)["DUET"]
    assert ported["STATIC_PREFIX"] == peer["static_url_prefix"]


def test_the_django_vite_page_renders_its_dev_html_while_vite_runs(
    vite_page, vite_project, settings
):
    settings.DEBUG = True
    settings.DUET = run_settings(vite_page["settings"], vite_project, debug=True)["DUET"]
    server = FakeDevServer().start()
    try:
        server.hot_file(vite_project / "frontend" / ".duet-hot")  # the default HOT_FILE
        html = render_template(template(vite_page["template"]))
    finally:
        server.stop()
        devserver.clear_cache()  # the next test must not see this server
    assert html == vite_page["dev-html"]
