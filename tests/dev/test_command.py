"""``duet dev`` without Node: its one-line refusals, and the supervisor that runs the servers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_duet.cli import dev
from django_duet.cli._supervise import Child, run_all
from django_duet.testing.servers import free_port

PROXY = "django_duet.proxy.DevProxyMiddleware"


@pytest.fixture
def project(settings, tmp_path):
    frontend = tmp_path / "frontend"
    (frontend / "node_modules").mkdir(parents=True)
    (frontend / "package.json").write_text("{}")
    settings.DEBUG = True
    settings.MIDDLEWARE = [PROXY, *settings.MIDDLEWARE]
    settings.DUET = {**settings.DUET, "FRONTEND_DIR": frontend}
    return frontend


def refusal(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("duet", "dev", *args)
    message = str(info.value)
    assert "\n" not in message  # one line
    return message


def test_debug_off_is_refused(project, settings):
    settings.DEBUG = False
    assert "needs DEBUG = True" in refusal()


def test_missing_proxy_is_refused(project, settings):
    settings.MIDDLEWARE = settings.MIDDLEWARE[1:]
    assert refusal() == f"Add {PROXY!r} to MIDDLEWARE, right after SecurityMiddleware."


def test_missing_package_json_is_refused(project):
    (project / "package.json").unlink()
    assert "No package.json in" in refusal() and "FRONTEND_DIR" in refusal()


def test_missing_npm_is_refused(project, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert refusal() == "npm is not on PATH: install Node.js 20 or newer (it ships npm)."


def test_missing_node_modules_is_refused(project):
    (project / "node_modules").rmdir()
    assert (
        refusal() == f"No node_modules in {project}: run `npm ci` (or `npm install`) there first."
    )


@pytest.mark.skipif(not dev.shutil.which("npm"), reason="needs npm on PATH")
def test_a_busy_port_is_refused(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = refusal(f"127.0.0.1:{port}", "--vite-port", str(free_port()))
        assert message.startswith(f"Port {port} on 127.0.0.1 is in use")
        assert f"duet dev 127.0.0.1:{port + 1}" in message
        message = refusal(f"127.0.0.1:{free_port()}", "--vite-port", str(port))
        assert f"--vite-port {port + 1}" in message


@pytest.mark.parametrize("value", ["x", "127.0.0.1:", "1:2:3", "127.0.0.1:70000", "0"])
def test_a_bad_address_is_refused(project, value):
    assert "write PORT or HOST:PORT" in refusal(value)


def test_addresses_and_where_vite_listens():
    assert dev.parse_addrport("8001") == ("127.0.0.1", 8001)
    assert dev.parse_addrport("0.0.0.0:8000") == ("0.0.0.0", 8000)
    assert dev.parse_addrport("[::1]:8000") == ("::1", 8000)
    assert dev.vite_host("127.0.0.1", asgi=False) == "127.0.0.1"
    assert dev.vite_host("0.0.0.0", asgi=False) == "0.0.0.0"  # the browser reaches HMR there
    assert dev.vite_host("0.0.0.0", asgi=True) == "127.0.0.1"  # HMR goes through Django
    assert dev.vite_host("::", asgi=False) == "::"


def test_the_environment_tells_vite_about_django(project, settings):
    settings.ALLOWED_HOSTS = ["app.example.test", ".example.test", "*"]
    env = dev.child_env(8000, asgi=True)
    assert env["DUET_DEV_ORIGINS"] == "http://app.example.test:8000"
    assert env["DUET_DEV_HOSTS"] == "app.example.test,.example.test"  # never "*"
    assert env["DUET_DEV_HMR"] == "django"
    assert env["DUET_STATIC_URL"] == "/static/"
    assert Path(env["DUET_HOT_FILE"]) == project / ".duet-hot"


def test_django_runs_under_runserver_or_uvicorn(project):
    command = dev.django_command("127.0.0.1", 8000, {"asgi": False, "noreload": True})
    assert command[1:] == ["-m", "django_duet.cli._wsgi_serve", "127.0.0.1:8000", "--noreload"]
    command = dev.django_command("::1", 8000, {"asgi": True, "noreload": False})
    assert command[1:] == ["-m", "django_duet.cli._asgi_serve", "::1", "8000"]


def test_verbosity_2_asks_the_server_for_every_access_line(project):
    # runserver takes --verbosity itself; both servers read it (dev.access_log.log_every_line)
    options = {"asgi": False, "noreload": True, "verbosity": 2}
    assert dev.django_command("127.0.0.1", 8000, options)[-2:] == ["--verbosity", "2"]
    options = {"asgi": True, "noreload": True, "verbosity": 1}
    assert "--verbosity" not in dev.django_command("127.0.0.1", 8000, options)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie is dead, only not reaped yet


def wait_dead(pids: list[int], timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        living = [pid for pid in pids if alive(pid)]
        if not living:
            return []
        time.sleep(0.05)
    return living


SLEEPER = textwrap.dedent("""
    import pathlib, subprocess, sys, time
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pathlib.Path(sys.argv[1]).write_text(f"{__import__('os').getpid()} {grandchild.pid}")
    print("sleeping", flush=True)
    time.sleep(60)
