"""Beyond one machine: nginx in front of two app servers on one PostgreSQL and one Redis.

A session made on one server works on the other, the login throttle holds across both under
parallel guesses, and a refresh-token family revoked on one is refused on the other
(scaling_stack.py builds the topology; docs/scaling.md describes it).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.postgres import PostgresServer
from django_duet.testing.redis import RedisServer

from .scaling_stack import DEMO, GUESSED, Stack, scaled_stack
from .sessions_support import log_in

BURST = 64
PER_USERNAME = 5  # DUET["LOGIN_FAILURES_PER_USERNAME"]'s default


@pytest.fixture(scope="module")
def scaled(
    example_build,
    duet_postgres: PostgresServer,
    duet_redis: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    scratch = tmp_path_factory.mktemp("scaling")
    with scaled_stack(scratch, duet_postgres.url, duet_redis.url) as stack:
        stack.checked()  # the users' creation
        yield stack


def other(name: str) -> str:
    return {"a": "b", "b": "a"}[name]


def test_a_session_made_through_one_server_works_on_the_other(duet_page, scaled: Stack) -> None:
    page = duet_page
    page.goto(scaled.nginx.url + "/")
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    answer = log_in(page, *DEMO)
    assert answer.status == 200
    logged_in_by = answer.all_headers()["x-example-backend"]
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")

    # Pinned to the other server (cookies ignore the port): its session store is Redis, backed
    # by PostgreSQL, not a memory of its own.
    second = scaled.servers[other(logged_in_by)]
    me = page.request.get(second.url + "/api/auth/me/")
    assert me.status == 200 and me.headers["x-example-backend"] == other(logged_in_by)
    assert me.json()["user"]["username"] == "demo"
    page.goto(second.url + "/")
    expect(page.get_by_test_id("account-user")).to_have_text("Signed in as demo")


def test_the_login_throttle_holds_across_both_servers_under_parallel_guesses(
    scaled: Stack,
) -> None:
    # Half at the web login, half at the apps' token login, all in flight together, spread by
    # nginx over both servers: one budget in Redis for all of them.
    scaled.checked()  # the other tests' logins
    client = httpx.Client(
        base_url=scaled.nginx.url + "/api/auth/",
        timeout=60,
        limits=httpx.Limits(max_connections=BURST),
    )
    with client:
        csrf = client.get("csrf/").json()["csrfToken"]
        start = threading.Barrier(BURST)

        def guess(number: int) -> httpx.Response:
            body = {"username": GUESSED[0], "password": f"guess-{number}"}
            start.wait()
            endpoint = "login/" if number % 2 else "token/"
            return client.post(endpoint, json=body, headers={"X-CSRFToken": csrf})

        with ThreadPoolExecutor(BURST) as pool:
            answers = list(pool.map(guess, range(BURST)))
    statuses = [a.status_code for a in answers]
    checked = scaled.checked()
    backends = Counter(a.headers["x-example-backend"] for a in answers)
    print(f"\n{BURST} parallel guesses over {dict(backends)}: {checked} passwords checked")
    assert 1 <= checked <= PER_USERNAME
    assert statuses.count(401) == checked
    assert statuses.count(429) == BURST - checked, statuses
    assert set(backends) == {"a", "b"}
    # Spent on both servers: the right password is refused unchecked, whichever answers.
    for server in scaled.servers.values():
        with httpx.Client(base_url=server.url + "/api/auth/", timeout=30) as direct:
            right = direct.post("token/", json={"username": GUESSED[0], "password": GUESSED[1]})
        assert right.status_code == 429, right.text
        assert right.json()["error"]["code"] == "throttled"
    assert scaled.checked() == 0


def test_a_refresh_token_family_revoked_on_one_server_is_refused_on_the_other(
    scaled: Stack,
) -> None:
    a, b = (
        httpx.Client(base_url=s.url + "/api/auth/", timeout=30) for s in scaled.servers.values()
    )
    with a, b:
        login = a.post("token/", json={"username": DEMO[0], "password": DEMO[1]})
        assert login.status_code == 200, login.text
        # Rotated on B: B knows the family that A started...
        rotated = b.post("token/refresh/", json={"refresh_token": login.json()["refresh_token"]})
        assert rotated.status_code == 200, rotated.text
        current = rotated.json()["refresh_token"]
        # ...A logs the device out...
        assert a.post("token/revoke/", json={"refresh_token": current}).json() == {"revoked": True}
        # ...and B refuses it at once.
        refused = b.post("token/refresh/", json={"refresh_token": current})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "refresh_revoked"
