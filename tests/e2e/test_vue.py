"""Vue 3 as the frontend, in Chromium: example-frameworks' Vue pages (frameworks/vue.py) over
the build of example-frameworks/vue-frontend (`make frontend` builds it), collected and served
by gunicorn as in production.

- ``/vue/``: ``{% duet_island %}`` mounts .vue components with Django's props
  (django-duet/islands/vue), one rendered in Django's V8 and hydrated, one in the browser;
- ``/vue/ssr/``: ``{% duet_render %}`` renders a page component in Django's V8
  (django-duet/ssr/vue), byte for byte what Vue's Node renderer gives, with the title and meta
  tags its ``head()`` call sets in the server's ``<head>``; the browser hydrates it without a
  mismatch (no node replaced, no warning) and it reacts to clicks;
- ``/vue/ssr/stream/``: the same page with an async component, streamed (``StreamingPage``):
  the page's top shows before the slow part comes, then it hydrates;
- ``/vue/app/...``: the vue-router app of ``client_routes("app/")``: a deep link, a reload, and a
  client navigation to a lazy route.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.ssr.stream import CLIENT_RENDER_CONTAINER
from django_duet.testing.servers import ServerProcess
from tests.ssr.support import container, node_render

from .frameworks_support import PROJECT, frameworks_site, problems, record_console

FRONTEND = PROJECT / "vue-frontend"
BUILD = FRONTEND / "dist"
# frameworks/vue.py's props, as the templates hand them over.
GREETING = {"name": "Vue islands", "items": ["Props from Django", "Rendered in V8, hydrated"]}
PRODUCT = {
    "name": "Duet desk lamp",
    "summary": "A warm desk lamp, rendered by Vue inside Django & hydrated in the browser.",
    "price": 49.9,
    "features": ["Rendered in V8 inside Django", "No Node.js in production", "Hydrated in place"],
}
# Vue keeps an element's event handlers under the symbol "_vei" (production builds too): the
# button has it once hydration attached the click handler to the server's node.
HYDRATED = """() => {
  const button = document.querySelector('[data-duet-ssr] [data-testid="more"]');
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


def check_build() -> None:
    """The build `make frontend` made, not older than any source of the frontend."""
    manifest = BUILD / ".vite" / "manifest.json"
    if not manifest.exists():
        pytest.fail(f"No build in {BUILD}: run `make frontend`.")
    built = manifest.stat().st_mtime
    sources = [FRONTEND / "index.html", FRONTEND / "vite.config.js", *FRONTEND.glob("src/**/*")]
    stale = [p.relative_to(FRONTEND) for p in sources if p.stat().st_mtime > built]
    if stale:
        pytest.fail(f"{BUILD} is older than {stale[0]}: run `make frontend` again.")


@pytest.fixture(scope="module")
def vue_site(tmp_path_factory) -> Iterator[ServerProcess]:
    """example-frameworks collected into a scratch STATIC_ROOT and served by gunicorn."""
    check_build()
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "e2e-frameworks-" + "k" * 40}
    options = ("--workers", "1", "--threads", "4", "--worker-class", "gthread")
    with frameworks_site(tmp_path_factory.mktemp("vue-static"), env, *options) as server:
        yield server


def get(site: ServerProcess, path: str) -> str:
    response = httpx.get(site.url + path, timeout=10)
    assert response.status_code == 200, response.text
    return response.text


# --- /vue/: islands -----------------------------------------------------------------------------


def test_the_entry_tags_name_the_vue_build(vue_site):
    manifest = json.loads((BUILD / ".vite" / "manifest.json").read_text())
    html = get(vue_site, "/vue/")
    head = html.split("</head>", 1)[0]
    entry = manifest["src/islands.js"]["file"]
    assert f'<script type="module" src="/static/{entry}"' in head, head
    assert "@react-refresh" not in html and "RefreshRuntime" not in html


def test_the_islands_server_html(vue_site):
    html = get(vue_site, "/vue/")
    greeting = re.search(r'<div data-duet-island="Greeting" data-props="[\w-]+">(.*?)</div>', html)
    assert greeting is not None, html
    [oracle] = node_render(FRONTEND, [("islands/Greeting", GREETING)])
    assert greeting[1] == oracle
    assert '<p data-testid="vue-greeting">Hello, Vue islands!</p>' in oracle
    counter = re.search(r'<div data-duet-island="Counter" data-props="[\w-]+">(.*?)</div>', html)
    assert counter is not None and counter[1] == "", html  # rendered in the browser


