"""Two frontends on one site, in Chromium: the example's public frontend and its staff tools
(DUET["FRONTENDS"]["staff"], built from example/staff-frontend), each with its own build,
manifest and prefix, one Django session; in production and under ``duet dev``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from .test_dev_hmr import edit_until_shown, vite_connected

ROOT = Path(__file__).resolve().parents[2]
STAFF = ROOT / "example" / "staff-frontend"
DEMO = ("demo", "demo-password-123")


@pytest.fixture(scope="module")
def staff_manifest(duet_build) -> dict[str, dict[str, object]]:
    # The plugin builds it (ini duet_more_frontends), before any server collects static files.
    [staff] = [b for b in duet_build.others if b.frontend_dir == STAFF]
    return json.loads((staff.output_dir / ".vite" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def server(duet_live_server, staff_manifest):
    duet_live_server.manage("demo_user")
    return duet_live_server


def test_each_frontend_loads_its_own_build_under_its_prefix(duet_page, server, staff_manifest):
    page = duet_page
    loaded: list[str] = []
    page.on("response", lambda r: loaded.append(r.url) if r.ok else None)
    response = page.goto(server.url + "/staff/")
    assert response is not None
    expect(page.get_by_test_id("staff-title")).to_have_text("Staff tools")
    expect(page.get_by_test_id("staff-session")).to_have_text("Not signed in")
    border = page.locator(".staff-tools").evaluate("e => getComputedStyle(e).borderLeftColor")
    assert border == "rgb(22, 163, 74)"  # the staff build's own CSS
    page.get_by_test_id("staff-report-button").click()  # a lazy chunk of the staff build
    expect(page.get_by_test_id("staff-report")).to_contain_text("lazy chunk of the staff build")
    main = str(staff_manifest["src/main.tsx"]["file"])
    assert server.url + "/static/staff/" + main in loaded
    assert any(re.search(r"/static/staff/assets/Report-[\w-]+\.js$", url) for url in loaded)
    scripts = page.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
    assert scripts and all("/static/staff/assets/" in src for src in scripts)

    # The page names its own build; the server names both (a page of either is current).
    page_build = page.locator('meta[name="duet-build"]').get_attribute("content")
    ids = [part.strip() for part in (response.header_value("x-duet-build") or "").split(",")]
    assert len(ids) == 2 and page_build == ids[1]

    page.goto(server.url + "/")  # the public frontend, beside it
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    island_build = page.locator('meta[name="duet-build"]').get_attribute("content")
    assert island_build == ids[0] != page_build
    page.get_by_test_id("to-staff").click()  # the public page links to the staff tools
    expect(page.get_by_test_id("staff-title")).to_have_text("Staff tools")


def test_one_login_serves_both_frontends(duet_page, duet_login, server):
    duet_login(duet_page, *DEMO, base_url=server.url)
    duet_page.goto(server.url + "/staff/")
    expect(duet_page.get_by_test_id("staff-session")).to_have_text("Signed in as demo")


def test_the_staff_build_is_served_immutable_and_compressed(server, staff_manifest):
    main = str(staff_manifest["src/main.tsx"]["file"])
    with httpx.Client(base_url=server.url) as client:
        response = client.get(f"/static/staff/{main}", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    assert "immutable" in response.headers["cache-control"]


@pytest.fixture(scope="module")
def two_dev(example_dev):
    """``duet dev --asgi`` on scratch copies of both frontends: a Vite each, the HMR sockets
    through Django's origin too."""
    started = example_dev(asgi=True)
    yield started.server, started.frontend.parent / "staff-frontend"
    started.server.stop()


def test_dev_serves_each_frontend_from_its_own_vite_with_hot_reload(duet_page, two_dev):
    server, staff_copy = two_dev
    page = duet_page
    modules: list[str] = []
    sockets: list[str] = []
    messages: list[str] = []
    page.on("response", lambda r: modules.append(r.url) if r.ok else None)
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("console", lambda m: messages.append(m.text))
    origin = server.url
    page.goto(origin + "/staff/")
    expect(page.get_by_test_id("staff-title")).to_have_text("Staff tools")
    page.get_by_test_id("staff-report-button").click()
    expect(page.get_by_test_id("staff-report")).to_be_visible()
    assert origin + "/static/staff/@vite/client" in modules
    assert origin + "/static/staff/src/main.tsx" in modules
    assert any(url.startswith(origin + "/static/staff/src/Report.tsx") for url in modules)
    assert not any("/static/staff/assets/" in url for url in modules)  # sources, not the build

    # The staff Vite's HMR socket, relayed by Django; an edit applies in place, state kept.
    vite_connected(page, messages)
    host = origin.removeprefix("http://")
    assert any(url.startswith(f"ws://{host}/static/staff/") for url in sockets), sockets
    source = staff_copy / "src" / "StaffTools.tsx"
    edit_until_shown(
        source,
        source.read_text().replace("Staff tools", "Staff tools, edited"),
        lambda timeout: expect(page.get_by_test_id("staff-title")).to_have_text(
            "Staff tools, edited", timeout=timeout
        ),
    )
    expect(page.get_by_test_id("staff-report")).to_be_visible()  # React state survived

    page.goto(origin + "/")  # the public frontend, from the other Vite
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert origin + "/static/src/island.tsx" in modules


def test_a_staff_page_is_server_rendered_from_the_staff_bundle_and_hydrates(duet_page, server):
    # /staff/queue/: {% duet_render "QueueSummary" props frontend="staff" %}, from the server
    # bundle that duetSsr() built in example/staff-frontend (the default bundle has no such
    # component), hydrated by the staff build's client entry.
    html = httpx.get(server.url + "/staff/queue/", timeout=10).text
    assert '<div data-duet-ssr="QueueSummary" data-duet-props="duet-ssr-1">' in html
    assert "<h1>Review queue</h1>" in html and "Refund for order 1042" in html
    assert 'data-duet-mode="client"' not in html  # rendered on the server, not fallen back
    assert re.search(r'src="/static/staff/assets/client-[\w-]+\.js"', html)
    page = duet_page
    page.goto(server.url + "/staff/queue/")
    page.wait_for_function(
        """() => {
          const b = document.querySelector('[data-testid="review-1"]');
          return b !== null && Object.keys(b).some((k) => k.startsWith("__reactProps$"));
        }"""
    )
    page.get_by_test_id("review-1").click()
    expect(page.get_by_test_id("reviewed")).to_have_text("1 of 2 reviewed")
    expect(page.get_by_test_id("review-1")).to_have_text("Reviewed")
