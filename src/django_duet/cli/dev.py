"""``duet dev``: the Vite dev server and Django together, the browser on Django's origin only.

With several frontends (``DUET["FRONTENDS"]``) one Vite per frontend, on consecutive ports from
``--vite-port``, each under its STATIC_PREFIX. All run until Ctrl-C (or until one stops), their
output prefixed with ``[vite]`` (``[vite:admin]``) and ``[django]``; ``DUET["DEV_COMMANDS"]``
(a Tailwind watch, a type generator) run beside them, each prefixed with its name. Django runs under
runserver, or under uvicorn with ``--asgi`` (then the HMR WebSocket goes through Django's
origin too). See docs/development.md.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import re
import shutil
import socket
import sys
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, OutputWrapper

from django_duet.cli._asgi_serve import application_path, missing_application
from django_duet.cli._supervise import Child, run_all
from django_duet.conf import Settings, all_frontends, conf
from django_duet.dev.commands import DevCommand, DevCommandError, dev_commands
from django_duet.dev.server import dev_enabled

HELP = "Run the Vite dev server and Django together on one origin (Django's), until Ctrl-C."
PROXY = "django_duet.proxy.DevProxyMiddleware"
_ADDRPORT = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:.]+\]|[^:\[\]]+):)?(?P<port>\d{1,5})$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "addrport",
        nargs="?",
        default="127.0.0.1:8000",
        help="Django's address, PORT or HOST:PORT (default 127.0.0.1:8000)",
    )
    parser.add_argument(
        "--vite-port", type=int, default=5173, help="the Vite dev server's port (5173)"
    )
    parser.add_argument(
        "--asgi",
        action="store_true",
        help="serve Django with uvicorn, the HMR WebSocket through Django's origin too",
    )
    parser.add_argument("--noreload", action="store_true", help="Django without its autoreloader")


def parse_addrport(value: str) -> tuple[str, int]:
    match = _ADDRPORT.match(value.strip())
    port = int(match["port"]) if match else 0
    if match is None or not 0 < port < 65536:
        raise CommandError(
            f"{value!r} is not an address: write PORT or HOST:PORT, e.g. 127.0.0.1:8000."
        )
    return (match["host"] or "127.0.0.1").strip("[]"), port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def vite_host(django_host: str, asgi: bool) -> str:
    """Loopback when the browser is on this machine or reaches HMR through Django, else all."""
    ipv6 = ":" in django_host
    if asgi or is_loopback(django_host):
        return "::1" if ipv6 else "127.0.0.1"
    # The browser opens the HMR socket on Vite's port at Django's host: listen there too
    # (a wildcard includes loopback, which the proxy uses).
    return "::" if ipv6 else "0.0.0.0"


def allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS) or ["localhost", "127.0.0.1", "[::1]"]  # as DEBUG does
    return [h for h in hosts if h != "*"]


def preflight(host: str, port: int, vite_port: int, asgi: bool) -> str:
    """Every reason not to start, as one line saying what to do; returns the npm path."""
    if not dev_enabled():
        raise CommandError(
            f"duet dev needs DEBUG = True (DEBUG is {settings.DEBUG!r}, DUET['DEV_MODE'] is "
            f"{conf.DEV_MODE!r}): set DEBUG = True in your development settings (a project made by "
            "`python -m django_duet init`, and the example, read DJANGO_DEBUG=1 from the "
            "environment)."
        )
    if PROXY not in settings.MIDDLEWARE:
        raise CommandError(f"Add {PROXY!r} to MIDDLEWARE, right after SecurityMiddleware.")
    npm = shutil.which("npm")
    if npm is None:
        raise CommandError("npm is not on PATH: install Node.js 20 or newer (it ships npm).")
    frontends = all_frontends()
    for config in frontends:
        _check_frontend_dir(config)
    if asgi:
        for module, package in (("uvicorn", "uvicorn"), ("websockets", "websockets")):
            if find_spec(module) is None:
                raise CommandError(f"--asgi needs {package}: pip install 'django-duet[devserver]'.")
        module = str(settings.SETTINGS_MODULE)
        if application_path(getattr(settings, "ASGI_APPLICATION", None), module) is None:
            raise CommandError(missing_application(module))
    extra_commands(os.environ)  # refuses an entry that cannot run, before anything starts
    if not port_free(host, port):
        raise CommandError(
            f"Port {port} on {host} is in use (another server?): stop it, or run "
            f"`python manage.py duet dev {host}:{port + 1}`."
        )
    for index, config in enumerate(frontends):
        if not port_free(vite_host(host, asgi), vite_port + index):
            which = "" if config.is_default else f" (frontend {config.name!r})"
            raise CommandError(
                f"Port {vite_port + index}, the Vite dev server's{which}, is in use: stop that "
                f"process, or pass --vite-port {vite_port + len(frontends)}."
            )
    return npm


def _check_frontend_dir(config: Settings) -> None:
    frontend = config.FRONTEND_DIR
    setting = (
        "DUET['FRONTEND_DIR']"
        if config.is_default
        else (f"DUET['FRONTENDS'][{config.name!r}]['FRONTEND_DIR']")
    )
    if not (frontend / "package.json").is_file():
        raise CommandError(f"No package.json in {frontend}: set {setting} to your Vite project.")
    if not (frontend / "node_modules").is_dir():
        raise CommandError(
            f"No node_modules in {frontend}: run `npm ci` (or `npm install`) there first."
        )


def vite_env(base: dict[str, str], config: Settings) -> dict[str, str]:
    """One frontend's Vite: its hot file and prefix, from Django's settings."""
    return {
        **base,
        "DUET_HOT_FILE": str(config.HOT_FILE.absolute()),
        "DUET_STATIC_PREFIX": config.STATIC_PREFIX,
    }


def extra_commands(env: Mapping[str, str]) -> list[DevCommand]:
    """DUET["DEV_COMMANDS"], each found on PATH (the venv's bin first) and in its folder."""
    try:
        commands = dev_commands()
    except DevCommandError as exc:
        raise CommandError(str(exc)) from None
    for command in commands:
        where = f"DUET['DEV_COMMANDS'][{command.name!r}]"
        if not command.cwd.is_dir():
            raise CommandError(f"{where} runs in {command.cwd}, which is not a directory.")
        program = command.argv[0]
        if os.sep not in program and shutil.which(program, path=command_path(env)) is None:
            raise CommandError(f"{where}: {program!r} is not on PATH (nor in {BIN}).")
    return commands


BIN = Path(sys.executable).parent  # `python`, `django-admin` of this venv, as npm's .bin


def command_path(env: Mapping[str, str]) -> str:
    return os.pathsep.join([str(BIN), env.get("PATH", os.defpath)])


def django_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def child_env(port: int, asgi: bool, host: str = "127.0.0.1") -> dict[str, str]:
    hosts = allowed_hosts()
    origins = [f"http://{h}:{port}" for h in hosts if not h.startswith(".")]
    return {
        **os.environ,
        "DUET_DEV_URL": django_url(host, port),  # what the Vite config's server.open opens
        "DJANGO_SETTINGS_MODULE": str(settings.SETTINGS_MODULE),
        "DUET_STATIC_URL": str(settings.STATIC_URL),
        "DUET_HOT_FILE": str(conf.HOT_FILE.absolute()),
        "DUET_STATIC_PREFIX": conf.STATIC_PREFIX,
        "DUET_DEV_ORIGINS": ",".join(origins),
        "DUET_DEV_HOSTS": ",".join(h for h in hosts if not h.startswith("[")),
        "DUET_DEV_HMR": "django" if asgi else "vite",
        "PYTHONUNBUFFERED": "1",
    }


def django_command(host: str, port: int, options: dict[str, Any]) -> list[str]:
    flags = ["--noreload"] if options["noreload"] else []
    if options.get("verbosity", 1) >= 2:  # every request in the access log, modules too
        flags += ["--verbosity", str(options["verbosity"])]
    if options["asgi"]:
        return [sys.executable, "-m", "django_duet.cli._asgi_serve", host, str(port), *flags]
    # runserver, without staticfiles' handler in front of the proxy, with TCP_NODELAY.
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [sys.executable, "-m", "django_duet.cli._wsgi_serve", address, *flags]


def remove_stale_hot_file(vite_port: int, config: Settings = conf) -> None:
    """After Vite was killed (no time to clean up), its hot file would point at nothing."""
    path = config.HOT_FILE
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if json.loads(path.read_text(encoding="utf-8"))["url"].endswith(f":{vite_port}"):
            path.unlink()


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    host, port = parse_addrport(options["addrport"])
    vite_port = options["vite_port"]
    npm = preflight(host, port, vite_port, options["asgi"])
    env = child_env(port, options["asgi"], host)
    frontends = all_frontends()
    children = [
        Child(
            "vite" if config.is_default else f"vite:{config.name}",
            vite_command(npm, vite_host(host, options["asgi"]), vite_port + index),
            config.FRONTEND_DIR,
            vite_env(env, config),
            keep_stdin_open=True,
        )
        for index, config in enumerate(frontends)
    ]
    children.append(Child("django", django_command(host, port, options), Path.cwd(), env))
    children += [
        Child(c.name, c.argv, c.cwd, {**env, "PATH": command_path(env)}, may_finish=True)
        for c in extra_commands(env)
    ]

    def write(line: str) -> None:
        stdout.write(line)
        stdout.flush()

    write(
        f"[duet]   Open {django_url(host, port)} - Django serves the pages and, through the same "
        "origin, the dev server's modules. Ctrl-C stops both."
    )
    try:
        return run_all(children, write)
    finally:
        for index, config in enumerate(frontends):
            remove_stale_hot_file(vite_port + index, config)


def vite_command(npm: str, host: str, port: int) -> list[str]:
    return [npm, "exec", "--no", "--", "vite", "--host", host, "--port", str(port), "--strictPort"]
