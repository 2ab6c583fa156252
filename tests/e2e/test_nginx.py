"""Architecture 3: real nginx from `duet nginx-config` in front of two gunicorn processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

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
        # A plain request first: ngx_brotli with `disable_symlinks on` would then answer the
        # next br request uncompressed (its issue #134); the generated block must not.
        for _ in range(3):
            assert (
                "content-encoding"
                not in client.get(script, headers={"accept-encoding": "identity"}).headers
            )
            assert (
                client.get(script, headers={"accept-encoding": "br"}).headers["content-encoding"]
                == "br"
            )
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
        etag = favicon.headers["etag"]
        assert client.get("/static/favicon.svg", headers={"if-none-match": etag}).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/static/.vite/manifest.json",
        "/static/staticfiles.json",
        "/static/.env",
        "/static/../example/settings.py",
    ],
)
def test_private_files_are_refused_by_nginx(nginx_stack, path):
    root = nginx_stack["static_root"]
    (root / ".vite").mkdir(exist_ok=True)
    (root / ".vite" / "manifest.json").write_text("{}")
    (root / ".env").write_text("SECRET=1")
    response = httpx.get(nginx_stack["nginx"].url + path)
    assert response.status_code in (400, 404)
    assert b"SECRET" not in response.content and response.content != b"{}"


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
