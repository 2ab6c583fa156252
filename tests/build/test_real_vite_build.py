"""Manifest resolution against a real `vite build`, with Vite's own HTML as the oracle.

For an HTML entry, Vite itself injects the entry script, a modulepreload for every statically
imported chunk, and every stylesheet: our resolution of the same entry must give the same files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from django_duet.build.formats import read_manifest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "tests" / "fixtures" / "vite-project"
FRONTEND = ROOT / "example" / "frontend"  # its node_modules provide vite
PLUGIN = ROOT / "js" / "dist" / "vite.js"

BUILD_SCRIPT = """
const { build } = await import("vite");
const { default: duet } = await import(process.argv[1]);
await build({
  root: process.argv[2], configFile: false, logLevel: "silent",
  plugins: [duet({ input: ["index.html", "src/other.ts", "src/third.ts", "src/theme.css"] })],
});
"""

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    if not (FRONTEND / "node_modules" / "vite").exists() or not PLUGIN.exists():
        pytest.fail("npm deps missing: run `make node-deps` (make test does it).")
    root = tmp_path_factory.mktemp("vite") / "project"
    shutil.copytree(PROJECT, root)
    subprocess.run(
        ["node", "--input-type=module", "-e", BUILD_SCRIPT, PLUGIN.as_uri(), str(root)],
        cwd=FRONTEND,
        check=True,
        timeout=120,
    )
    return root / "dist"


def vite_html_tags(html: str) -> tuple[list[str], list[str], list[str]]:
    def files(pattern: str) -> list[str]:
        return [u.removeprefix("/static/") for u in re.findall(pattern, html)]

    return (
        files(r'<script type="module" crossorigin src="([^"]+)"'),
        files(r'<link rel="modulepreload" crossorigin href="([^"]+)"'),
        files(r'<link rel="stylesheet" crossorigin href="([^"]+)"'),
    )


def test_resolution_matches_the_tags_vite_puts_in_its_html(built):
    scripts, preloads, styles = vite_html_tags((built / "index.html").read_text())
    assets = read_manifest(built / ".vite" / "manifest.json").entry("index.html")
    assert [assets.script] == scripts
    assert sorted(assets.preloads) == sorted(preloads)
    assert len(preloads) >= 2  # the build really has shared chunks in a chain
    assert list(assets.styles) == styles  # same cascade order as Vite's
    assert len(styles) >= 3


def test_chain_of_shared_chunks_is_followed(built):
    manifest = read_manifest(built / ".vite" / "manifest.json")
    chunks = manifest.chunks
    chained = [c for c in chunks.values() if c.key.startswith("_") and c.imports]
    assert chained, "the fixture should produce a chunk importing another chunk"
    entry = manifest.entry("index.html")
    for chunk in chained:
        for key in chunk.imports:
            assert chunks[key].file in entry.preloads or chunks[key].file == entry.script


def test_dynamic_import_is_not_preloaded_and_resolves_on_its_own(built):
    manifest = read_manifest(built / ".vite" / "manifest.json")
    lazy = manifest.chunk("src/lazy.ts")
    assert lazy.is_dynamic_entry
    assert lazy.file not in manifest.entry("index.html").preloads
    assert any(s.endswith(".css") for s in manifest.entry("src/lazy.ts").styles)


def test_css_only_entry_and_asset(built):
    manifest = read_manifest(built / ".vite" / "manifest.json")
    theme = manifest.entry("src/theme.css")
    assert theme.script is None and len(theme.styles) == 1 and theme.preloads == ()
    assert manifest.chunk("src/logo.svg").file.endswith(".svg")


def test_every_file_named_exists(built):
    manifest = read_manifest(built / ".vite" / "manifest.json")
    for file in manifest.files():
        assert (built / file).is_file(), file
