"""A production install has no ``[devserver]`` extra: nothing made for development may need it.

Issue: ``DevProxyMiddleware`` imported httpx when it loaded, so a production process without the
extra could not boot although the middleware is inert with DEBUG off. The test runs a fresh
interpreter in which the extra's h11 and websockets cannot be imported, with the dev proxy
in MIDDLEWARE, ``duet_asgi`` in front, and the checks, a client route and a static file served
(WSGI and ``duet_asgi``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, sys

    class NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"h11", "websockets"}:
                raise ImportError(f"No module named {name!r} (a production install)")
            return None

    sys.meta_path.insert(0, NotInstalled())
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django
    from django.conf import settings

    import tempfile

    settings.DEBUG = False
    settings.STATIC_ROOT = tempfile.mkdtemp()
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    settings.MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django_duet.proxy.DevProxyMiddleware",
        *settings.MIDDLEWARE,
    ]
    django.setup()

    from django.core.management import call_command
    from django.test import Client

    call_command("check", deploy=True, fail_level="CRITICAL", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    page = Client().get("/app/some/route")
    assert page.status_code == 200, page.status_code
    static = Client().get("/static/assets/admin-Adm1n000.js")
    assert static.status_code == 200, static.status_code

    from django.core.asgi import get_asgi_application
    from django_duet.asgi import duet_asgi

    app = duet_asgi(get_asgi_application())
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/static/assets/admin-Adm1n000.js",
        "raw_path": b"/static/assets/admin-Adm1n000.js",
        "root_path": "", "query_string": b"", "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200, sent[0]
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in {"h11", "websockets"})
    assert not loaded, loaded
    print("production boots without the devserver extra")
    """
)


def test_production_boots_and_serves_without_the_devserver_extra() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "production boots without the devserver extra" in done.stdout


def test_the_blocker_really_blocks() -> None:
    """The same interpreter set-up refuses h11: the test above would see a real import."""
    script = SCRIPT.split("os.environ")[0] + "import h11\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "a production install" in done.stderr
