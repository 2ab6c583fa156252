"""duet_postgres and duet_redis: a loopback URL, or a skip that says what to install."""

from __future__ import annotations

import pytest

from .conftest import run

USES_BOTH = """
def test_postgres(duet_postgres):
    pass

def test_redis(duet_redis):
    pass
"""


def test_missing_servers_skip_with_what_to_install(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("DUET_POSTGRES_BIN", str(tmp_path))  # no initdb there
    monkeypatch.setenv("DUET_REDIS_SERVER", str(tmp_path / "redis-server"))
    pytester.makepyfile(test_servers=USES_BOTH)
    result = run(pytester, "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*PostgreSQL's server (initdb, pg_ctl) is not installed (Debian: apt-get install "
            "postgresql*",
            "*redis-server is not installed (Debian: apt-get install redis-server*",
        ],
        consecutive=False,
    )


@pytest.mark.parametrize("fixture", ["duet_postgres", "duet_redis"])
def test_the_fixtures_give_a_loopback_url(pytester, fixture):
    pytester.makepyfile(
        test_url=f"""
def test_url({fixture}):
    assert "@127.0.0.1:" in {fixture}.url or {fixture}.url.startswith("redis://127.0.0.1:")
"""
    )
    run(pytester).assert_outcomes(passed=1)
