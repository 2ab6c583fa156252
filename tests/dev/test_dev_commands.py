"""``duet dev`` in a project as startproject lays it out: ``--asgi`` without ASGI_APPLICATION
(the asgi.py beside the settings), the Vite config's ``server.open`` opening Django's URL, and
``DUET["DEV_COMMANDS"]`` started, prefixed, supervised and stopped with the rest.

The real processes: ``manage.py duet dev``, npm, Vite with the built plugin, uvicorn, and the
extra commands; Vite "opens a browser" through ``BROWSER=<script>.js`` (Vite's own hook), a
Node script that records the URL it was given.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_duet.cli import dev
from django_duet.cli._asgi_serve import application_path
from django_duet.dev.commands import DevCommand, DevCommandError, dev_commands
from django_duet.testing.servers import ServerProcess, free_port, free_port_block
from tests.dev.test_command import PROXY, alive, wait_dead
from tests.helpers import duet_messages

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "js"
PLUGIN = JS / "dist" / "vite.js"


# -- DEV_COMMANDS read from the settings -------------------------------------------------------


def e032() -> list:
    """duet.E032 as manage.py check reports it (through the registry)."""
    return [m for m in duet_messages(include_deployment_checks=False) if m.id == "duet.E032"]


def test_each_form_of_a_command(settings, tmp_path):
    settings.DUET = {
        **settings.DUET,
        "DEV_COMMANDS": {
            "tailwind": "npx tailwindcss -i 'src/app one.css' --watch",
            "types": [sys.executable, "manage.py", "duet", "types"],
            "css": {"command": ["node", "watch.js"], "cwd": "frontend"},
        },
    }
    base = tmp_path
    assert dev_commands(base) == [
        DevCommand(
            "tailwind", ("npx", "tailwindcss", "-i", "src/app one.css", "--watch"), tmp_path
        ),
        DevCommand("types", (sys.executable, "manage.py", "duet", "types"), tmp_path),
        DevCommand("css", ("node", "watch.js"), tmp_path / "frontend"),
    ]


@pytest.mark.parametrize(
    ("commands", "words"),
    [
        ({"vite": "npx tailwindcss"}, "not one of django, duet, vite"),
        ({"tail wind": "x"}, "a name is 1 to 32 letters"),
        ({"css": ""}, "is empty"),
        ({"css": "x 'unclosed"}, "cannot be split into arguments"),
        ({"css": 42}, "write a command"),
        ({"css": {"command": "x", "dir": "y"}}, "unknown keys ['dir']"),
        ({"css": {"command": "x", "cwd": 3}}, "write a directory"),
    ],
)
def test_an_unusable_entry_is_refused_by_the_check_and_by_duet_dev(
    settings, tmp_path, commands, words
):
    frontend = tmp_path / "frontend"
    (frontend / "node_modules").mkdir(parents=True)
    (frontend / "package.json").write_text("{}")
    settings.DEBUG = True
    settings.MIDDLEWARE = [PROXY, *settings.MIDDLEWARE]
    settings.DUET = {**settings.DUET, "FRONTEND_DIR": frontend, "DEV_COMMANDS": commands}
    with pytest.raises(DevCommandError, match=words.replace("[", r"\[").replace("(", r"\(")):
        dev_commands()
    messages = e032()
    assert len(messages) == 1 and words in messages[0].msg
    if shutil.which("npm"):
        with pytest.raises(CommandError, match="DEV_COMMANDS"):
            call_command("duet", "dev", f"127.0.0.1:{free_port()}", "--vite-port", "1")


def test_the_check_refuses_a_list_and_passes_a_dict(settings):
    settings.DUET = {**settings.DUET, "DEV_COMMANDS": ["npx tailwindcss"]}
    assert [m.msg for m in e032()] == [
        "DUET['DEV_COMMANDS'] is ['npx tailwindcss']: it must be a dict."
    ]
    settings.DUET = {**settings.DUET, "DEV_COMMANDS": {"css": "npx tailwindcss --watch"}}
    assert e032() == []


def test_a_program_not_on_path_is_refused_before_anything_starts(settings):
    settings.DUET = {**settings.DUET, "DEV_COMMANDS": {"css": "no-such-program-3f9 --watch"}}
    with pytest.raises(CommandError, match="'no-such-program-3f9' is not on PATH"):
        dev.extra_commands(os.environ)
    settings.DUET = {**settings.DUET, "DEV_COMMANDS": {"py": "python -c pass"}}
    assert dev.extra_commands({"PATH": "/nonexistent"})[0].argv[0] == "python"  # the venv's


def test_the_asgi_application_is_found_beside_the_settings():
    assert application_path("x.asgi.app", "example.settings") == "x.asgi.app"
    assert application_path(None, "tests.dev.settings") is None  # no tests/dev/asgi.py
    assert application_path(None, "no_such_package_8d.settings") is None
    assert application_path(None, "django.conf.global_settings") is None
    assert (
        application_path(None, "django.core.handlers.x") == "django.core.handlers.asgi.application"
    )


# -- duet dev with real processes ----------------------------------------------------------------

SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "test-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.staticfiles", "django_duet"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_duet.proxy.DevProxyMiddleware",
]
ROOT_URLCONF = "mysite.urls"
STATIC_URL = "/static/"
DATABASES = {}
DUET = {
    "FRONTEND_DIR": BASE_DIR / "frontend",
    "DEV_COMMANDS": {
        "ticker": [
            "python", "-c",
            "import os, time, pathlib; pathlib.Path('ticker.pid').write_text(str(os.getpid()));"
            " print('tick', flush=True); time.sleep(120)",
        ],
        "once": {"command": "python -c \\"print('generated types')\\"", "cwd": "frontend"},
    },
}
"""

