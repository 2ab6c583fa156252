"""``DUET["DEV_ASSETS"] = "direct"`` end to end: ``duet dev`` (runserver and ``--asgi``) on the
example under its strict nonce-based CSP; the page comes from Django, its module graph and the
HMR socket straight from Vite's port; the island works and an edit shows up in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import ExampleDev
from .dev_support import edit_in_place, running, vite_connected, write_whole
from .test_csp import CSP, assert_strict_policy, strict_page
from .test_dev_hmr import GREETING
from .test_fast_pages import Expression

DIRECT = {"DUET": Expression('{**DUET, "DEV_ASSETS": "direct"}')}


@pytest.fixture(scope="module", params=["runserver", "asgi"])
def direct_dev(request, example_dev) -> Iterator[ExampleDev]:
    with running(example_dev(env=CSP, settings=DIRECT, asgi=request.param == "asgi")) as dev:
        yield dev


def test_the_modules_come_straight_from_vite(duet_page, direct_dev):
    server = direct_dev.server
    page = duet_page
    console = strict_page(page)
    requests: list[tuple[str, str]] = []
    sockets: list[str] = []
    messages: list[str] = []
    page.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("console", lambda m: messages.append(m.text))
    response = page.goto(server.url + "/")
    assert response is not None and response.status == 200
    nonce = assert_strict_policy(response)
    vite = f"127.0.0.1:{server.vite_port}"
    django = urlsplit(server.url).netloc

    greeting = page.get_by_test_id("island-greeting")
    expect(greeting).to_have_text("Hello, Django!")
    counter = page.get_by_test_id("island-counter")
    counter.click()
    expect(counter).to_have_text("Clicked 1 times")
    vite_connected(page, messages)

    html = response.text()  # as sent: the DOM hides nonce attributes
    assert f'src="http://{vite}/static/@vite/client" nonce="{nonce}"' in html
    assert f'src="http://{vite}/static/src/island.tsx" nonce="{nonce}"' in html
    scripts = [url for kind, url in requests if kind == "script"]
    assert len(scripts) > 10, scripts  # the client, the entry, components, React's chunks
    assert {urlsplit(url).netloc for url in scripts} == {vite}, scripts
    assert (requests[0][1], urlsplit(requests[0][1]).netloc) == (server.url + "/", django)
    # The HMR socket follows the client to Vite, under --asgi too.
    assert [urlsplit(url).netloc for url in sockets] == [vite]
    assert page.evaluate("() => window.__csp") == [] and console == []


def test_an_edit_shows_up_in_place(duet_page, direct_dev):
    server = direct_dev.server
    page = duet_page
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(server.url + "/")
    counter = page.get_by_test_id("island-counter")
    expect(counter).to_have_text("Clicked 0 times")
    vite_connected(page, messages)
    counter.click()
    expect(counter).to_have_text("Clicked 1 times")
    source = direct_dev.frontend / GREETING
    original = source.read_text()
    assert "Clicked {count} times" in original
    try:
        edited = original.replace("Clicked {count} times", "Pressed {count} times")
        # React Fast Refresh: one refresh runtime, so the count is kept, without a full reload
        edit_in_place(
            page, source, edited, counter, "Pressed 1 times", messages, server.process.output
        )
    finally:
        write_whole(source, original)
