"""A rolling deploy behind nginx: server A on build N+1 while B still serves build N.

The order docs/scaling.md gives: build once (`duet build`: vite, its record and check,
collectstatic into the STATIC_ROOT nginx serves, which keeps build N's files), `migrate` once,
then ship the build to each server and restart them one by one, gracefully (gunicorn's HUP: the
listening socket stays open, in-flight requests finish). No request fails, pages of either build
load their lazy chunks, and `X-Duet-Build` names the build of the server that answered
(docs/deploys.md); once both run N+1, a page of build N learns of it and reloads onto it.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess

from .conftest import BUILD, frontend_copy
from .scaling_stack import load, manage, scaled_stack

ABOUT = "src/app/About.tsx"
ANONYMOUS_ME = "/api/auth/me/"  # the app asks who is logged in: 401, expected


def build_of(server: ServerProcess) -> str:
    """The public frontend's build id that ``server`` names (the first of X-Duet-Build)."""
    return httpx.get(server.url + "/app/").headers["x-duet-build"].split(",")[0].strip()


def workers(master: int) -> set[int]:
    """The gunicorn master's worker processes (its children, as Linux lists them)."""
    children: set[int] = set()
    for task in Path(f"/proc/{master}/task").iterdir():
        children.update(int(pid) for pid in (task / "children").read_text().split())
    return children


def graceful_restart(server: ServerProcess, old_build: str) -> None:
    """HUP: gunicorn starts new workers (the new build) and lets the old ones finish; over
    once every old worker has exited (until then nginx may still reach one on a kept-alive
    connection: a page would get build N from a server already on N+1)."""
    assert server.process is not None
    master = server.process.pid
    old_workers = workers(master)
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while build_of(server) == old_build or old_workers & workers(master):
        assert time.monotonic() < deadline, f"{server.name} still serves {old_build}"
        time.sleep(0.2)


def about(page) -> str:
    page.get_by_test_id("nav-about").click()
    title = page.get_by_test_id("page-title")
    expect(title).to_contain_text("About")
    return title.inner_text()


def server_copy(scratch: Path) -> Path:
    """A server's own copy of the frontend with the deployed build N (the repository's)."""
    frontend = frontend_copy(scratch)
    shutil.copytree(BUILD, frontend / "dist")
    return frontend


def test_a_rolling_deploy_fails_no_request_and_serves_both_builds(
    duet_page, example_build, duet_postgres, duet_redis, tmp_path
):
    duet_page.problems.allow(ANONYMOUS_ME)
    copies = {name: server_copy(tmp_path / name) for name in ("a", "b")}
    per_server = {name: {"DUET_EXAMPLE_FRONTEND_DIR": str(copies[name])} for name in copies}
    with scaled_stack(tmp_path / "site", duet_postgres.url, duet_redis.url, per_server) as stack:
        a, b = stack.servers["a"], stack.servers["b"]
        nginx = stack.nginx.url
        duet_page.goto(nginx + "/app/")
        expect(duet_page.get_by_test_id("page-title")).to_have_text("Items")
        old_build = duet_page.locator('meta[name="duet-build"]').get_attribute("content")
        assert build_of(a) == build_of(b) == old_build

        # Build N+1 once (About renamed), in A's copy; collected next to build N's files.
        source = copies["a"] / ABOUT
        source.write_text(source.read_text().replace(">About<", ">About, release 2<", 1))
        env_a = {**stack.env, **per_server["a"]}
        manage(env_a, "duet", "build", "--no-install", "--frontend", "default")
        manage(env_a, "migrate", "--noinput")

        restart_a = load(nginx + "/app/", 3.0, lambda: graceful_restart(a, old_build), 0.5)
        new_build = build_of(a)
        assert new_build != old_build and build_of(b) == old_build
        # The page of build N still loads its own lazy chunk, from the shared STATIC_ROOT...
        assert about(duet_page) == "About"
        # ...and a page of build N+1 loads its chunks too.
        fresh = duet_page.context.new_page()
        fresh.goto(a.url + "/app/")
        expect(fresh.locator('meta[name="duet-build"]')).to_have_attribute("content", new_build)
        assert about(fresh) == "About, release 2"

        # Ship the same build to B, then restart it.
        shutil.rmtree(copies["b"] / "dist")
        shutil.copytree(copies["a"] / "dist", copies["b"] / "dist")
        restart_b = load(nginx + "/app/", 3.0, lambda: graceful_restart(b, old_build), 0.5)
        assert build_of(b) == new_build
        for statuses in (restart_a, restart_b):
            assert Counter(statuses) == {200: len(statuses)}, Counter(statuses)
        print(f"\nrolling deploy under load: {len(restart_a)} and {len(restart_b)} GETs, all 200")

        # Both on N+1: the old page learns of it from its next API call and reloads onto it.
        duet_page.get_by_test_id("nav-login").click()
        expect(duet_page.get_by_test_id("stale-banner")).to_be_visible()
        duet_page.get_by_test_id("stale-reload").click()
        expect(duet_page.locator('meta[name="duet-build"]')).to_have_attribute("content", new_build)
        assert about(duet_page) == "About, release 2"
