"""Cookie sessions and CSRF in Chromium, in both models.

Hybrid: Django serves the page (the duet plugin's ``duet_live_server``, one origin); the island
uses csrfFetch. SPA: the built SPA on app.example.test, the API on api.example.test
(sessions_support.py); the SPA uses createClient. Each test browses with ``duet_page``; a
second tab (``duet_page.context.new_page()``) shares its cookies and is watched for problems too.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess, free_port

from .sessions_support import NotesTable, SpaDeploy, cookies, log_in, spa_deploy

ANONYMOUS_ME = "/api/auth/me/"  # 401 while nobody is logged in: expected, not a problem


@pytest.fixture
def notes_table(example_server) -> NotesTable:
    return NotesTable(example_server.database)


@pytest.fixture(scope="module")
def spa(duet_live_server_factory, example_build) -> Iterator[SpaDeploy]:
    with spa_deploy(duet_live_server_factory, example_build) as deploy:
        yield deploy


def add_note(page, prefix: str) -> str:
    text = f"{prefix} {uuid.uuid4().hex[:8]}"
    page.get_by_test_id("note-text").fill(text)
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("note-list").locator("li").last).to_have_text(text)
    expect(page.get_by_test_id("notes-error")).to_have_count(0)
    return text


# --- hybrid: one origin ------------------------------------------------------------------------


def test_hybrid_login_post_logout_from_no_csrf_cookie(duet_page, example_server, notes_table):
    url = example_server.url
    page = duet_page
    page.goto(url + "/")
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert cookies(page, url) == {}  # no CSRF cookie at all: the client must fetch one

    page.problems.allow("/api/auth/login/")  # the wrong password's 401
    page.problems.allow("status of 401")
    assert log_in(page, password="not-the-password").status == 401
    expect(page.get_by_test_id("login-error")).to_have_text(
        "The username or password is incorrect."
    )

    assert log_in(page).status == 200
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    assert {"csrftoken", "sessionid"} <= set(cookies(page, url))
    text = add_note(page, "hybrid")
    assert text in notes_table.texts()

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert "sessionid" not in cookies(page, url)
    assert page.request.get(url + "/api/auth/me/").status == 401
    page.reload()
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    expect(page.get_by_test_id("login-form")).to_be_visible()


def test_hybrid_relogin_in_second_tab_then_post_from_first(duet_page, example_server, notes_table):
    url = example_server.url
    first = duet_page
    first.goto(url + "/")
    log_in(first)
    expect(first.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    expect(first.get_by_test_id("note-list")).to_be_visible()
    token_before = cookies(first, url)["csrftoken"]["value"]

    # The SPA section on Django's origin shares the session: log in again there.
    second = first.context.new_page()
    second.goto(url + "/app/login")
    expect(second.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    assert log_in(second).status == 200
    assert cookies(first, url)["csrftoken"]["value"] != token_before  # rotated

    statuses: list[int] = []
    first.on(
        "response",
        lambda r: (
            r.url.endswith("/api/notes/")
            and r.request.method == "POST"
            and statuses.append(r.status)
        ),
    )
    text = add_note(first, "after re-login")
    assert statuses == [201]  # csrfFetch read the new token from the cookie: not even a retry
    assert text in notes_table.texts()


def test_hybrid_forged_posts_from_another_origin_change_nothing(
    duet_page, example_server, notes_table, tmp_path
):
    url = example_server.url
    page = duet_page
    page.goto(url + "/")
    log_in(page)
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    before = notes_table.texts()

    # Same site (127.0.0.1), other origin: the Lax session cookie does travel with these posts,
    # so only the CSRF check stands between them and the database.
    forged = "x" * 64
    attack = f"""<!doctype html><title>evil</title>
      <form id="notes" method="post" action="{url}/api/notes/">
        <input name="text" value="forged by form">
        <input name="csrfmiddlewaretoken" value="{forged}">
      </form>
      <form id="nothing" method="post" action="{url}/api/notes/">
        <input name="text" value="no token">
      </form>
      <form id="logout" method="post" action="{url}/api/auth/logout/"></form>"""
    # A real server: Playwright's request interception (page.route) would answer CORS
    # preflights itself and so hide what the browser really does.
    (tmp_path / "attack.html").write_text(attack)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(tmp_path),
    ]
    with ServerProcess(command, port=port, name="attacker") as attacker:
        forge(page, attacker.url, url, forged)
    assert notes_table.texts() == before
    page.reload()  # still logged in: the forged logout did nothing either
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")


def forge(page, evil: str, url: str, forged: str) -> None:
    """From the attacker's page (another tab, the same cookies as ``page``): forms with a
    forged or no token, and fetch() attempts."""
    problems = page.problems
    problems.allow("HTTP 403")
    problems.allow("/favicon.ico")  # neither the attacker nor Django's 403 page has one
    problems.allow(f"net::ERR_FAILED ({url}/api/notes/)")  # the blocked preflight
    problems.allow("status of 403")
    problems.allow("CORS policy")
    problems.allow(f"failed: POST {url}/api/notes/ net::ERR_FAILED")
    problems.allow(f"failed: OPTIONS {url}/api/notes/")
    tab = page.context.new_page()

    for form in ("notes", "nothing"):
        tab.goto(evil + "/attack.html")
        with tab.expect_navigation():
            tab.evaluate(f"document.getElementById('{form}').submit()")
        expect(tab.locator("body")).to_contain_text("CSRF verification failed")  # Django's page
    tab.goto(evil + "/attack.html")
    with tab.expect_response(f"{url}/api/auth/logout/") as answer:
        tab.evaluate("document.getElementById('logout').submit()")
    assert answer.value.status == 403
    assert answer.value.json()["error"]["code"] == "csrf_failed"  # a duet endpoint: JSON

    # fetch(): a forged header needs a CORS preflight, which the API never grants...
    tab.goto(evil + "/attack.html")
    result = tab.evaluate(f"""fetch("{url}/api/notes/", {{method: "POST", credentials: "include",
        headers: {{"X-CSRFToken": "{forged}", "Content-Type": "application/json"}},
        body: JSON.stringify({{text: "forged by fetch"}})}}).then(() => "sent", () => "blocked")""")
    assert result == "blocked"
    # ...and a "simple" no-cors POST is sent, with the cookie, and refused by the CSRF check.
    with tab.expect_response(f"{url}/api/notes/") as answer:
        tab.evaluate(f"""fetch("{url}/api/notes/", {{method: "POST", mode: "no-cors",
            credentials: "include", body: new URLSearchParams({{text: "forged no-cors",
            csrfmiddlewaretoken: "{forged}"}})}})""")
    assert answer.value.status == 403


# --- SPA: app.example.test -> api.example.test --------------------------------------------------


def test_spa_login_post_logout_from_no_cookie(duet_page, spa):
    app, api, notes_table = spa.app, spa.api, NotesTable(spa.api_server.database)
    page = duet_page
    page.problems.allow(ANONYMOUS_ME)
    page.problems.allow("status of 401")
    page.goto(app + "/app/login")
    expect(page.get_by_test_id("account-anonymous")).to_be_visible()
    assert cookies(page, api) == {} and cookies(page, app) == {}

    assert log_in(page).status == 200
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    expect(page.get_by_test_id("nav-user")).to_have_text("demo")
    api_cookies = cookies(page, api)
    assert {"csrftoken", "sessionid"} <= set(api_cookies)
    assert api_cookies["sessionid"]["sameSite"] == "Lax" and api_cookies["sessionid"]["httpOnly"]
    assert cookies(page, app) == {}  # the cookies belong to the API's host only

    page.get_by_test_id("nav-notes").click()
    text = add_note(page, "spa")
    assert text in notes_table.texts()

    page.get_by_test_id("nav-login").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("account-anonymous")).to_be_visible()
    page.get_by_test_id("nav-notes").click()
    expect(page.get_by_test_id("notes-login-required")).to_be_visible()
    page.reload()  # a fresh start: me/ says nobody
    expect(page.get_by_test_id("notes-login-required")).to_be_visible()


def test_spa_relogin_in_second_tab_then_post_from_first(duet_page, spa):
    app, notes_table = spa.app, NotesTable(spa.api_server.database)
    first = duet_page
    first.problems.allow(ANONYMOUS_ME)
    first.problems.allow("status of 401")
    first.goto(app + "/app/login")
    assert log_in(first).status == 200
    first.get_by_test_id("nav-notes").click()
    expect(first.get_by_test_id("note-list")).to_be_visible()

    second = first.context.new_page()
    second.goto(app + "/app/login")
    expect(second.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    assert log_in(second).status == 200  # a new session and CSRF token; the first tab's is stale

    statuses: list[int] = []
    first.on(
        "response",
        lambda r: (
            r.url.endswith("/api/notes/")
            and r.request.method == "POST"
            and statuses.append(r.status)
        ),
    )
    first.problems.allow(f"HTTP 403: POST {spa.api}/api/notes/")
    first.problems.allow("status of 403")
    text = add_note(first, "spa after re-login")
    # Refused with the stale token (403 csrf_failed), then refreshed and retried by the client.
    assert statuses == [403, 201]
    assert text in notes_table.texts()
