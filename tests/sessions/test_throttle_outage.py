"""The login throttle's cache goes away (a real Redis, stopped): logins fail closed with a 503.

Without its counters the throttle cannot bound the guesses, so it refuses to check passwords
(``throttle_unavailable``, with Retry-After) instead of letting every guess through, and works
again as soon as the cache is back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from django_duet.testing.redis import RedisServer, find_redis_server

from .helpers import PASSWORD, USERNAME, get_token, login

pytestmark = pytest.mark.skipif(find_redis_server() is None, reason="needs redis-server")


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def throttle_on_redis(settings, redis: RedisServer) -> RedisServer:
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
        },
    }
    settings.DUET = {**settings.DUET, "LOGIN_THROTTLE_CACHE": "throttle"}
    return redis


def test_logins_answer_503_while_the_cache_is_down_and_work_once_it_is_back(
    csrf_client, user, throttle_on_redis, caplog
):
    token = get_token(csrf_client)
    throttle_on_redis.stop()
    try:
        for password in (PASSWORD, "wrong"):
            refused = login(csrf_client, token, password=password)
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "throttle_unavailable"
            assert refused["Retry-After"] == "5"
        token_login = csrf_client.post(
            "/api/auth/token/",
            {"username": USERNAME, "password": PASSWORD},
            content_type="application/json",
        )
        assert token_login.status_code == 503
        assert token_login.json()["error"]["code"] == "throttle_unavailable"
        assert csrf_client.get("/api/auth/me/").status_code == 401  # nobody got in
        assert "throttle's cache is unreachable" in caplog.text
    finally:
        throttle_on_redis.start()
    assert login(csrf_client, token).status_code == 200
    assert csrf_client.get("/api/auth/me/").json()["user"]["username"] == USERNAME


def test_the_budget_still_binds_on_redis(csrf_client, user, throttle_on_redis):
    token = get_token(csrf_client)
    wrong = [login(csrf_client, token, password="wrong").status_code for _ in range(6)]
    assert wrong == [401] * 5 + [429]
