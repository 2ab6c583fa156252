"""docs/router-under-a-prefix.md, on the example: React Router's basename comes from the page
(``<meta name="duet-base">``, written by ``client_routes``), so the prefix is written once, in
urls.py. The same build, served under another prefix by another URLconf, routes there too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

URLCONF = """
from django_duet.views import client_routes
from example.urls import urlpatterns as example_urlpatterns

urlpatterns = [client_routes("tools/", name="tools"), *example_urlpatterns]
"""


@pytest.fixture(scope="module")
def tools_server(duet_live_server_factory, tmp_path_factory):
    """The example's build, unchanged, also served under /tools/ (a URLconf of the test's)."""
    folder = tmp_path_factory.mktemp("urlconf")
    (folder / "duet_tools_urls.py").write_text(URLCONF)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(folder))  # the server process's path, with the project's
        return duet_live_server_factory(settings={"ROOT_URLCONF": "duet_tools_urls"})


def test_the_router_takes_its_basename_from_the_page(duet_page, duet_live_server):
    page = duet_page
    page.goto(duet_live_server.url + "/app/items/3")
    expect(page.get_by_test_id("page-title")).to_have_text("Item 3")
    base = page.locator('meta[name="duet-base"]').get_attribute("content")
    assert base == "/app/"
    page.get_by_test_id("nav-item-2").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Item 2")
    assert page.url == duet_live_server.url + "/app/items/2"


def test_the_same_build_routes_under_another_prefix(duet_page, tools_server):
    page = duet_page
    page.goto(tools_server.url + "/tools/items/3")
    expect(page.get_by_test_id("page-title")).to_have_text("Item 3")
    page.get_by_test_id("nav-about").click()  # a lazy route: its chunk still loads
    expect(page.get_by_test_id("page-title")).to_have_text("About")
    assert page.url == tools_server.url + "/tools/about"
    page.reload()
    expect(page.get_by_test_id("page-title")).to_have_text("About")
    page.get_by_test_id("nav-home").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Items")
    assert page.url == tools_server.url + "/tools/"
