"""Chromium for end-to-end tests: ``duet_browser`` and ``duet_page`` (Playwright's sync API).

``duet_chromium_executable`` finds a system Chromium (``--duet-chromium`` or ``DUET_CHROMIUM``
wins), ``duet_browser_launch_args`` gives Playwright's launch options with the flags a
locked-down CI needs (and ``duet_loopback_hosts`` mapped to 127.0.0.1), ``duet_browser`` one
Chromium per session and ``duet_page`` a page that
fails the test on any console error, uncaught exception, failed request or HTTP error, unless
the test allows it (``duet_page.problems.allow("favicon")`` or ``@pytest.mark.duet_allow(...)``).
With pytest-playwright instead, reuse the flags::

    @pytest.fixture(scope="session")
    def browser_type_launch_args(duet_browser_launch_args):
        return duet_browser_launch_args
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from django_duet.testing.servers import LOOPBACK

# No sandbox (root in containers), no GPU, and nothing that phones home: a closed network
# refuses those connections and slows every start.
CI_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(configured: str | None = None) -> str | None:
    configured = configured or os.environ.get("DUET_CHROMIUM")
    if configured:
        return configured
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class PageProblems:
    """Console errors, uncaught exceptions, failed requests and HTTP errors a page met."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.allowed: list[str] = []
        self.reported = 0  # how many of ``seen`` already failed the test

    def allow(self, fragment: str) -> None:
        """Let problems containing ``fragment`` pass (an expected 404, a known warning ...)."""
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [p for p in self.seen if not any(a in p for a in self.allowed)]

    def report(self) -> str | None:
        """The problems not yet reported, as a failure message (then marked reported)."""
        unexpected = self.unexpected()
        fresh, self.reported = unexpected[self.reported :], len(unexpected)
        if not fresh:
            return None
        return "The page met problems:\n  " + "\n  ".join(fresh)


def watch(page: Any, problems: PageProblems) -> Any:
    """Record ``page``'s console errors, uncaught exceptions, failed requests, HTTP errors."""

    def on_console(message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            problems.seen.append(f"console error: {message.text} ({where})")

    def on_failed(request: Any) -> None:
        # A navigation (goto, reload) aborts the previous page's requests: not a problem.
        if request.failure != "net::ERR_ABORTED":
            problems.seen.append(f"failed: {request.method} {request.url} {request.failure}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            problems.seen.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.seen.append(f"uncaught: {exc}"))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return page


@pytest.fixture(scope="session")
def duet_chromium_executable(pytestconfig: pytest.Config) -> str | None:
    """A system Chromium, or None to let Playwright use its own download."""
    return find_chromium(pytestconfig.getoption("duet_chromium") or None)


@pytest.fixture(scope="session")
def duet_loopback_hosts() -> list[str]:
    """Host names Chromium resolves to 127.0.0.1 (``*.example.test`` ...): override in a conftest
    to browse a test server under another name, or two origins of one site."""
    return []


def host_resolver_rules(hosts: list[str]) -> list[str]:
    if not hosts:
        return []
    return ["--host-resolver-rules=" + ",".join(f"MAP {host} {LOOPBACK}" for host in hosts)]


@pytest.fixture(scope="session")
def duet_browser_launch_args(
    duet_chromium_executable: str | None, duet_loopback_hosts: list[str]
) -> dict[str, Any]:
    flags = [*CI_CHROMIUM_FLAGS, *host_resolver_rules(duet_loopback_hosts)]
    args: dict[str, Any] = {"args": flags, "headless": True}
    if duet_chromium_executable:
        args["executable_path"] = duet_chromium_executable
    return args


@pytest.fixture(scope="session")
def duet_browser(duet_browser_launch_args: dict[str, Any]) -> Iterator[Any]:
    """One Chromium for the test session (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**duet_browser_launch_args)
        yield browser
        browser.close()


@pytest.fixture
def duet_page(request: pytest.FixtureRequest, duet_browser: Any) -> Iterator[Any]:
    """A page in a fresh context that fails the test on any console error or failed request.

    ``duet_page.problems.allow("favicon")`` lets an expected problem through, as does
    ``@pytest.mark.duet_allow("favicon", ...)``. Other tabs of its context
    (``duet_page.context.new_page()``, popups) share its cookies and are watched too. The test
    fails as soon as its body ends; problems met later (while the page closes) fail its teardown.
    """
    context = duet_browser.new_context()
    problems = PageProblems()
    for marker in request.node.iter_markers("duet_allow"):
        for fragment in marker.args:
            problems.allow(fragment)
    context.on("page", lambda tab: watch(tab, problems))
    page = context.new_page()
    page.problems = problems
    yield page
    context.close()
    message = problems.report()
    if message:
        pytest.fail(message, pytrace=False)


def check_page_problems(item: pytest.Item) -> None:
    """Called after a test's body (pytest_runtest_call): fail it on its page's problems."""
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("duet_page")
    problems = getattr(page, "problems", None)
    if isinstance(problems, PageProblems):
        message = problems.report()
        if message:
            pytest.fail(message, pytrace=False)
