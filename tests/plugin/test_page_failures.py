"""duet_page fails a test on a console error, showing it; allowed problems pass."""

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
