"""DuetDatabaseCache: its table is made by ``migrate`` as ``createcachetable`` would make it, and
its ``add()`` lets exactly one of the processes adding a key together win, on SQLite and on a
real PostgreSQL, so the login throttle's budget is exact across processes. The processes run
on the settings docs/scaling.md gives for it.

Each race runs in separate processes (``WORKERS``), started together: each sets Django up,
opens its connection, says it is ready, and waits for one "go" written to every stdin at once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from django_duet.exceptions import DuetError
from django_duet.sessions.throttle_cache import TABLE, DuetDatabaseCache
from django_duet.testing.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 8
KEYS = 40  # raced by every worker: half of them over an expired entry of the same key
ATTEMPTS = 4  # login attempts per worker at one username, whose budget is 5

SCALING = ROOT / "docs" / "scaling.md"


def documented_settings() -> str:
    """The block of docs/scaling.md that puts the login throttle in DuetDatabaseCache."""
    found = re.search(
        r"<!-- scaling: throttle-cache -->\n```python\n(.*?)```", SCALING.read_text(), re.S
    )
    assert found, "docs/scaling.md lost its throttle-cache block"
    return found.group(1)


SETTINGS = f"""
import os

import dj_database_url

SECRET_KEY = "throttle-cache-test-" + "k" * 40
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django_duet"]
DATABASES = {{"default": dj_database_url.parse(os.environ["DUET_TEST_DATABASE_URL"])}}
USE_TZ = True
{documented_settings()}
DUET = {{**DUET, "LOGIN_THROTTLE_WINDOW": 10**8}}  # no window boundary inside a test
"""

WORKER = """
import json, sys
import django

django.setup()
from django.core.cache import caches
from django.test import RequestFactory

from django_duet.sessions.throttle import LoginThrottle

mode, run = sys.argv[1], sys.argv[2]
cache = caches["duet-throttle"]
cache.get("warm-up")  # the connection is open before the start
print("ready", flush=True)
assert sys.stdin.readline().strip() == "go"
if mode == "add":
    won = [key for key in (f"{run}:{n}" for n in range(%(keys)d)) if cache.add(key, 1, 60)]
else:
    request = RequestFactory().post("/api/auth/login/", REMOTE_ADDR="203.0.113.9")
    won = [n for n in range(%(attempts)d) if LoginThrottle(request, run).reserve() is None]
print(json.dumps(won), flush=True)
""".replace("%(keys)d", str(KEYS)).replace("%(attempts)d", str(ATTEMPTS))


class Project:
    """A settings module and a worker script in a scratch folder, on one database URL."""

    def __init__(self, folder: Path, database_url: str) -> None:
        (folder / "throttle_settings.py").write_text(SETTINGS)
        (folder / "worker.py").write_text(WORKER)
        self.folder = folder
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "throttle_settings",
            "DUET_TEST_DATABASE_URL": database_url,
            "PYTHONPATH": str(folder),
        }

    def python(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{code}"],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def race(self, mode: str, run: str) -> list[list[object]]:
        """Every worker's wins, the workers started together."""
        workers = [
            subprocess.Popen(
                [sys.executable, "worker.py", mode, run],
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(WORKERS)
        ]
        try:
            for worker in workers:
                assert worker.stdout is not None
                line = worker.stdout.readline()
                assert line == "ready\n", line + worker.communicate(timeout=60)[1]
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results = []
            for worker in workers:
                out, err = worker.communicate(timeout=120)
                assert worker.returncode == 0, err
                results.append(json.loads(out))
            return results
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()


def migrated(folder: Path, database_url: str) -> Project:
    project = Project(folder, database_url)
    project.python("from django.core.management import call_command\ncall_command('migrate')")
    return project


SCHEMA = """
import json
from django.core.management import call_command
from django.db import connection

call_command("createcachetable", "made_by_createcachetable", verbosity=0)

def schema(table):
    with connection.cursor() as cursor:
        columns = [
            (c.name, c.type_code, c.display_size, c.null_ok, getattr(c, "pk", None))
            for c in connection.introspection.get_table_description(cursor, table)
        ]
        constraints = sorted(
            (c["columns"], c["primary_key"], c["unique"], c["index"])
            for c in connection.introspection.get_constraints(cursor, table).values()
        )
    return {"columns": columns, "constraints": constraints}

print(json.dumps([schema("TABLE"), schema("made_by_createcachetable")], default=str))
""".replace("TABLE", TABLE)


def assert_exact(project: Project) -> None:
    # Set half the keys first, expired: an expired entry is no entry, and is won only once too.
    project.python(
        "from django.core.cache import caches\n"
        f"for n in range(0, {KEYS}, 2):\n    caches['duet-throttle'].set(f'race:{{n}}', 0, -10)"
    )
    results = project.race("add", "race")
    wins = Counter(key for won in results for key in won)
    assert wins == Counter({f"race:{n}": 1 for n in range(KEYS)}), results
    assert sum(len(won) for won in results) == KEYS
    # The login throttle: 8 processes x 4 attempts at one username, budget 5.
    results = project.race("throttle", "alice")
    assert sum(len(won) for won in results) == 5, results


def test_on_sqlite_the_table_is_migrated_as_createcachetable_makes_it_and_one_add_wins(
    tmp_path: Path,
) -> None:
    project = migrated(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    ours, theirs = json.loads(project.python(SCHEMA))
    assert ours == theirs and [c[0] for c in ours["columns"]] == ["cache_key", "value", "expires"]
    assert_exact(project)


def test_on_postgresql_the_table_is_migrated_as_createcachetable_makes_it_and_one_add_wins(
    tmp_path: Path, duet_postgres: PostgresServer
) -> None:
    project = migrated(tmp_path, duet_postgres.url)
    ours, theirs = json.loads(project.python(SCHEMA))
    assert ours == theirs and [c[0] for c in ours["columns"]] == ["cache_key", "value", "expires"]
    assert_exact(project)
    # Unapplied, the migration drops the table; applied again, it makes it again.
    tables = "from django.db import connection\nprint(connection.introspection.table_names())"
    project.python(
        "from django.core.management import call_command\n"
        "call_command('migrate', 'django_duet', '0001', verbosity=0)"
    )
    assert TABLE not in project.python(tables)
    project.python(
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)"
    )
    assert TABLE in project.python(tables)


@pytest.mark.django_db(transaction=True)
def test_the_test_database_has_the_table_and_add_is_exact_on_one_connection() -> None:
    assert TABLE in connection.introspection.table_names()  # made by the migration
    cache = DuetDatabaseCache("", {})
    assert cache.add("k", "first", 60) is True
    assert cache.add("k", "second", 60) is False
    assert cache.get("k") == "first"
    cache.set("old", "stale", -10)  # expired: add takes its place
    assert cache.add("old", "fresh", 60) is True and cache.get("old") == "fresh"
    assert cache._max_entries == 100_000  # a throttle slot culled is a failure forgotten
    cache.clear()


def test_the_table_is_fixed() -> None:
    assert DuetDatabaseCache(TABLE, {})._table == TABLE
    with pytest.raises(DuetError, match="django_duet_cache"):
        DuetDatabaseCache("my_cache_table", {})
