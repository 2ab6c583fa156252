"""DUET["PUBLIC_FILES"]: files of Vite's public/ served at a scope (the root, the client-routes
prefix), from the build in production and from the dev server in development, at the same URL
with the same headers; any other spelling of the path is not one of them."""

from __future__ import annotations

import asyncio
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from django_duet.dev import server as devserver
from django_duet.dev import upstream
from django_duet.serving.public_files import name_problem, public_files, scope_problem
from tests.dev.fake_devserver import MODULE, FakeDevServer
from tests.helpers import duet_messages

MIDDLEWARE = "django_duet.static.PublicFilesMiddleware"
WORKER = b"self.addEventListener('fetch', () => {});\n"
FILES = {
    "mockServiceWorker.js": "/app/",
    "sw.js": "/",
    "manifest.webmanifest": "/app/",
    "robots.txt": "/",
    "icons/favicon.ico": "/",
}


@pytest.fixture
def build(settings, tmp_path):
    build = tmp_path / "frontend" / "dist"
    (build / "icons").mkdir(parents=True)
    (build / "mockServiceWorker.js").write_bytes(WORKER)
    (build / "sw.js").write_bytes(WORKER)
    (build / "manifest.webmanifest").write_text('{"name": "App", "start_url": "/app/"}')
    (build / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (build / "icons" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00icon")
    (build / "index.html").write_text("<!doctype html><title>shell</title>")
    settings.MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        MIDDLEWARE,
        *settings.MIDDLEWARE,
    ]
    settings.DUET = {
        "FRONTEND_DIR": tmp_path / "frontend",
        "BUILD_DIR": build,
        "PUBLIC_FILES": FILES,
    }
    return build


def test_a_worker_is_served_at_its_scope_not_cached_and_allowed_there(client, build):
    response = client.get("/app/mockServiceWorker.js")
    assert response.status_code == 200
    assert b"".join(response) == WORKER
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/app/"
    assert response["X-Content-Type-Options"] == "nosniff"
    again = client.get("/app/mockServiceWorker.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304  # revalidated, never stale after a deploy
    assert client.get("/sw.js")["Service-Worker-Allowed"] == "/"


def test_root_files_and_the_manifest_get_their_types(client, build):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(robots).startswith(b"User-agent")
    assert "Service-Worker-Allowed" not in robots
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json; charset=utf-8"
    assert client.get("/icons/favicon.ico")["Content-Type"] in (
        "image/vnd.microsoft.icon",
        "image/x-icon",
    )
    head = client.head("/robots.txt")
    assert head.status_code == 200 and b"".join(head) == b""


def test_under_a_script_prefix_the_header_names_the_full_scope(client, build):
    response = client.get("/app/mockServiceWorker.js", SCRIPT_NAME="/shop")
    assert response["Service-Worker-Allowed"] == "/shop/app/"


@pytest.mark.parametrize(
    "path",
    [
        "/mockServiceWorker.js",  # listed under /app/ only
        "/app/sw.js",
        "/app/../mockServiceWorker.js",
        "/app/%2e%2e/app/mockServiceWorker.js",
        "/app//mockServiceWorker.js",
        "/APP/mockServiceWorker.js",
        "/app/mockServiceWorker.js/",
        "/app/mockServiceWorker.js%00",
        "/favicon.ico",  # listed as icons/favicon.ico
        "/app/index.html",
    ],
)
def test_any_other_path_goes_on_to_django(client, build, path):
    response = client.get(path)  # a 404, or the client routes' shell for /app/<route>
    assert response.status_code == 404 or b"".join(response).endswith(b"<title>shell</title>")
    assert "Service-Worker-Allowed" not in response


def test_only_get_and_head_are_answered(client, build):
    assert client.post("/robots.txt").status_code in (403, 404)  # Django's, not the file


def test_a_file_missing_from_the_build_or_linked_out_of_it_is_not_served(client, build, tmp_path):
    (build / "robots.txt").unlink()
    assert client.get("/robots.txt").status_code == 404
    secret = tmp_path / "secret.txt"
    secret.write_text("not public")
    os.symlink(secret, build / "robots.txt")
    assert client.get("/robots.txt").status_code == 404


def test_the_middleware_answers_under_asgi(async_client, build):
    async def get():
        return (
            await async_client.get("/app/mockServiceWorker.js"),
            await async_client.get("/app/other.js"),
        )

    # In a thread of its own: Playwright's sync API may hold an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        response, other = pool.submit(asyncio.run, get()).result(timeout=30)
    assert response.status_code == 200 and response.content == WORKER
    assert response["Service-Worker-Allowed"] == "/app/"
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("sw.js", True),
        ("icons/app.png", True),
        (".well-known/assetlinks.json", True),
        ("", False),
        ("/sw.js", False),
        ("../sw.js", False),
        ("a/./sw.js", False),
        ("a//sw.js", False),
        ("a\\sw.js", False),
        ("sw.js?v=1", False),
        ("%2e%2e/x", False),
        (".env", False),
        (".vite/manifest.json", False),
        ("sw\n.js", False),
        (3, False),
    ],
)
def test_names(name, ok):
    assert (name_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("scope", "ok"),
    [
        ("/", True),
        ("/app/", True),
        ("/a/b/", True),
        ("app/", False),
        ("/app", False),
        ("//", False),
        ("/a/../", False),
        ("/a/./", False),
        ("/a?b/", False),
        (None, False),
    ],
)
def test_scopes(scope, ok):
    assert (scope_problem(scope) is None) is ok


def ids(deploy: bool = True) -> list[str]:
    return sorted(
        m.id or "" for m in duet_messages(deploy) if m.id in ("duet.E130", "duet.E131", "duet.E132")
    )


