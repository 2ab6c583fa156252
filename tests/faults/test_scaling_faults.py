"""Faults of the several-server topology (tests/e2e/scaling_stack.py), bounded and on loopback:
an app server killed under load, Redis stopped, PostgreSQL restarted. Each test leaves the stack
whole again. The figures they print (`-s`) are the ones in docs/scaling.md.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from django_duet.testing.postgres import PostgresServer, find_bin_dir
from django_duet.testing.redis import RedisServer, find_redis_server
from tests.e2e.scaling_stack import CONNECTIONS, DEMO, Stack, load, scaled_stack

pytestmark = [
    pytest.mark.e2e,  # the built example behind nginx
    pytest.mark.skipif(find_redis_server() is None, reason="needs redis-server"),
    pytest.mark.skipif(find_bin_dir() is None, reason="needs PostgreSQL's initdb and pg_ctl"),
]
LOAD_SECONDS = 3.0
KILL_AFTER = 1.0


@pytest.fixture(scope="module")
def stack(duet_build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Their own database and cache: these tests stop and restart them.
    with PostgresServer() as postgres, RedisServer() as redis:
        scratch = tmp_path_factory.mktemp("scaling-faults")
        with scaled_stack(scratch, postgres.url, redis.url) as running:
            running.postgres, running.redis = postgres, redis  # type: ignore[attr-defined]
            yield running


def login(base: str) -> httpx.Client:
    """A client logged in as the demo user through ``base`` (nginx or one server)."""
    http = httpx.Client(base_url=base + "/api/auth/", timeout=30)
    csrf = http.get("csrf/").json()["csrfToken"]
    answer = http.post(
        "login/",
        json=dict(zip(("username", "password"), DEMO, strict=True)),
        headers={"X-CSRFToken": csrf},
    )
    assert answer.status_code == 200, answer.text
    return http


def test_killing_an_app_server_under_load_fails_only_gets_it_was_answering(stack: Stack) -> None:
    victim = stack.servers["a"]
    in_flight: list[int] = []
    after: list[int] = []

    def kill_with_posts_in_flight() -> None:
        with httpx.Client(base_url=stack.nginx.url + "/api/auth/", timeout=10) as http:
            csrf = {"X-CSRFToken": http.get("csrf/").json()["csrfToken"]}

            def guess(number: int) -> int:  # 0.5 s of hashing: in flight when the kill comes
                body = {"username": f"nobody-{number}", "password": "x"}
                return http.post("token/", json=body, headers=csrf).status_code

            with ThreadPoolExecutor(8) as pool:
                guesses = [pool.submit(guess, n) for n in range(8)]
                time.sleep(0.25)
                assert victim.process is not None
                os.killpg(victim.process.pid, signal.SIGKILL)  # the master and its workers
                in_flight.extend(g.result() for g in guesses)
            for _ in range(8):
                answer = http.post("logout/", headers=csrf)
                after.append(answer.status_code)
                csrf = {"X-CSRFToken": answer.json().get("csrfToken", "")}  # logout rotates it

    try:
        statuses = load(stack.nginx.url + "/", LOAD_SECONDS, kill_with_posts_in_flight, KILL_AFTER)
    finally:
        victim.stop()
        victim.start()
    counts = Counter(statuses)
    print(
        f"\nkill 1 of 2 servers under {CONNECTIONS} connections: GETs {dict(counts)}; "
        f"POSTs in flight {in_flight}; POSTs after {after}"
    )
    # nginx retried every GET whose answer had not begun on the other server. One whose answer
    # it was already relaying when the server died is cut (no proxy can resend what it began
    # to send): the client sees a transport error, nginx logs it. Only those may fail.
    cut = [s for s in statuses if isinstance(s, str)]
    assert set(cut) <= {"RemoteProtocolError", "ReadError"}, counts
    assert len(cut) <= stack.cut_while_relaying(), (counts, stack.nginx_errors.read_text())
    assert counts[200] == len(statuses) - len(cut) > 100, counts
    # A POST in flight on the killed server is not sent again (it may have acted): 502. The
    # ones on the living server, and every later one, are answered.
    assert set(in_flight) <= {401, 502} and 401 in in_flight, in_flight
    assert set(after) == {200}


def test_with_redis_stopped_pages_render_and_logins_answer_503_until_it_returns(
    stack: Stack,
) -> None:
    redis: RedisServer = stack.redis  # type: ignore[attr-defined]
    base = stack.nginx.url
    with httpx.Client(base_url=base, timeout=10) as http:
        csrf = http.get("/api/auth/csrf/").json()["csrfToken"]
        member = login(base)
        stack.checked()  # the logins so far
        redis.stop()
        try:
            for _ in range(4):  # both servers
                assert http.get("/").status_code == 200
                # Logged in: the session is read from PostgreSQL (django_duet.sessions.cached_db).
                me = member.get("me/")
                assert me.status_code == 200 and me.json()["user"]["username"] == DEMO[0]
                refused = http.post(
                    "/api/auth/login/",
                    json={"username": DEMO[0], "password": DEMO[1]},
                    headers={"X-CSRFToken": csrf},
                )
                assert refused.status_code == 503, refused.text
                assert refused.json()["error"]["code"] == "throttle_unavailable"
                assert refused.headers["retry-after"] == "5"
            assert stack.checked() == 0  # no password was checked unthrottled
        finally:
            redis.start()
        started, answers = time.monotonic(), []
        while time.monotonic() - started < 10:
            answer = http.post(
                "/api/auth/login/",
                json={"username": DEMO[0], "password": DEMO[1]},
                headers={"X-CSRFToken": csrf},
            )
            answers.append(answer.status_code)
            if answer.status_code == 200:
                break
        print(f"\nlogins after Redis returned: {answers} in {time.monotonic() - started:.2f}s")
        assert answers[-1] == 200
        assert http.get("/api/auth/me/").json()["user"]["username"] == DEMO[0]
    member.close()


def test_restarting_postgresql_needs_no_worker_restart(stack: Stack) -> None:
    postgres: PostgresServer = stack.postgres  # type: ignore[attr-defined]
    clients = [login(stack.nginx.url), *(login(s.url) for s in stack.servers.values())]
    workers = {name: s.process.pid for name, s in stack.servers.items() if s.process}
    try:
        for http in clients:  # every worker thread holds a connection (CONN_MAX_AGE)
            for _ in range(4):
                assert http.get("me/").status_code == 200
        postgres.restart()
        started = time.monotonic()
        statuses = [http.get("me/").status_code for http in clients for _ in range(8)]
        print(
            f"\nrequests right after a PostgreSQL restart: {Counter(statuses)} "
            f"in {time.monotonic() - started:.2f}s"
        )
        # CONN_HEALTH_CHECKS: a connection the restart cut is replaced before the request uses it.
        assert set(statuses) == {200}
    finally:
        for http in clients:
            http.close()
    assert {name: s.process.pid for name, s in stack.servers.items() if s.process} == workers
    assert all(s.process is not None and s.process.poll() is None for s in stack.servers.values())