""")


def read_pids(path: Path) -> list[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) == 2:
            return [int(p) for p in path.read_text().split()]
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


def test_one_child_exiting_stops_the_other_and_its_children(tmp_path):
    lines: list[str] = []
    quitter = [
        sys.executable,
        "-c",
        "import time; print('hello'); time.sleep(1); raise SystemExit(3)",
    ]
    children = [
        Child(
            "vite",
            [sys.executable, "-c", SLEEPER, str(tmp_path / "pids")],
            tmp_path,
            dict(os.environ),
            keep_stdin_open=True,
        ),
        Child("django", quitter, tmp_path, dict(os.environ)),
    ]
    assert run_all(children, lines.append) == 3
    assert "[django] hello" in lines and "[vite]   sleeping" in lines
    assert lines[-1] == "[duet]   django exited with status 3: stopped vite"
    assert wait_dead(read_pids(tmp_path / "pids")) == []


def test_ctrl_c_stops_everything(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from django_duet.cli._supervise import Child, run_all
        tmp = Path({str(tmp_path)!r})
        children = [Child(name, [sys.executable, "-c", {SLEEPER!r}, str(tmp / name)], tmp,
                          dict(os.environ)) for name in ("vite", "django")]
        sys.exit(run_all(children, print))
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = read_pids(tmp_path / "vite") + read_pids(tmp_path / "django")
        parent.send_signal(signal.SIGINT)
        out, _ = parent.communicate(timeout=20)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.communicate()
    assert parent.returncode == 0
    assert out.splitlines()[-1] == "[duet]   stopped"
    assert wait_dead(pids) == []


def test_ctrl_c_while_the_children_start_stops_everything_cleanly(tmp_path):
    """A Ctrl-C before the supervisor waits (here: as the last child's output thread starts)
    stops everything with the usual exit, not a KeyboardInterrupt traceback (seen in CI when
    the signal came early)."""
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        from pathlib import Path
        from django_duet.cli import _supervise
        from django_duet.cli._supervise import Child, run_all
        tmp = Path({str(tmp_path)!r})
        started = _supervise.Supervisor.start
        def start(self):
            started(self)
            for name in ("vite", "django"):  # both up, with their own children
                while not (tmp / name).exists() or len((tmp / name).read_text().split()) != 2:
                    time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C before the supervisor waits
        _supervise.Supervisor.start = start
        children = [Child(name, [sys.executable, "-c", {SLEEPER!r}, str(tmp / name)], tmp,
                          dict(os.environ)) for name in ("vite", "django")]
        sys.exit(run_all(children, print))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[-1] == "[duet]   stopped"
    pids = read_pids(tmp_path / "vite") + read_pids(tmp_path / "django")
    assert wait_dead(pids) == []


def test_runserver_sends_without_delay():
    # Without TCP_NODELAY a keep-alive response waits ~40 ms for the browser's delayed ACK.
    from django.core.servers.basehttp import WSGIRequestHandler

    from django_duet.cli._wsgi_serve import NoDelayWSGIServer

    server = NoDelayWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    try:
        with socket.create_connection(server.server_address[:2], timeout=5):
            connection, _ = server.get_request()
            with connection:
                assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        server.server_close()