URLS = """
from django.http import HttpResponse
from django.urls import path
urlpatterns = [path("", lambda request: HttpResponse("hello from django"))]
"""

ASGI = """
import os
import re
from django.core.asgi import get_asgi_application
from django_duet.asgi import duet_asgi
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
_django = duet_asgi(get_asgi_application())

async def application(scope, receive, send):  # marks the answers of this very module
    async def marked(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message["headers"], (b"x-asgi-py", b"mysite")]}
        await send(message)
    await _django(scope, receive, marked)
"""

RECORD_URL = """
// Vite's BROWSER hook: a .js file is run with the URL to open as its last argument.
require("node:fs").writeFileSync(__dirname + "/opened.txt", process.argv[process.argv.length - 1]);
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    if shutil.which("npm") is None or not PLUGIN.exists() or not (JS / "node_modules").is_dir():
        pytest.skip("needs npm and the js/ package built (make node-deps)")
    base = tmp_path_factory.mktemp("startproject")
    (base / "mysite").mkdir()
    (base / "mysite" / "__init__.py").write_text("")
    (base / "mysite" / "settings.py").write_text(SETTINGS)
    (base / "mysite" / "urls.py").write_text(URLS)
    (base / "mysite" / "asgi.py").write_text(ASGI)
    (base / "manage.py").write_text(
        "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
    frontend = base / "frontend"
    (frontend / "src").mkdir(parents=True)
    (frontend / "node_modules").symlink_to(JS / "node_modules")  # vite, as npm ci puts it
    (frontend / "package.json").write_text('{"private": true, "type": "module"}\n')
    (frontend / "src" / "main.ts").write_text("export const answer = 42;\n")
    (frontend / "vite.config.js").write_text(
        f"import duet from {json.dumps(PLUGIN.as_uri())};\n"
        'export default { server: { open: "/app/?from=vite" },\n'
        '  plugins: [duet({ input: ["src/main.ts"] })] };\n'
    )
    (base / "open-browser.js").write_text(RECORD_URL)
    return base


def wait_for_file(path: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"{path} was never written")


@pytest.fixture
def running(project) -> Iterator[ServerProcess]:
    port, vite_port = free_port(), free_port_block(2)
    command = [sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}", "--asgi"]
    command += ["--vite-port", str(vite_port), "--noreload"]
    env = {
        "BROWSER": str(project / "open-browser.js"),
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "PYTHONPATH": os.pathsep.join([str(project), str(ROOT / "src")]),
    }
    with ServerProcess(
        command, port=port, cwd=project, env=env, name="duet dev", start_timeout=60.0
    ) as server:
        yield server


pytestmark = pytest.mark.node


def test_duet_dev_in_a_startproject_layout(running, project):
    # --asgi without ASGI_APPLICATION: uvicorn serves mysite/asgi.py's application.
    answer = httpx.get(running.url + "/", timeout=10)
    assert answer.text == "hello from django"
    assert answer.headers["x-asgi-py"] == "mysite"
    # The Vite config's server.open ("/app/?from=vite") opens on Django's origin.
    assert wait_for_file(project / "opened.txt") == f"{running.url}/app/?from=vite"
    # DEV_COMMANDS run beside Vite and Django, their lines prefixed with their names.
    ticker = int(wait_for_file(project / "ticker.pid"))
    deadline = time.monotonic() + 20
    while "[duet]   once finished" not in running.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = running.output().splitlines()
    assert "[ticker] tick" in lines
    assert "[once]   generated types" in lines  # ran in frontend/, padded like [vite]
    assert "[duet]   once finished (status 0); the others go on" in lines
    assert any(line.startswith("[vite]") for line in lines)
    assert httpx.get(running.url + "/", timeout=10).status_code == 200  # still serving
    # Stopping duet dev (itself, not its process group) stops the commands too.
    assert alive(ticker) and running.process is not None
    running.process.send_signal(signal.SIGTERM)
    running.process.wait(30)
    assert wait_dead([ticker]) == []
    assert "[duet]   stopped" in running.output().splitlines()


def test_without_an_asgi_module_asgi_is_refused(settings, tmp_path):
    frontend = tmp_path / "frontend"
    (frontend / "node_modules").mkdir(parents=True)
    (frontend / "package.json").write_text("{}")
    settings.DEBUG = True
    settings.MIDDLEWARE = [PROXY, *settings.MIDDLEWARE]
    settings.DUET = {**settings.DUET, "FRONTEND_DIR": frontend}
    settings.ASGI_APPLICATION = None
    settings.SETTINGS_MODULE = "no_such_site_4e.settings"
    if shutil.which("npm") is None:
        pytest.skip("needs npm on PATH")
    with pytest.raises(CommandError) as info:
        call_command("duet", "dev", f"127.0.0.1:{free_port()}", "--asgi")
    assert "ASGI_APPLICATION is not set and there is no no_such_site_4e.asgi module" in str(
        info.value
    )


def test_the_documented_dev_commands_block_reads_as_written(settings, tmp_path):
    page = (ROOT / "docs" / "development.md").read_text()
    block = re.search(r"<!-- tested: dev-commands -->\n```python\n(.*?)```", page, re.S)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(block[1], namespace)
    settings.DUET = {**settings.DUET, **namespace["DUET"]}
    assert e032() == []
    tailwind, types = dev_commands(tmp_path)
    assert tailwind.argv[:2] == ("npx", "@tailwindcss/cli") and tailwind.argv[-1] == "--watch"
    assert types == DevCommand("types", ("python", "manage.py", "duet", "types"), tmp_path / ".")
