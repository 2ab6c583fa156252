"""The hot file and the dev tags (no Node, no dev server: a listening socket stands in)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from django_duet.dev import server as devserver
from django_duet.dev.server import DevServer, DevServerError, active_dev_server, read_hot_file
from django_duet.dev.tags import dev_entry_tags, source_url

SERVER = DevServer("127.0.0.1", 5173, "/static/", react_refresh=True)
PREAMBLE = (
    '<script type="module">import { injectIntoGlobalHook } from "/static/@react-refresh";\n'
    "injectIntoGlobalHook(window);\n"
    "window.$RefreshReg$ = () => {};\n"
    "window.$RefreshSig$ = () => (type) => type;</script>"
)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    devserver.clear_cache()
    yield
    devserver.clear_cache()


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.fixture
def dev(settings, tmp_path):
    settings.DEBUG = True
    settings.DUET = {"HOT_FILE": tmp_path / "hot", "FRONTEND_DIR": tmp_path}
    return tmp_path / "hot"


def write(path, **fields) -> None:
    info = {"version": 1, "url": "http://127.0.0.1:5173", "base": "/static/", "reactRefresh": True}
    path.write_text(json.dumps({**info, **fields}))


def test_tags_for_a_react_entry():
    tags = dev_entry_tags(SERVER, ("src/island.tsx",), emitted=set())
    assert "\n".join(tags) == (
        PREAMBLE + "\n"
        '<script type="module" src="/static/@vite/client"></script>\n'
        '<script type="module" src="/static/src/island.tsx"></script>'
    )


def test_tags_with_a_csp_nonce_and_a_css_entry():
    server = DevServer("127.0.0.1", 5173, "/static/", react_refresh=False)
    tags = dev_entry_tags(server, ("src/main.ts", "src/style.css"), emitted=set(), nonce="n0nce")
    assert list(tags) == [
        '<meta property="csp-nonce" nonce="n0nce">',
        '<script type="module" src="/static/@vite/client" nonce="n0nce"></script>',
        '<script type="module" src="/static/src/main.ts" nonce="n0nce"></script>',
        '<link rel="stylesheet" href="/static/src/style.css" nonce="n0nce">',
    ]


def test_client_and_preamble_once_per_page():
    emitted: set[str] = set()
    first = dev_entry_tags(SERVER, ("src/a.tsx",), emitted=emitted)
    second = dev_entry_tags(SERVER, ("src/b.tsx", "src/a.tsx"), emitted=emitted)
    assert len(first) == 3
    assert second == ['<script type="module" src="/static/src/b.tsx"></script>']


def test_nonce_and_urls_are_escaped():
    server = DevServer("127.0.0.1", 5173, "/static/", react_refresh=False)
    tags = dev_entry_tags(server, ('src/a b"<x>.ts',), emitted=set(), nonce='"><script>')
    assert tags[-1] == (
        '<script type="module" src="/static/src/a%20b%22%3Cx%3E.ts" '
        'nonce="&quot;&gt;&lt;script&gt;"></script>'
    )


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/etc/passwd",
        "../secret.ts",
        "src/../../x.ts",
        "https://evil.example/x.js",
        "src\\x.ts",
        "c:/x.ts",
    ],
)
def test_names_outside_the_vite_root_are_refused(name):
    with pytest.raises(DevServerError, match="relative to the Vite root"):
        source_url(SERVER, name)


def test_html_entries_belong_to_client_routes():
    with pytest.raises(DevServerError, match="client_routes"):
        dev_entry_tags(SERVER, ("index.html",), emitted=set())


def test_no_hot_file_is_no_dev_server(dev):
    assert read_hot_file(dev) is None
    assert active_dev_server() is None


def test_a_live_hot_file(dev, listening):
    write(dev, url=f"http://127.0.0.1:{listening}", reactRefresh=False)
    assert active_dev_server() == DevServer("127.0.0.1", listening, "/static/", False)


def test_ipv6_loopback(dev):
    write(dev, url="http://[::1]:5173")
    server = read_hot_file(dev)
    assert server is not None and server.origin == "http://[::1]:5173"


def test_a_stale_hot_file_is_ignored_with_one_warning(dev, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write(dev, url=f"http://127.0.0.1:{port}")
    assert active_dev_server() is None
    assert active_dev_server() is None
    warnings = [r for r in caplog.records if "Stale hot file" in r.getMessage()]
    assert len(warnings) == 1
    assert "duet dev" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://192.168.1.5:5173", "not a loopback address"),
        ("http://evil.example:5173", "not http://<IP address>:<port>"),
        ("http://localhost:5173", "not http://<IP address>:<port>"),
        ("https://127.0.0.1:5173", "only talks to http"),
        ("http://127.0.0.1", "only talks to http"),
        ("http://127.0.0.1:5173/x", "only talks to http"),
    ],
)
def test_a_hot_file_naming_anything_but_loopback_http_is_an_error(dev, url, message):
    write(dev, url=url)
    with pytest.raises(DevServerError, match=message):
        active_dev_server()


def test_a_base_that_is_not_static_url_is_an_error(dev):
    write(dev, base="/")
    with pytest.raises(DevServerError, match=r"base '/'.*expects '/static/'"):
        read_hot_file(dev)


@pytest.mark.parametrize("content", ["not json", "[]", '{"url": 5}', "x" * 70_000])
def test_an_unreadable_hot_file_is_an_error(dev, content):
    dev.write_text(content)
    with pytest.raises(DevServerError, match="delete the file"):
        read_hot_file(dev)


def test_debug_off_or_dev_mode_off_ignores_the_hot_file(dev, listening, settings):
    write(dev, url=f"http://127.0.0.1:{listening}")
    assert active_dev_server() is not None
    settings.DUET = {**settings.DUET, "DEV_MODE": False}
    assert active_dev_server() is None
    settings.DUET = {**settings.DUET, "DEV_MODE": True}
    settings.DEBUG = False
    assert active_dev_server() is None


def test_static_prefix_and_a_full_static_url(dev, settings):
    settings.STATIC_URL = "https://cdn.example.com/assets/"
    settings.DUET = {**settings.DUET, "STATIC_PREFIX": "front"}
    assert devserver.dev_base() == "/assets/front/"
