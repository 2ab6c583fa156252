"""Architecture 2: Django (whitenoise) serves the built example under gunicorn, in Chromium.

Written the way a django-duet user writes their own tests (docs/testing.md), with the duet
pytest plugin: ``duet_live_server`` serves ``duet_build`` as production does, ``duet_page``
fails a test on any console error or failed request, ``duet_login`` logs in through
/api/auth/login/, and ``duet_api_recorder`` keeps the API calls the frontend made.
"""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.recorder import replay

DEMO = ("demo", "demo-password-123")


@pytest.fixture(scope="session")
def server(duet_live_server):
    duet_live_server.manage("demo_user")  # the example's own command: demo / demo-password-123
    return duet_live_server


@pytest.fixture(scope="session")
def manifest(duet_build):
    return json.loads((duet_build.output_dir / ".vite" / "manifest.json").read_text())


def test_island_renders_with_django_props_and_build_css(duet_page, server):
    page = duet_page
    page.goto(server.url + "/")
    expect(page.get_by_test_id("django-title")).to_have_text("A Django page with a React island")
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    expect(page.get_by_test_id("island-items").locator("li")).to_have_text(
        ["Rendered by Django", "Hydrated by React", "Served by whitenoise"]
    )
    counter = page.get_by_test_id("island-counter")
    counter.click()
    counter.click()
    expect(counter).to_have_text("Clicked 2 times")
    color = page.locator(".greeting").evaluate("e => getComputedStyle(e).borderTopColor")
    assert color == "rgb(37, 99, 235)"  # from the island's CSS in the build
    expect(page.get_by_test_id("island-logo")).to_have_js_property("complete", True)


def test_client_side_navigation_without_reload(duet_page, server):
    page = duet_page
    page.goto(server.url + "/")
    page.get_by_test_id("to-app").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Items")
    page.evaluate("window.__sameDocument = true")
    page.get_by_test_id("nav-item-2").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Item 2")
    assert page.url == server.url + "/app/items/2"
    page.get_by_test_id("nav-about").click()  # a lazy route: a dynamic import
    expect(page.get_by_test_id("page-title")).to_have_text("About")
    assert page.evaluate("window.__sameDocument") is True
    color = page.locator(".app-nav").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(15, 23, 42)"
    # A Django page linked by its URL name through the generated routes.ts (duet types)
    page.get_by_test_id("nav-islands").click()
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, islands!")
    assert page.url == server.url + "/islands/"


@pytest.mark.parametrize(
    "path, title",
    [("/app/items/3", "Item 3"), ("/app/about", "About"), ("/app/no/such/route", "Not found")],
)
def test_deep_links_and_reloads(duet_page, server, path, title):
    page = duet_page
    response = page.goto(server.url + path)
    assert response.status == 200
    expect(page.get_by_test_id("page-title")).to_have_text(title)
    page.reload()
    expect(page.get_by_test_id("page-title")).to_have_text(title)
    cookies = {c["name"] for c in page.context.cookies()}
    assert "csrftoken" in cookies  # the shell was rendered by Django


def test_a_logged_in_user_keeps_notes(duet_page, duet_login, duet_api_recorder, server):
    page = duet_page
    page.goto(server.url + "/app/")
    user = duet_login(page, *DEMO)  # through /api/auth/login/, into the page's cookies
    assert user["username"] == "demo"
    page.goto(server.url + "/app/notes")
    expect(page.get_by_test_id("note-list")).to_be_attached()  # loaded (maybe empty)
    page.get_by_test_id("note-text").fill("written in a duet test")
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("note-list").locator("li").last).to_have_text(
        "written in a duet test"
    )
    page.reload()  # the session survives, the note was stored
    expect(page.get_by_test_id("note-list").locator("li").last).to_have_text(
        "written in a duet test"
    )

    # The frontend's side of the API contract: what it called, and the answers' shapes
    # (the last call of each kind: the reload's list has the note).
    calls = {(c.method, c.path): c for c in duet_api_recorder.collect()}
    assert calls["POST", "/api/notes/"].body == {"text": "written in a duet test"}
    assert calls["GET", "/api/notes/"].response_shape == {
        "notes": [{"id": "number", "text": "string", "created": "string"}]
    }
    with httpx.Client(base_url=server.url, timeout=10) as client:
        token = client.get("/api/auth/csrf/").json()
        login = {"username": DEMO[0], "password": DEMO[1]}
        client.post(
            "/api/auth/login/", json=login, headers={token["headerName"]: token["csrfToken"]}
        )
        assert replay(list(calls.values()), client) == []  # today's API serves that frontend
        # An API that no longer sends a field this frontend read would break it:
        calls["GET", "/api/notes/"].response_shape["notes"][0]["pinned"] = "boolean"
        assert replay([calls["GET", "/api/notes/"]], client) == [
            "GET /api/notes/: $.notes[].pinned: missing (was boolean)"
        ]


def test_hashed_assets_are_immutable_and_brotli(duet_page, server, manifest):
    page = duet_page
    assets: list = []
    page.on("response", lambda r: "/static/assets/" in r.url and assets.append(r))
    page.goto(server.url + "/app/")
    expect(page.get_by_test_id("page-title")).to_have_text("Items")
    assert len(assets) >= 3  # the entry, its shared chunk (modulepreload), CSS
    for response in assets:
        assert response.status == 200
        assert response.headers["cache-control"] == "max-age=31536000, public, immutable"
    script = "/static/" + manifest["index.html"]["file"]
    with httpx.Client(base_url=server.url) as client:
        br = client.get(script, headers={"accept-encoding": "br"})
        assert br.headers["content-encoding"] == "br"
        assert br.headers["cache-control"] == "max-age=31536000, public, immutable"
        plain = client.get(script, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert br.content == plain.content  # httpx decoded the brotli body
        shell = client.get("/app/items/2")
        assert "no-store" in shell.headers["cache-control"]
        assert client.get("/app/items/2/missing.js").status_code == 404
        assert client.get("/static/.vite/manifest.json").status_code == 404


def test_the_page_preloads_every_static_import(server, manifest):
    html = httpx.get(server.url + "/").text
    island = manifest["src/island.tsx"]
    assert f'<script type="module" src="/static/{island["file"]}"></script>' in html
    for key in island["imports"]:
        assert f'<link rel="modulepreload" href="/static/{manifest[key]["file"]}">' in html


def test_uvicorn_serves_the_same_app_and_assets(duet_page, uvicorn_server):
    page = duet_page
    page.goto(uvicorn_server.url + "/")
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    page.goto(uvicorn_server.url + "/app/items/2")
    expect(page.get_by_test_id("page-title")).to_have_text("Item 2")
