"""Several app servers for real: nginx from `duet nginx-config` in front of two gunicorn servers
of the example, both on one PostgreSQL and one Redis (DATABASE_URL, REDIS_URL: docs/scaling.md).

Shared by the end-to-end tests (tests/e2e/test_scaling.py) and the fault tests
(tests/faults/test_scaling_faults.py). The servers import example.settings through a settings
module in the scratch folder that only adds the recording password hasher
(tests/security/race_hasher.py), so a test can count the passwords checked on both servers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import LOOPBACK, ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example"
BIN = Path(sys.executable).parent
SECRETS = {
    "DJANGO_SECRET_KEY": "scaling-secret-key-" + "s" * 40,
    "DUET_TOKEN_KEY": "scaling-token-key-4f9c2a7e81d3b6f0a5c9e2d7b1f4a8c3",
}
DEMO = ("demo", "demo-password-123")
GUESSED = ("alice", "alice-right-password-1")  # the throttle's target; her hash is recorded
THREADS = 8  # a worker; two workers a server
CONNECTIONS = 64  # of the load that faults run under
SETTINGS = """\
from example.settings import *  # noqa: F403

# Every password checked appends a line to $DUET_RACE_LOG (and takes 0.5 s, like PBKDF2).
PASSWORD_HASHERS = [
    "tests.security.race_hasher.RecordingHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
"""
CREATE_ALICE = (  # once per database: the session's duet_postgres serves several stacks
    "from django.contrib.auth import get_user_model; User = get_user_model(); "
    "User.objects.filter(username={0!r}).exists() "
    "or User.objects.create_user({0!r}, password={1!r})"
)


@dataclass
class Stack:
    nginx: ServerProcess
    servers: dict[str, ServerProcess]  # "a", "b": each says so in X-Example-Backend
    env: dict[str, str]
    hashes: Path
    nginx_errors: Path  # nginx's error.log

    def cut_while_relaying(self) -> int:
        """Answers nginx had begun relaying when their server went away (it logs those
        "while reading upstream"; a failure before the answer began is retried instead)."""
        return self.nginx_errors.read_text().count("while reading upstream,")

    def checked(self) -> int:
        """How many passwords the two servers checked since the last call."""
        count = len(self.hashes.read_text().splitlines())
        self.hashes.write_text("")
        return count


def stack_env(scratch: Path, database_url: str, redis_url: str) -> dict[str, str]:
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "duet_scaling_settings.py").write_text(SETTINGS)
    hashes = scratch / "hashes.log"
    hashes.write_text("")
    return {
        "DJANGO_SETTINGS_MODULE": "duet_scaling_settings",
        "PYTHONPATH": os.pathsep.join([str(scratch), str(ROOT)]),
        "DJANGO_DEBUG": "0",
        **SECRETS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DUET_EXAMPLE_STATIC_ROOT": str(scratch / "static"),
        "DUET_EXAMPLE_BEHIND_PROXY": "1",  # the throttle reads X-Real-IP from nginx
        "DUET_RACE_LOG": str(hashes),
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=EXAMPLE,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )


def prepare(env: dict[str, str]) -> None:
    """What a deploy runs once, whatever the number of servers: migrate, collectstatic."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "demo_user")
    manage(env, "shell", "-c", CREATE_ALICE.format(*GUESSED))


def app_server(env: dict[str, str], name: str, port: int | None = None) -> ServerProcess:
    """gunicorn of the example, not started; ``port``: the one of the server it replaces."""
    port = port or free_port()
    command = [str(BIN / "gunicorn"), "example.wsgi", "--bind", f"{LOOPBACK}:{port}"]
    command += ["--workers", "2", "--threads", str(THREADS), "--worker-class", "gthread"]
    return ServerProcess(
        command,
        port=port,
        cwd=EXAMPLE,
        env={**env, "DUET_EXAMPLE_BACKEND_ID": name},
        name=f"gunicorn-{name}",
    )


def nginx_config(env: dict[str, str], servers: list[ServerProcess]) -> str:
    upstreams = [arg for s in servers for arg in ("--upstream", f"{LOOPBACK}:{s.port}")]
    return subprocess.run(
        [sys.executable, "manage.py", "duet", "nginx-config", *upstreams],
        cwd=EXAMPLE,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


@contextmanager
def scaled_stack(
    scratch: Path,
    database_url: str,
    redis_url: str,
    server_env: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[Stack]:
    """``server_env``: more variables for server "a" or "b" (its own frontend folder ...)."""
    env = stack_env(scratch, database_url, redis_url)
    prepare(env)
    extra = server_env or {}
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(app_server({**env, **extra.get(name, {})}, name))
            for name in ("a", "b")
        }
        config = nginx_config(env, list(servers.values()))
        nginx = stack.enter_context(nginx_process(config, scratch / "nginx", free_port()))
        yield Stack(nginx, servers, env, scratch / "hashes.log", scratch / "nginx" / "error.log")


def load(url: str, seconds: float, during: Callable[[], None], at: float) -> list[int | str]:
    """GET ``url`` from CONNECTIONS clients for ``seconds``; ``during()`` runs ``at`` seconds
    in. Each answer's status, or the transport error's name."""
    statuses: list[int | str] = []
    lock, end = threading.Lock(), time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(timeout=10) as http:
            while time.monotonic() < end:
                try:
                    status: int | str = http.get(url).status_code
                except httpx.TransportError as exc:
                    status = type(exc).__name__
                with lock:
                    statuses.append(status)

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        clients = [pool.submit(client) for _ in range(CONNECTIONS)]
        time.sleep(at)
        during()
        for done in clients:
            done.result()
    return statuses
