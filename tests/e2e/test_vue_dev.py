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
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from .dev_support import (
    FrameworksDev,
    edit_in_place,
    empty_frontend,
    frameworks_dev,
    scratch_copy,
    vite_connected,
)
from .frameworks_support import PROJECT, problems, record_console

FRONTEND = PROJECT / "vue-frontend"
COUNTER = Path("src") / "islands" / "Counter.vue"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["runserver", "asgi"])
def vue_dev(request, tmp_path_factory) -> Iterator[FrameworksDev]:
    """duet dev on a copy of vue-frontend that the tests edit, and an empty Vite project in
    place of the Svelte frontend."""
    tmp = tmp_path_factory.mktemp("vue-dev")
    vue = scratch_copy(FRONTEND, tmp / "vue-frontend")
    env = {
        "DUET_FRAMEWORKS_VUE_DIR": str(vue),
        "DUET_FRAMEWORKS_SVELTE_DIR": str(empty_frontend(tmp / "other-frontend", FRONTEND)),
    }
    with frameworks_dev(request.param, env, vue, "/static/@vite/client") as dev:
        yield dev


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
    messages = record_console(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/vue/")
    counter = page.locator('[data-duet-island="Counter"]').get_by_test_id("vue-count")
    expect(counter).to_have_text("Clicked 7 times")
    vite_connected(page, messages)
    counter.click()
    counter.click()
    expect(counter).to_have_text("Clicked 9 times")
    source = frontend / COUNTER
    original = source.read_text()
    assert "Clicked {{ count }} times" in original
    edited = original.replace("Clicked {{ count }} times", "Pressed {{ count }} times")
    # Vue's hot reload kept the count, without a full reload
    edit_in_place(page, source, edited, counter, "Pressed 9 times", messages, server.output)
    counter.click()
    expect(counter).to_have_text("Pressed 10 times")
    assert any("[vite] hot updated: /src/islands/Counter.vue" in m for m in messages), messages
    assert not problems(messages), messages
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
    messages = record_console(duet_page)
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
    assert not problems(messages), messages
