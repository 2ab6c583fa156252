"""Django 6's own Content-Security-Policy middleware end to end, in Chromium: the example with
``django.middleware.csp.ContentSecurityPolicyMiddleware`` (csp_native_settings.py) instead of
django-csp, under ``script-src 'nonce-…' 'strict-dynamic'; style-src 'nonce-…'`` (no
'unsafe-inline'), built (gunicorn) and in ``duet dev``.

The pages: ``/`` ({% duet_entry %} and an island), ``/islands/`` ({% duet_island %}, a
server-rendered one with its inline props), ``/app/`` and the lazy ``/app/about`` (the
client-routes shell). A page passes when it works and Chromium reported no
``securitypolicyviolation`` event and no console CSP error. Django 5.2 has no such middleware:
the module is skipped there (`make test` on 5.2), and run by `make test-matrix` on Django 6.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import django
import pytest
from playwright.sync_api import expect

from django_duet.testing.live import LiveServer

from .csp_native_settings import native_csp_settings
from .test_csp import assert_strict_policy, strict_page
from .test_dev_hmr import vite_connected

pytestmark = pytest.mark.skipif(
    django.VERSION < (6, 0),
    reason="Django's own ContentSecurityPolicyMiddleware is new in Django 6.0 "
    "(run on Django 6.1 by `make test-matrix`)",
)

PAGES = [
    ("/", "island-greeting", "Hello, Django!"),
    ("/islands/", "island-greeting", "Hello, islands!"),
    ("/app/", "page-title", "Items"),
    ("/app/about", "page-title", "About"),  # a lazy chunk
]


def check_pages(page, url: str) -> None:
    console = strict_page(page)
    for path, test_id, text in PAGES:
        response = page.goto(url + path)
        assert "content-security-policy" in response.headers, path
        nonce = assert_strict_policy(response)  # Django's header, with the nonce the tags read
        expect(page.get_by_test_id(test_id)).to_have_text(text)
        nonces = page.evaluate(
            "() => [...document.querySelectorAll('script[src], link[rel=stylesheet], style')]"
            ".map((e) => e.nonce)"
        )
        assert nonces and set(nonces) == {nonce}, (path, nonces)
        assert page.evaluate("() => document.styleSheets.length") >= 1
        assert page.evaluate("() => window.__csp") == [], path
    assert console == []


def check_islands_mount(page, url: str) -> None:
    """The islands ran: props rendered, a click handled, the server-rendered one hydrated."""
    page.goto(url + "/islands/")
    expect(page.get_by_test_id("island-items").locator("li")).to_have_text(
        ["Props from Django", "Mounted on load"]
    )
    page.get_by_test_id("island-counter").click()
    expect(page.get_by_test_id("island-counter")).to_have_text("Clicked 1 times")
    page.get_by_test_id("stock-reserve").click()
    expect(page.get_by_test_id("stock-left")).to_have_text("2 lamps left")
    assert page.evaluate("() => window.__csp") == []


@pytest.fixture(scope="module")
def native_gunicorn(duet_live_server_factory) -> Iterator[LiveServer]:
    with duet_live_server_factory(settings=native_csp_settings()) as server:
        yield server


def test_production_pages_under_djangos_own_policy(duet_page, native_gunicorn):
    check_pages(duet_page, native_gunicorn.url)
    check_islands_mount(duet_page, native_gunicorn.url)


def test_the_native_policy_is_enforced(duet_page, native_gunicorn):
    """Without this the checks above could pass with a policy that refuses nothing."""
    duet_page.problems.allow("Content Security Policy")

    def tamper(route):
        response = route.fetch()
        injected = "<script>window.__injected = true</script></head>"
        body = response.text().replace("</head>", injected)
        route.fulfill(response=response, body=body)

    duet_page.route(native_gunicorn.url + "/", tamper)
    console = strict_page(duet_page)
    duet_page.goto(native_gunicorn.url + "/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert duet_page.evaluate("() => window.__injected") is None
    assert {v.split()[0] for v in duet_page.evaluate("() => window.__csp")} == {"script-src-elem"}
    assert console


@pytest.fixture(scope="module")
def native_dev_server(example_dev) -> Iterator[LiveServer]:
    dev = example_dev(settings=native_csp_settings(dev=True))
    with dev.server as server:
        yield server


def test_development_pages_under_djangos_own_policy(duet_page, native_dev_server):
    messages: list[str] = []
    duet_page.on("console", lambda m: messages.append(m.text))
    check_pages(duet_page, native_dev_server.url)
    vite_connected(duet_page, messages)  # the HMR socket (connect-src) got through
    # The inline React Refresh preamble ran: it carries the nonce.
    assert duet_page.evaluate("() => typeof window.$RefreshReg$") == "function"
