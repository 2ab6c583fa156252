"""Development mode end to end: ``manage.py duet dev`` runs the example, Chromium browses Django's
origin only, and an edit to a component's source shows up without a reload, its state kept.

The edits go to a scratch copy of example/frontend (its node_modules linked entry by entry, so
that Vite's dependency cache stays private), named by DUET_EXAMPLE_FRONTEND_DIR.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.servers import ServerProcess, free_port

from .conftest import EXAMPLE, ROOT, manage

FRONTEND = EXAMPLE / "frontend"
GREETING = Path("src") / "components" / "Greeting.tsx"


def scratch_frontend(tmp: Path) -> Path:
    # The example's vite.config.ts may import ../../js: keep that relative path valid.
    (tmp / "js").symlink_to(ROOT / "js")
    copy = tmp / "example" / "frontend"
    shutil.copytree(FRONTEND, copy, ignore=shutil.ignore_patterns("node_modules", ".duet-hot"))
    modules = copy / "node_modules"
    modules.mkdir()
    for entry in (FRONTEND / "node_modules").iterdir():
        if entry.name not in (".vite", ".ci-stamp"):
            (modules / entry.name).symlink_to(entry.resolve())
    return copy


def wait_for(url: str, timeout: float = 60.0, host: str | None = None) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0, headers={"host": host} if host else None) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


def example_dev_server(
    tmp: Path, name: str, *, asgi: bool = False, env: dict[str, str] | None = None, **kwargs: object
) -> tuple[ServerProcess, Path, int]:
    """`manage.py duet dev` on the example, from a scratch copy of its frontend, on free ports
    (not started yet): the server, the frontend copy, and Vite's port."""
    if not (FRONTEND / "node_modules").is_dir() or shutil.which("npm") is None:
        pytest.fail("duet dev needs npm and example/frontend/node_modules: run `make node-deps`.")
    frontend = scratch_frontend(tmp)
    full_env = {
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "1",
        "DUET_EXAMPLE_DB": str(tmp / "db.sqlite3"),
        "DUET_EXAMPLE_FRONTEND_DIR": str(frontend),
        **(env or {}),
    }
    manage(full_env, "migrate", "--noinput")
    port, vite_port = free_port(), free_port()
    # --noreload: other edits to the repository must not restart Django during a test.
    command = [sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}"]
    command += ["--vite-port", str(vite_port), "--noreload", *(["--asgi"] if asgi else [])]
    server = ServerProcess(
        command, port=port, cwd=EXAMPLE, env=full_env, name=name, start_timeout=60, **kwargs
    )
    return server, frontend, vite_port


@pytest.fixture(scope="module", params=["runserver", "asgi"])
def dev_server(request, tmp_path_factory) -> Iterator[tuple[ServerProcess, Path]]:
    tmp = tmp_path_factory.mktemp(f"dev-{request.param}")
    server, frontend, _ = example_dev_server(
        tmp, f"duet dev ({request.param})", asgi=request.param == "asgi"
    )
    with server:
        try:
            wait_for(f"{server.url}/static/@vite/client")  # Vite is up, through Django
        except TimeoutError:
            pytest.fail(f"duet dev did not come up:\n{server.output()}")
        yield server, frontend
    assert not (frontend / ".duet-hot").exists(), "the hot file outlived the dev server"


