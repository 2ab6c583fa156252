"""duet_live_server_factory: more live servers in one session, each with its own settings,
environment, server, host name, port and database; stopped by ``with`` or at the session's end."""

from __future__ import annotations

import httpx
import pytest

from .conftest import django_project, run

pytestmark = pytest.mark.e2e  # real servers

TESTS = """
import sqlite3

import httpx
import pytest

from django_duet.testing.servers import free_port


def users(server):
    with sqlite3.connect(server.database) as connection:
        return [row[0] for row in connection.execute("SELECT username FROM auth_user")]


@pytest.fixture(scope="module")
def other(duet_live_server_factory):
    with duet_live_server_factory(
        settings={"GREETING": "from settings"}, env={"DUET_TEST_ENV": "from env"}, server="uvicorn"
    ) as server:
        yield server


def test_its_own_settings_environment_server_and_database(duet_live_server, other):
    default = httpx.get(duet_live_server.url + "/where/").json()
    mine = httpx.get(other.url + "/where/").json()
    assert (default["greeting"], mine["greeting"]) == ("everywhere", "from settings")
    assert (default["env"], mine["env"]) == ("conftest", "from env")
    assert (default["asgi"], mine["asgi"]) == (False, True)
    assert mine["database"] == str(other.database) != default["database"]
    other.create_user("alice", "a-long-test-password")
    assert users(other) == ["alice"] and users(duet_live_server) == []
    assert httpx.get(other.url + "/static/out.txt").text == "console.log('v1')\\n"


def test_a_host_name_and_a_port_chosen_first(duet_live_server_factory):
    port = free_port()
    settings = {"ALLOWED_HOSTS": ["api.example.test"]}
    with duet_live_server_factory(settings=settings, host="api.example.test", port=port) as server:
        assert server.url == f"http://api.example.test:{port}"
        host = {"host": f"api.example.test:{port}"}
        answer = httpx.get(f"http://127.0.0.1:{port}/where/", headers=host).json()
        assert answer["host"] == f"api.example.test:{port}"
    with pytest.raises(httpx.ConnectError):  # stopped at the end of the with block
        httpx.get(f"http://127.0.0.1:{port}/where/")


def test_left_running(duet_live_server_factory, request):
    server = duet_live_server_factory()
    (request.config.rootpath / "left-running").write_text(server.url)


def test_an_unknown_server(duet_live_server_factory):
    duet_live_server_factory(server="waitress")
"""

CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def duet_settings_overrides():
    return {"GREETING": "everywhere"}


@pytest.fixture(scope="session")
def duet_server_env():
    return {"DUET_TEST_ENV": "conftest"}
"""


def test_servers_with_their_own_settings(pytester, frontend_project):
    django_project(pytester)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_servers=TESTS)
    result = run(pytester)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["*test_an_unknown_server*", "*duet_server is 'waitress': use one of gunicorn, uvicorn*"]
    )
    left = (pytester.path / "left-running").read_text()
    with pytest.raises(httpx.ConnectError):  # the factory stopped it when the session ended
        httpx.get(left + "/where/", timeout=5)
