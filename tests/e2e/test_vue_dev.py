"""Developing a Vue 3 frontend: ``manage.py duet dev`` runs example-frameworks on a scratch copy
of its vue-frontend (DUET_FRAMEWORKS_VUE_DIR), Chromium browses Django's origin only, and an
edit to a .vue component's template shows up in place, the component's state kept (Vue's hot
reload re-renders it), without a page reload. No React Fast Refresh preamble anywhere: the
duet() plugin's hot file says so and Django's dev tags follow it.

The Svelte frontend of the project is replaced by an empty Vite project, so that this test
depends on the Vue frontend only.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.dev import VITE_PORTS
from django_duet.testing.servers import ServerProcess, free_port, free_port_block

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "example-frameworks"
FRONTEND = PROJECT / "vue-frontend"
COUNTER = Path("src") / "islands" / "Counter.vue"

pytestmark = pytest.mark.e2e


def link_node_modules(source: Path, copy: Path) -> None:
    """``copy/node_modules`` holding a link to each of ``source``'s packages, so that Vite's
    dependency cache (node_modules/.vite) stays private to the copy."""
    modules = copy / "node_modules"
    modules.mkdir()
    for entry in (source / "node_modules").iterdir():
        if entry.name not in (".vite", ".vite-temp", ".ci-stamp"):
            (modules / entry.name).symlink_to(entry.resolve())


def scratch_frontends(tmp: Path) -> tuple[Path, Path]:
    """A copy of vue-frontend that the test edits, and an empty Vite project in place of the
    Svelte frontend."""
    if not (FRONTEND / "node_modules" / ".bin" / "vite").exists():
        pytest.fail("No node_modules in example-frameworks/vue-frontend: run `make node-deps`.")
    vue = tmp / "vue-frontend"
    ignore = shutil.ignore_patterns("node_modules", "dist", ".duet-hot", "*.timestamp-*")
    shutil.copytree(FRONTEND, vue, ignore=ignore)
    link_node_modules(FRONTEND, vue)
    other = tmp / "other-frontend"
    other.mkdir()
    (other / "package.json").write_text('{"name": "other", "private": true, "type": "module"}\n')
    link_node_modules(FRONTEND, other)
    return vue, other


@dataclass
class VueDev:
    server: ServerProcess
    frontend: Path


@pytest.fixture(scope="module", params=["runserver", "asgi"])
def vue_dev(request, tmp_path_factory) -> Iterator[VueDev]:
    tmp = tmp_path_factory.mktemp("vue-dev")
    vue, other = scratch_frontends(tmp)
    port, vite_port = free_port(), free_port_block(VITE_PORTS)
    command = [sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}"]
    command += ["--vite-port", str(vite_port), "--noreload"]
    if request.param == "asgi":  # the HMR WebSocket through Django's origin too
        command.append("--asgi")
    env = {
        "DJANGO_SETTINGS_MODULE": "frameworks.settings",
        "DJANGO_DEBUG": "1",
        "DUET_FRAMEWORKS_VUE_DIR": str(vue),
        "DUET_FRAMEWORKS_SVELTE_DIR": str(other),
    }
    server = ServerProcess(
        command,
        port=port,
        cwd=PROJECT,
        env=env,
        name=f"duet dev (vue, {request.param})",
        ready_path="/static/@vite/client",
        start_timeout=60.0,
    )
    with server:
        client = f"{server.url}/static/@vite/client"
        deadline = time.monotonic() + 60
        while httpx.get(client, timeout=10).status_code != 200:  # Vite up behind Django
            if time.monotonic() > deadline:
                pytest.fail(f"duet dev: Vite never answered {client}:\n{server.output()}")
            time.sleep(0.2)
        yield VueDev(server, vue)
    assert not (vue / ".duet-hot").exists(), "the hot file outlived the dev server"


def vite_connected(page, messages: list[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not any("[vite] connected" in m for m in messages):
        if time.monotonic() > deadline:
            raise AssertionError(f"the HMR client never connected; console: {messages}")
        page.wait_for_timeout(100)


def edit_until_shown(source: Path, text: str, shown: Callable[[float], None]) -> None:
    """Writes ``text`` and waits for ``shown``; writes it again if Vite's watcher, still
    scanning under load, missed the first write (as tests/e2e/test_dev_hmr.py does)."""
    for attempt in range(3):
        source.write_text(text)
        try:
            shown(10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
            time.sleep(0.5)


def test_no_react_preamble_for_a_vue_frontend(vue_dev):
    record = json.loads((vue_dev.frontend / ".duet-hot").read_text())
    assert record["reactRefresh"] is False
    html = httpx.get(vue_dev.server.url + "/vue/", timeout=10).text
    head = html.split("</head>", 1)[0]
    assert '<script type="module" src="/static/@vite/client"></script>' in head
    assert '<script type="module" src="/static/src/islands.js"></script>' in head
    assert "@react-refresh" not in html and "$RefreshReg$" not in html
    # The .vue module comes through Django's origin compiled with Vue's hot-reload code.
    module = httpx.get(f"{vue_dev.server.url}/static/{COUNTER.as_posix()}", timeout=30)
    assert module.status_code == 200
    assert "__VUE_HMR_RUNTIME__" in module.text and "RefreshRuntime" not in module.text


def test_a_template_edit_shows_up_in_place_with_the_state_kept(duet_page, vue_dev):
    server, frontend = vue_dev.server, vue_dev.frontend
    page = duet_page
    messages: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/vue/")
    counter = page.locator('[data-duet-island="Counter"]').get_by_test_id("vue-count")
    expect(counter).to_have_text("Clicked 7 times")
    vite_connected(page, messages)
    counter.click()
    counter.click()
    expect(counter).to_have_text("Clicked 9 times")
    page.evaluate("window.__sameDocument = true")
    source = frontend / COUNTER
    original = source.read_text()
    assert "Clicked {{ count }} times" in original
    try:
        edit_until_shown(
            source,
            original.replace("Clicked {{ count }} times", "Pressed {{ count }} times"),
            lambda timeout: expect(counter).to_have_text("Pressed 9 times", timeout=timeout),
        )
    except AssertionError as failed:  # say whether the page reloaded, and what Vite logged
        reloaded = page.evaluate("window.__sameDocument") is not True
        raise AssertionError(
            f"{failed}\nfull reload: {reloaded}; console: {messages}\n"
            f"dev server: {server.output()[-4000:]}"
        ) from None
    assert page.evaluate("window.__sameDocument") is True  # no full reload
    counter.click()
    expect(counter).to_have_text("Pressed 10 times")
    assert any("[vite] hot updated: /src/islands/Counter.vue" in m for m in messages), messages
    assert not [m for m in messages if m.startswith(("error", "warning"))], messages
    # Everything came from Django's origin.
    assert {r.split("/")[2] for r in requests if r.startswith("http")} == {server.url.split("/")[2]}


def test_the_vue_router_app_gets_the_dev_servers_shell(duet_page, vue_dev):
    html = httpx.get(vue_dev.server.url + "/vue/app/items/2", timeout=10).text
    assert '<script type="module" src="/static/@vite/client"></script>' in html
    assert '<meta name="duet-base" content="/vue/app/">' in html
    assert "@react-refresh" not in html and "$RefreshReg$" not in html
    duet_page.goto(vue_dev.server.url + "/vue/app/items/2")
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Item 2")
    duet_page.get_by_test_id("nav-about").click()
    expect(duet_page.get_by_test_id("lazy-note")).to_be_visible()


def test_the_server_rendered_page_hydrates_in_development(duet_page, vue_dev):
    # The dev server built the server bundle when it started (duetSsr's watch); Vue's
    # development build names each hydration mismatch in a warning.
    record = vue_dev.frontend / "dist" / ".vite" / "duet-ssr.json"
    deadline = time.monotonic() + 30
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert record.exists(), vue_dev.server.output()
    messages: list[str] = []
    duet_page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    html = httpx.get(vue_dev.server.url + "/vue/ssr/", timeout=30).text
    assert "<title>Duet desk lamp | Vue in Django</title>" in html
    assert 'data-duet-mode="client"' not in html  # rendered by Django, not a fallback
    duet_page.goto(vue_dev.server.url + "/vue/ssr/")
    more = duet_page.get_by_test_id("more")
    expect(duet_page.get_by_test_id("quantity")).to_have_text("1")
    vite_connected(duet_page, messages)
    # Vue keeps an element's event handlers under the symbol "_vei": hydration attached them.
    duet_page.wait_for_function(
        """() => Object.getOwnPropertySymbols(document.querySelector('[data-testid="more"]'))
            .some((s) => s.description === "_vei")""",
        timeout=10_000,
    )
    more.click()
    expect(duet_page.get_by_test_id("quantity")).to_have_text("2")
    assert not [m for m in messages if m.startswith(("error", "warning"))], messages
