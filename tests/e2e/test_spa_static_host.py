"""docs/spa.md, deployed and used in Chromium: the SPA built with ``duet({ spa: true })`` and
``VITE_API_URL``, on nginx (``try_files ... /index.html``) at app.example.test, the example's
API with DRF under gunicorn at api.example.test, a sibling host at blog.example.test (one site,
three origins: spa_static_support.py).

Covered: the static host's fallback routing and caching; login from zero cookies, writes to a
plain Django JSON view and to a DRF view, logout; signup through the project's own view; the
three CSRF scenarios of docs/sessions-and-csrf.md (no cookie at first load, a login in another
tab, a token rotated between two writes) against both views; a sibling host that can neither
read nor write with the user's cookies, even with a tossed ``csrftoken`` cookie. Every write is
checked where it counts: the API's database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from .sessions_support import DEMO, NotesTable, cookies, log_in
from .spa_static_support import SpaStack, spa_stack

APIS = ["django", "drf"]  # the plain JSON view /api/notes/, the DRF view /api/drf/notes/
WRITE_PATHS = {"django": "/api/notes/", "drf": "/api/drf/notes/"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, example_build: Any) -> Iterator[SpaStack]:
    # example_build: the API is the example project, whose checks look at its frontend's build.
    with spa_stack(tmp_path_factory.mktemp("spa-static")) as deployed:
        yield deployed


@pytest.fixture
def notes(stack: SpaStack) -> NotesTable:
    return NotesTable(stack.database)


def add_note(page: Any, api: str, prefix: str = "note") -> str:
    text = f"{prefix} {api} {uuid.uuid4().hex[:8]}"
    page.get_by_test_id("note-text").fill(text)
    page.get_by_test_id("note-api").select_option(api)
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("note-list").locator("li").last).to_have_text(text)
    expect(page.get_by_test_id("notes-error")).to_have_count(0)
    return text


def watch_writes(page: Any, api: str) -> list[int]:
    """The statuses of ``page``'s POSTs to ``api``'s write URL, as they arrive."""
    statuses: list[int] = []

    def on_response(response: Any) -> None:
        if response.request.method == "POST" and response.url.endswith(WRITE_PATHS[api]):
            statuses.append(response.status)

    page.on("response", on_response)
    return statuses


def logged_in_notes(page: Any, stack: SpaStack) -> Any:
    """``page`` on the app, logged in as demo, on the notes route."""
    page.goto(stack.app + "/")
    assert log_in(page).status == 200
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    page.get_by_test_id("nav-notes").click()
    expect(page.get_by_test_id("note-text")).to_be_visible()
    return page


# --- the static host ---------------------------------------------------------------------------


def test_static_host_answers_routes_with_index_html_and_missing_assets_with_404(stack):
    # From this process, nginx by its address (only Chromium maps the *.example.test names).
    app = stack.app.replace("app.example.test", "127.0.0.1")
    index = httpx.get(app + "/", timeout=10)
    assert index.status_code == 200 and '<div id="root"></div>' in index.text
    assert index.headers["cache-control"] == "no-cache"
    for route in ("/notes", "/signup", "/a/deep/link?x=1"):
        answer = httpx.get(app + route, timeout=10)
        assert (answer.status_code, answer.text) == (200, index.text), route
    script = next(p for p in (stack.dist / "assets").iterdir() if p.suffix == ".js")
    asset = httpx.get(f"{app}/assets/{script.name}", timeout=10)
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert f'src="/assets/{script.name}"' in index.text  # base "/": not Django's STATIC_URL
    assert stack.api in asset.text  # VITE_API_URL, inlined by the build
    assert httpx.get(app + "/assets/gone-1234.js", timeout=10).status_code == 404


# --- sessions ----------------------------------------------------------------------------------


def test_login_writes_to_both_apis_logout_from_zero_cookies(duet_page, stack, notes):
    page = duet_page
    page.goto(stack.app + "/")
    expect(page.get_by_test_id("login-form")).to_be_visible()  # me(): null, no 401 logged
    assert cookies(page, stack.api) == {} and cookies(page, stack.app) == {}

    page.problems.allow(f"HTTP 401: POST {stack.api}/api/auth/login/")
    page.problems.allow("status of 401")
    assert log_in(page, password="not-the-password").status == 401
    expect(page.get_by_test_id("login-error")).to_have_text(
        "The username or password is incorrect."
    )
    assert log_in(page).status == 200
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    api_cookies = cookies(page, stack.api)
    assert {"csrftoken", "sessionid"} <= set(api_cookies)
    assert api_cookies["sessionid"]["sameSite"] == "Lax" and api_cookies["sessionid"]["httpOnly"]
    assert cookies(page, stack.app) == {}  # host-only: the API's host alone has them

    page.get_by_test_id("nav-notes").click()
    written = [add_note(page, api) for api in APIS]
    assert set(written) <= set(notes.texts())

    page.reload()  # /notes from nginx's fallback: the app starts there, the session holds
    expect(page.get_by_test_id("note-list").locator("li")).to_contain_text(written)

    page.get_by_test_id("nav-home").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert "sessionid" not in cookies(page, stack.api)
    page.goto(stack.app + "/notes")
    expect(page.get_by_test_id("notes-login-required")).to_be_visible()


def test_signup_through_the_projects_own_view(duet_page, stack):
    page = duet_page
    page.goto(stack.app + "/signup")  # a deep link: nginx answers index.html
    name = f"user{uuid.uuid4().hex[:8]}"
    page.problems.allow(f"HTTP 400: POST {stack.api}/api/accounts/signup/")
    page.problems.allow("status of 400")
    page.get_by_test_id("signup-username").fill(name)
    page.get_by_test_id("signup-password").fill("short")
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("signup-error")).to_contain_text("This password is too short.")

    page.get_by_test_id("signup-password").fill("a-long-enough-password")
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("account-user")).to_have_text(f"Signed in as {name}")
    expect(page).to_have_url(stack.app + "/")  # the app went home

    page.get_by_test_id("nav-signup").click()  # the name is taken now
    page.get_by_test_id("signup-username").fill(name)
    page.get_by_test_id("signup-password").fill("a-long-enough-password")
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("signup-error")).to_contain_text("already exists")


# --- the three CSRF scenarios, against the plain view and DRF ----------------------------------


@pytest.mark.parametrize("api", APIS)
def test_no_csrf_cookie_at_first_load(duet_page, stack, notes, api):
    page = logged_in_notes(duet_page, stack)
    page.context.clear_cookies(name="csrftoken")  # expired, cleared, or never set
    page.reload()  # a fresh app: no token in memory either
    expect(page.get_by_test_id("note-text")).to_be_visible()
    assert "csrftoken" not in cookies(page, stack.api)

    statuses = watch_writes(page, api)
    with page.expect_response(lambda r: r.url.endswith("/api/auth/csrf/")):
        text = add_note(page, api, "first load")
    assert statuses == [201]  # the token was fetched first: no refusal
    assert text in notes.texts()


@pytest.mark.parametrize("api", APIS)
def test_login_in_another_tab(duet_page, stack, notes, api):
    page = logged_in_notes(duet_page, stack)
    add_note(page, api, "before")
    other = page.context.new_page()
    other.goto(stack.app + "/")
    other.get_by_test_id("logout").click()
    assert log_in(other).status == 200  # a new session, a new token: the first tab's is stale
    expect(other.get_by_test_id("account-user")).to_have_text("Signed in as demo")

    page.problems.allow(f"HTTP 403: POST {stack.api}{WRITE_PATHS[api]}")
    page.problems.allow("status of 403")
    statuses = watch_writes(page, api)
    text = add_note(page, api, "after re-login")
    assert statuses == [403, 201]  # refused once, refreshed and retried by the client
    assert notes.texts().count(text) == 1


@pytest.mark.parametrize("api", APIS)
def test_token_rotated_between_two_writes(duet_page, stack, notes, api):
    page = logged_in_notes(duet_page, stack)
    statuses = watch_writes(page, api)
    add_note(page, api, "one")
    # A page of the API's over http: Chromium ignores its Cross-Origin-Opener-Policy, and says so.
    page.problems.allow("Cross-Origin-Opener-Policy header has been ignored")
    rotator = page.context.new_page()
    rotator.goto(stack.api + "/rotate/")  # Django's rotate_token, as a login does
    expect(rotator.locator("body")).to_have_text("rotated")

    page.problems.allow(f"HTTP 403: POST {stack.api}{WRITE_PATHS[api]}")
    page.problems.allow("status of 403")
    texts = [add_note(page, api, "two"), add_note(page, api, "three")]
    assert statuses == [201, 403, 201, 201]  # the refreshed token is kept: one refusal only
    assert all(notes.texts().count(text) == 1 for text in texts)


# --- a sibling host of the site ----------------------------------------------------------------


def test_sibling_host_can_neither_read_nor_write(duet_page, stack, notes):
    page = logged_in_notes(duet_page, stack)
    add_note(page, "django", "mine")
    before = notes.texts()
    api = stack.api
    for fragment in ("CORS policy", "net::ERR_FAILED", "status of 403", "HTTP 403"):
        page.problems.allow(fragment)

    tab = page.context.new_page()
    tab.goto(stack.sibling + "/")
    # Reads with the user's cookies: the browser hides every answer (no CORS grant for blog.).
    for path in ("/api/auth/me/", "/api/auth/csrf/", "/api/notes/"):
        result = tab.evaluate(
            "url => fetch(url, {credentials: 'include'}).then(r => r.text(), () => 'blocked')",
            api + path,
        )
        assert result == "blocked", path
    # A write with a token header needs a preflight, which is refused.
    result = tab.evaluate(
        """url => fetch(url, {method: "POST", credentials: "include",
            headers: {"Content-Type": "application/json", "X-CSRFToken": "x".repeat(32)},
            body: JSON.stringify({text: "from the sibling"})})
            .then(() => "sent", () => "blocked")""",
        api + "/api/notes/",
    )
    assert result == "blocked"
    # Cookie tossing: a csrftoken cookie for the whole site, and the same token in the body. The
    # cookie and token match, and the session cookie travels (Lax, same site): only the Origin
    # check stands in the way.
    token = "t" * 32
    tab.evaluate(f"document.cookie = 'csrftoken={token}; domain=example.test; path=/'")
    assert any(c["domain"] == ".example.test" for c in page.context.cookies(api))
    with tab.expect_response(api + "/api/notes/") as answer:
        tab.evaluate(
            """([url, token]) => fetch(url, {method: "POST", mode: "no-cors",
                credentials: "include", headers: {Accept: "application/json"},
                body: new URLSearchParams({text: "tossed", csrfmiddlewaretoken: token})})""",
            [api + "/api/notes/", token],
        )
    assert answer.value.status == 403
    assert notes.texts() == before  # nothing written

    # The same request from this process shows why: refused for the sibling's Origin, and
    # accepted from the SPA's (so the tossed cookie and token did pass the token check).
    session = cookies(page, api)["sessionid"]["value"]
    refused = replay(api, session, token, stack.sibling, "replayed from the sibling")
    assert refused.status_code == 403
    assert "Origin checking failed" in refused.json()["error"]["message"]
    assert replay(api, session, token, stack.app, "replayed from the app").status_code == 201
    assert notes.texts() == [*before, "replayed from the app"]

    page.reload()  # and the user is still logged in, on the app
    expect(page.get_by_test_id("note-list").locator("li").last).to_have_text(
        "replayed from the app"
    )
    page.get_by_test_id("nav-home").click()
    expect(page.get_by_test_id("account-user")).to_have_text(f"Signed in as {DEMO[0]}")


def replay(api: str, session: str, token: str, origin: str, text: str) -> httpx.Response:
    """The tossed-cookie write, sent from this process with ``origin`` as its Origin."""
    return httpx.post(
        api.replace("api.example.test", "127.0.0.1") + "/api/notes/",
        data={"text": text, "csrfmiddlewaretoken": token},
        headers={
            "Host": api.removeprefix("http://"),
            "Origin": origin,
            "Accept": "application/json",
            "Cookie": f"sessionid={session}; csrftoken={token}",
        },
        timeout=10,
    )


# --- the API's URL at deploy time --------------------------------------------------------------


def test_deploy_time_config_file(duet_page, stack):
    # The build knows no API: the URL comes from config.json, written after the build.
    assert all(stack.api not in p.read_text() for p in (stack.deploy_dist / "assets").iterdir())
    page = duet_page
    with page.expect_response(stack.deploy + "/config.json") as config:
        page.goto(stack.deploy + "/notes")
    assert config.value.json() == {"apiUrl": stack.api}
    assert config.value.headers["cache-control"] == "no-cache"
    expect(page.get_by_test_id("notes-login-required")).to_be_visible()
    page.get_by_test_id("nav-home").click()
    assert log_in(page).status == 200
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")
    page.get_by_test_id("nav-notes").click()
    add_note(page, "drf", "deploy-time")
