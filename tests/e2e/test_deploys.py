"""Deploys while pages are open: old lazy chunks still load, the stale-frontend event fires, and
a chunk that is gone anyway makes the page reload once (never in a loop)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BIN, EXAMPLE, frontend_copy, manage

ABOUT = Path("src") / "app" / "About.tsx"


class Site:
    """One app: a frontend copy, a STATIC_ROOT, and gunicorn restarted by each deploy."""

    def __init__(self, scratch: Path, base_env: dict[str, str]) -> None:
        self.frontend = frontend_copy(scratch)
        self.about = (self.frontend / ABOUT).read_text()
        assert ">About<" in self.about
        self.env = {
            **base_env,
            "DUET_EXAMPLE_FRONTEND_DIR": str(self.frontend),
            "DUET_EXAMPLE_STATIC_ROOT": str(scratch / "static"),
        }
        self.port = free_port()
        self.server: ServerProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def deploy(self, about_text: str, *, fresh_static_root: bool = False) -> None:
        """Edit the lazy About page, `duet build` (vite + collectstatic), restart the app."""
        (self.frontend / ABOUT).write_text(self.about.replace(">About<", f">{about_text}<", 1))
        if fresh_static_root:
            shutil.rmtree(self.env["DUET_EXAMPLE_STATIC_ROOT"], ignore_errors=True)
        # The public frontend only: the staff frontend's build (the repository's) stays as is.
        manage(self.env, "duet", "build", "--no-install", "--frontend", "default")
        if self.server is not None:
            self.server.stop()
        command = [
            str(BIN / "gunicorn"),
            "example.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
        ]
        self.server = ServerProcess(
            command, port=self.port, cwd=EXAMPLE, env=self.env, name="gunicorn"
        ).start()

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


@pytest.fixture
def site(example_env, tmp_path) -> Iterator[Site]:
    site = Site(tmp_path, example_env)
    yield site
    site.close()


def about_title(page) -> str:
    page.get_by_test_id("nav-about").click()
    title = page.get_by_test_id("page-title")
    expect(title).to_have_text(re.compile(r"^About"))
    return title.inner_text()


def test_old_page_keeps_its_lazy_chunks_and_learns_of_the_new_build(duet_page, site):
    site.deploy("About")
    duet_page.goto(site.url + "/app/")
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Items")
    loaded = duet_page.locator('meta[name="duet-build"]').get_attribute("content")

    site.deploy("About, second release")  # the page above still runs the first build
    assert about_title(duet_page) == "About"  # its own lazy chunk, from the old build, loads
    expect(duet_page.get_by_test_id("stale-banner")).to_have_count(0)

    duet_page.get_by_test_id("nav-login").click()  # an API call answers with the new build id
    expect(duet_page.get_by_test_id("stale-banner")).to_be_visible()
    # The server names every frontend's build, the public frontend's first.
    header = duet_page.request.get(site.url + "/app/").headers["x-duet-build"]
    current = header.split(",")[0].strip()
    assert current != loaded and loaded not in header

    duet_page.get_by_test_id("stale-reload").click()
    expect(duet_page.locator('meta[name="duet-build"]')).to_have_attribute("content", current)
    assert about_title(duet_page) == "About, second release"


def test_a_chunk_gone_after_a_deploy_reloads_the_page_once(duet_page, site):
    site.deploy("About")
    duet_page.goto(site.url + "/app/")
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Items")
    loads: list[str] = []  # full document loads (a client-side route change is not one)
    duet_page.on("load", lambda page: loads.append(page.url))

    site.deploy("About, rebuilt", fresh_static_root=True)  # old chunks are gone for good
    duet_page.problems.allow("404")  # the old chunk's request fails: that is the point
    duet_page.problems.allow("Failed to fetch dynamically imported module")
    # The old page's lazy() gets no module while it is being reloaded (Vite resolves the
    # import to undefined once the reload took over the error): it throws on its way out.
    duet_page.problems.allow("Cannot read properties of undefined (reading 'default')")
    duet_page.get_by_test_id("nav-about").click()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("About, rebuilt", timeout=15_000)
    duet_page.wait_for_timeout(1_000)  # room for a (wrong) second reload to show up
    assert loads == [site.url + "/app/about"]  # exactly one reload, at the same URL
