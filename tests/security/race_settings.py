"""Settings of the gunicorn that the login-throttle race test starts (test_throttle_race.py).

Two worker processes share a SQLite database and the database cache, as processes of one site
share Redis or Memcached; every password hash is recorded (race_hasher.py).
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DUET

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DUET_RACE_DB"],
        # Writers queue for the lock instead of failing at once (64 requests write the cache).
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "duet_race_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
PASSWORD_HASHERS = ["tests.security.race_hasher.RecordingHasher"]
ROOT_URLCONF = "tests.sessions.urls"
DUET = {
    **DUET,
    # Each burst claims its own client address (the test client is always 127.0.0.1).
    "CLIENT_IP_HEADER": "X-Forwarded-For",
    "TOKEN_SIGNING_KEYS": [
        {"kid": "race", "algorithm": "HS256", "key": "race-test-only-token-key-" + "r" * 40}
    ],
}
