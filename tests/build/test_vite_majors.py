"""The django-duet/vite plugin with each supported Vite major (5, 6, 7 and 8).

Each fixture in tests/fixtures/vite-majors/ is a small vanilla app (two entries sharing a chunk, a
stylesheet, a dynamic import) with its own Vite and a committed package-lock.json; `make setup`
installs them (`npm ci`). Each is built once per test run by its own Vite, the way `duet build`
runs it (`DUET_STATIC_URL`/`DUET_STATIC_PREFIX`), and Django reads the build: the manifest, the
tags of `{% duet_entry %}`, and `duet check-build`. The npm package's peer range must let npm
install the package beside each of these Vites (a Vite 5 project once got ERESOLVE).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from django_duet.build.checks import check_build_base
from django_duet.build.formats import read_manifest
from tests.helpers import render_template

ROOT = Path(__file__).resolve().parents[2]
MAJORS_DIR = ROOT / "tests" / "fixtures" / "vite-majors"
JS = ROOT / "js"
MAJORS = [5, 6, 7, 8]

pytestmark = pytest.mark.node


def fixture_dir(major: int) -> Path:
    return MAJORS_DIR / f"vite{major}"


def installed_vite(major: int) -> str:
    package = fixture_dir(major) / "node_modules" / "vite" / "package.json"
    if not package.is_file():
        pytest.fail(f"no node_modules in {fixture_dir(major)}: run `make node-deps`.")
    return json.loads(package.read_text())["version"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[int, Path]:
    """Each fixture built once by its own Vite into a scratch folder (the fixture stays clean)."""
    out: dict[int, Path] = {}
    for major in MAJORS:
        installed_vite(major)
        target = tmp_path_factory.mktemp(f"vite{major}") / "dist"
        env = {**os.environ, "DUET_STATIC_URL": "/static/", "DUET_STATIC_PREFIX": f"v{major}"}
        vite = fixture_dir(major) / "node_modules" / "vite" / "bin" / "vite.js"
        result = subprocess.run(
            ["node", str(vite), "build", "--outDir", str(target), "--emptyOutDir"],
            cwd=fixture_dir(major),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"vite {major} build failed:\n{result.stdout}{result.stderr}"
        out[major] = target
    return out


@pytest.mark.parametrize("major", MAJORS)
def test_the_fixture_runs_the_vite_major_it_is_named_for(major):
    assert installed_vite(major).split(".")[0] == str(major)


@pytest.mark.parametrize("major", MAJORS)
def test_django_reads_the_build_and_emits_its_tags(builds, settings, major):
    build = builds[major]
    settings.STATICFILES_DIRS = [(f"v{major}", build)]
    settings.DUET = {"BUILD_DIR": build, "STATIC_PREFIX": f"v{major}"}
    manifest = read_manifest(build / ".vite" / "manifest.json")
    main = manifest.entry("src/main.js")
    other = manifest.entry("src/other.js")
    # the shared chunk is preloaded by both entries, the stylesheet belongs to main only
    assert main.preloads and main.preloads == other.preloads
    assert len(main.styles) == 1 and not other.styles

    html = render_template('{% duet_entry "src/main.js" %}')
    tags = [line for line in html.splitlines() if not line.startswith("<meta ")]
    prefix = f"/static/v{major}/"
    assert tags == [
        f'<script type="module" src="{prefix}{main.script}"></script>',
        *(f'<link rel="modulepreload" href="{prefix}{p}">' for p in main.preloads),
        f'<link rel="stylesheet" href="{prefix}{main.styles[0]}">',
    ]
    for url in re.findall(r'(?:src|href)="([^"]+)"', "\n".join(tags)):
        assert (build / url.removeprefix(prefix)).is_file(), url
    # the entry's script really imports the chunk the tags preload
    shared = main.preloads[0].rsplit("/", 1)[-1]
    assert shared in (build / main.script).read_text()

    # the plugin's record of the build (.vite/duet.json) holds the base Django expects
    info = json.loads((build / ".vite" / "duet.json").read_text())
    assert info["base"] == prefix
    assert check_build_base(None) == []
    stdout = StringIO()
    call_command("duet", "check-build", "--no-static-root", stdout=stdout, stderr=stdout)
    assert "is complete" in stdout.getvalue(), stdout.getvalue()


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> Path:
    """js/ packed as npm publishes it (its package.json, with the peer range)."""
    if shutil.which("npm") is None:
        pytest.fail("npm is not on PATH")
    target = tmp_path_factory.mktemp("pack")
    result = subprocess.run(
        ["npm", "pack", "--ignore-scripts", "--json", "--pack-destination", str(target)],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return target / json.loads(result.stdout)[0]["filename"]


@pytest.mark.parametrize("major", MAJORS)
def test_npm_resolves_the_package_beside_each_vite(packed, tmp_path, major):
    """npm's own resolution (a dry run, from the cache the fixtures' `npm ci` filled)."""
    version = installed_vite(major)
    (tmp_path / "package.json").write_text('{"name": "app", "private": true}')
    command = ["npm", "install", "--dry-run", "--prefer-offline", "--no-audit", "--no-fund"]
    result = subprocess.run(
        [*command, str(packed), f"vite@{version}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERESOLVE" not in result.stderr


def test_a_vite_outside_the_peer_range_is_refused(packed, tmp_path):
    """The check above can fail: npm refuses Vite 4, which the range leaves out."""
    (tmp_path / "package.json").write_text('{"name": "app", "private": true}')
    result = subprocess.run(
        ["npm", "install", "--dry-run", "--no-audit", "--no-fund", str(packed), "vite@4"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode != 0
    assert "ERESOLVE" in result.stdout + result.stderr


# --- a CommonJS frontend (a webpack-era package.json without "type": "module") ---

COMMONJS = MAJORS_DIR / "commonjs"


def commonjs_project(tmp_path: Path, major: int, config_name: str = "vite.config.ts") -> Path:
    """tests/fixtures/vite-majors/commonjs in a scratch folder, on that major's node_modules."""
    installed_vite(major)
    root = tmp_path / "commonjs"
    shutil.copytree(COMMONJS, root)
    (root / "node_modules").symlink_to(fixture_dir(major) / "node_modules")
    if config_name != "vite.config.ts":
        (root / "vite.config.ts").rename(root / config_name)
    return root


