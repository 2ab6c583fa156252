"""Server-side rendering in development: `manage.py duet dev` with the example's duetSsr().

The Vite dev server builds the server bundle when it starts and rebuilds it when a file
changes; Django (DEBUG) picks the new bundle up on the next request. The server comes from the
duet plugin's ``duet_dev_server_factory`` (conftest.py's ``example_dev``) on a scratch copy of
the example's frontend, so the repository's files are never edited.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import ExampleDev
from .dev_support import write_whole

PAGE = Path("src") / "ssr" / "ProductPage.tsx"
HYDRATED = """() => {
  const button = document.querySelector('[data-testid="add-to-cart"]');
  return button !== null && Object.keys(button).some((k) => k.startsWith("__reactProps$"));
}"""


def server_html_until(url: str, predicate, timeout: float = 60.0) -> str:
    """GET ``url`` until its HTML satisfies ``predicate`` (bounded), and return it."""
    deadline = time.monotonic() + timeout
    last = ""
    with httpx.Client(timeout=10.0) as client:
        while time.monotonic() < deadline:
            try:
                last = client.get(url).text
            except httpx.TransportError:
                last = ""
            if predicate(last):
                return last
            time.sleep(0.25)
    raise AssertionError(f"{url} never matched within {timeout}s; last answer:\n{last[:3000]}")


def server_rendered(html: str) -> bool:
    return '<div data-duet-ssr="ProductPage"' in html and 'data-duet-mode="client"' not in html


@pytest.fixture(scope="module")
def dev_server(example_dev) -> Iterator[ExampleDev]:
    dev = example_dev()
    with dev.server:
        yield dev


def test_an_edit_shows_up_in_the_server_rendered_html(dev_server):
    server, frontend = dev_server.server, dev_server.frontend
    url = server.url + "/ssr/"
    html = server_html_until(url, server_rendered)  # the bundle built when Vite started
    assert "Add to cart</button>" in html
    page = frontend / PAGE
    write_whole(page, page.read_text().replace("Add to cart", "Add to basket"))
    html = server_html_until(url, lambda h: server_rendered(h) and "Add to basket</button>" in h)
    assert re.search(r"<title>Duet desk lamp \| django-duet shop</title>", html)


def test_the_dev_page_hydrates_without_warnings(duet_page, dev_server):
    server = dev_server.server
    server_html_until(server.url + "/ssr/", server_rendered)
    messages: list[str] = []
    duet_page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    duet_page.goto(server.url + "/ssr/")
    duet_page.wait_for_function(HYDRATED, timeout=20_000)
    duet_page.get_by_test_id("add-to-cart").click()
    expect(duet_page.get_by_test_id("cart-count")).to_have_text("1 in cart")
    # React's development build reports every hydration difference as a console error.
    assert not [m for m in messages if m.startswith(("error", "warning"))], messages
