"""Architecture 3: real nginx from `duet nginx-config` in front of two gunicorn processes."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import brotli
import httpx
import pytest
from playwright.sync_api import expect

from django_duet.serving.nginx import NginxOptions, render_server_block
from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import ServerProcess, free_port

from .conftest import BUILD, EXAMPLE, example_gunicorn

NGINX_IMMUTABLE = "public, max-age=31536000, immutable"


def gunicorn(env: dict[str, str], backend: str) -> ServerProcess:
    backend_env = {"DUET_EXAMPLE_BACKEND_ID": backend, "DUET_EXAMPLE_BEHIND_PROXY": "1"}
    return example_gunicorn({**env, **backend_env}, f"gunicorn-{backend}", workers=1)


@pytest.fixture(scope="session")
def nginx_stack(example_env, tmp_path_factory) -> Iterator[dict]:
    scratch = tmp_path_factory.mktemp("nginx")
    with gunicorn(example_env, "a") as a, gunicorn(example_env, "b") as b:
        config = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "duet",
                "nginx-config",
                "--brotli",
                "--upstream",
                f"127.0.0.1:{a.port}",
                "--upstream",
                f"127.0.0.1:{b.port}",
            ],
            cwd=EXAMPLE,
            env={**os.environ, **example_env},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        with nginx_process(config, scratch, free_port()) as nginx:
            yield {
                "nginx": nginx,
                "backends": (a, b),
                "static_root": Path(example_env["DUET_EXAMPLE_STATIC_ROOT"]),
            }


def entry_file(key: str) -> str:
    return "/static/" + json.loads((BUILD / ".vite" / "manifest.json").read_text())[key]["file"]


def test_pages_work_through_nginx_in_chromium(duet_page, nginx_stack):
    url = nginx_stack["nginx"].url
    duet_page.goto(url + "/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    duet_page.get_by_test_id("to-app").click()
    duet_page.get_by_test_id("nav-about").click()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("About")
    duet_page.reload()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("About")


def test_assets_come_from_nginx_with_the_right_headers(nginx_stack):
    script = entry_file("src/island.tsx")
    with httpx.Client(base_url=nginx_stack["nginx"].url) as client:
        gz = client.get(script, headers={"accept-encoding": "gzip"})
        assert gz.status_code == 200
        assert "x-example-backend" not in gz.headers  # not Django: nginx answered
        assert gz.headers["cache-control"] == NGINX_IMMUTABLE
        assert gz.headers["content-encoding"] == "gzip"
        assert gz.headers["vary"] == "Accept-Encoding"
        br = client.get(script, headers={"accept-encoding": "br"})
        assert br.headers["content-encoding"] == "br"
        assert br.content == gz.content  # both decoded to the same file
        disk = (nginx_stack["static_root"] / script.removeprefix("/static/")).read_bytes()
        assert gz.content == disk
        favicon = client.get("/static/favicon.svg")
        assert favicon.headers["cache-control"] == "public, max-age=60"
        assert favicon.headers["vary"] == "Accept-Encoding"
        etag = favicon.headers["etag"]
        assert client.get("/static/favicon.svg", headers={"if-none-match": etag}).status_code == 304


def test_br_requests_get_the_right_bytes_and_mostly_br(nginx_stack):
    """Debian 12's ngx_brotli reads 3 bytes past the .br path; with `disable_symlinks`, a "/"
    an earlier request left there (the static folder's index, another file's path) makes it
    answer some br requests with the gzip or plain file instead (ngx_brotli issue #134). With
    open_file_cache that is rare, but it depends on nginx's memory layout (a clean clone at
    another path saw 4 in 24): the content must always be right, and br must mostly be used.
    A mix of requests, each on a new connection, as clients send them.
    """
    root = nginx_stack["static_root"]
    scripts = sorted(p for p in (root / "assets").glob("*.js") if p.with_suffix(".js.br").exists())
    urls = ["/static/" + p.relative_to(root).as_posix() for p in scripts]
    base, wrong = nginx_stack["nginx"].url, []
    for round_ in range(4):
        for number, url in enumerate(urls):
            encoding = ("identity", "gzip", "gzip, deflate, br")[(number + round_) % 3]
            httpx.get(
                base + ("/static/" if number % 4 == 0 else url),
                headers={"accept-encoding": encoding},
            )
            answer = httpx.get(base + url, headers={"accept-encoding": "br"})
            # httpx decodes br and gzip: the bytes must be the file's, whatever the encoding.
            assert answer.content == (root / url.removeprefix("/static/")).read_bytes()
            if answer.headers.get("content-encoding") != "br":
                wrong.append(f"{url} after {encoding}")
    assert len(wrong) < 2 * len(urls), (  # at least half br
        f"{len(wrong)} of {4 * len(urls)} br requests answered without br: {wrong[:3]}"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/static/.vite/manifest.json",
        "/static/staticfiles.json",
        "/static/.env",
        "/static/../example/settings.py",
        # Private files with hashed names: the immutable location must not take them.
        "/static/assets/leak-L3akL3ak.js.map",
        "/static/.vite/assets/leak-L3akL3ak.js",
    ],
)
def test_private_files_are_refused_by_nginx(nginx_stack, path):
    root = nginx_stack["static_root"]
    (root / ".vite" / "assets").mkdir(parents=True, exist_ok=True)
    (root / ".vite" / "manifest.json").write_text("{}")
    (root / ".env").write_text("SECRET=1")
    leaks = [
        root / ".vite" / "assets" / "leak-L3akL3ak.js",
        root / "assets" / "leak-L3akL3ak.js.map",
    ]
    for leak in leaks:
        leak.write_text("SECRET=1")
    try:
        response = httpx.get(nginx_stack["nginx"].url + path)
    finally:
        for leak in leaks:
            leak.unlink()
    assert response.status_code in (400, 404)
    assert b"SECRET" not in response.content and response.content != b"{}"


@pytest.fixture
def symlinks(nginx_stack, tmp_path) -> Iterator[str]:
    """Symlinks below STATIC_ROOT to a secret outside it, as a file, a .gz/.br and a folder."""
    root = nginx_stack["static_root"]
    here = root / "symlink-check"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET")
    (outside / "secret.gz").write_bytes(gzip.compress(b"SECRET"))
    (outside / "secret.br").write_bytes(brotli.compress(b"SECRET"))
    here.mkdir()
    try:
        (here / "leak-L3akL3ak.js").symlink_to(outside / "secret.txt")
        (here / "page-Pag3Pag3.js").write_text("regular")
        (here / "page-Pag3Pag3.js.gz").symlink_to(outside / "secret.gz")
        (here / "page-Pag3Pag3.js.br").symlink_to(outside / "secret.br")
        (here / "linked").symlink_to(outside)
        # Stricter than DuetStaticMiddleware: a symlink that stays inside is refused too.
        island = root / entry_file("src/island.tsx").removeprefix("/static/")
        (here / "alias-Al1asAl1.js").symlink_to(island)
        yield "/static/symlink-check/"
    finally:
        shutil.rmtree(here)


def test_symlinks_below_static_root_are_refused(nginx_stack, symlinks):
    with httpx.Client(base_url=nginx_stack["nginx"].url) as client:
        for name in ("leak-L3akL3ak.js", "linked/secret.txt", "alias-Al1asAl1.js"):
            response = client.get(symlinks + name)
            # 403 for a symlinked file; 404 through a symlinked folder (nginx opens the
            # link itself, O_PATH|O_NOFOLLOW, and finds no file in it).
            assert response.status_code in (403, 404), name
            assert b"SECRET" not in response.content
        # The .gz and .br variants are symlinks too: nginx falls back to the regular file.
        for encoding in ("gzip", "br", "identity"):
            response = client.get(
                symlinks + "page-Pag3Pag3.js", headers={"accept-encoding": encoding}
            )
            assert response.status_code == 200
            assert "content-encoding" not in response.headers
            assert response.content == b"regular"


def test_static_root_reached_through_a_symlink_is_served(nginx_stack, tmp_path):
    """A release switch (STATIC_ROOT = .../current/static, `current` a symlink) still works."""
    current = tmp_path / "current"
    current.symlink_to(nginx_stack["static_root"], target_is_directory=True)
    block = render_server_block(
        NginxOptions(static_url="/static/", static_root=str(current), brotli=True)
    )
    script = entry_file("src/island.tsx")
    with nginx_process(block, tmp_path / "nginx", free_port()) as nginx:
        response = httpx.get(nginx.url + script, headers={"accept-encoding": "br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    assert response.headers["cache-control"] == NGINX_IMMUTABLE


def test_requests_are_spread_over_both_app_servers(nginx_stack):
    with httpx.Client(base_url=nginx_stack["nginx"].url) as client:
        seen = {client.get("/app/").headers["x-example-backend"] for _ in range(8)}
    assert seen == {"a", "b"}


def test_spoofed_forwarded_headers_are_overwritten(nginx_stack):
    response = httpx.get(
        nginx_stack["nginx"].url + "/app/",
        headers={"x-forwarded-proto": "https", "x-forwarded-for": "6.6.6.6"},
    )
    assert response.status_code == 200
    assert response.headers["x-example-scheme"] == "http"  # nginx's $scheme, not the client's
    assert response.headers["x-example-forwarded-for"] == "127.0.0.1"


def test_login_and_csrf_protected_posts_spread_over_both_app_servers(
    duet_page, duet_login, nginx_stack
):
    """The session and the CSRF token made by one app server are honoured by the other."""
    url = nginx_stack["nginx"].url
    duet_page.goto(url + "/app/")
    duet_login(duet_page, "demo", "demo-password-123", base_url=url)
    token = next(c["value"] for c in duet_page.context.cookies() if c["name"] == "csrftoken")
    served_by = []
    for number in range(8):
        response = duet_page.request.post(
            url + "/api/notes/",
            data={"text": f"through nginx {number}"},
            headers={"X-CSRFToken": token, "Origin": url},
        )
        assert response.status == 201, response.text()
        served_by.append(response.headers["x-example-backend"])
    assert set(served_by) == {"a", "b"}
    listed = duet_page.request.get(url + "/api/notes/").json()["notes"]
    assert {f"through nginx {n}" for n in range(8)} <= {n["text"] for n in listed}
    forged = duet_page.request.post(
        url + "/api/notes/",
        data={"text": "forged"},
        headers={"X-CSRFToken": "x" * 64, "Origin": url},
    )
    assert forged.status == 403 and forged.json()["error"]["code"] == "csrf_failed"
