"""The duet plugin's dev mode: ``duet_dev_server`` runs ``manage.py duet dev`` (Vite + Django)
and ``duet_page`` browses the unbuilt frontend through Django's origin, hot reload included.

The edit goes to a scratch copy of example/frontend, named by DUET_EXAMPLE_FRONTEND_DIR through
``duet_server_env`` (a fixture a conftest or module may override).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_dev_hmr import GREETING, scratch_frontend, vite_connected


@pytest.fixture(scope="session")
def duet_server_env(tmp_path_factory):
    frontend = scratch_frontend(tmp_path_factory.mktemp("plugin-dev"))
    return {"DUET_EXAMPLE_FRONTEND_DIR": str(frontend)}


def test_an_edit_shows_up_without_a_reload(duet_page, duet_dev_server, duet_server_env):
    page = duet_page
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(duet_dev_server.url + "/")
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    vite_connected(page, messages)
    page.get_by_test_id("island-counter").click()
    source = duet_server_env["DUET_EXAMPLE_FRONTEND_DIR"] + "/" + str(GREETING)
    with open(source) as file:
        text = file.read()
    with open(source, "w") as file:
        file.write(text.replace("Hello, {name}!", "Hi from the plugin, {name}!"))
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hi from the plugin, Django!")
    expect(page.get_by_test_id("island-counter")).to_have_text("Clicked 1 times")  # state kept
