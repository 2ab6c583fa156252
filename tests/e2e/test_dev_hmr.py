"""Development mode end to end: ``manage.py duet dev`` runs the example, Chromium browses Django's
origin only, and an edit to a component's source shows up without a reload, its state kept.

The servers come from the duet plugin's ``duet_dev_server_factory`` (conftest.py's
``example_dev``), each on its own scratch copy of example/frontend (named by
DUET_EXAMPLE_FRONTEND_DIR) that the tests edit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.dev import VITE_PORTS, wait_for
from django_duet.testing.servers import free_port, free_port_block

from .conftest import EXAMPLE, ExampleDev, scratch_frontends
from .conftest import scratch_frontend as scratch_frontend  # test_plugin_dev.py imports it here
from .dev_support import edit_in_place, edit_until_shown, running, vite_connected

GREETING = Path("src") / "components" / "Greeting.tsx"


@pytest.fixture(scope="module", params=["runserver", "asgi"])
def dev_server(request, example_dev) -> Iterator[ExampleDev]:
    # up once Vite answers through Django; its hot file gone after
    with running(example_dev(asgi=request.param == "asgi")) as dev:
        yield dev


def test_the_page_loads_through_djangos_origin_only(duet_page, dev_server):
    server = dev_server.server
    page = duet_page
    requests: list[str] = []
    sockets: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(server.url + "/")
    expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    vite_connected(page, messages)
    assert any("/static/@vite/client" in url for url in requests)
    assert any("/static/src/island.tsx" in url for url in requests)
    django_origin = urlsplit(server.url).netloc
    assert {urlsplit(url).netloc for url in requests if url.startswith("http")} == {django_origin}
    if server.asgi:  # the HMR socket too
        assert [urlsplit(url).netloc for url in sockets] == [django_origin]
    else:  # runserver cannot carry it: straight to Vite, on the page's host
        assert len(sockets) == 1 and urlsplit(sockets[0]).hostname == "127.0.0.1"


def test_an_edit_shows_up_without_a_reload_and_keeps_state(duet_page, dev_server):
    server, frontend = dev_server.server, dev_server.frontend
    page = duet_page
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(server.url + "/")
    counter = page.get_by_test_id("island-counter")
    expect(counter).to_have_text("Clicked 0 times")
    vite_connected(page, messages)
    counter.click()
    counter.click()
    expect(counter).to_have_text("Clicked 2 times")
    source = frontend / GREETING
    original = source.read_text()
    assert "Clicked {count} times" in original
    try:
        edited = original.replace("Clicked {count} times", "Pressed {count} times")
        # Fast Refresh kept the count, without a full reload
        edit_in_place(
            page, source, edited, counter, "Pressed 2 times", messages, server.process.output
        )
        counter.click()
        expect(counter).to_have_text("Pressed 3 times")
    finally:  # cleanup for the module's next tests: the source back, the page showing it
        # (the count is not asserted here: what is tested, state kept, was proven above)
        edit_until_shown(
            source,
            original,
            lambda timeout: expect(counter).to_have_text(
                re.compile(r"Clicked \d+ times"), timeout=timeout
            ),
        )


def test_client_routes_get_the_dev_servers_shell_at_the_same_url(duet_page, dev_server):
    server = dev_server.server
    page = duet_page
    response = page.goto(server.url + "/app/items/2")
    assert response is not None and response.status == 200
    expect(page.get_by_test_id("page-title")).to_have_text("Item 2")
    html = httpx.get(server.url + "/app/items/2", timeout=10).text
    assert '<script type="module" src="/static/@vite/client"></script>' in html
    assert "csrftoken" in {c["name"] for c in page.context.cookies()}


def test_the_browsers_host_name_is_kept(duet_page, example_dev):
    """A host name from ALLOWED_HOSTS (not an IP, not localhost): Vite's host check accepts the
    HMR socket on it because duet dev passes ALLOWED_HOSTS to the plugin. (Chromium maps
    *.example.test to 127.0.0.1: conftest.py's duet_loopback_hosts.)"""
    dev = example_dev(env={"DJANGO_ALLOWED_HOSTS": "dev.example.test"}, host="dev.example.test")
    with dev.server as server:
        assert server.url == f"http://dev.example.test:{server.port}"
        page = duet_page
        # Django's COOP header needs a trustworthy origin (https, localhost): Chromium says so.
        page.problems.allow("Cross-Origin-Opener-Policy header has been ignored")
        sockets: list[str] = []
        messages: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.on("console", lambda m: messages.append(m.text))
        page.goto(server.url + "/")
        expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
        vite_connected(page, messages)
        assert [urlsplit(url).netloc for url in sockets] == [f"dev.example.test:{server.vite_port}"]
        source = dev.frontend / GREETING
        counter = page.get_by_test_id("island-counter")
        edit_until_shown(
            source,
            source.read_text().replace("Clicked {count}", "Pushed {count}"),
            lambda timeout: expect(counter).to_have_text("Pushed 0 times", timeout=timeout),
        )


def test_everything_stops_with_the_command(tmp_path_factory):
    """Ctrl-C (SIGINT) stops Vite and Django: both ports free, the hot file gone.

    Not a duet_dev_server_factory server: this is a test of the command itself, run the way a
    developer runs it (with Django's autoreloader, which the plugin turns off) and its output
    read to the end.
    """
    tmp = tmp_path_factory.mktemp("dev-stop")
    copies = scratch_frontends(tmp)
    frontend = Path(copies["DUET_EXAMPLE_FRONTEND_DIR"])
    staff = Path(copies["DUET_EXAMPLE_STAFF_FRONTEND_DIR"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "1",
        "DUET_EXAMPLE_DB": str(tmp / "db.sqlite3"),
        **copies,
    }
    # One Vite per frontend, on consecutive ports from vite_port.
    port, vite_port = free_port(), free_port_block(VITE_PORTS)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "duet",
            "dev",
            f"127.0.0.1:{port}",
            "--vite-port",
            str(vite_port),
        ],
        cwd=EXAMPLE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/static/@vite/client", 60.0), "duet dev is not up"
        assert (frontend / ".duet-hot").exists()
        deadline = time.monotonic() + 30  # the staff Vite may come up a moment later
        while not (staff / ".duet-hot").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (staff / ".duet-hot").exists()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 0, output
    assert "[vite]" in output and "[vite:staff]" in output and "[django]" in output
    assert re.search(r"\[duet\] +stopped$", output.rstrip()), output  # padded to the widest name
    assert not (frontend / ".duet-hot").exists() and not (staff / ".duet-hot").exists()
    for busy in (port, vite_port, vite_port + 1):  # Django, the public and the staff Vite
        with httpx.Client(timeout=2) as client, pytest.raises(httpx.ConnectError):
            client.get(f"http://127.0.0.1:{busy}/")
