"""``manage.py duet dev`` on scratch copies of the example's frontends, for the development
benchmarks (bench_dev_hmr.py, bench_dev_cold.py), and the same page served by Vite itself.

The copies link node_modules entry by entry (Vite's dependency cache stays private), as the
e2e tests' ``scratch_frontends`` do, so the benchmarks may edit sources freely.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from benchlib import EXAMPLE, ROOT

from django_duet.testing.servers import ServerProcess, free_port, free_port_block

FRONTENDS = {
    "frontend": "DUET_EXAMPLE_FRONTEND_DIR",
    "staff-frontend": "DUET_EXAMPLE_STAFF_FRONTEND_DIR",
}
VITE_PORTS = 8  # duet dev runs one Vite per frontend on consecutive ports
# duet's development tags in Django's page: Vite's client, React's refresh preamble, entries.
_DEV_TAGS = re.compile(
    r'<script type="module"[^>]*>\s*import \{ injectIntoGlobalHook \}.*?</script>'
    r'|<script type="module"[^>]*src="/static/[^"]*"[^>]*></script>',
    re.S,
)


def scratch_frontends(tmp: Path) -> dict[str, str]:
    (tmp / "js").symlink_to(ROOT / "js")  # the example's Vite configs import ../../js
    copies = {}
    for name, variable in FRONTENDS.items():
        source = EXAMPLE / name
        if not (source / "node_modules").is_dir():
            raise RuntimeError(f"no {source}/node_modules: run `make node-deps`")
        copy = tmp / "example" / name
        ignore = shutil.ignore_patterns("node_modules", ".duet-hot", "dist")
        shutil.copytree(source, copy, ignore=ignore)
        (copy / "node_modules").mkdir()
        for entry in (source / "node_modules").iterdir():
            if entry.name not in (".vite", ".ci-stamp"):
                (copy / "node_modules" / entry.name).symlink_to(entry.resolve())
        copies[variable] = str(copy)
    return copies


@dataclass
class Dev:
    django: str  # Django's origin, the modules through its dev proxy (DEV_ASSETS "proxy")
    direct: str  # Django's origin, the modules straight from Vite (DEV_ASSETS "direct")
    vite: str  # the default frontend's Vite, on its own port
    frontend: Path  # the scratch copy it serves
    server: ServerProcess


def wait_ok(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"{url} never answered 200")


@contextmanager
def duet_dev(tmp: Path, mode: str, prepare: object = None) -> Iterator[Dev]:
    """``duet dev`` (``mode`` "runserver", or "asgi": uvicorn, the HMR socket through Django
    too) on fresh copies of the frontends in ``tmp``; ``prepare(frontend)`` edits the default
    frontend's copy before Vite starts.

    Two Django servers share that Vite: ``duet dev``'s own, with ``DEV_ASSETS = "direct"``
    (dev_direct_settings: Vite's CORS accepts the origin ``duet dev`` gives it, the one the
    direct page needs), and a second one on the same command line as ``duet dev``'s Django
    (``_wsgi_serve``, or ``_asgi_serve`` with the HMR relay) with the example's settings
    (``"proxy"``): every module through Django, same-origin, so no CORS involved."""
    copies = scratch_frontends(tmp)
    frontend = Path(copies[FRONTENDS["frontend"]])
    if callable(prepare):
        prepare(frontend)
    env = {
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "DJANGO_DEBUG": "1",
        "DUET_EXAMPLE_DB": str(tmp / "db.sqlite3"),
        **copies,
    }
    direct_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "dev_direct_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=EXAMPLE,
        env={**os.environ, **env},
        check=True,
        timeout=300,
    )
    port, proxy_port, vite_port = free_port(), free_port(), free_port_block(VITE_PORTS)
    command = [
        sys.executable, "manage.py", "duet", "dev", f"127.0.0.1:{port}",
        "--vite-port", str(vite_port), "--noreload", *(["--asgi"] if mode == "asgi" else []),
    ]  # fmt: skip
    server_module = "_asgi_serve" if mode == "asgi" else "_wsgi_serve"
    proxied = [
        sys.executable, "-m", f"django_duet.cli.{server_module}",
        *(["127.0.0.1", str(proxy_port)] if mode == "asgi" else [f"127.0.0.1:{proxy_port}"]),
        "--noreload",
    ]  # fmt: skip
    with ServerProcess(
        command, port=port, cwd=EXAMPLE, env=direct_env, name=f"duet dev ({mode})",
        start_timeout=90,
    ) as server:  # fmt: skip
        try:  # Vite's first start (its dependency scan) takes long on a loaded machine
            wait_ok(f"{server.url}/static/@vite/client", timeout=240)
        except TimeoutError as slow:
            raise TimeoutError(f"{slow}; duet dev said: {server.output()[-3000:]}") from None
        with ServerProcess(
            proxied, port=proxy_port, cwd=EXAMPLE, env=env, name=f"django ({mode}, proxy)"
        ) as proxy:
            yield Dev(proxy.url, server.url, f"http://127.0.0.1:{vite_port}", frontend, server)


def vite_copy_of_page(dev: Dev, path: str, name: str) -> str:
    """Django's page at ``path`` written into the frontend as ``name`` with duet's development
    tags replaced by the entry's plain script tag, which Vite's own HTML handling completes
    (its client, React's preamble): the same markup, served by Vite. Returns its URL there."""
    html = httpx.get(dev.django + path, timeout=30).text
    entries = re.findall(r'<script type="module"[^>]*src="/static/(src/[^"]+)"', html)
    if not entries:
        raise RuntimeError(f"no development entry in Django's {path}")
    tags = "".join(f'<script type="module" src="/{entry}"></script>' for entry in entries)
    stripped, count = _DEV_TAGS.subn("", html)
    if count < 3:
        raise RuntimeError(f"duet's development tags not found in {path} ({count} matched)")
    stripped = stripped.replace('="/static/', '="/')  # Vite adds its base to the page's URLs
    (dev.frontend / name).write_text(stripped.replace("</head>", tags + "</head>", 1))
    return f"{dev.vite}/static/{name}"


def chromium(playwright: object) -> object:
    from django_duet.pytest_plugin import CI_CHROMIUM_FLAGS, find_chromium

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium: `make system-deps` installs Debian's chromium")
    return playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=executable, args=list(CI_CHROMIUM_FLAGS), headless=True
    )
