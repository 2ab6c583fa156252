"""Pages that load fast, in Chromium under the strict CSP of docs/csp.md (django-csp): the
``Link`` header of ``LinkHeaderMiddleware`` and the prefetch of lazy chunks
(``DUET["PREFETCH"] = "waterfall"``) on the built example served by gunicorn.

A page passes when it works, reported no CSP violation and no console problem (``duet_page``),
and the browser did what the feature promises: the header's files were fetched once, the lazy
chunks after ``load`` and before the next navigation, each prefetch link with the nonce.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from django_duet.testing.live import LiveServer

from .test_csp import CSP, assert_strict_policy, strict_page

LINKS = "django_duet.pages.links.LinkHeaderMiddleware"


class Expression(str):
    """A settings override written as Python source into the generated settings module (it
    imports the example's settings first): extends the example's values instead of
    replacing them."""

    def __repr__(self) -> str:
        return str(self)


FAST = {
    "MIDDLEWARE": Expression(f"[*MIDDLEWARE, {LINKS!r}]"),
    "DUET": Expression('{**DUET, "PREFETCH": "waterfall", "PREFETCH_CONCURRENCY": 2}'),
}
LAZY = ("Reviews", "Stock", "Tip")  # the islands src/island.tsx imports on demand


@pytest.fixture(scope="module")
def fast_server(duet_live_server_factory) -> Iterator[LiveServer]:
    with duet_live_server_factory(env=CSP, settings=FAST) as server:
        yield server


def link_urls(value: str) -> list[str]:
    return re.findall(r"<([^>]+)>", value)


def test_link_header_under_the_strict_policy(duet_page, fast_server):
    console = strict_page(duet_page)
    fetched: list[str] = []
    duet_page.on("request", lambda r: fetched.append(r.url))
    response = duet_page.goto(fast_server.url + "/")
    nonce = assert_strict_policy(response)
    link = response.headers["link"]
    values = link.split(", ")
    assert values[0].endswith(f'; nonce="{nonce}"') and "rel=preload; as=style" in values[0]
    assert all(v.endswith(f'; nonce="{nonce}"') for v in values)
    assert any("rel=modulepreload" in v for v in values)
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert duet_page.evaluate("() => window.__csp") == [] and console == []
    # Each file of the header was fetched once: the header's preload and the tag share it.
    for url in link_urls(link):
        assert fetched.count(fast_server.url + url) == 1, (url, fetched)
    # The stylesheets applied.
    assert duet_page.evaluate("() => document.styleSheets.length") >= 1


def test_lazy_chunks_prefetched_after_load_before_navigation(duet_page, fast_server):
    console = strict_page(duet_page)
    duet_page.goto(fast_server.url + "/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    # Each lazy island's chunk arrives after the page's load event, without being asked for.
    duet_page.wait_for_function(
        "(names) => names.every((n) => performance.getEntriesByType('resource')"
        ".some((e) => e.name.includes(`/assets/${n}-`) && e.responseEnd > 0))",
        arg=list(LAZY),
        timeout=10_000,
    )
    timing = duet_page.evaluate(
        """(names) => {
          const load = performance.getEntriesByType('navigation')[0].loadEventStart;
          return names.map((n) => {
            const e = performance.getEntriesByType('resource')
              .find((r) => r.name.includes(`/assets/${n}-`));
            return {name: n, start: e.startTime, load};
          });
        }""",
        list(LAZY),
    )
    for t in timing:
        assert t["start"] >= t["load"] > 0, timing
    # The links carry the page's nonce (Chromium hides it from attributes, not from .nonce).
    nonces = duet_page.evaluate(
        "() => [...document.querySelectorAll('link[fetchpriority=low]')].map((l) => l.nonce)"
    )
    script_nonce = duet_page.evaluate("() => document.querySelector('script[src]').nonce")
    assert nonces and set(nonces) == {script_nonce}, nonces
    assert duet_page.evaluate("() => window.__csp") == [] and console == []
    # Then the islands page finds them in the HTTP cache: nothing went over the network.
    duet_page.goto(fast_server.url + "/islands/")
    expect(duet_page.get_by_test_id("island-tip")).to_be_visible()
    reused = duet_page.evaluate(
        """(names) => performance.getEntriesByType('resource')
          .filter((e) => names.some((n) => e.name.includes(`/assets/${n}-`)))
          .map((e) => ({name: e.name, transferred: e.transferSize, size: e.decodedBodySize}))""",
        list(LAZY),
    )
    assert reused and all(r["transferred"] == 0 and r["size"] > 0 for r in reused), reused
    assert duet_page.evaluate("() => window.__csp") == [] and console == []
