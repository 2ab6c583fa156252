"""What the dev proxy must not leak (issue 17): Django's debug page to a foreign Host, and the
build's internals through its fallback to the staticfiles finders.

A DNS-rebinding page (evil.example resolving to 127.0.0.1) can read what Django answers it:
with DEBUG on, Django's DisallowedHost page lists the settings and, under runserver, the
process environment. And what the dev server lacks goes on to the finders, which must refuse
what production refuses (``serving.middleware.is_public_url``): the Vite manifest, the SSR
server bundle, source maps. Through the test client (the middleware, WSGI and ASGI), then
through real servers: runserver (the middleware alone), ``duet dev``'s runserver (duet_wsgi)
and uvicorn (duet_asgi).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from django_duet.testing.servers import ServerProcess, free_port
from tests.dev.conftest import fresh_proxy_plan  # noqa: F401 (a fixture)
from tests.dev.fake_devserver import FakeDevServer
from tests.serving.test_static_asgi import call

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tests" / "fixtures" / "build"
CANARY = "duet-canary-7d1c9e"  # in the servers' environment; a name Django would not mask
# What Django's debug pages show and the plain 400 never does.
DEBUG_PAGE = (b"DisallowedHost", b"ROOT_URLCONF", b"INSTALLED_APPS", CANARY.encode())
PRIVATE = [
    "/static/.vite/manifest.json",
    "/static/.vite/duet.json",
    "/static/assets/main-AbCd1234.js.map",
    "/static/.env",
]


def assert_plain_400(status: int, body: bytes) -> None:
    assert status == 400
    assert b"<h1>Bad Request (400)</h1>" in body and b"evil.example" in body
    assert not [marker for marker in DEBUG_PAGE if marker in body]


def test_a_foreign_host_gets_a_plain_400_from_the_middleware(client, fake, caplog):
    with caplog.at_level(logging.ERROR, logger="django.security.DisallowedHost"):
        response = client.get("/static/src/main.tsx", HTTP_HOST="evil.example")
    assert_plain_400(response.status_code, response.content)
    assert response["Cache-Control"] == "no-store"
    assert fake.connections == 0
    assert any("evil.example" in r.getMessage() for r in caplog.records)  # logged as Django does


def test_a_foreign_host_gets_a_plain_400_from_the_middleware_under_asgi(fake):
    async def fetch() -> tuple[int, bytes]:
        response = await AsyncClient().get("/static/src/main.tsx", headers={"host": "evil.example"})
        return response.status_code, response.content

    assert_plain_400(*async_to_sync(fetch)())
    assert fake.connections == 0


@pytest.mark.parametrize("path", PRIVATE)
def test_the_finders_fallback_refuses_what_production_refuses(client, fake, path):
    fake.absent = ("/static/",)  # the dev server has none of them: the finders are asked
    response = client.get(path)
    assert response.status_code == 404
    assert (BUILD / path.removeprefix("/static/")).exists()  # it is there to be refused
    assert len(fake.requests) == 1


def test_the_ssr_server_bundle_is_refused(client, fake, settings, tmp_path):
    bundle = tmp_path / "extra" / ".vite" / "ssr" / "server-Ab12Cd34.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("globalThis.secret = 1;\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path / "extra"]
    fake.absent = ("/static/",)
    assert client.get("/static/.vite/ssr/server-Ab12Cd34.js").status_code == 404


@pytest.mark.django_db  # closing a response ends the request (request_finished)
def test_the_finders_fallback_still_serves_public_files(client, fake, settings):
    fake.absent = ("/static/",)
    response = client.get("/static/assets/main-AbCd1234.js")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (BUILD / "assets/main-AbCd1234.js").read_bytes()
    # Production's rule, with production's switch: SERVE_SOURCE_MAPS serves maps in both.
    settings.DUET = {**settings.DUET, "SERVE_SOURCE_MAPS": True}
    source_map = client.get("/static/assets/main-AbCd1234.js.map")
    assert source_map.status_code == 200
    source_map.close()  # the file it holds open


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_proxy_plan")
def test_under_duet_asgi_the_manifest_is_refused_after_the_dev_servers_404(fake):
    fake.absent = ("/static/",)
    answer = call("/static/.vite/manifest.json")
    assert answer.reached_django and answer.status == 404
    assert b'"isEntry"' not in answer.body
    assert len(fake.requests) == 1  # the fast path asked; the middleware did not ask again


@pytest.fixture(scope="module")
def running_fake(tmp_path_factory) -> Iterator[tuple[FakeDevServer, Path]]:
    frontend = tmp_path_factory.mktemp("frontend")
    fake = FakeDevServer(absent=("/static/.vite/", "/static/assets/", "/static/.env")).start()
    fake.hot_file(frontend / ".duet-hot")
    yield fake, frontend
    fake.stop()


@pytest.fixture(scope="module", params=["runserver", "duet-runserver", "uvicorn"])
def django_server(request, running_fake) -> Iterator[ServerProcess]:
    _, frontend = running_fake
    port = free_port()
    commands = {
        "runserver": [sys.executable, "-m", "django", "runserver", "--noreload", "--nostatic"],
        "duet-runserver": [sys.executable, "-m", "django_duet.cli._wsgi_serve", "--noreload"],
        "uvicorn": [
            *(sys.executable, "-m", "uvicorn", "tests.devserver.asgi:application"),
            *("--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"),
        ],
    }
    command = commands[request.param]
    if request.param != "uvicorn":
        command.append(f"127.0.0.1:{port}")
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.devserver.settings",
        "DUET_TEST_FRONTEND": str(frontend),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),  # this checkout's
        "DUET_CANARY": CANARY,
    }
    with ServerProcess(command, port=port, cwd=ROOT, env=env, name=request.param) as server:
        yield server


def test_real_servers_answer_a_foreign_host_with_a_plain_400(django_server, running_fake):
    fake, _ = running_fake
    before = len(fake.requests)
    response = httpx.get(
        f"{django_server.url}/static/src/main.tsx", headers={"Host": "evil.example"}, timeout=10
    )
    assert_plain_400(response.status_code, response.content)
    assert len(fake.requests) == before


def test_real_servers_refuse_build_internals_after_the_dev_server(django_server):
    for path in PRIVATE:
        response = httpx.get(f"{django_server.url}{path}", timeout=10)
        assert response.status_code == 404, path
        assert (BUILD / path.removeprefix("/static/")).read_bytes() not in response.content
    public = httpx.get(f"{django_server.url}/static/assets/main-AbCd1234.js", timeout=10)
    assert public.status_code == 200
    assert public.content == (BUILD / "assets/main-AbCd1234.js").read_bytes()
