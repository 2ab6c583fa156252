"""A strict Content-Security-Policy end to end: the example with django-csp (DUET_EXAMPLE_CSP=1)
under ``script-src 'nonce-…' 'strict-dynamic'; style-src 'nonce-…'``, in production (gunicorn,
from ``duet_live_server_factory``) and in development (``duet dev``, from
``duet_dev_server_factory``: React Refresh preamble and Vite's injected <style>s included).

Chromium reports every blocked script, stylesheet or style as a ``securitypolicyviolation``
event and a console error: a page passes when it works and reported none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.live import LiveServer

from .test_dev_hmr import vite_connected

CSP = {"DUET_EXAMPLE_CSP": "1"}  # example/settings.py turns django-csp on

# Installed before any script of the page runs; violations of every frame end up in the list.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
PAGES = [
    ("/", "island-greeting", "Hello, Django!"),
    ("/app/", "page-title", "Items"),
    ("/app/about", "page-title", "About"),  # a lazy chunk
]


def strict_page(page) -> list[str]:
    """Installs the violation listener; returns the list of console CSP messages."""
    page.add_init_script(LISTEN)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return console


def assert_strict_policy(response) -> str:
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", policy)
    assert script_src, policy
    sources = script_src.group(1).split()
    assert "'strict-dynamic'" in sources and "'unsafe-inline'" not in sources, policy
    nonce = re.search(r"'nonce-([^']+)'", script_src.group(1))
    assert nonce, policy
    assert f"style-src 'nonce-{nonce.group(1)}'" in policy, policy
    return nonce.group(1)


def check_pages(page, url: str) -> None:
    console = strict_page(page)
    for path, test_id, text in PAGES:
        response = page.goto(url + path)
        nonce = assert_strict_policy(response)
        expect(page.get_by_test_id(test_id)).to_have_text(text)
        html = page.content()
        assert f'nonce="{nonce}"' not in html  # Chromium hides nonces from the DOM...
        # ...but every script and stylesheet element has one (.nonce), and it is the header's.
        nonces = page.evaluate(
            "() => [...document.querySelectorAll('script[src], link[rel=stylesheet], style')]"
            ".map((e) => e.nonce)"
        )
        assert nonces and set(nonces) == {nonce}, (path, nonces)
        # The styles applied: no stylesheet was refused.
        assert page.evaluate("() => document.styleSheets.length") >= 1
        assert page.evaluate("() => window.__csp") == [], path
    assert console == []


@pytest.fixture(scope="module")
def csp_gunicorn(duet_live_server_factory) -> Iterator[LiveServer]:
    with duet_live_server_factory(env=CSP) as server:
        yield server


def test_production_pages_under_a_strict_policy(duet_page, csp_gunicorn):
    check_pages(duet_page, csp_gunicorn.url)


def test_in_app_navigation_to_the_lazy_route(duet_page, csp_gunicorn):
    console = strict_page(duet_page)
    duet_page.goto(csp_gunicorn.url + "/app/")
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Items")
    duet_page.get_by_test_id("nav-about").click()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("About")
    assert duet_page.evaluate("() => window.__csp") == [] and console == []


def test_the_policy_is_enforced(duet_page, csp_gunicorn):
    """The checks above would be vacuous if nothing were ever refused: show that it is, with
    an inline script and a stylesheet that lack the nonce, added to the page as it arrives."""
    duet_page.problems.allow("Content Security Policy")

    def tamper(route):
        response = route.fetch()
        body = response.text().replace(
            "</head>",
            "<script>window.__injected = true</script><style>body { display: none }</style></head>",
        )
        route.fulfill(response=response, body=body)

    duet_page.route(csp_gunicorn.url + "/", tamper)
    console = strict_page(duet_page)
    duet_page.goto(csp_gunicorn.url + "/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert duet_page.evaluate("() => window.__injected") is None
    violations = duet_page.evaluate("() => window.__csp")
    assert {v.split()[0] for v in violations} == {"script-src-elem", "style-src-elem"}
    assert console


@pytest.fixture(scope="module")
def csp_dev_server(example_dev) -> Iterator[LiveServer]:
    dev = example_dev(env=CSP)  # up once Vite's client answers through Django
    with dev.server as server:
        yield server
    assert not (dev.frontend / ".duet-hot").exists()


def test_development_pages_under_a_strict_policy(duet_page, csp_dev_server):
    messages: list[str] = []
    duet_page.on("console", lambda m: messages.append(m.text))
    check_pages(duet_page, csp_dev_server.url)
    vite_connected(duet_page, messages)  # the HMR socket (connect-src) got through
    # Vite's client injected the components' CSS as <style> elements, with the nonce.
    assert duet_page.evaluate("() => document.querySelectorAll('style[data-vite-dev-id]').length")


def test_the_dev_preamble_runs_under_the_policy(duet_page, csp_dev_server):
    console = strict_page(duet_page)
    duet_page.goto(csp_dev_server.url + "/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    # Set by the inline React Refresh preamble, which only runs with the nonce.
    assert duet_page.evaluate("() => typeof window.$RefreshReg$") == "function"
    assert duet_page.evaluate("() => window.__csp") == [] and console == []


def test_dev_proxy_answers_carry_no_surprise(csp_dev_server):
    # The page's policy is Django's: the proxied modules are loaded under it, not their own.
    with httpx.Client(timeout=10) as client:
        page = client.get(csp_dev_server.url + "/")
    assert "'strict-dynamic'" in page.headers["content-security-policy"]
