"""duet_page fails a test on a console error, showing it (in any tab of its context); allowed
problems pass. duet_loopback_hosts names reach the test servers on 127.0.0.1."""

from __future__ import annotations

import pytest

from .conftest import run

pytestmark = pytest.mark.e2e  # starts Chromium

SITE = """
import functools
import http.server
import threading

import pytest

PAGES = {
    "good.html": "<h1>fine</h1>",
    "bad.html": "<h1>bad</h1><script>console.error('boom from the page')</script>",
    "throws.html": "<script>throw new Error('kaboom')</script>",
    "missing.html": "<script src='/nowhere.js'></script>",
}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    for name, html in PAGES.items():
        (root / name).write_text(html)
    # Chromium asks for /favicon.ico after some loads: a 404 there is a console error that
    # would land on whichever test is running (test_good, now and then).
    (root / "favicon.ico").write_bytes(b"")
    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
"""

TESTS = """
import pytest


def test_good(duet_page, site):
    duet_page.goto(site + "/good.html")


def test_console_error(duet_page, site):
    duet_page.goto(site + "/bad.html")
    duet_page.wait_for_timeout(50)


def test_uncaught_and_missing(duet_page, site):
    duet_page.goto(site + "/throws.html")
    duet_page.goto(site + "/missing.html")
    duet_page.wait_for_timeout(50)


@pytest.mark.duet_allow("boom from the page")
def test_allowed_by_marker(duet_page, site):
    duet_page.goto(site + "/bad.html")
    duet_page.wait_for_timeout(50)


def test_allowed_in_the_test(duet_page, site):
    duet_page.problems.allow("/nowhere.js")
    duet_page.problems.allow("status of 404")
    duet_page.goto(site + "/missing.html")
    duet_page.wait_for_timeout(50)
"""


def test_console_errors_fail_the_test_and_show_the_error(pytester):
    pytester.makeconftest(SITE)
    pytester.makepyfile(test_pages=TESTS)
    result = run(pytester, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=2)  # failed, not errored in teardown
    result.stdout.fnmatch_lines(
        [
            "*test_console_error*",
            "*The page met problems:",
            "*console error: boom from the page (http://127.0.0.1:*/bad.html)",
        ]
    )
    result.stdout.fnmatch_lines(["*uncaught: *kaboom*", "*HTTP 404: GET http://*/nowhere.js"])
    assert "test_allowed" not in "\n".join(x for x in result.outlines if "FAILED" in x)


TABS_AND_HOSTS = """
import pytest

pytestmark = pytest.mark.duet_allow("/favicon.ico")  # asked for by these pages, not served


@pytest.fixture(scope="session")
def duet_loopback_hosts():
    return ["*.duet.test"]


def test_another_tab_shares_cookies_and_is_watched(duet_page, site):
    duet_page.goto(site + "/good.html")
    duet_page.context.add_cookies([{"name": "seen", "value": "1", "url": site}])
    tab = duet_page.context.new_page()
    tab.goto(site + "/bad.html")
    assert tab.evaluate("document.cookie") == "seen=1"
    tab.wait_for_timeout(50)


def test_a_host_name_reaches_loopback(duet_page, site):
    named = site.replace("127.0.0.1", "shop.duet.test")
    duet_page.goto(named + "/good.html")
    assert duet_page.locator("h1").text_content() == "fine"
"""


def test_other_tabs_and_loopback_host_names(pytester):
    pytester.makeconftest(SITE)
    pytester.makepyfile(test_tabs=TABS_AND_HOSTS)
    result = run(pytester, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_another_tab_shares_cookies_and_is_watched*",
            "*console error: boom from the page (http://127.0.0.1:*/bad.html)",
        ]
    )
