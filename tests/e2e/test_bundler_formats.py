"""Pages over real webpack and create-react-app builds in Chromium: the tags the manifest
parsers produce load and run (classic deferred scripts in order, CSS, SRI, lazy chunks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BIN, ROOT


@pytest.fixture(scope="module", params=["webpack", "webpack-stats", "cra"])
def bundler_site(request) -> Iterator[tuple[str, ServerProcess]]:
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "django.core.wsgi:get_wsgi_application()",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    env = {"DJANGO_SETTINGS_MODULE": "tests.e2e.bundler_site", "DUET_SITE_BUNDLER": request.param}
    with ServerProcess(command, port=port, cwd=ROOT, env=env, name=request.param) as server:
        yield request.param, server


def test_the_page_runs_the_build(duet_page, bundler_site):
    bundler, server = bundler_site
    duet_page.goto(server.url + "/")
    scripts = duet_page.locator("script[defer][integrity]")
    if bundler == "webpack":
        root = duet_page.locator("#webpack-root")
        expect(root).to_have_text("Hello, webpack!")
        expect(root).to_have_attribute("data-lazy", "loaded")  # a lazy chunk, via the runtime
        assert root.evaluate("(e) => getComputedStyle(e).fontWeight") == "700"  # main.css
        expect(scripts).to_have_count(3)  # runtime, shared, main: in order, with SRI
    elif bundler == "webpack-stats":  # hand-written: the scripts only mark the page
        # Each script ran, so Chromium accepted the plugin's sha256/384/512 integrity.
        expect(duet_page.locator("html")).to_have_attribute("data-main", "webpack-stats-v3")
        assert duet_page.evaluate("() => typeof window.__duetRuntime") == "object"
        expect(scripts).to_have_count(3)
        style = duet_page.locator("body").evaluate("(e) => getComputedStyle(e).marginTop")
        assert style == "0px"  # main.css, under /static/bundles/
    else:
        expect(duet_page.get_by_test_id("cra-title")).to_have_text("Hello from create-react-app")
        expect(duet_page.get_by_test_id("cra-lazy")).to_have_text("A lazy chunk")
        counter = duet_page.get_by_test_id("cra-counter")
        counter.click()
        expect(counter).to_have_text("Clicked 1 times")
        style = duet_page.locator("main.cra-app").evaluate(
            "(e) => getComputedStyle(e).borderTopStyle"
        )
        assert style == "solid"
        expect(scripts).to_have_count(1)
