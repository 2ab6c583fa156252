"""The login throttle under real concurrency: bursts of 64 requests against gunicorn.

Two worker processes with 32 threads each share the database cache. Every request of a burst is
in flight together (each password hash takes 0.5 s), so a throttle that reads its counters
before the hash and counts the failure after it lets them all through. The hasher records each
password it checks; at most the budget may be checked, whatever the interleaving.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .race_server import PASSWORD, THREADS, RaceServer, race_server

BURST = 2 * THREADS  # every thread of both workers busy at once
PER_USERNAME, PER_IP = 5, 50  # the defaults
Server = RaceServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RaceServer]:
    with race_server(tmp_path_factory.mktemp("race")) as running:
        yield running


def burst(server: Server, address: str, bodies: list[tuple[str, dict[str, str]]]) -> list[int]:
    """POST every (endpoint, body) at once from ``address``; the status codes."""
    client = httpx.Client(
        base_url=server.url + "/api/auth/",
        timeout=60,
        limits=httpx.Limits(max_connections=BURST),
        headers={"X-Forwarded-For": address},
    )
    with client:
        csrf = client.get("csrf/").json()["csrfToken"]
        start = threading.Barrier(len(bodies))

        def send(item: tuple[str, dict[str, str]]) -> int:
            endpoint, body = item
            start.wait()
            return client.post(endpoint, json=body, headers={"X-CSRFToken": csrf}).status_code

        with ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(send, bodies))


def post(server: Server, address: str, endpoint: str, body: dict[str, str]) -> httpx.Response:
    headers = {"X-Forwarded-For": address}
    with httpx.Client(base_url=server.url + "/api/auth/", timeout=30, headers=headers) as client:
        csrf = client.get("csrf/").json()["csrfToken"]
        return client.post(endpoint, json=body, headers={"X-CSRFToken": csrf})


def test_a_burst_at_one_username_checks_at_most_its_budget(server: Server) -> None:
    # Half at the web login, half at the apps' token login: one budget for both.
    guesses = [
        ("login/" if n % 2 else "token/", {"username": "alice", "password": f"guess-{n}"})
        for n in range(BURST)
    ]
    statuses = burst(server, "203.0.113.1", guesses)
    checked = server.checked()
    assert 1 <= checked <= PER_USERNAME
    assert statuses.count(401) == checked  # each checked guess was wrong...
    assert statuses.count(429) == BURST - checked  # ...and every other one was refused unchecked
    # The budget is spent: the right password is refused too, unchecked, at both doors.
    right = {"username": "alice", "password": PASSWORD}
    for endpoint in ("login/", "token/"):
        response = post(server, "203.0.113.2", endpoint, right)
        assert response.status_code == 429, response.text
        assert response.json()["error"]["code"] == "throttled"
        assert int(response.headers["Retry-After"]) > 0
    assert server.checked() == 0


def test_a_burst_from_one_address_checks_at_most_its_budget(server: Server) -> None:
    # Unknown usernames, one each: only the per-address budget binds. ModelBackend still hashes
    # the password of an unknown user (its timing defence), and the hasher records that.
    guesses = [("token/", {"username": f"user-{n}", "password": "guess"}) for n in range(BURST)]
    guesses += [("login/", {"username": f"web-{n}", "password": "guess"}) for n in range(BURST)]
    statuses = burst(server, "198.51.100.7", guesses)
    checked = server.checked()
    assert 1 <= checked <= PER_IP
    assert statuses.count(401) == checked and statuses.count(429) == 2 * BURST - checked
    response = post(server, "198.51.100.7", "token/", {"username": "bob", "password": "x"})
    assert response.status_code == 429
    assert server.checked() == 0
