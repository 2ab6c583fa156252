"""django-duet/islands in Chromium, on the built example's /islands/ page (duet_live_server):
islands mount with their props from {% duet_island %}, a ``visible`` island's module is
fetched and mounted only once it is scrolled into view, a server-rendered island hydrates in
place without a warning, and an island whose component no entry registers is a console error
that names it (tests/e2e/pages/missing_island.html)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

MISSING_PAGE = Path(__file__).parent / "pages" / "missing_island.html"
STOCK = '[data-duet-island="Stock"]'
HYDRATED = """() => {
  const button = document.querySelector('[data-testid="stock-reserve"]');
  return button !== null && Object.keys(button).some((k) => k.startsWith("__reactProps$"));
}"""
# Nodes added to or removed from the server-rendered island after parsing: hydration adopts
# the server's nodes, a client render (createRoot, or a mismatch) replaces them.
WATCH_STOCK = """
window.__duetMutations = [];
document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive") return;
  new MutationObserver((records) => {
    for (const r of records) {
      const inside = r.target.closest && r.target.closest('[data-duet-island="Stock"]');
      if (inside && (r.addedNodes.length || r.removedNodes.length)) {
        window.__duetMutations.push(r.target.nodeName);
      }
    }
  }).observe(document, { childList: true, subtree: true });
});
"""


def record_console(page: Any) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    return messages


def test_islands_mount_with_their_props(duet_page, duet_live_server):
    duet_page.goto(duet_live_server.url + "/islands/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, islands!")
    expect(duet_page.get_by_test_id("island-items").locator("li")).to_have_text(
        ["Props from Django", "Mounted on load"]
    )
    expect(duet_page.get_by_test_id("island-tip")).to_have_text(
        "Tip: idle islands wait for a quiet moment"
    )
    counter = duet_page.get_by_test_id("island-counter")
    counter.click()
    expect(counter).to_have_text("Clicked 1 times")


def test_a_visible_island_is_fetched_and_mounted_only_after_scrolling(duet_page, duet_live_server):
    requested: list[str] = []
    duet_page.on("request", lambda r: requested.append(r.url))
    duet_page.goto(duet_live_server.url + "/islands/")
    # The idle island mounting means the page's first tasks are done.
    expect(duet_page.get_by_test_id("island-tip")).to_be_visible()
    reviews = duet_page.locator('[data-duet-island="Reviews"]')
    assert reviews.evaluate("(e) => e.childElementCount") == 0
    assert not [u for u in requested if re.search(r"/Reviews-[\w-]+\.js$", u)], requested
    assert duet_page.evaluate("window.scrollY") == 0
    reviews.scroll_into_view_if_needed()
    expect(duet_page.get_by_test_id("island-reviews").locator("li")).to_have_text(
        ["Ada: Loaded when I scrolled here.", "Grace: Not one byte before."]
    )
    assert [u for u in requested if re.search(r"/Reviews-[\w-]+\.js$", u)], requested


def test_the_server_html_of_an_island(duet_live_server):
    html = httpx.get(duet_live_server.url + "/islands/", timeout=10).text
    island = re.search(
        r'<div data-duet-island="Stock" data-props="(duet-island-\d+)">(.*?)</div>', html, re.S
    )
    assert island is not None, html
    assert '<p data-testid="stock-left">3<!-- --> <!-- -->lamps<!-- --> left</p>' in island[2]
    assert f'<script id="{island[1]}" type="application/json">{{"item": "lamps", "count": 3}}' in (
        html
    )
    assert 'data-duet-mode="client"' not in html


def test_a_server_rendered_island_hydrates_without_warnings(duet_page, duet_live_server):
    messages = record_console(duet_page)
    duet_page.add_init_script(WATCH_STOCK)
    duet_page.goto(duet_live_server.url + "/islands/")
    duet_page.wait_for_function(HYDRATED, timeout=10_000)
    assert duet_page.evaluate("window.__duetMutations") == []  # the server's nodes adopted
    duet_page.get_by_test_id("stock-reserve").click()
    expect(duet_page.get_by_test_id("stock-left")).to_have_text("2 lamps left")
    assert not [m for m in messages if m.startswith(("error", "warning", "pageerror"))], messages


def test_a_missing_component_is_a_console_error_that_names_it(duet_page, duet_live_server):
    base = duet_live_server.url
    islands_page = httpx.get(base + "/islands/", timeout=10).text
    head = islands_page.split("<head>", 1)[1].split("</head>", 1)[0]
    entry_tags = "\n".join(
        line for line in head.splitlines() if "<script" in line or "<link rel=" in line
    )
    body = MISSING_PAGE.read_text().replace("<!-- HEAD:", entry_tags + "\n<!--", 1)
    duet_page.route(
        base + "/missing-island/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=body),
    )
    messages = record_console(duet_page)
    duet_page.problems.allow('no component is registered as "Missing"')
    duet_page.goto(base + "/missing-island/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, still mounted!")
    errors = [m for m in messages if m.startswith("error")]
    assert errors == [
        'error: django-duet islands: no component is registered as "Missing" (registered: '
        "Account, Greeting, Reviews, Stock, Tip). Pass it to registerIslands({ Missing }), or "
        "name its module Missing.tsx where import.meta.glob looks."
    ]
