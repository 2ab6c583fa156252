"""Development: is the Vite dev server running? (The tags that load from it: ``dev.tags``.)

The Vite plugin writes the "hot" file (``DUET["HOT_FILE"]``) with the dev server's URL while it
runs. With DEBUG and DEV_MODE on, that file present and something listening at its URL, the tags
load the Vite client and the source entries (through Django's origin: see ``dev.core``). A hot
file left behind by a killed dev server is "stale": the build is used, with a logged warning.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

from django_duet import caches
from django_duet.conf import Settings, all_frontends, conf
from django_duet.exceptions import BuildFileNotFound, DuetError, ManifestNotFound

logger = logging.getLogger("django_duet.devserver")

MAX_HOT_FILE_BYTES = 64 * 1024
LIVENESS_TIMEOUT = 0.5  # seconds; loopback refuses at once, this bounds a filtered port
START_HINT = (
    "Start the dev server with `python manage.py duet dev` (Vite and Django together), or run "
    "`npx vite` in {frontend} beside `manage.py runserver`."
)
_MEMO = "_duet_dev_server"  # the default frontend's; the others' in a dict (_MEMO_NAMED)
_MEMO_NAMED = "_duet_dev_servers"
_warned: set[tuple[str, int]] = set()


class DevServerError(DuetError):
    """The hot file cannot be used as it is (not loopback, wrong base, unreadable)."""


class DevServerNotRunning(DuetError):
    def __init__(self, hot_file: Path, missing: Path, frontend: Settings = conf) -> None:
        self.hot_file = hot_file
        self.missing = missing
        which = "" if frontend.is_default else f" of the frontend {frontend.name!r}"
        super().__init__(
            f"The Vite dev server{which} is not running (no live dev server in {hot_file}) and "
            f"there is no build ({missing} does not exist). "
            + START_HINT.format(frontend=frontend.FRONTEND_DIR)
            + " To use a build instead, run `python manage.py duet build`."
        )


@dataclass(frozen=True)
class DevServer:
    host: str  # an IP literal, loopback only
    port: int
    base: str  # Vite's base: "/static/"
    react_refresh: bool
    # Where the page's tags load the modules from: "" (Django's origin, through the proxy) or,
    # with DUET["DEV_ASSETS"] = "direct", the dev server's origin as the browser reaches it.
    assets_origin: str = ""

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def dev_enabled() -> bool:
    """Development mode: DEBUG on and DUET["DEV_MODE"] (which follows DEBUG) on."""
    return bool(settings.DEBUG) and conf.DEV_MODE


def dev_base(frontend: Settings = conf) -> str:
    """Where the dev server's paths live on Django's origin: the path of STATIC_URL + prefix."""
    path = urlsplit(str(settings.STATIC_URL or "/static/")).path or "/"
    path = path if path.endswith("/") else f"{path}/"
    return f"{path}{frontend.STATIC_PREFIX}"


def frontend_for_path(path: str) -> Settings | None:
    """The frontend whose dev base is the longest prefix of ``path`` (None: no frontend's).

    "/static/admin/x.ts" is the "admin" frontend's (prefix "admin/") even though the default
    frontend's base "/static/" is a prefix of it too; duet.E111 refuses equal prefixes.
    """
    for base, frontend in _dev_bases():
        if path.startswith(base):
            return frontend
    return None


@caches.settings_cache(maxsize=1)
def _dev_bases() -> tuple[tuple[str, Settings], ...]:
    """Every frontend's dev base, longest first: asked for each request of a development page
    (hundreds of modules), from settings that change only under ``override_settings``."""
    bases = [(dev_base(frontend), frontend) for frontend in all_frontends()]
    return tuple(sorted(bases, key=lambda pair: -len(pair[0])))  # stable: ties keep their order


@caches.register
def clear_cache() -> None:
    _parse.cache_clear()
    _warned.clear()


def read_hot_file(path: Path, frontend: Settings = conf) -> DevServer | None:
    """The dev server that the hot file names, or None when there is no hot file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return _parse(str(path), st.st_mtime_ns, st.st_size, dev_base(frontend))


@functools.lru_cache(maxsize=16)
def _parse(path: str, mtime_ns: int, size: int, expected_base: str) -> DevServer:
    def invalid(problem: str) -> DevServerError:
        return DevServerError(
            f"The hot file {path} {problem}. It is written by the duet() Vite plugin while the "
            "dev server runs: stop the dev server, delete the file, and start it again "
            "(`python manage.py duet dev`)."
        )

    if size > MAX_HOT_FILE_BYTES:
        raise invalid(f"is {size} bytes long, far more than a URL")
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise invalid(f"cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise invalid('has no "url"')
    url = urlsplit(data["url"])
    try:
        port = url.port
        ip = ipaddress.ip_address(url.hostname or "")
    except ValueError:
        raise invalid(f"names {data['url']!r}, which is not http://<IP address>:<port>") from None
    if url.scheme != "http" or port is None or url.path not in ("", "/") or url.query:
        raise invalid(f"names {data['url']!r}: the proxy only talks to http://<IP>:<port>")
    if not ip.is_loopback:
        raise DevServerError(
            f"The hot file {path} names {data['url']!r}, which is not a loopback address: the dev "
            "proxy only ever talks to a dev server on this machine. Let Vite listen on 127.0.0.1 "
            "(or 0.0.0.0, which includes it): `python manage.py duet dev` does."
        )
    base = data.get("base")
    if base != expected_base:
        raise DevServerError(
            f"The dev server serves under base {base!r}, but Django expects {expected_base!r} "
            "(STATIC_URL + DUET['STATIC_PREFIX']). Start it with `python manage.py duet dev` "
            "(which passes STATIC_URL to Vite), or set staticUrl/staticPrefix in duet() to match."
        )
    return DevServer(str(ip), port, base, bool(data.get("reactRefresh")))


def is_listening(server: DevServer) -> bool:
    try:
        with socket.create_connection((server.host, server.port), timeout=LIVENESS_TIMEOUT):
            return True
    except OSError:
        return False


def active_dev_server(
    request: HttpRequest | None = None, frontend: Settings = conf
) -> DevServer | None:
    """The running dev server to use, or None (not in development, no or stale hot file)."""
    memo: dict[str, DevServer | None] | None = None
    if request is not None:
        if frontend is conf:
            if hasattr(request, _MEMO):
                return getattr(request, _MEMO)  # type: ignore[no-any-return]
        else:
            memo = getattr(request, _MEMO_NAMED, None)
            if memo is None:
                memo = {}
                setattr(request, _MEMO_NAMED, memo)
            if frontend.name in memo:
                return memo[frontend.name]
    server = None
    if dev_enabled():
        path = frontend.HOT_FILE
        server = read_hot_file(path, frontend)
        if server is not None and not is_listening(server):
            _warn_stale(path, server, frontend)
            server = None
        if server is not None and request is not None and conf.DEV_ASSETS == "direct":
            server = replace(server, assets_origin=direct_origin(request, server))
    if memo is not None:
        memo[frontend.name] = server
    elif request is not None:
        setattr(request, _MEMO, server)
    return server


def direct_origin(request: HttpRequest, server: DevServer) -> str:
    """The dev server's origin at the host the browser used for Django's page, with Vite's
    port: the same name (localhost or 127.0.0.1) keeps the page and its modules same-site, and
    is one that Vite's CORS and host checks accept. Django never connects to it."""
    host = urlsplit(f"//{request.get_host()}").hostname or server.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{server.port}"


def proxied_dev_server(frontend: Settings = conf) -> DevServer | None:
    """The dev server the hot file names, without the liveness check: the proxy's send finds
    out at once (loopback refuses a connection at once), and a check per module would cost a
    connection to Vite per request. See ``dev_server_gone``."""
    return read_hot_file(frontend.HOT_FILE, frontend) if dev_enabled() else None


def dev_server_gone(server: DevServer, frontend: Settings = conf) -> None:
    """The proxy could not connect: the hot file is stale (logged once per hot file)."""
    _warn_stale(frontend.HOT_FILE, server, frontend)


def _warn_stale(path: Path, server: DevServer, frontend: Settings) -> None:
    try:
        key = (str(path), os.stat(path).st_mtime_ns)
    except OSError:
        return
    if key not in _warned:
        _warned.add(key)
        logger.warning(
            "Stale hot file %s: nothing listens at %s any more, so the build is used. %s",
            path,
            server.origin,
            START_HINT.format(frontend=frontend.FRONTEND_DIR),
        )


@contextlib.contextmanager
def explain_missing_build(frontend: Settings = conf) -> Iterator[None]:
    """In development, a missing build means "start the dev server": say so."""
    try:
        yield
    except (ManifestNotFound, BuildFileNotFound) as exc:
        if dev_enabled():
            raise DevServerNotRunning(frontend.HOT_FILE, exc.path, frontend) from exc
        raise


DECLINED = "duet.dev_proxy_declined"  # in the scope or environ: the dev server said 404


def claim(path: str) -> Settings | None:
    """The frontend whose dev server ``path`` is for; None outside development or its paths."""
    return frontend_for_path(path) if dev_enabled() else None