def test_the_checks_pass_a_good_setup(build):
    assert ids() == []


def test_e130_refuses_bad_entries_and_one_url_twice(settings, build, tmp_path):
    settings.DUET = {**settings.DUET, "PUBLIC_FILES": {"../sw.js": "/", "sw.js": "app/"}}
    assert ids() == ["duet.E130", "duet.E130"]
    settings.DUET = {**settings.DUET, "PUBLIC_FILES": ["sw.js"]}
    assert ids() == ["duet.E130"]
    settings.DUET = {
        **settings.DUET,
        "PUBLIC_FILES": {"sw.js": "/"},
        "FRONTENDS": {
            "staff": {
                "FRONTEND_DIR": tmp_path,
                "STATIC_PREFIX": "staff/",
                "PUBLIC_FILES": {"sw.js": "/"},
            }
        },
    }
    messages = [m for m in duet_messages() if m.id == "duet.E130"]
    assert len(messages) == 1 and "/sw.js is listed twice" in messages[0].msg
    assert "DUET['FRONTENDS']['staff']['PUBLIC_FILES']" in messages[0].msg


def test_e131_names_a_file_missing_from_the_build(build):
    (build / "mockServiceWorker.js").unlink()
    messages = [m for m in duet_messages() if m.id == "duet.E131"]
    assert len(messages) == 1
    assert "serves 'mockServiceWorker.js' at /app/mockServiceWorker.js" in messages[0].msg
    assert "npx msw init public/" in (messages[0].hint or "")
    assert ids(deploy=False) == []  # a build that is not there yet is fine while developing


def test_e132_asks_for_the_middleware(settings, build):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    assert ids() == ["duet.E132"]


# -- development: the dev server's copy, same URL, same headers --------------------------------


@pytest.fixture
def fake(settings, build, tmp_path):
    settings.DEBUG = True
    hot = tmp_path / "frontend" / ".duet-hot"
    settings.DUET = {**settings.DUET, "HOT_FILE": hot}
    server = FakeDevServer(absent=("/static/robots.txt",)).start()
    server.hot_file(hot)
    yield server
    upstream.close_client()
    server.stop()
    devserver.clear_cache()


def test_in_development_the_dev_servers_copy_is_served_at_the_same_url(client, fake):
    client.cookies["sessionid"] = "secret-session"
    response = client.get("/app/mockServiceWorker.js")
    assert response.status_code == 200
    assert response.content.startswith(b"export const answer")  # the dev server's, not the build's
    assert response["Service-Worker-Allowed"] == "/app/"
    assert response["Cache-Control"] == "no-cache"
    assert "Set-Cookie" not in response or "from-vite" not in response["Set-Cookie"]
    seen = fake.requests[-1]
    assert (seen.method, seen.path) == ("GET", "/static/mockServiceWorker.js")
    assert "cookie" not in seen.headers
    head = client.head("/app/mockServiceWorker.js")
    assert head.status_code == 200 and head.content == b""


def test_in_development_a_file_missing_from_public_says_where_to_put_it(client, fake):
    response = client.get("/robots.txt")
    assert response.status_code == 404
    assert b"public/" in response.content


def test_every_listed_file_is_known_by_its_url(build):
    assert sorted(public_files()) == [
        "/app/manifest.webmanifest",
        "/app/mockServiceWorker.js",
        "/icons/favicon.ico",
        "/robots.txt",
        "/sw.js",
    ]


def test_the_documented_setup_serves_each_file_at_its_scope(settings, client, tmp_path):
    page = (Path(__file__).parents[2] / "docs" / "public-files.md").read_text()
    blocks = dict(re.findall(r"<!-- tested: ([\w-]+) -->\n```python\n(.*?)```", page, re.S))
    namespace: dict[str, Any] = {}
    exec(blocks["public-files-settings"] + blocks["public-files-middleware"], namespace)
    build = tmp_path / "dist"
    build.mkdir()
    for name in namespace["DUET"]["PUBLIC_FILES"]:
        (build / name).write_bytes(b"content of " + name.encode())
    settings.MIDDLEWARE = [
        m for m in namespace["MIDDLEWARE"] if m != "django_duet.proxy.DevProxyMiddleware"
    ]
    settings.DUET = {**namespace["DUET"], "BUILD_DIR": build, "FRONTEND_DIR": tmp_path}
    assert ids() == []
    for url in (
        "/app/mockServiceWorker.js",
        "/app/manifest.webmanifest",
        "/robots.txt",
        "/favicon.ico",
    ):
        assert b"".join(client.get(url)) == b"content of " + url.rsplit("/", 1)[1].encode()


def test_in_development_a_file_over_the_limit_is_refused_without_reading_it_all(
    client, fake, monkeypatch
):
    from django_duet.dev import public_files as dev_public_files
    from django_duet.dev.server import DevServer

    monkeypatch.setattr(dev_public_files, "MAX_BYTES", 1000)
    # the fake dev server answers a large file under /static/big/
    monkeypatch.setattr(dev_public_files, "quote", lambda name, safe: "big/sw.js")
    response = client.get("/app/mockServiceWorker.js")
    assert response.status_code == 502 and b"Too large" in response.content
    server = DevServer(host="127.0.0.1", port=fake.port, base="/static/", react_refresh=False)
    forward = upstream.Forward("GET", "/static/big/sw.js", (), b"")
    _, body = upstream.fetch(server, forward, limit=1000)
    assert 1000 < len(body) <= 1000 + upstream.BLOCK_SIZE < len(MODULE * 400)
