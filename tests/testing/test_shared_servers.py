"""The plugin's duet_postgres and duet_redis: real servers that Django's backends talk to."""

from __future__ import annotations

import psycopg
import pytest
import redis as redis_client
from django.core.cache.backends.redis import RedisCache

from django_duet.testing.postgres import PostgresServer
from django_duet.testing.redis import RedisServer


def test_duet_postgres_answers_on_loopback_and_survives_a_restart(
    duet_postgres: PostgresServer,
) -> None:
    query = "SELECT current_database(), inet_server_addr()::text"
    with psycopg.connect(duet_postgres.url) as connection:
        assert connection.execute(query).fetchone() == ("duet", "127.0.0.1/32")
        duet_postgres.restart()
        with pytest.raises(psycopg.OperationalError):  # the restart cut this connection
            connection.execute(query)
    with psycopg.connect(duet_postgres.url) as connection:  # same port, same data
        assert connection.execute(query).fetchone() == ("duet", "127.0.0.1/32")


def test_duet_redis_gives_an_atomic_add_and_comes_back_empty(duet_redis: RedisServer) -> None:
    cache = RedisCache(duet_redis.url, {})
    assert cache.add("slot", 1) is True
    assert cache.add("slot", 2) is False  # SET NX: the throttle's reservation
    assert cache.get("slot") == 1


def test_a_stopped_redis_refuses_connections_until_started_again() -> None:
    with RedisServer() as redis:
        cache = RedisCache(redis.url, {})
        cache.set("kept", 1)
        redis.stop()
        with pytest.raises(redis_client.exceptions.ConnectionError):
            cache.get("kept")
        redis.start()
        assert cache.get("kept") is None  # nothing is saved to disk