def test_the_commonjs_fixture_is_commonjs():
    assert "type" not in json.loads((COMMONJS / "package.json").read_text())


@pytest.mark.parametrize("config_name", ["vite.config.ts", "vite.config.js"])
@pytest.mark.parametrize("major", MAJORS)
def test_a_commonjs_vite_config_loads_the_plugin(tmp_path, major, config_name):
    """Vite bundles such a config to CommonJS and requires the plugin: the exports map's
    "require" condition (dist/vite.cjs) must take it (Vite 5 refused: "ESM only")."""
    root = commonjs_project(tmp_path, major, config_name)
    result = subprocess.run(
        ["node", "node_modules/vite/bin/vite.js", "build"],
        cwd=root,
        env={**os.environ, "DUET_STATIC_URL": "/static/"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ESM only" not in result.stdout + result.stderr
    manifest = read_manifest(root / "dist" / ".vite" / "manifest.json")
    assert (root / "dist" / manifest.entry("src/main.ts").script).is_file()
    assert json.loads((root / "dist" / ".vite" / "duet.json").read_text())["base"] == "/static/"


def test_typescript_with_module_resolution_node_finds_the_client_types(tmp_path):
    """moduleResolution "node" ignores the exports map: typesVersions must lead it to the types
    (the fixture's @ts-expect-error also fails if they resolved to `any`)."""
    root = commonjs_project(tmp_path, 8)
    docs = (ROOT / "docs" / "bundlers.md").read_text().split("## CommonJS frontends", 1)[1]
    documented = docs.split("```ts\n", 1)[1].split("```", 1)[0]
    assert documented in (root / "src" / "main.ts").read_text()  # the docs' line is checked
    tsconfig = json.loads((root / "tsconfig.json").read_text())
    assert tsconfig["compilerOptions"]["moduleResolution"] == "node"
    tsc = JS / "node_modules" / "typescript" / "bin" / "tsc"
    if not tsc.is_file():
        pytest.fail("npm deps missing in js/: run `make node-deps`.")
    result = subprocess.run(
        ["node", str(tsc), "-p", "tsconfig.json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("major", [5, 8])
def test_without_require_esm_the_error_says_the_fix_and_the_fix_works(tmp_path, major):
    """A Node.js that cannot require an ES module (before 20.19, or with the flag below): the
    plugin's CommonJS entry says to rename the config; renamed to .mts, it builds."""
    root = commonjs_project(tmp_path, major)
    env = {**os.environ, "NODE_OPTIONS": "--no-experimental-require-module"}

    def build() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["node", "node_modules/vite/bin/vite.js", "build"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    failed = build()
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "[django-duet] this Vite config is loaded as CommonJS" in output
    assert "Rename the config to vite.config.mjs (vite.config.mts for TypeScript)" in output
    (root / "vite.config.ts").rename(root / "vite.config.mts")
    fixed = build()
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (root / "dist" / ".vite" / "manifest.json").is_file()


# --- duetSsr() (django-duet/ssr) builds a Vite environment: Vite 6 or newer ---

SSR_CONFIG = """\
import duet from "django-duet/vite";
import { duetSsr } from "django-duet/ssr";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [duet({ input: ["src/main.js"] }), duetSsr({ entry: "src/ssr.js" })],
});
"""


@pytest.mark.parametrize("major", MAJORS)
def test_the_server_bundle_needs_vite_6_and_says_so_on_vite_5(tmp_path, major):
    installed_vite(major)
    root = tmp_path / f"vite{major}"
    shutil.copytree(fixture_dir(major), root, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (root / "node_modules").symlink_to(fixture_dir(major) / "node_modules")
    (root / "src" / "ssr.js").write_text('export function render() { return "<p>ssr</p>"; }\n')
    (root / "vite.ssr.config.js").write_text(SSR_CONFIG)
    result = subprocess.run(
        ["node", "node_modules/vite/bin/vite.js", "build", "-c", "vite.ssr.config.js"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    if major == 5:  # without the check, Vite 5 built the browser part only, silently
        assert result.returncode != 0
        assert "duetSsr() builds the server bundle as a Vite environment, which needs" in output
        assert "Vite 6 or newer" in output
        assert not (root / "dist" / ".vite" / "duet-ssr.json").exists()
    else:
        assert result.returncode == 0, output
        record = json.loads((root / "dist" / ".vite" / "duet-ssr.json").read_text())
        assert record["entry"] == "src/ssr.js"
        assert (root / "dist" / record["file"]).is_file()