def vite_connected(page, messages: list[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not any("[vite] connected" in m for m in messages):
        if time.monotonic() > deadline:
            raise AssertionError(f"the HMR client never connected; console: {messages}")
        page.wait_for_timeout(100)


def test_the_page_loads_through_djangos_origin_only(duet_page, dev_server):
    server, _ = dev_server
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
    if "asgi" in server.name:  # the HMR socket too
        assert [urlsplit(url).netloc for url in sockets] == [django_origin]
    else:  # runserver cannot carry it: straight to Vite, on the page's host
        assert len(sockets) == 1 and urlsplit(sockets[0]).hostname == "127.0.0.1"


def test_an_edit_shows_up_without_a_reload_and_keeps_state(duet_page, dev_server):
    server, frontend = dev_server
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
    page.evaluate("window.__sameDocument = true")
    source = frontend / GREETING
    original = source.read_text()
    assert "Clicked {count} times" in original
    try:
        source.write_text(original.replace("Clicked {count} times", "Pressed {count} times"))
        expect(counter).to_have_text("Pressed 2 times", timeout=20_000)  # Fast Refresh kept count
        assert page.evaluate("window.__sameDocument") is True  # no full reload
        counter.click()
        expect(counter).to_have_text("Pressed 3 times")
    finally:
        source.write_text(original)
    expect(counter).to_have_text("Clicked 3 times", timeout=20_000)


def test_client_routes_get_the_dev_servers_shell_at_the_same_url(duet_page, dev_server):
    server, _ = dev_server
    page = duet_page
    response = page.goto(server.url + "/app/items/2")
    assert response is not None and response.status == 200
    expect(page.get_by_test_id("page-title")).to_have_text("Item 2")
    html = httpx.get(server.url + "/app/items/2", timeout=10).text
    assert '<script type="module" src="/static/@vite/client"></script>' in html
    assert "csrftoken" in {c["name"] for c in page.context.cookies()}


def test_the_browsers_host_name_is_kept(duet_browser, duet_browser_launch_args, tmp_path_factory):
    """A host name from ALLOWED_HOSTS (not an IP, not localhost): Vite's host check accepts the
    HMR socket on it because duet dev passes ALLOWED_HOSTS to the plugin."""
    tmp = tmp_path_factory.mktemp("dev-host")
    server, frontend, vite_port = example_dev_server(
        tmp,
        "duet dev (host)",
        env={"DJANGO_ALLOWED_HOSTS": "dev.example.test"},
        ready_path="/favicon.ico",
    )
    args = dict(duet_browser_launch_args)
    args["args"] = [*args["args"], "--host-resolver-rules=MAP dev.example.test 127.0.0.1"]
    browser = duet_browser.browser_type.launch(**args)
    try:
        with server:
            wait_for(f"{server.url}/static/@vite/client", host="dev.example.test")
            page = browser.new_page()
            sockets: list[str] = []
            messages: list[str] = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            page.on("console", lambda m: messages.append(m.text))
            page.goto(f"http://dev.example.test:{server.port}/")
            expect(page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
            vite_connected(page, messages)
            assert [urlsplit(url).netloc for url in sockets] == [f"dev.example.test:{vite_port}"]
            source = frontend / GREETING
            source.write_text(source.read_text().replace("Clicked {count}", "Pushed {count}"))
            expect(page.get_by_test_id("island-counter")).to_have_text("Pushed 0 times")
    finally:
        browser.close()


def test_everything_stops_with_the_command(tmp_path_factory):
    """Ctrl-C (SIGINT) stops Vite and Django: both ports free, the hot file gone."""
    import signal
    import subprocess

    tmp = tmp_path_factory.mktemp("dev-stop")
    frontend = scratch_frontend(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "1",
        "DUET_EXAMPLE_DB": str(tmp / "db.sqlite3"),
        "DUET_EXAMPLE_FRONTEND_DIR": str(frontend),
    }
    port, vite_port = free_port(), free_port()
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
        wait_for(f"http://127.0.0.1:{port}/static/@vite/client")
        assert (frontend / ".duet-hot").exists()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 0, output
    assert (
        "[vite]" in output and "[django]" in output and output.rstrip().endswith("[duet]   stopped")
    )
    assert not (frontend / ".duet-hot").exists()
    for busy in (port, vite_port):
        with httpx.Client(timeout=2) as client, pytest.raises(httpx.ConnectError):
            client.get(f"http://127.0.0.1:{busy}/")
