"""The example and an init'd project take their database and cache from the environment.

DATABASE_URL (dj-database-url) and REDIS_URL or CACHE_URL (django-environ) switch them to a
shared database and cache (docs/scaling.md); unset, SQLite and the per-process cache stay.
Each case imports the settings in a fresh interpreter, as a server would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django_duet.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default'], 'caches': s.CACHES, "
    "'session': s.SESSION_ENGINE}, default=str))"
)
SCALE = {
    "DATABASE_URL": "postgres://duet:secret@127.0.0.1:5433/duet",
    "REDIS_URL": "redis://127.0.0.1:6380/2",
}
UNSET = ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")


def settings_of(cwd: Path, module: str, env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    done = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=cwd,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def init_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init")
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(root)], check=True
    )
    assert main(["init", "--dir", str(root)]) == 0
    return root


def projects(init_project: Path) -> list[tuple[Path, str]]:
    return [(ROOT / "example", "example.settings"), (init_project, "mysite.settings")]


def test_unset_keeps_sqlite_and_the_local_memory_cache(init_project: Path) -> None:
    for cwd, module in projects(init_project):
        shown = settings_of(cwd, module, {})
        assert shown["db"]["ENGINE"] == "django.db.backends.sqlite3"
        assert shown["caches"]["default"]["BACKEND"].endswith("LocMemCache")
        assert shown["session"] == "django.contrib.sessions.backends.db"


def test_database_url_and_redis_url_give_postgresql_redis_and_cached_db_sessions(
    init_project: Path,
) -> None:
    for cwd, module in projects(init_project):
        shown = settings_of(cwd, module, SCALE)
        db = shown["db"]
        assert db["ENGINE"] == "django.db.backends.postgresql"
        assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
            "127.0.0.1",
            5433,
            "duet",
            "duet",
        )
        assert db["CONN_HEALTH_CHECKS"] is True and db["CONN_MAX_AGE"] == 60
        assert shown["caches"]["default"] == {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6380/2",
        }
        assert shown["session"] == "django_duet.sessions.cached_db"


def test_cache_url_is_read_when_redis_url_is_not(init_project: Path) -> None:
    for cwd, module in projects(init_project):
        shown = settings_of(cwd, module, {"CACHE_URL": "redis://127.0.0.1:6381/0"})
        assert shown["caches"]["default"]["LOCATION"] == "redis://127.0.0.1:6381/0"
        assert shown["db"]["ENGINE"] == "django.db.backends.sqlite3"
