"""Behind `duet nginx-config`'s nginx, the login throttle counts per real client address.

Without DUET["CLIENT_IP_HEADER"] every client has nginx's address, so one guesser's 50 failures
would lock every user out. nginx overwrites X-Forwarded-For and X-Real-IP with the address it
saw, so a client cannot pick its own, and the throttle (reading the header) tells clients apart.
Clients on 127.0.0.2 and 127.0.0.3 stand for two machines.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from django_duet.serving.nginx import CLIENT_IP_HEADERS, NginxOptions, render_server_block
from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import free_port

from .race_server import PASSWORD, race_server

PER_IP = 50


@pytest.fixture(scope="module")
def through_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    scratch = tmp_path_factory.mktemp("client-address")
    with race_server(scratch) as app:  # CLIENT_IP_HEADER = "X-Forwarded-For"
        (scratch / "static").mkdir()
        options = NginxOptions(
            static_url="/static/",
            static_root=str(scratch / "static"),
            upstreams=(f"127.0.0.1:{app.process.port}",),
        )
        port = free_port()
        with nginx_process(render_server_block(options), scratch / "nginx", port) as nginx:
            yield nginx.url


def client(base: str, source: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=base + "/api/auth/", transport=transport, timeout=60)


@pytest.mark.e2e
def test_one_guesser_behind_nginx_locks_out_only_itself(through_nginx: str) -> None:
    spoofed = {"X-Forwarded-For": "192.0.2.1", "X-Real-IP": "192.0.2.1"}
    with client(through_nginx, "127.0.0.2") as guesser:

        def guess(n: int) -> int:
            body = {"username": f"user-{n}", "password": "guess"}
            headers = {**spoofed, "X-Forwarded-For": f"192.0.2.{n % 200}"}
            return guesser.post("token/", json=body, headers=headers).status_code

        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(guess, range(PER_IP + 10)))
        assert statuses.count(401) == PER_IP and statuses.count(429) == 10
    with client(through_nginx, "127.0.0.3") as user:
        right = user.post("token/", json={"username": "alice", "password": PASSWORD})
        assert right.status_code == 200, right.text


def test_the_generated_config_overwrites_the_header_the_docs_name() -> None:
    block = render_server_block(NginxOptions(static_url="/static/", static_root="/srv/static"))
    for header in CLIENT_IP_HEADERS:
        assert f"proxy_set_header {header} $remote_addr;" in block
    assert 'DUET["CLIENT_IP_HEADER"] = "X-Real-IP"' in block


@pytest.mark.parametrize(
    ("header", "warned"), [(None, True), ("X-Client", True), ("X-Real-IP", False)]
)
def test_nginx_config_says_to_set_the_header(settings, tmp_path: Path, header, warned) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    settings.DUET = {**settings.DUET, "CLIENT_IP_HEADER": header}
    out, err = io.StringIO(), io.StringIO()
    call_command("duet", "nginx-config", stdout=out, stderr=err)
    assert "proxy_set_header X-Real-IP $remote_addr;" in out.getvalue()
    assert ('"X-Real-IP"' in err.getvalue()) is warned