def test_vue_islands_mount_with_djangos_props(duet_page, vue_site):
    messages = record_console(duet_page)
    duet_page.goto(vue_site.url + "/vue/")
    counter = duet_page.locator('[data-duet-island="Counter"]')
    expect(counter.get_by_test_id("vue-label")).to_have_text("A client-rendered island")
    button = counter.get_by_test_id("vue-count")
    expect(button).to_have_text("Clicked 7 times")
    button.click()
    expect(button).to_have_text("Clicked 8 times")
    greeting = duet_page.locator('[data-duet-island="Greeting"]')
    expect(greeting.get_by_test_id("vue-greeting")).to_have_text("Hello, Vue islands!")
    expect(greeting.locator("li")).to_have_text(GREETING["items"])
    assert not problems(messages), messages


# --- /vue/ssr/: a page rendered by Vue in Django's V8 -------------------------------------------


def test_the_server_html_is_what_vue_renders_in_node(vue_site):
    html = get(vue_site, "/vue/ssr/")
    props = {"product": PRODUCT, "canonicalUrl": vue_site.url + "/vue/ssr/"}
    [oracle] = node_render(FRONTEND, [("ssr/ProductPage", props)])
    assert container(html, "ProductPage") == oracle
    assert '<output data-testid="quantity">1</output>' in oracle
    assert 'data-duet-mode="client"' not in html


def test_head_tags_set_by_the_component_are_in_the_servers_head(vue_site):
    html = get(vue_site, "/vue/ssr/")
    head = html.split("</head>", 1)[0]
    assert head.count("<title>") == 1
    assert "<title>Duet desk lamp | Vue in Django</title>" in head
    summary = PRODUCT["summary"].replace("&", "&amp;")
    assert f'<meta name="description" content="{summary}">' in head
    assert '<meta property="og:title" content="Duet desk lamp">' in head
    assert f'<link rel="canonical" href="{vue_site.url}/vue/ssr/">' in head


def test_the_server_rendered_page_hydrates_without_a_mismatch(duet_page, vue_site):
    messages = record_console(duet_page)
    duet_page.add_init_script(WATCH_CONTAINER)
    duet_page.goto(vue_site.url + "/vue/ssr/")
    duet_page.wait_for_function(HYDRATED, timeout=10_000)
    assert duet_page.evaluate("window.__duetMutations") == []  # the server's nodes adopted
    page = duet_page.locator("[data-duet-ssr]")
    expect(page.get_by_test_id("product-name")).to_have_text("Duet desk lamp")
    expect(page.get_by_test_id("less")).to_be_disabled()
    page.get_by_test_id("more").click()
    page.get_by_test_id("more").click()
    expect(page.get_by_test_id("quantity")).to_have_text("3")
    expect(page.get_by_test_id("total")).to_have_text("Total: 149.70 EUR")
    expect(page.get_by_test_id("less")).to_be_enabled()
    # head() in the browser leaves the server's tags as they are: one of each.
    assert duet_page.title() == "Duet desk lamp | Vue in Django"
    assert duet_page.locator('head meta[name="description"]').count() == 1
    assert not problems(messages), messages


