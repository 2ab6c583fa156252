"""``SESSION_ENGINE = "django_duet.sessions.cached_db"``: Django's ``cached_db`` sessions that
keep logged-in pages working while the cache (Redis) is away.

Django's ``cached_db`` reads a session from the cache, else from the database, and then puts it
back in the cache; that last step is not guarded (Django 5.2), so with Redis down every request
of a logged-in user fails with a 500 although the database has the session. Here a cache outage
during a read falls back to the database alone. Writes are Django's own (it logs a failed cache
write since 5.1); deleting a session (logout) still needs the cache, so that a stale copy cannot
outlive the logout there.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db, db

from django_duet.sessions.throttle import outage_errors

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        try:
            return dict(super().load())
        except outage_errors() as exc:
            logger.warning("Session cache unreachable, reading the database: %s", exc)
            return dict(db.SessionStore.load(self))

    async def aload(self) -> dict[str, Any]:
        try:
            return dict(await super().aload())
        except outage_errors() as exc:
            logger.warning("Session cache unreachable, reading the database: %s", exc)
            return dict(await db.SessionStore.aload(self))
