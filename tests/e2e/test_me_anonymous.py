"""An anonymous visit to the SPA logs no error: its me() asks me/?anonymous=ok, which answers
200 {"user": null} where plain me/ answers a 401 that Chromium logs in the console (issue 25).

No page problem is allowed here: duet_page fails the test on any console error or failed request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .sessions_support import SpaDeploy, spa_deploy


@pytest.fixture(scope="module")
def spa(duet_live_server_factory, example_build) -> Iterator[SpaDeploy]:
    with spa_deploy(duet_live_server_factory, example_build) as deploy:
        yield deploy


def test_anonymous_spa_visit_logs_no_error(duet_page, spa):
    asked: list[tuple[str, int]] = []
    duet_page.on(
        "response",
        lambda r: asked.append((r.url, r.status)) if "/api/auth/me/" in r.url else None,
    )
    duet_page.goto(spa.app + "/app/login")
    expect(duet_page.get_by_test_id("account-anonymous")).to_be_visible()
    assert asked == [(spa.api + "/api/auth/me/?anonymous=ok", 200)]
