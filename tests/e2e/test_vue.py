"""Vue 3 as the frontend, in Chromium: tests/fixtures/vue-frontend (vue, @vitejs/plugin-vue,
django-duet/vite and django-duet/ssr) built once for this module, read by Django
(tests/e2e/vue_site.py under gunicorn); its dev server gets no React preamble.

``{% duet_entry %}`` emits the Vue entry's tags; ``{% duet_island %}`` mounts a .vue component
with Django's props (django-duet/islands/vue); ``{% duet_render %}`` renders one in Django's V8
(django-duet/ssr/vue), byte for byte what Vue's Node renderer gives, and the browser hydrates it
without a mismatch (no node replaced, no warning) and it reacts to a click.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.dev.server import read_hot_file
from django_duet.dev.tags import dev_entry_tags
from django_duet.testing.servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
FRONTEND = ROOT / "tests" / "fixtures" / "vue-frontend"
COUNTER = {"label": "Rendered in Django's V8", "start": 3}
# Vue keeps an element's event handlers under the symbol "_vei" (production builds too): the
# button has it once hydration attached the click handler to the server's node.
HYDRATED = """() => {
  const button = document.querySelector('[data-duet-ssr] [data-testid="vue-count"]');
  if (button === null) return false;
  return Object.getOwnPropertySymbols(button).some((s) => s.description === "_vei");
}"""
WATCH_CONTAINER = """
window.__duetMutations = [];
document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive") return;
  new MutationObserver((records) => {
    for (const r of records) {
      const inside = r.target.closest && r.target.closest("[data-duet-ssr]");
      if (inside && (r.addedNodes.length || r.removedNodes.length)) {
        window.__duetMutations.push(r.target.nodeName);
      }
    }
  }).observe(document, { childList: true, subtree: true });
});
"""

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def vue_build(tmp_path_factory) -> Path:
    vite = FRONTEND / "node_modules" / ".bin" / "vite"
    if not vite.exists():
        pytest.fail("npm deps missing: run `make node-deps` (make test does it).")
    out = tmp_path_factory.mktemp("vue") / "dist"
    command = [str(vite), "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "warn"]
    subprocess.run(command, cwd=FRONTEND, check=True, timeout=180)
    return out


@pytest.fixture(scope="module")
def vue_site(vue_build) -> Iterator[ServerProcess]:
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "django.core.wsgi:get_wsgi_application()",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    env = {"DJANGO_SETTINGS_MODULE": "tests.e2e.vue_site", "DUET_VUE_BUILD": str(vue_build)}
    with ServerProcess(command, port=port, cwd=ROOT, env=env, name="vue") as server:
        yield server


def record_console(page: Any) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    return messages


def test_the_entry_tags_name_the_vue_build(vue_build, vue_site):
    manifest = json.loads((vue_build / ".vite" / "manifest.json").read_text())
    main = manifest["src/main.js"]["file"]
    html = httpx.get(vue_site.url + "/", timeout=10).text
    head = html.split("</head>", 1)[0]
    assert f'<script type="module" src="/static/{main}"' in head, head
    assert "@react-refresh" not in html and "RefreshRuntime" not in html


def test_the_server_html_is_what_vue_renders_in_node(vue_site):
    done = subprocess.run(
        ["node", "render.mjs", json.dumps([["Counter", COUNTER]])],
        cwd=FRONTEND,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    [oracle] = json.loads(done.stdout)
    html = httpx.get(vue_site.url + "/", timeout=10).text
    container = re.search(
        r'<div data-duet-ssr="Counter" data-duet-props="(duet-ssr-\d+)">(.*?)</div><script',
        html,
        re.S,
    )
    assert container is not None, html
    assert container[2] == oracle
    assert "Clicked 3 times" in oracle
    assert 'data-duet-mode="client"' not in html


def test_vue_islands_mount_with_djangos_props(duet_page, vue_site):
    messages = record_console(duet_page)
    duet_page.goto(vue_site.url + "/")
    counter = duet_page.locator('[data-duet-island="Counter"]')
    expect(counter.get_by_test_id("vue-label")).to_have_text("A client-rendered island")
    button = counter.get_by_test_id("vue-count")
    expect(button).to_have_text("Clicked 7 times")
    button.click()
    expect(button).to_have_text("Clicked 8 times")
    greeting = duet_page.locator('[data-duet-island="Greeting"]')
    expect(greeting.get_by_test_id("vue-greeting")).to_have_text("Hello, Vue islands!")
    expect(greeting.locator("li")).to_have_text(["Props from Django", "Rendered in V8, hydrated"])
    assert not [m for m in messages if m.startswith(("error", "warning", "pageerror"))], messages


def test_the_islands_server_html(vue_site):
    html = httpx.get(vue_site.url + "/", timeout=10).text
    greeting = re.search(r'<div data-duet-island="Greeting" data-props="[\w-]+">(.*?)</div>', html)
    assert greeting is not None, html
    assert '<p data-testid="vue-greeting">Hello, Vue islands!</p>' in greeting[1]
    counter = re.search(r'<div data-duet-island="Counter" data-props="[\w-]+">(.*?)</div>', html)
    assert counter is not None and counter[1] == "", html  # rendered in the browser


def test_the_server_rendered_component_hydrates_without_a_mismatch(duet_page, vue_site):
    messages = record_console(duet_page)
    duet_page.add_init_script(WATCH_CONTAINER)
    duet_page.goto(vue_site.url + "/")
    duet_page.wait_for_function(HYDRATED, timeout=10_000)
    assert duet_page.evaluate("window.__duetMutations") == []  # the server's nodes adopted
    container = duet_page.locator("[data-duet-ssr]")
    expect(container.get_by_test_id("vue-label")).to_have_text(COUNTER["label"])
    button = container.get_by_test_id("vue-count")
    expect(button).to_have_text("Clicked 3 times")
    button.click()
    expect(button).to_have_text("Clicked 4 times")
    assert not [m for m in messages if m.startswith(("error", "warning", "pageerror"))], messages


def test_a_tampered_server_html_is_a_mismatch_this_test_would_see(duet_page, vue_site):
    # The proof that the test above can fail: the server's count changed on its way to the browser.
    messages = record_console(duet_page)
    duet_page.problems.allow("Hydration")

    # Fetched here, not with route.fetch(): gunicorn's one sync worker may be held by a
    # connection Chromium opened ahead and has not used yet.
    page = httpx.get(vue_site.url + "/", timeout=10).text
    body = page.replace("Clicked 3 times", "Clicked 9 times", 1)
    assert body != page

    def tamper(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    duet_page.route(vue_site.url + "/", tamper)
    duet_page.goto(vue_site.url + "/")
    duet_page.wait_for_function(HYDRATED, timeout=10_000)
    expect(duet_page.locator("[data-duet-ssr]").get_by_test_id("vue-count")).to_have_text(
        "Clicked 3 times"
    )
    assert [m for m in messages if "Hydration" in m and m.startswith("error")], messages


def test_the_dev_server_of_a_vue_app_gets_no_react_preamble(tmp_path):
    # `vite` (dev) on the fixture: the duet plugin's hot file says no React Fast Refresh, so
    # Django's dev tags load the Vite client and the entry only; Vite serves the .vue module
    # compiled with Vue's hot-reload code.
    hot = tmp_path / "hot.json"
    port = free_port()
    vite = FRONTEND / "node_modules" / ".bin" / "vite"
    command = [str(vite), "--host", "127.0.0.1", "--port", str(port), "--strictPort"]
    env = {"DUET_HOT_FILE": str(hot)}
    with ServerProcess(command, port=port, cwd=FRONTEND, env=env, name="vue-dev") as server:
        deadline = time.monotonic() + 30
        while not hot.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        record = json.loads(hot.read_text())
        assert record["reactRefresh"] is False
        dev = read_hot_file(hot)
        assert dev is not None and dev.react_refresh is False
        tags = "".join(dev_entry_tags(dev, ("src/main.js",), emitted=set()))
        assert "@react-refresh" not in tags and "$RefreshReg$" not in tags
        assert f'src="{dev.base}@vite/client"' in tags and f"{dev.base}src/main.js" in tags
        module = httpx.get(f"{server.url}{dev.base}src/islands/Counter.vue", timeout=30)
        assert module.status_code == 200
        assert "__VUE_HMR_RUNTIME__" in module.text  # Vue's hot reload, kept state included
