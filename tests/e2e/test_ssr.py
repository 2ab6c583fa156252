"""Server-side rendering in production: /ssr/ rendered by React in V8 inside Django, hydrated.

The HTML is checked as a crawler sees it (no JavaScript), then in Chromium: hydration reuses
the server's DOM (no node replaced), the cart button works, and the console stays clean. A
tampered page proves that this test would see a hydration mismatch. The servers are the duet
plugin's: ``duet_live_server`` (gunicorn) and a uvicorn one from ``duet_live_server_factory``
(conftest.py's ``uvicorn_server``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

PRODUCT = "Duet desk lamp"
HYDRATED = """() => {
  const button = document.querySelector('[data-testid="add-to-cart"]');
  return button !== null && Object.keys(button).some((k) => k.startsWith("__reactProps$"));
}"""
# Installed before the page's scripts, watching from the end of parsing (module scripts run
# after it): records every node added to or removed from the server-rendered container.
# Hydration adopts the server's nodes; a client re-render (after a mismatch, or a createRoot
# instead of hydrateRoot) replaces them.
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


def record_console(page: Any) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    return messages


def test_html_has_the_component_and_head_tags_without_javascript(duet_live_server):
    response = httpx.get(duet_live_server.url + "/ssr/", timeout=10)
    assert response.status_code == 200
    html = response.text
    head, body = html.split("</head>", 1)
    assert f"<title>{PRODUCT} | django-duet shop</title>" in head
    assert '<meta name="description" content="A warm desk lamp, rendered on the server for ' in head
    assert f'<meta property="og:title" content="{PRODUCT}">' in head
    assert re.search(r'<link rel="canonical" href="http://127\.0\.0\.1:\d+/ssr/">', head)
    assert '<script type="application/ld+json">{"@context":"https://schema.org"' in head
    container = re.search(
        r'<div data-duet-ssr="ProductPage" data-duet-props="duet-ssr-1">(.*?)</div>', body, re.S
    )
    assert container is not None, body
    assert f'<h1 data-testid="product-name">{PRODUCT}</h1>' in container.group(1)
    assert ">€49.90</p>" in container.group(1)
    assert "Your cart is empty" in container.group(1)
    assert 'data-duet-mode="client"' not in html
    assert 'id="duet-ssr-1">{"product":' in body


@pytest.mark.parametrize("server", ["duet_live_server", "uvicorn_server"])
def test_page_hydrates_and_the_cart_works(duet_page, request, server):
    base = request.getfixturevalue(server).url
    page = duet_page
    messages = record_console(page)
    page.add_init_script(WATCH_CONTAINER)
    page.goto(base + "/ssr/")
    page.wait_for_function(HYDRATED, timeout=10_000)
    expect(page.get_by_test_id("product-name")).to_have_text(PRODUCT)
    assert page.title() == f"{PRODUCT} | django-duet shop"
    page.get_by_test_id("add-to-cart").click()
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("2 in cart")
    assert page.evaluate("window.__duetMutations") == []  # the server's nodes were adopted
    color = page.locator(".product").evaluate("e => getComputedStyle(e).borderTopColor")
    assert color == "rgb(22, 163, 74)"  # the page's CSS from the client build
    noisy = [m for m in messages if re.search(r"hydrat|did not match|418|425", m, re.I)]
    assert noisy == [], noisy
    assert not [m for m in messages if m.startswith(("error", "warning", "pageerror"))], messages


def test_a_mismatch_would_be_seen(duet_page, duet_live_server):
    """The oracle of the test above: a server HTML that differs from the props is reported."""
    page = duet_page
    messages = record_console(page)

    def tamper(route: Any) -> None:
        original = route.fetch()
        body = original.text().replace("Your cart is empty", "Your cart is full", 1)
        route.fulfill(response=original, body=body)

    page.route(duet_live_server.url + "/ssr/", tamper)
    page.add_init_script(WATCH_CONTAINER)
    page.goto(duet_live_server.url + "/ssr/")
    expect(page.get_by_test_id("cart-count")).to_have_text("Your cart is empty")  # re-rendered
    assert [m for m in messages if re.search(r"hydrat|418", m, re.I)], messages
    assert page.evaluate("window.__duetMutations") != []
    page.problems.allow("418")
    page.problems.allow("ydrat")


def test_gunicorns_master_maps_v8s_library_for_its_workers(duet_live_server):
    # example/gunicorn.conf.py preloads mini-racer's library in the master (docs/ssr.md), so
    # the workers it forks render with the relocated library they inherit (the unit test
    # test_ssr_preload.py checks that the preload starts no V8 thread).
    assert httpx.get(duet_live_server.url + "/ssr/", timeout=10).status_code == 200
    master = duet_live_server.process.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert children, "gunicorn has no workers"
    libraries = [
        {line.split()[-1] for line in maps(pid).splitlines() if "mini_racer" in line}
        for pid in [master, *children]
    ]
    assert len(libraries[0]) == 1 and all(found == libraries[0] for found in libraries)


def maps(pid: int | str) -> str:
    return Path(f"/proc/{pid}/maps").read_text()
