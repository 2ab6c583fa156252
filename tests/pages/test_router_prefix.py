"""An app under a prefix: the shell tells the app where its routes start (the duet-base meta,
the router's basename), and refuses to load files by URLs relative to the route."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from django_duet.pages.client_routes import ClientRoutesView
from django_duet.pages.shell import RelativeUrlInShell, relative_urls
from tests.dev.fake_devserver import FakeDevServer
from tests.helpers import duet_messages

META = '<meta name="duet-base" content="{}"></head>'


@pytest.mark.parametrize(
    ("path", "base"),
    [("", "/app/"), ("items/2", "/app/"), ("items/2/", "/app/"), ("a/b/c", "/app/")],
)
def test_every_route_says_where_the_app_starts(client, path, base):
    assert META.format(base) in client.get(f"/app/{path}").content.decode()


def test_under_a_script_name_the_base_is_the_browsers_path(client):
    response = client.get("/app/items/2", SCRIPT_NAME="/shop")
    assert META.format("/shop/app/") in response.content.decode()


def test_the_base_is_escaped():
    request = RequestFactory().get('/app/"><script>x</script>/')
    html = ClientRoutesView.as_view()(request, path='"><script>x</script>/').content.decode()
    assert '<meta name="duet-base" content="/app/">' in html


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<link rel="stylesheet" href="app.css">', ["app.css"]),
        ("<script src='legacy.js'></script>", ["legacy.js"]),
        ('<script type="module" src="./main.js"></script>', ["./main.js"]),
        ('<link rel="icon" href="favicon.svg">', ["favicon.svg"]),
        ('<link rel="manifest" href="../site.webmanifest">', ["../site.webmanifest"]),
        ('<link rel="stylesheet" href="/static/assets/app-1a2b3c4d.css">', []),
        ('<script src="https://cdn.example.com/x.js"></script>', []),
        ('<script src="//cdn.example.com/x.js"></script>', []),
        ('<link rel="canonical" href="about">', []),  # not fetched
        ('<link rel="preconnect" href="https://fonts.example.com">', []),
        ("<script>inline()</script>", []),
        ('<script src="{{ script_url }}"></script>', []),  # the template's own
        ('<link rel="icon" href="data:,">', []),
    ],
)
def test_relative_urls(html, found):
    assert relative_urls(f"<!doctype html><html><head>{html}</head></html>") == found


def test_a_built_shell_with_a_relative_url_is_refused_saying_what_to_write(client, build_dir):
    shell = build_dir / "index.html"
    shell.write_text(
        shell.read_text().replace("<title>", '<link rel="stylesheet" href="app.css"><title>')
    )
    with pytest.raises(RelativeUrlInShell) as info:
        client.get("/app/items/2")
    message = str(info.value)
    assert str(shell) in message and "'app.css'" in message
    assert "at /app/items/2 the browser would ask for /app/items/app.css" in message
    assert 'import "./app.css"' in message and "public/" in message


@pytest.fixture
def dev(settings, tmp_path):
    from django_duet.dev import server as devserver
    from django_duet.dev import upstream

    settings.DEBUG = True
    hot = tmp_path / ".duet-hot"
    settings.DUET = {**settings.DUET, "HOT_FILE": hot, "FRONTEND_DIR": tmp_path}
    fake = FakeDevServer().start()
    fake.hot_file(hot)
    yield fake
    upstream.close_client()
    fake.stop()
    devserver.clear_cache()


def test_in_development_the_same_meta_and_the_same_refusal(client, dev):
    dev.html = "<!doctype html><html><head><title>dev</title></head><body></body></html>"
    assert META.format("/app/") in client.get("/app/items/2").content.decode()
    dev.html = '<html><head><script src="legacy.js"></script></head></html>'
    with pytest.raises(RelativeUrlInShell, match="from the Vite dev server"):
        client.get("/app/items/2")


# -- docs/router-under-a-prefix.md ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "router-under-a-prefix.md"
EXAMPLE_MAIN = ROOT / "example" / "frontend" / "src" / "app" / "main.tsx"
READ_BASE = 'document.querySelector<HTMLMetaElement>(\'meta[name="duet-base"]\')?.content ?? "/";'


def doc_blocks() -> dict[str, str]:
    return dict(re.findall(r"<!-- tested: ([\w-]+) -->\n```\w*\n(.*?)```", PAGE.read_text(), re.S))


def test_the_documented_urls_serve_the_app_under_its_prefix(client, settings):
    namespace: dict[str, Any] = {}
    exec(doc_blocks()["urls"], namespace)
    [pattern] = namespace["urlpatterns"]
    match = pattern.resolve("app/items/2")
    assert match is not None and match.kwargs == {"path": "items/2"}
    assert match.func.view_class is ClientRoutesView


def test_both_routers_read_the_base_as_the_example_does():
    blocks = doc_blocks()
    assert f"const basename = {READ_BASE}" in blocks["react-router"]
    assert "<BrowserRouter basename={basename}>" in blocks["react-router"]
    assert f"const basepath = {READ_BASE}" in blocks["tanstack-router"]
    assert "createRouter({ routeTree, basepath })" in blocks["tanstack-router"]
    example = EXAMPLE_MAIN.read_text()
    assert f"const basename = {READ_BASE}" in example
    assert "<BrowserRouter basename={basename}>" in example


@pytest.mark.node
def test_the_react_router_block_typechecks_with_the_examples_packages(tmp_path):
    frontend = ROOT / "example" / "frontend"
    tsc = frontend / "node_modules" / "typescript" / "bin" / "tsc"
    if shutil.which("node") is None or not tsc.exists():
        pytest.skip("needs Node and the example's node_modules (make node-deps)")
    (tmp_path / "node_modules").symlink_to(frontend / "node_modules")
    config = json.loads((frontend / "tsconfig.json").read_text())
    config["include"] = ["src"]
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    app = tmp_path / "src" / "app"
    app.mkdir(parents=True)
    (app / "main.tsx").write_text(doc_blocks()["react-router"])
    (app / "App.tsx").write_text("export function App() {\n  return null;\n}\n")
    result = subprocess.run(
        ["node", str(tsc), "--noEmit", "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def e133() -> list:
    return [m for m in duet_messages(include_deployment_checks=False) if m.id == "duet.E133"]


def test_the_check_finds_a_built_shell_with_a_relative_url(build_dir):
    assert e133() == []
    shell = build_dir / "index.html"
    shell.write_text(
        shell.read_text().replace("<title>", '<script src="legacy.js"></script><title>')
    )
    [message] = e133()
    assert str(shell) in message.msg and "'legacy.js'" in message.msg
    assert "at /app/items/2 the browser would ask for /app/items/legacy.js" in message.msg
    assert message.hint is not None and message.hint.startswith("Import it from your entry")


def test_the_check_finds_shells_under_include(build_dir, settings):
    settings.ROOT_URLCONF = "tests.pages.urls_included_shell"
    shell = build_dir / "index.html"
    shell.write_text(shell.read_text().replace("<title>", '<link rel="icon" href="x.svg"><title>'))
    [message] = e133()
    assert "at /tools/app/items/2" in message.msg
