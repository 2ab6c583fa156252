"""The first hour of a new user (docs/first-hour.md), from the release artifacts, not the
repository: every code block of the page, in order, on a fresh venv and a fresh ``startproject``.

- The artifacts are built once, as ``make dist`` builds them (tools/dist.py): the wheel with
  ``python -m build``, the npm tarball with ``npm pack`` (of a scratch copy of js/).
- ``pip install "django-duet[devserver,server,testing]"`` installs the wheel with those extras
  into a fresh venv; the other packages come from the package index, through pip's cache.
- ``python -m django_duet init`` gets ``--js-package file:<tarball>``, as the page says to do
  until the npm package is published.
- ``npm install``: a real one resolves the newest versions inside init's ranges at the moment it
  runs, from the network, so the test could fail one day because of a release elsewhere. Here
  django-duet is installed by npm itself from the tarball (``npm install --offline`` of the
  tarball: it has no dependencies, so nothing else is fetched), and every other package is the
  example frontend's, installed by ``npm ci`` from its committed lockfile and linked entry by
  entry (init asks for the same versions: each is checked to be there). What is tested is what
  the tarball holds (its files, exports and built dist/), with pinned neighbours.
  The package-lock.json that ``npm install`` writes is written the same way: the example's
  entries for the linked packages, django-duet's from the tarball.
- ``duet build`` gets ``--no-install``: its ``npm ci`` would reinstall from the network.
- The servers (``duet dev``, gunicorn) run on free ports instead of 8000.

Then: in ``duet dev``, an island edited on disk changes in place in Chromium, its state kept;
after the second page's files, ``duet dev`` again: a note added on the new page and kept; the
app's tests (testing.md's example, verbatim, and the page's own) pass with the fresh venv's
pytest and the plugin; ``check --deploy`` under the environment switch prints only the warnings
the page tells what to do about; under gunicorn the islands render with their props, a note is
added through a CSRF-protected POST, a client route deep link reloads, with no console error.
Each step's seconds are printed (``pytest -s``) and recorded in docs/first-hour.md by hand.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import expect

from django_duet.cli.init.files import BLOCK_START
from django_duet.testing.dev import vite_client_url, wait_for
from django_duet.testing.servers import ServerProcess, free_port, free_port_block

from .conftest import EXAMPLE, ROOT


def _tools_dist() -> ModuleType:
    """tools/dist.py, the code of `make dist` (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("duet_tools_dist", ROOT / "tools" / "dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = _tools_dist()

FIRST_HOUR = ROOT / "docs" / "first-hour.md"
TESTING = ROOT / "docs" / "testing.md"
NODE_MODULES = EXAMPLE / "frontend" / "node_modules"
_BLOCK = re.compile(r"<!-- ([\w-]+): ?([^>]*?) -->\n```\w*\n(.*?)```", re.S)
# What `check --deploy` may still say under the environment switch: docs/first-hour.md's table
# says what to do about each. Not duet.W014: init's login throttle counts in the database.
ACTIONABLE = {"security.W004", "security.W008", "security.W012", "security.W016"}


@dataclass(frozen=True)
class Block:
    kind: str  # run, file, above-init-block (first-hour); a path (testing-example)
    arg: str
    text: str


def blocks(page: Path, marker: str) -> list[Block]:
    """The code blocks ``page`` marks ``<!-- marker: kind [arg] -->``, in order."""
    found = []
    for name, spec, text in _BLOCK.findall(page.read_text()):
        if name == marker:
            kind, _, arg = spec.partition(" ")
            found.append(Block(kind, arg.strip(), text))
    return found


@dataclass
class Walk:
    """The user's shell: a folder, an environment, and what the page's commands started."""

    home: Path
    wheel: Path
    tarball: Path
    page: object  # duet_page
    cwd: Path = field(init=False)
    env: dict[str, str] = field(init=False)
    seconds: dict[str, float] = field(default_factory=dict)
    servers: list[ServerProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cwd = self.home
        # The user's environment: none of this test run's Django, pytest or duet settings.
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PYTEST_", "DUET_", "VIRTUAL_ENV"))
        }
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    @property
    def project(self) -> Path:
        return self.home / "mysite"

    def sh(self, args: list[str], timeout: float = 300) -> str:
        done = subprocess.run(
            args, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{args} in {self.cwd} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    def timed(self, line: str) -> None:
        started = time.monotonic()
        self.line(line)
        self.seconds[line] = round(time.monotonic() - started, 1)

    def line(self, line: str) -> None:
        command = line.split("  #")[0].strip()
        words = shlex.split(command)
        if command == "python -m venv .venv":
            self.sh([sys.executable, "-m", "venv", ".venv"])
        elif command == ". .venv/bin/activate":
            venv = self.home / ".venv"
            self.env["VIRTUAL_ENV"] = str(venv)
            self.env["PATH"] = f"{venv / 'bin'}{os.pathsep}{self.env['PATH']}"
        elif words[:2] == ["pip", "install"]:
            extras = re.fullmatch(r"django-duet(\[[\w,]+\])", words[2])
            assert extras, f"the page installs {words[2]!r}"
            self.sh(["pip", "install", "-q", f"{self.wheel}{extras.group(1)}"])
        elif command == "python -m django_duet init":
            out = self.sh([*words, "--js-package", f"file:{self.tarball}"])
            assert "created   frontend/package.json" in out and "npm install" in out, out
        elif words[0] == "cd":
            self.cwd = (self.cwd / words[1]).resolve()
        elif command == "npm install":
            self.npm_install()
        elif command == "python manage.py duet dev":
            self.duet_dev()
        elif command == "python manage.py duet build":
            self.sh([*words, "--no-install"])
        elif command == "python manage.py check --deploy":
            self.check_deploy(self.sh(words))
        elif words[0] == "export":
            shown = self.sh(["bash", "-c", f"{command}\nenv -0"])
            self.env = dict(v.split("=", 1) for v in shown.split("\0") if "=" in v)
        elif words[0] == "gunicorn":
            self.gunicorn(words)
        elif command == "pytest":
            self.pytest()
        else:
            self.sh(["bash", "-c", command])

    def npm_install(self) -> None:
        """django-duet by npm from the tarball, the rest linked from the example (docstring)."""
        package = json.loads((self.cwd / "package.json").read_text())
        assert package["devDependencies"]["django-duet"] == f"file:{self.tarball}"
        stage = self.home / "npm-stage"
        stage.mkdir()
        (stage / "package.json").write_text('{"name": "stage", "private": true}\n')
        saved = self.cwd
        self.cwd = stage
        offline = ["--offline", "--legacy-peer-deps", "--no-save", "--no-package-lock"]
        self.sh(["npm", "install", *offline, "--no-audit", "--no-fund", str(self.tarball)])
        self.cwd = saved
        modules = self.cwd / "node_modules"
        modules.mkdir()
        (stage / "node_modules" / "django-duet").rename(modules / "django-duet")
        for entry in NODE_MODULES.iterdir():
            if entry.name not in (".vite", ".ci-stamp", ".package-lock.json", "django-duet"):
                (modules / entry.name).symlink_to(entry.resolve())
        for name in (*package["dependencies"], *package["devDependencies"]):
            assert (modules / name).exists(), f"{name} is not in the example's node_modules"
        self.write_lockfile(package, modules)
        installed = json.loads((modules / "django-duet" / "package.json").read_text())
        assert (modules / "django-duet" / "dist" / "islands" / "index.js").is_file()
        assert not (modules / "django-duet" / "src").exists()  # the tarball's files, not js/
        assert installed["version"] == json.loads((ROOT / "js/package.json").read_text())["version"]

    def write_lockfile(self, package: dict[str, Any], modules: Path) -> None:
        """The package-lock.json ``npm install`` writes (``duet build`` wants one): the
        example's entries for the linked packages, django-duet's from the tarball."""
        lock = json.loads((EXAMPLE / "frontend" / "package-lock.json").read_text())
        installed = json.loads((modules / "django-duet" / "package.json").read_text())
        entries = {
            key: entry
            for key, entry in lock["packages"].items()
            if key.startswith("node_modules/") and key != "node_modules/django-duet"
        }
        root = {k: package[k] for k in ("name", "version", "dependencies", "devDependencies")}
        duet = {
            "version": installed["version"],
            "resolved": f"file:{self.tarball}",
            "dev": True,
            "license": installed["license"],
            "peerDependencies": installed["peerDependencies"],
        }
        lock = {
            "name": package["name"],
            "version": package["version"],
            "lockfileVersion": 3,
            "requires": True,
            "packages": {"": root, "node_modules/django-duet": duet, **entries},
        }
        (self.cwd / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")

    def start(self, command: list[str], port: int, name: str) -> ServerProcess:
        # ServerProcess starts from this process's environment: the project's own settings
        # module, as manage.py and wsgi.py would default to it, not this test run's.
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
        server = ServerProcess(command, port=port, cwd=self.cwd, env=env, name=name)
        server.start_timeout = 60
        self.servers.append(server.start())
        return server

    def duet_dev(self, check: Callable[[str], None] | None = None) -> None:
        """``duet dev`` on free ports until ``check`` (default: an island edit) is done."""
        port, vite = free_port(), free_port_block(2)
        python = str(self.home / ".venv" / "bin" / "python")
        command = [python, "manage.py", "duet", "dev", f"127.0.0.1:{port}"]
        dev = self.start([*command, "--vite-port", str(vite), "--noreload"], port, "duet-dev")
        client = vite_client_url(dev.url, "/static/")
        assert wait_for(client, 60.0), f"Vite never answered {client}:\n{dev.output()}"
        (check or self.island_edit_applies_in_place)(dev.url)
        self.page.goto("about:blank")  # Vite's client would poll the stopped server
        self.servers.remove(dev)
        dev.stop()

    def notes_in_development(self, url: str) -> None:
        """The page's "restart duet dev, open /notes/, add a note, reload" (section 2)."""
        self.add_a_note(url, "From development")

    def island_edit_applies_in_place(self, url: str) -> None:
        page = self.page
        page.goto(url + "/")
        counter = page.get_by_test_id("duet-counter")
        expect(page.get_by_test_id("duet-props")).to_have_text("Props from Django: name = Django")
        counter.click()
        counter.click()
        expect(counter).to_have_text("Clicked 2 times")
        island = self.cwd / "frontend" / "src" / "islands" / "Hello.tsx"
        source = island.read_text()
        island.write_text(source.replace("Hello from React", "Hello, edited in place"))
        expect(page.get_by_test_id("duet-hello")).to_have_text("Hello, edited in place")
        expect(counter).to_have_text("Clicked 2 times")  # React Fast Refresh kept the state
        island.write_text(source)  # as the page left it, for the tests and production below

    def pytest(self) -> None:
        out = self.sh(["pytest"], timeout=600)
        assert re.search(r"\b5 passed\b", out), out

    def check_deploy(self, out: str) -> None:
        assert "ERRORS:" not in out, out
        found = set(re.findall(r"\(([\w.]+\.[EW]\d+)\)", out))
        assert found <= ACTIONABLE, f"warnings the page does not explain: {found - ACTIONABLE}"
        table = FIRST_HOUR.read_text()
        for check_id in found:
            assert f"`{check_id}`" in table or f"`{check_id.split('.')[1]}`" in table, check_id

    def gunicorn(self, words: list[str]) -> None:
        port = free_port()
        bind = words.index("--bind") + 1
        words[bind] = f"127.0.0.1:{port}"
        server = self.start([str(self.home / ".venv" / "bin" / words[0]), *words[1:]], port, "gu")
        self.production_in_chromium(server.url)

    def add_a_note(self, url: str, text: str) -> None:
        """The notes page (its own entry): a CSRF-protected POST, then the session's notes
        rendered by Django as the island's props."""
        page = self.page
        page.goto(url + "/notes/")
        page.get_by_label("New note").fill(text)
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_role("listitem")).to_have_text([text])
        page.reload()
        expect(page.get_by_role("listitem")).to_have_text([text])

    def production_in_chromium(self, url: str) -> None:
        page = self.page
        page.context.clear_cookies()  # a visitor of the production site, not the developer
        response = page.goto(url + "/")
        assert response is not None and response.headers.get("x-duet-build")
        expect(page.get_by_test_id("duet-props")).to_have_text("Props from Django: name = Django")
        page.get_by_test_id("duet-counter").click()
        expect(page.get_by_test_id("duet-counter")).to_have_text("Clicked 1 times")
        self.add_a_note(url, "From production")
        response = page.goto(url + "/app/a/deep/link")
        assert response is not None and response.status == 200
        response = page.reload()
        assert response is not None and response.status == 200
        expect(page.get_by_test_id("duet-hello")).to_have_text("Hello from React")

    def write(self, block: Block) -> None:
        path = self.project / block.arg
        if block.kind == "file":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text)
        else:  # above-init-block
            text = path.read_text()
            assert text.count(BLOCK_START) == 1, f"init's block is not in {path}"
            path.write_text(text.replace(BLOCK_START, block.text + "\n" + BLOCK_START))

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, npm tarball), built once for the module as `make dist` builds them."""
    if not NODE_MODULES.is_dir():
        pytest.fail("needs example/frontend/node_modules: run `make node-deps`.")
    dist = tmp_path_factory.mktemp("dist")
    wheel, _ = release.python_artifacts(dist)
    js = release.scratch_copy_of_js(tmp_path_factory.mktemp("js") / "js")
    tarball = release.npm_tarball(dist, js)
    versions = release.check_dist.versions(dist)  # make dist's own check
    assert len(set(versions.values())) == 1, versions
    return wheel, tarball


@pytest.fixture
def walk(artifacts, duet_page, tmp_path_factory) -> Iterator[Walk]:
    wheel, tarball = artifacts
    walk = Walk(tmp_path_factory.mktemp("first-hour"), wheel, tarball, duet_page)
    yield walk
    walk.stop()


def test_the_first_hour_as_the_page_tells_it(walk):
    steps = {"run": 0, "file": 0}
    testing_example = blocks(TESTING, "testing-example")
    assert [b.kind for b in testing_example] == [
        "pyproject.toml",
        "tests/conftest.py",
        "tests/test_app.py",
    ]
    edited = False  # files written since duet dev ran
    for block in blocks(FIRST_HOUR, "first-hour"):
        if block.kind == "run":
            if edited:  # section 2 ends: "restart duet dev, open /notes/, add a note, reload"
                walk.duet_dev(walk.notes_in_development)
                edited = False
            steps["run"] += 1
            for line in block.text.splitlines():
                if line.strip() == "pytest":  # the page says: copy testing.md's example first
                    for example in testing_example:
                        walk.write(Block("file", example.kind, example.text))
                walk.timed(line)
        else:
            steps["file"] += 1
            walk.write(block)
            edited = True
    assert steps == {"run": 3, "file": 7}, steps  # the page's blocks, all run
    print("\nfirst hour, seconds per command:", json.dumps(walk.seconds, indent=1))
