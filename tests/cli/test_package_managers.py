"""`duet build` with npm, yarn 1 (classic), yarn 2+ (berry) and pnpm, from the frontend's lockfile.

The fixtures under tests/fixtures/package-managers/ are small frontends with the lockfile each
tool wrote (committed) and package.json's "packageManager" pin; their one dependency is a local
stand-in bundler (`builder/`, a `file:` dependency: no registry at install time) whose `build`
script writes a Vite-shaped build and records which tool ran it. The tools are the real ones,
run through Corepack's shims (`corepack enable --install-directory`), which fetch the pinned
version from the npm registry once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from django_duet.build.formats import read_manifest
from django_duet.cli import package_managers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "package-managers"

# fixture -> (its tool's flavor, the frozen install duet build runs, the lockfile)
EXPECTED = {
    "npm": ("npm", "npm ci", "package-lock.json"),
    "yarn-classic": ("yarn 1 (classic)", "yarn install --frozen-lockfile", "yarn.lock"),
    "yarn-berry": ("yarn 2+ (berry)", "yarn install --immutable", "yarn.lock"),
    "pnpm": ("pnpm", "pnpm install --frozen-lockfile", "pnpm-lock.yaml"),
}


def duet_build(*args: str) -> tuple[bool, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("duet", "build", "--no-collectstatic", *args, stdout=out, stderr=err)
    except CommandError:
        return False, out.getvalue(), err.getvalue()
    return True, out.getvalue(), err.getvalue()


@pytest.fixture
def projects(tmp_path) -> Path:
    """A copy of the fixtures (each frontend beside the builder it depends on)."""
    copy = tmp_path / "package-managers"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("node_modules", "dist", ".yarn"))
    return copy


def use(settings, frontend: Path) -> None:
    settings.DUET = {"FRONTEND_DIR": frontend, "BUILD_DIR": frontend / "dist"}


# --- which tool, from the lockfile (no tool runs) ---


@pytest.mark.parametrize("name", EXPECTED)
def test_the_lockfile_names_the_tool_and_its_frozen_install(name):
    manager = package_managers.detect(FIXTURES / name)
    flavor, install, lockfile = EXPECTED[name]
    assert manager.flavor == flavor and manager.lockfile == lockfile
    assert manager.describe(manager.install_command(f"/somewhere/bin/{manager.name}")) == install


def test_two_lockfiles_are_refused_naming_both(projects, settings):
    frontend = projects / "yarn-classic"
    shutil.copy(projects / "npm" / "package-lock.json", frontend)
    use(settings, frontend)
    ok, _, err = duet_build()
    assert not ok
    assert "failed at step 'install': two lockfiles in" in err
    assert "package-lock.json and yarn.lock" in err
    assert not (frontend / "node_modules").exists()  # nothing ran


def test_two_lockfiles_are_refused_without_install_too(projects, settings):
    frontend = projects / "pnpm"
    shutil.copy(projects / "yarn-berry" / "yarn.lock", frontend)
    use(settings, frontend)
    ok, _, err = duet_build("--no-install")
    assert not ok and "failed at step 'build'" in err
    assert "yarn.lock and pnpm-lock.yaml" in err


def test_no_lockfile_names_the_three(projects, settings):
    frontend = projects / "pnpm"
    (frontend / "pnpm-lock.yaml").unlink()
    use(settings, frontend)
    ok, _, err = duet_build()
    assert not ok
    assert "no package-lock.json, yarn.lock or pnpm-lock.yaml in" in err
    assert "commit its lockfile" in err


@pytest.mark.parametrize(
    ("name", "pin"), [("pnpm", "pnpm@"), ("yarn-classic", "yarn@1."), ("yarn-berry", "yarn@4.")]
)
def test_a_missing_tool_says_how_to_get_it(projects, settings, monkeypatch, name, pin):
    use(settings, projects / name)
    monkeypatch.setenv("PATH", str(projects / "no-such-bin"))
    ok, _, err = duet_build()
    assert not ok
    tool = name.split("-")[0]
    assert f"({EXPECTED[name][0]}), but {tool} is not on PATH: run `corepack enable`" in err
    assert f'"packageManager" field (e.g. "{pin}' in err


# --- the real tools ---


@pytest.fixture(scope="module")
def corepack_path(tmp_path_factory) -> str:
    """PATH with Corepack's yarn and pnpm shims first; each pinned version fetched once."""
    corepack = shutil.which("corepack")
    if corepack is None:
        pytest.fail("corepack is not on PATH (it ships with Node.js 20 and 22)")
    shims = tmp_path_factory.mktemp("corepack-shims")
    subprocess.run(
        [corepack, "enable", "--install-directory", str(shims), "yarn", "pnpm"],
        check=True,
        timeout=60,
    )
    return f"{shims}{os.pathsep}{os.environ['PATH']}"


