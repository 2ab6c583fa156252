"""The dev proxy in front of a real Vite: Vite's published file-serving bypasses, replayed through
Django (runserver and uvicorn), never read what Vite refuses; its HMR token check still applies.

The Vite root holds a ``.env`` secret and a key file; a file outside the root is a secret too.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from django_duet.testing.servers import ServerProcess, free_port

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]
VITE = ROOT / "js" / "node_modules" / "vite" / "bin" / "vite.js"
PLUGIN = ROOT / "js" / "dist" / "vite.js"
BIN = Path(sys.executable).parent
SECRETS = ("env-secret-1f2e3d", "local-secret-4c5b6a", "outside-secret-9z8y7x", "PRIVATE KEY-7q7q")


@pytest.fixture(scope="module")
def vite(tmp_path_factory) -> Iterator[tuple[ServerProcess, Path, Path]]:
    if shutil.which("node") is None or not VITE.exists() or not PLUGIN.exists():
        pytest.skip("needs Node and the js/ package built (make node-deps)")
    base = tmp_path_factory.mktemp("vite-bypass")
    root, outside = base / "frontend", base / "outside"
    (root / "src").mkdir(parents=True)
    outside.mkdir()
    (root / "src" / "main.ts").write_text("export const answer = 'served-source';\n")
    (root / "allowed.txt").write_text("allowed-file\n")
    (root / "index.html").write_text(
        '<!doctype html><script type="module" src="/src/main.ts"></script>\n'
    )
    (root / ".env").write_text(f"VITE_NOT_SECRET=1\nDB_PASSWORD={SECRETS[0]}\n")
    (root / ".env.local").write_text(f"TOKEN={SECRETS[1]}\n")
    (root / "server.pem").write_text(f"-----BEGIN {SECRETS[3]}-----\n")
    (outside / "secret.txt").write_text(f"{SECRETS[2]}\n")
    (root / "vite.config.mjs").write_text(
        f"import duet from {json.dumps(PLUGIN.as_uri())};\n"
        'export default { plugins: [duet({ input: ["src/main.ts", "index.html"] })] };\n'
    )
    port = free_port()
    command = ["node", str(VITE), "--host", "127.0.0.1", "--port", str(port), "--strictPort"]
    env = {"CI": "true", "DUET_STATIC_URL": "/static/"}  # CI: no exit on stdin's end
    with ServerProcess(
        command, port=port, cwd=root, env=env, ready_path="/static/@vite/client", name="vite"
    ) as server:
        yield server, root, outside


# runserver: the middleware; duet-runserver: what `duet dev` runs (proxy_wsgi in front);
# uvicorn: duet_asgi in front (proxy_asgi).
@pytest.fixture(scope="module", params=["runserver", "duet-runserver", "uvicorn"])
def django(request, vite) -> Iterator[ServerProcess]:
    _, root, _ = vite
    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.devserver.settings",
        "DUET_TEST_FRONTEND": str(root),
        "PYTHONPATH": str(ROOT),
    }
    if request.param == "runserver":
        command = [
            sys.executable,
            "-m",
            "django",
            "runserver",
            "--noreload",
            "--nostatic",
            f"127.0.0.1:{port}",
        ]
    elif request.param == "duet-runserver":
        command = [
            sys.executable,
            "-m",
            "django_duet.cli._wsgi_serve",
            f"127.0.0.1:{port}",
            "--noreload",
        ]
    else:
        command = [
            str(BIN / "uvicorn"),
            "tests.devserver.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--no-access-log",
        ]
    with ServerProcess(command, port=port, cwd=ROOT, env=env, name=request.param) as server:
        yield server


def raw_get(port: int, target: str, host: str | None = None) -> tuple[int, bytes]:
    """One request with the request-target exactly as given (no client-side normalising)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        host = host or f"127.0.0.1:{port}"
        head = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        sock.sendall(head.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    status = int(status_line.split()[1]) if status_line.startswith(b"HTTP/") else 0
    return status, rest


def bypasses(root: Path, outside: Path) -> list[str]:
    fs_root, fs_out = f"/static/@fs{root}", f"/static/@fs{outside}"
    return [
        "/static/.env",
        "/static/.env?raw",
        "/static/.env?raw??",
        "/static/.env?import&raw??",
        "/static/.env?url",
        "/static/.env?inline&import",
        "/static/.env.local?raw??",
        "/static/.env/.",
        "/static/.env/",
        "/static/.env%2f.",
        "/static/%2e%65nv?raw",
        "/static/.ENV?raw",
        "/static/.Env.local",
        "/static/server.pem?raw??",
        "/static/SERVER.PEM",
        "/static/.env#",
        "/static/.env#.js",
        "/static/.env%23.js?raw",
        "/static/.env\\",
        "/static/src\\..\\.env",
        "/static/src%5c..%5c.env?raw",
        f"{fs_root}/.env",
        f"{fs_root}/.env?raw??",
        f"{fs_root}/.env?import&?raw",
        f"{fs_root}/.env/.",
        f"{fs_root}/src/../.env?raw",
        f"{fs_root}/.env.local?.svg?raw",
        f"{fs_out}/secret.txt",
        f"{fs_out}/secret.txt?raw??",
        f"{fs_out}/secret.txt?import&raw??",
        f"{fs_out}/secret.txt?inline&import",
        f"{fs_out}/secret.txt?.wasm?init",
        f"{fs_root}/../outside/secret.txt",
        f"{fs_root}/%2e%2e/outside/secret.txt?raw",
        f"{fs_root}/..%2foutside/secret.txt",
        f"{fs_root}/src/main.ts#/../../../outside/secret.txt",
        f"/static/@fs/{str(outside).upper()}/SECRET.TXT",
        f"/static//@fs{outside}/secret.txt",
        "/static/src/../../outside/secret.txt",
        "/static/..%2f..%2foutside/secret.txt?raw",
        f"/static/@id/{outside}/secret.txt?raw",
        f"/static/@id/__x00__{outside}/secret.txt",
    ]


def test_legitimate_paths_work_through_the_proxy(vite, django):
    _, root, _ = vite
    for target, expected in [
        ("/static/src/main.ts", b"served-source"),
        (f"/static/@fs{root}/src/main.ts", b"served-source"),
        ("/static/allowed.txt", b"allowed-file"),
    ]:
        status, body = raw_get(django.port, target)
        assert status == 200 and expected in body, target


def test_published_bypasses_read_nothing_through_the_proxy(vite, django):
    server, root, outside = vite
    leaks = []
    for target in bypasses(root, outside):
        _, proxied = raw_get(django.port, target)
        _, direct = raw_get(server.port, target)
        # Vite itself refuses every one (our oracle); the proxy must not do worse.
        assert not any(s.encode() in direct for s in SECRETS), f"Vite itself serves {target}"
        if any(s.encode() in proxied for s in SECRETS):
            leaks.append(target)
    assert leaks == []


def test_absolute_targets_never_reach_another_server(vite, django):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        other.settimeout(0.5)
        port = other.getsockname()[1]
        for target in [
            f"http://127.0.0.1:{port}/static/src/main.ts",
            f"//127.0.0.1:{port}/static/src/main.ts",
            f"/static//127.0.0.1:{port}/src/main.ts",
            f"/static/@fs//127.0.0.1:{port}/x",
        ]:
            raw_get(django.port, target)
        with pytest.raises(TimeoutError):
            other.accept()  # nobody came


def test_a_foreign_host_is_refused(vite, django):
    status, _ = raw_get(django.port, "/static/src/main.ts", host="evil.example")
    assert status == 400


def test_the_hmr_socket_through_django_keeps_vites_token_check(vite, django):
    if django.name != "uvicorn":
        pytest.skip("runserver (WSGI) cannot carry a WebSocket: its HMR socket goes to Vite's port")
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    client_js = httpx.get(f"{django.url}/static/@vite/client", timeout=10).text
    token = re.search(r'const wsToken = "([^"]+)"', client_js)
    assert token is not None
    url = f"ws://127.0.0.1:{django.port}/static/"
    origin = f"http://127.0.0.1:{django.port}"
    with connect(
        f"{url}?token={token[1]}",
        subprotocols=["vite-hmr"],
        origin=origin,  # type: ignore[list-item]
        proxy=None,
        open_timeout=10,
    ) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connected"
    for bad in (f"{url}?token=wrong", url):
        with pytest.raises(InvalidStatus):
            connect(bad, subprotocols=["vite-hmr"], origin=origin, proxy=None, open_timeout=10)  # type: ignore[list-item]
    # DNS rebinding: a page on evil.example (resolving to 127.0.0.1) gets no socket.
    assert upgrade_status(django.port, f"/static/?token={token[1]}", "evil.example", origin) == 403
    assert upgrade_status(django.port, f"/static/?token={token[1]}", None, origin) == 101


def upgrade_status(port: int, target: str, host: str | None, origin: str) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        lines = [
            f"GET {target} HTTP/1.1",
            f"Host: {host or f'127.0.0.1:{port}'}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: vite-hmr",
            f"Origin: {origin}",
        ]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return int(sock.recv(1024).split()[1])


def test_duet_devs_runserver_logs_the_page_and_failures_not_the_modules(vite, django):
    if "_wsgi_serve" not in " ".join(django.command):
        pytest.skip("the access log rule is duet dev's runserver's (uvicorn's: its filter)")
    assert raw_get(django.port, "/static/src/main.ts")[0] == 200
    assert raw_get(django.port, "/static/src/no-such-module.ts")[0] == 404
    raw_get(django.port, "/a-django-url/")  # Django's 404: a line, as any page's
    deadline = time.monotonic() + 5
    while "/a-django-url/" not in django.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = django.output()
    assert '"GET /a-django-url/ HTTP/1.1" 404' in log
    assert '"GET /static/src/no-such-module.ts HTTP/1.1" 404' in log
    assert '"GET /static/src/main.ts HTTP/1.1" 200' not in log  # a 400 (foreign Host) is logged