def test_a_tampered_server_html_is_a_mismatch_this_test_would_see(duet_page, vue_site):
    # The proof that the test above can fail: the server's quantity changed on its way.
    messages = record_console(duet_page)
    duet_page.problems.allow("Hydration")
    page = get(vue_site, "/vue/ssr/")
    body = page.replace('data-testid="quantity">1<', 'data-testid="quantity">9<', 1)
    assert body != page

    def tamper(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    duet_page.route(vue_site.url + "/vue/ssr/", tamper)
    duet_page.goto(vue_site.url + "/vue/ssr/")
    duet_page.wait_for_function(HYDRATED, timeout=10_000)
    expect(duet_page.locator("[data-duet-ssr]").get_by_test_id("quantity")).to_have_text("1")
    assert [m for m in messages if "Hydration" in m and m.startswith("error")], messages


# --- /vue/ssr/stream/: the same page streamed (StreamingPage) -----------------------------------

DELAY_MS = 1200
# Recorded as the parser adds them, before any script of the page runs.
WATCH_STREAM = """
window.__seen = {};
new MutationObserver(() => {
  const now = performance.now();
  for (const id of ["product-name", "reviews"]) {
    if (!(id in window.__seen) && document.querySelector(`[data-testid="${id}"]`)) {
      window.__seen[id] = now;
    }
  }
}).observe(document, { childList: true, subtree: true });
"""


def test_the_streamed_page_shows_its_top_then_the_reviews_then_hydrates(duet_page, vue_site):
    get(vue_site, "/vue/ssr/stream/?delay=10")  # the worker's V8 context, created and loaded
    messages = record_console(duet_page)
    page = duet_page
    page.add_init_script(WATCH_STREAM)
    started = time.monotonic()
    page.goto(vue_site.url + f"/vue/ssr/stream/?delay={DELAY_MS}", wait_until="commit")
    page.wait_for_selector('[data-testid="product-name"]', state="attached", timeout=10_000)
    assert time.monotonic() - started < DELAY_MS / 1000
    assert page.locator('[data-testid="reviews"]').count() == 0  # still on its way
    expect(page.get_by_test_id("reviews")).to_contain_text("Grace", timeout=10_000)
    page.wait_for_function(HYDRATED, timeout=10_000)
    seen = page.evaluate("window.__seen")
    assert seen["product-name"] + DELAY_MS * 0.6 < seen["reviews"], seen
    assert page.title() == "Duet desk lamp | Vue in Django"  # head() of the streamed page
    page.get_by_test_id("more").click()
    expect(page.get_by_test_id("quantity")).to_have_text("2")
    expect(page.get_by_test_id("reviews").locator("li")).to_have_count(2)
    assert not problems(messages), messages


def test_a_stream_cut_short_is_rendered_by_the_browser(duet_page, vue_site):
    # What Django sends when the component fails (or the budget runs out) after the first
    # chunk: part of the HTML, then the script that hands the container to the browser.
    messages = record_console(duet_page)
    html = get(vue_site, "/vue/ssr/stream/?delay=10")
    cut = html.index("<h2>Reviews</h2>") + len("<h2>Reviews</h2>")
    end = html.index('</div><script type="application/json" id="duet-ssr-1"')
    selector = json.dumps('[data-duet-props="duet-ssr-1"]')
    script = f"<script>{CLIENT_RENDER_CONTAINER.replace('SELECTOR', selector)}</script>"
    body = html[:cut] + script + html[end:]
    duet_page.route(
        vue_site.url + "/vue/ssr/stream/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=body),
    )
    duet_page.goto(vue_site.url + "/vue/ssr/stream/")
    container = duet_page.locator('[data-duet-ssr="ReviewsPage"]')
    expect(container).to_have_attribute("data-duet-mode", "client")
    expect(container.get_by_test_id("reviews").locator("li")).to_have_count(2)
    container.get_by_test_id("more").click()
    expect(container.get_by_test_id("quantity")).to_have_text("2")
    assert container.locator("h2", has_text="Reviews").count() == 1  # the partial HTML gone
    assert not problems(messages), messages


# --- /vue/app/: vue-router under a prefix -------------------------------------------------------


def test_a_deep_link_and_a_reload_under_the_prefix(duet_page, vue_site):
    messages = record_console(duet_page)
    response = duet_page.goto(vue_site.url + "/vue/app/items/2")
    assert response is not None and response.status == 200
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Item 2")
    assert duet_page.locator('meta[name="duet-base"]').get_attribute("content") == "/vue/app/"
    duet_page.get_by_test_id("next-item").click()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Item 3")
    assert duet_page.url == vue_site.url + "/vue/app/items/3"
    duet_page.reload()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Item 3")
    assert not problems(messages), messages


def test_a_client_navigation_to_the_lazy_route(duet_page, vue_site):
    messages = record_console(duet_page)
    requests: list[str] = []
    duet_page.on("request", lambda r: requests.append(r.url))
    duet_page.goto(vue_site.url + "/vue/app/")
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Vue Router under /vue/app/")
    manifest = json.loads((BUILD / ".vite" / "manifest.json").read_text())
    about = manifest["src/app/About.vue"]["file"]
    assert not [url for url in requests if url.endswith(about)]  # not loaded yet
    duet_page.evaluate("window.__sameDocument = true")
    documents = len([url for url in requests if "/vue/app/" in url])
    duet_page.get_by_test_id("nav-about").click()
    expect(duet_page.get_by_test_id("lazy-note")).to_be_visible()
    assert duet_page.url == vue_site.url + "/vue/app/about"
    assert [url for url in requests if url.endswith(about)]  # its chunk, fetched now
    assert duet_page.evaluate("window.__sameDocument") is True  # no page load
    assert len([url for url in requests if "/vue/app/" in url]) == documents
    assert not problems(messages), messages