@pytest.fixture
def tools(corepack_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", corepack_path)
    monkeypatch.setenv("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0")
    # Corepack fetches yarn 2+ from the npm registry (as @yarnpkg/cli-dist) only when told a
    # registry; otherwise from yarn's own site, which a registries-only machine cannot reach.
    registry = subprocess.run(
        ["npm", "config", "get", "registry"], capture_output=True, text=True, check=True
    ).stdout.strip()
    monkeypatch.setenv("COREPACK_NPM_REGISTRY", registry.rstrip("/"))
    # A registry mirror without npm's signing keys' signatures: Corepack still checks each
    # tarball's integrity from the registry's metadata.
    monkeypatch.setenv("COREPACK_INTEGRITY_KEYS", "0")
    for name in ("CI", "npm_config_user_agent"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.node
@pytest.mark.parametrize("name", EXPECTED)
def test_duet_build_installs_frozen_and_builds_with_the_tool(projects, settings, tools, name):
    frontend = projects / name
    lockfile = frontend / EXPECTED[name][2]
    before = lockfile.read_bytes()
    use(settings, frontend)
    ok, out, err = duet_build()
    assert ok, out + err
    assert "duet build: done, the build is deployable" in out
    assert lockfile.read_bytes() == before  # a frozen install never rewrites the lockfile
    entry = read_manifest(frontend / "dist" / ".vite" / "manifest.json").entry("src/main.js")
    built = (frontend / "dist" / entry.script).read_text()
    tool = EXPECTED[name][1].split()[0]
    pin = json.loads((frontend / "package.json").read_text()).get("packageManager", "npm@")
    # the build script ran under the project's own tool and version, with Django's STATIC_URL
    assert f"// built by {pin.replace('@', '/')}" in built, built
    assert built.rstrip().endswith("for /static/")
    assert pin.startswith(tool)


@pytest.mark.node
@pytest.mark.parametrize("name", EXPECTED)
def test_a_lockfile_out_of_date_fails_the_install(projects, settings, tools, name):
    """package.json gained a dependency the lockfile lacks: the frozen install refuses it."""
    frontend = projects / name
    extra = projects / "extra"
    extra.mkdir()
    (extra / "package.json").write_text('{"name": "duet-fixture-extra", "version": "1.0.0"}')
    package = json.loads((frontend / "package.json").read_text())
    package["devDependencies"]["duet-fixture-extra"] = "file:../extra"
    (frontend / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    lockfile = frontend / EXPECTED[name][2]
    before = lockfile.read_bytes()
    use(settings, frontend)
    ok, _, err = duet_build()
    assert not ok
    assert f"failed at step 'install': `{EXPECTED[name][1]}` exited with" in err
    assert lockfile.read_bytes() == before
    assert not (frontend / "dist").exists()


@pytest.mark.node
def test_yarn_1_on_a_berry_lockfile_says_what_to_pin(projects, settings, tools):
    frontend = projects / "yarn-berry"
    package = json.loads((frontend / "package.json").read_text())
    package["packageManager"] = "yarn@1.22.22"
    (frontend / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    use(settings, frontend)
    ok, _, err = duet_build()
    assert not ok
    assert "was written by yarn 2+ (berry), but `yarn --version` there says 1.22.22" in err
    assert '"packageManager" field (e.g. "yarn@4.' in err


def test_the_docs_pin_is_the_tested_one():
    """docs/bundlers.md's "packageManager" example is the pnpm these tests run."""
    docs = (ROOT / "docs" / "bundlers.md").read_text()
    section = docs.split("## yarn and pnpm", 1)[1]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    tested = json.loads((FIXTURES / "pnpm" / "package.json").read_text())["packageManager"]
    assert json.loads(block) == {"packageManager": tested}
    assert "corepack enable" in section.split("```sh\n", 1)[1].split("```", 1)[0]
