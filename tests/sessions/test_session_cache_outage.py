"""django_duet.sessions.cached_db: a logged-in session still loads while Redis is away.

Django's cached_db puts a session it read from the database back into the cache without a
guard, so with the cache down it raises; ours reads the database alone until the cache is back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_client
from asgiref.sync import async_to_sync
from django.contrib.sessions.backends import cached_db as django_cached_db

from django_duet.sessions import cached_db
from django_duet.testing.redis import RedisServer, find_redis_server

pytestmark = [
    pytest.mark.skipif(find_redis_server() is None, reason="needs redis-server"),
    pytest.mark.django_db,
]


@pytest.fixture
def redis(settings) -> Iterator[RedisServer]:
    with RedisServer() as server:
        settings.CACHES = {
            **settings.CACHES,
            "sessions": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
            },
        }
        settings.SESSION_CACHE_ALIAS = "sessions"
        yield server


def saved_session() -> str:
    store = cached_db.SessionStore()
    store["user"] = "alice"
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_a_session_loads_from_the_database_while_the_cache_is_down(redis, caplog):
    key = saved_session()
    redis.stop()
    assert cached_db.SessionStore(key)["user"] == "alice"
    assert "Session cache unreachable" in caplog.text
    with pytest.raises(redis_client.exceptions.ConnectionError):  # Django's own: the gap
        django_cached_db.SessionStore(key).load()
    redis.start()
    assert cached_db.SessionStore(key)["user"] == "alice"  # and cached again


def test_the_async_load_falls_back_too(redis):
    async def load_while_down() -> object:
        store = cached_db.SessionStore()
        store["user"] = "bob"
        await store.asave()
        redis.stop()
        return await cached_db.SessionStore(store.session_key).aget("user")

    # async_to_sync runs the database calls in this thread, where the test database is.
    assert async_to_sync(load_while_down)() == "bob"
