"""Svelte 5 as a frontend, in Chromium: example-frameworks (its Svelte frontend, built by
`make frontend`) served as in production by gunicorn, and `manage.py duet dev` on scratch copies
of its frontends.

Production: the islands page (a Greeting rendered in Django's V8 and hydrated, a Counter
mounted by the browser), the article rendered with ``{% duet_render %}`` (its head() and
``<svelte:head>`` tags in ``<head>``) hydrated without a node replaced and without a console
warning, and the client-routed app under /svelte/app/ (a deep link, client navigation, the
browser's back button). A tampered server HTML shows that the warning check can fail.

Development: the pages come through Django's origin, no React preamble is emitted for the
Svelte frontend, and an edit of a .svelte file shows up without a page load. Svelte 5's hot
reload (vite-plugin-svelte 7, Svelte's own ``hmr`` compiler option) re-creates the edited
component with its props: its own ``$state`` starts again from them, while every other
component, other islands included, keeps its state (docs/frameworks.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess

from .dev_support import FrameworksDev, edit_in_place, frameworks_dev, scratch_copy, vite_connected
from .frameworks_support import PROJECT, frameworks_site, problems, record_console

SVELTE = PROJECT / "svelte-frontend"
ENV = {"DJANGO_SECRET_KEY": "e2e-frameworks-secret-key-" + "s" * 40}

pytestmark = pytest.mark.e2e

# Svelte 5 keeps an element's delegated event handlers under the symbol "events": the button has
# it once hydration (or a mount) attached the click handler.
HANDLED = """(selector) => {
  const button = document.querySelector(selector);
  if (button === null) return false;
  return Object.getOwnPropertySymbols(button).some((s) => s.description === "events");
}"""
# Elements added to or removed from the server-rendered containers (the article, the Greeting
# island): none when hydration adopts the server's nodes (text and comment nodes not counted).
WATCH = """
const SERVER_RENDERED = '[data-duet-ssr], [data-duet-island="Greeting"]';
window.__duetMutations = [];
document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive") return;
  new MutationObserver((records) => {
    for (const r of records) {
      const inside = r.target.closest && r.target.closest(SERVER_RENDERED);
      const elements = [...r.addedNodes, ...r.removedNodes].filter((n) => n.nodeType === 1);
      if (inside && elements.length) window.__duetMutations.push(r.target.nodeName);
    }
  }).observe(document, { childList: true, subtree: true });
});
"""


# --- production: gunicorn over the build --------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[ServerProcess]:
    """example-frameworks collected into a scratch STATIC_ROOT and served by gunicorn."""
    if not (SVELTE / "dist" / ".vite" / "manifest.json").exists():
        pytest.fail("No build of example-frameworks/svelte-frontend: run `make frontend`.")
    with frameworks_site(tmp_path_factory.mktemp("static"), ENV, "--workers", "2") as server:
        yield server


def test_the_islands_hydrate_and_mount_with_djangos_props(duet_page, site):
    page = duet_page
    messages = record_console(page)
    page.add_init_script(WATCH)
    page.goto(site.url + "/svelte/")
    greeting = page.locator('[data-duet-island="Greeting"]')
    toggle = '[data-duet-island="Greeting"] [data-testid="svelte-toggle"]'
    page.wait_for_function(HANDLED, arg=toggle, timeout=10_000)
    assert page.evaluate("window.__duetMutations") == []  # the server's nodes adopted
    expect(greeting.get_by_test_id("svelte-greeting")).to_have_text("Hello, Svelte islands!")
    page.locator(toggle).click()
    expect(greeting.locator("li")).to_have_text(["Props from Django", "Rendered in V8, hydrated"])
    counter = page.locator('[data-duet-island="Counter"]')
    expect(counter.get_by_test_id("svelte-label")).to_have_text("A client-rendered island")
    button = counter.get_by_test_id("svelte-count")
    expect(button).to_have_text("Clicked 7 times")
    button.click()
    expect(button).to_have_text("Clicked 8 times")
    assert not problems(messages), messages


def test_the_server_rendered_island_is_in_the_html(site):
    html = httpx.get(site.url + "/svelte/", timeout=10).text
    assert "@react-refresh" not in html and "RefreshRuntime" not in html
    greeting = re.search(r'<div data-duet-island="Greeting" data-props="[\w-]+">(.*?)</div>', html)
    assert greeting is not None, html
    assert '<p data-testid="svelte-greeting">Hello, Svelte islands!</p>' in greeting[1]
    counter = re.search(r'<div data-duet-island="Counter" data-props="[\w-]+">(.*?)</div>', html)
    assert counter is not None and counter[1] == "", html  # rendered in the browser


def test_the_article_is_rendered_in_djangos_v8_and_hydrates(duet_page, site):
    html = httpx.get(site.url + "/svelte/article/", timeout=10).text
    head = html.split("</head>", 1)[0]
    assert "<title>Svelte in Django&#x27;s V8 | Svelte</title>" in head  # head()
    assert '<meta name="description" content="A Svelte 5 component rendered' in head
    assert f'<link rel="canonical" href="{site.url}/svelte/article/">' in head  # <svelte:head>
    assert 'data-testid="article-like">0 likes</button>' in html
    assert 'data-duet-mode="client"' not in html

    page = duet_page
    messages = record_console(page)
    page.add_init_script(WATCH)
    page.goto(site.url + "/svelte/article/")
    page.wait_for_function(HANDLED, arg='[data-testid="article-like"]', timeout=10_000)
    assert page.evaluate("window.__duetMutations") == []
    expect(page.get_by_test_id("article-title")).to_have_text("Svelte in Django's V8")
    like = page.get_by_test_id("article-like")
    like.click()
    expect(like).to_have_text("1 like")
    assert page.title() == "Svelte in Django's V8 | Svelte"
    # head() found its tags and left them; <svelte:head> finds none of its own markers in the
    # server's <head> and adds its <link> again, and svelteAdapter() removes the server's copy.
    assert page.locator('meta[name="description"]').count() == 1
    assert page.locator('link[rel="canonical"]').count() == 1
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert canonical == f"{site.url}/svelte/article/"
    assert not problems(messages), messages


def tampered(page: Any, url: str, old: str, new: str) -> list[str]:
    """The page at ``url`` with ``old`` replaced by ``new``, loaded and hydrated: its console."""
    messages = record_console(page)
    page.add_init_script(WATCH)
    original = httpx.get(url, timeout=10).text
    body = original.replace(old, new, 1)
    assert body != original

    def tamper(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route(url, tamper)
    page.goto(url)
    page.wait_for_function(HANDLED, arg='[data-testid="article-like"]', timeout=10_000)
    return messages


def test_a_tampered_server_html_is_a_mismatch_these_tests_would_see(duet_page, site):
    # The proof that the checks above can fail, with the server's hydration markers changed on
    # their way. Without the root's marker Svelte renders the component again, silently: only
    # the mutation check sees it.
    url = site.url + "/svelte/article/"
    messages = tampered(duet_page, url, '"duet-ssr-1"><!--[-->', '"duet-ssr-1">')
    assert duet_page.evaluate("window.__duetMutations") != []
    assert not problems(messages), messages


def test_a_tampered_inner_block_is_a_warning_these_tests_would_see(duet_page, site):
    # Without an {#each} block's marker, Svelte warns (hydration_mismatch) and renders again.
    url = site.url + "/svelte/article/"
    messages = tampered(duet_page, url, "<!--[--><p>Django rendered", "<p>Django rendered")
    assert duet_page.evaluate("window.__duetMutations") != []
    assert [m for m in problems(messages) if "hydration_mismatch" in m], messages


def test_a_deep_link_and_client_navigation_under_the_prefix(duet_page, site):
    page = duet_page
    messages = record_console(page)
    response = page.goto(site.url + "/svelte/app/items/2")
    assert response is not None and response.status == 200
    expect(page.get_by_test_id("page-title")).to_have_text("Item 2")
    expect(page.get_by_test_id("visits")).to_have_text("1 page seen")
    page.evaluate("window.__sameDocument = true")
    page.get_by_test_id("nav-home").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Items")
    assert urlsplit(page.url).path == "/svelte/app/"
    page.get_by_test_id("item-link-3").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Item 3")
    assert urlsplit(page.url).path == "/svelte/app/items/3"
    expect(page.get_by_test_id("visits")).to_have_text("3 pages seen")  # no page load between
    page.go_back()
    expect(page.get_by_test_id("page-title")).to_have_text("Items")
    assert page.evaluate("window.__sameDocument") is True
    page.reload()  # the deep link of where the app is now
    expect(page.get_by_test_id("page-title")).to_have_text("Items")
    page.goto(site.url + "/svelte/app/nowhere")
    expect(page.get_by_test_id("page-title")).to_have_text("Not found")
    assert not problems(messages), messages


# --- development: duet dev on scratch copies ----------------------------------------------------


@pytest.fixture(scope="module", params=["runserver", "asgi"])
def dev(request, tmp_path_factory) -> Iterator[FrameworksDev]:
    """``manage.py duet dev`` on copies of both frontends (one Vite each: the Vue frontend, the
    default, on vite_port; the Svelte one on vite_port + 1), under runserver and with --asgi
    (the HMR WebSocket through Django's origin too)."""
    tmp = tmp_path_factory.mktemp("frameworks-dev")
    svelte = scratch_copy(SVELTE, tmp / "svelte-frontend")
    env = {**ENV, "DUET_FRAMEWORKS_SVELTE_DIR": str(svelte)}
    if (PROJECT / "vue-frontend" / "node_modules").is_dir():
        env["DUET_FRAMEWORKS_VUE_DIR"] = str(scratch_copy(PROJECT / "vue-frontend", tmp / "vue"))
    with frameworks_dev(request.param, env, svelte, "/static/svelte/@vite/client") as started:
        yield started


def test_the_svelte_dev_server_gets_no_react_preamble(dev):
    server, svelte, vite_port = dev.server, dev.frontend, dev.vite_port + 1
    record = json.loads((svelte / ".duet-hot").read_text())  # what the duet() plugin wrote
    assert record["reactRefresh"] is False  # no @vitejs/plugin-react in this Vite config
    assert record["base"] == "/static/svelte/" and record["url"].endswith(f":{vite_port}")
    html = httpx.get(server.url + "/svelte/", timeout=30).text
    assert '<script type="module" src="/static/svelte/@vite/client"></script>' in html
    assert "/static/svelte/src/main.js" in html
    assert "@react-refresh" not in html and "RefreshRuntime" not in html
    # The server-rendered island, from the server bundle duetSsr() builds for the dev server.
    assert '<p data-testid="svelte-greeting">Hello, Svelte islands!</p>' in html
    module = httpx.get(server.url + "/static/svelte/src/islands/Counter.svelte", timeout=30)
    assert module.status_code == 200
    assert "import.meta.hot" in module.text  # Svelte's hot reload, compiled in


def test_an_edit_shows_up_through_djangos_origin_without_a_page_load(duet_page, dev):
    server, svelte = dev.server, dev.frontend
    page = duet_page
    messages = record_console(page)
    requests: list[str] = []
    sockets: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(server.url + "/svelte/")
    vite_connected(page, messages)
    counter = page.locator('[data-duet-island="Counter"]').get_by_test_id("svelte-count")
    expect(counter).to_have_text("Clicked 7 times")
    counter.click()
    counter.click()
    expect(counter).to_have_text("Clicked 9 times")
    greeting = page.locator('[data-duet-island="Greeting"]')
    greeting.get_by_test_id("svelte-toggle").click()  # state of another island
    expect(greeting.locator("li")).to_have_count(2)
    source = svelte / "src" / "islands" / "Counter.svelte"
    original = source.read_text()
    assert "Clicked {count} times" in original
    edited = original.replace("Clicked {count} times", "Pressed {count} times")
    pressed = re.compile(r"Pressed \d+ times")
    edit_in_place(page, source, edited, counter, pressed, messages, server.output)  # no page load
    # Svelte 5 re-creates the edited component with its props: its own state starts again.
    expect(counter).to_have_text("Pressed 7 times")
    expect(greeting.locator("li")).to_have_count(2)  # the other island kept its state
    counter.click()
    expect(counter).to_have_text("Pressed 8 times")
    origin = urlsplit(server.url).netloc
    assert {urlsplit(url).netloc for url in requests if url.startswith("http")} == {origin}
    if dev.asgi:  # the HMR socket too; runserver cannot carry it
        assert [urlsplit(url).netloc for url in sockets] == [origin]
    assert any("/static/svelte/src/islands/Counter.svelte" in url for url in requests)
    assert not problems(messages), messages
