"""pytest-xdist with two workers: one build for both, a live server per worker on its own port."""

from __future__ import annotations

import pytest

from .conftest import build_runs, django_project, run

pytestmark = pytest.mark.e2e  # real servers

TESTS = """
import httpx
import pytest


@pytest.mark.parametrize("n", range(4))
def test_served(duet_live_server, duet_build, worker_id, request, n):
    where = httpx.get(duet_live_server.url + "/where/").json()
    assert where["static_root"].startswith(str(request.config._tmp_path_factory.getbasetemp()))
    out = httpx.get(duet_live_server.url + "/static/out.txt")
    assert out.text == "console.log('v1')\\n"
    seen = request.config.rootpath / "seen"
    seen.mkdir(exist_ok=True)
    (seen / f"{worker_id}-{n}").write_text(duet_live_server.url)
"""


def test_two_workers_share_one_build_and_get_a_server_each(pytester, frontend_project):
    django_project(pytester)
    pytester.makepyfile(test_served=TESTS)
    result = run(pytester, "-n", "2", "--dist", "load")
    result.assert_outcomes(passed=4)
    assert build_runs(frontend_project) == 1
    seen = {p.name.split("-")[0]: p.read_text() for p in (pytester.path / "seen").iterdir()}
    assert sorted(seen) == ["gw0", "gw1"]
    assert seen["gw0"] != seen["gw1"]  # a server per worker, each on its own port
