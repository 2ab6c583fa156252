"""``DuetDatabaseCache``: Django's database cache in a table that django-duet's migration makes.

The login throttle needs a cache shared by every process with an atomic ``add()``
(sessions/throttle.py). Without Redis or Memcached, the database is that cache: every worker
and every server of the site reaches it. Django's ``DatabaseCache`` needs a ``createcachetable``
step in each deploy; this one keeps its entries in the fixed table ``django_duet_cache``, which
``migrate`` makes (``django_duet/migrations/0002_cache_table.py``; ``createcachetable`` makes it
too, where migrations are off).

    CACHES = {
        "default": ...,
        "duet-throttle": {"BACKEND": "django_duet.sessions.throttle_cache.DuetDatabaseCache"},
    }
    DUET = {"LOGIN_THROTTLE_CACHE": "duet-throttle"}

``add()`` is one delete of an expired entry and one insert, in a transaction: the primary key
lets exactly one of the callers adding a key together win, in threads, processes or servers,
on SQLite and PostgreSQL alike (Django's own reads the row first, so on SQLite a concurrent
writer can make it fail for a key nobody holds). A database error other than the key being
taken is raised, not taken for "taken": the throttle then refuses the login rather than count
wrong.

Entries are kept up to ``MAX_ENTRIES`` (``OPTIONS``), 100,000 by default instead of Django's
300: past it, entries are culled, and a culled throttle slot is a failure forgotten.
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import IntegrityError, connections, router, transaction
from django.utils.timezone import now as tz_now

from django_duet.exceptions import DuetError

TABLE = "django_duet_cache"
MAX_ENTRIES = 100_000


class CacheTableFixed(DuetError):
    def __init__(self, location: str) -> None:
        super().__init__(
            f"DuetDatabaseCache got LOCATION = {location!r}, but it keeps its entries in the "
            f"table {TABLE!r}, which django-duet's migration makes. Remove LOCATION, or use "
            "django.core.cache.backends.db.DatabaseCache for a table of your own (made by "
            "`manage.py createcachetable`)."
        )


class DuetDatabaseCache(DatabaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        if location and location != TABLE:
            raise CacheTableFixed(location)
        options = {"MAX_ENTRIES": MAX_ENTRIES, **(params.get("OPTIONS") or {})}
        super().__init__(TABLE, {**params, "OPTIONS": options})

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        seconds = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        name = connection.ops.quote_name
        table = name(TABLE)
        now = tz_now().replace(microsecond=0)
        if seconds is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(seconds, tz=UTC if settings.USE_TZ else None)
        expires = expires.replace(microsecond=0)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            count = cursor.fetchone()[0]
            if count > self._max_entries:
                self._cull(db, cursor, now, count)  # type: ignore[attr-defined]  # Django's, untyped
            try:
                # Writes first (no read before them): on SQLite the transaction then waits for
                # a concurrent writer instead of failing at once with "database is locked".
                with transaction.atomic(using=db):
                    cursor.execute(
                        f"DELETE FROM {table} WHERE {name('cache_key')} = %s "
                        f"AND {name('expires')} < %s",
                        [key, connection.ops.adapt_datetimefield_value(now)],
                    )
                    cursor.execute(
                        f"INSERT INTO {table} ({name('cache_key')}, {name('value')}, "
                        f"{name('expires')}) VALUES (%s, %s, %s)",
                        [key, encoded, connection.ops.adapt_datetimefield_value(expires)],
                    )
            except IntegrityError:  # the primary key: another caller holds the key
                return False
        return True
