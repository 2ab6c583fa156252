"""The dev proxy's added latency: the same modules through Django's origin and straight from Vite.

``manage.py duet dev`` runs the example from a scratch copy of its frontend (runserver, then
``--asgi``: uvicorn). Each round fetches every module of the island page, once through Django
and once from Vite, alternating, with keep-alive clients; figures are medians over all fetches
of the same run. Prints JSON on stdout (``python bench/bench_proxy.py [--quick]``).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example"
FRONTEND = EXAMPLE / "frontend"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from devlib import VITE_PORTS, scratch_frontends  # noqa: E402

from django_duet.testing.servers import ServerProcess, free_port, free_port_block  # noqa: E402

_IMPORT = re.compile(r'(?:from|import)\s*["\'](/static/[^"\']+)["\']')


def modules(client: httpx.Client, start: list[str], limit: int = 40) -> list[str]:
    """The module graph of the page, as the browser would walk it (breadth first)."""
    seen: list[str] = []
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code != 200:
            continue
        seen.append(path)
        queue += [p for p in _IMPORT.findall(response.text) if p not in seen]
    return seen


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} never answered 200")


def measure(mode: str, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="duet-bench-proxy-") as name:
        tmp = Path(name)
        env = {
            "DJANGO_SETTINGS_MODULE": "example.settings",
            "DJANGO_DEBUG": "1",
            "DUET_EXAMPLE_DB": str(tmp / "db.sqlite3"),
            # Scratch copies of both frontends (the example has two): Vite
            # never writes into the checkout's own frontend folders.
            **scratch_frontends(tmp),
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=EXAMPLE,
            env={**os.environ, **env},
            check=True,
        )
        # A block of free ports: the example has two frontends, and a lone free port's
        # neighbour (the second Vite's) may be taken, by Django's own port among others.
        port, vite_port = free_port(), free_port_block(VITE_PORTS)
        command = [
            sys.executable,
            "manage.py",
            "duet",
            "dev",
            f"127.0.0.1:{port}",
            "--vite-port",
            str(vite_port),
            "--noreload",
            *(["--asgi"] if mode == "asgi" else []),
        ]
        with ServerProcess(
            command, port=port, cwd=EXAMPLE, env=env, name="duet dev", start_timeout=60
        ) as server:
            django, vite = server.url, f"http://127.0.0.1:{vite_port}"
            wait_ready(f"{django}/static/@vite/client")
            with (
                httpx.Client(base_url=django, timeout=30) as via,
                httpx.Client(base_url=vite, timeout=30) as direct,
            ):
                paths = modules(
                    via,
                    ["/static/@vite/client", "/static/@react-refresh", "/static/src/island.tsx"],
                )
                cold = cold_page_loads(django, vite, max(3, rounds // 2))
                through, straight = [], []
                for _ in range(rounds):
                    for path in paths:
                        for client, times in ((via, through), (direct, straight)):
                            started = time.perf_counter()
                            response = client.get(path)
                            response.read()
                            times.append((time.perf_counter() - started) * 1000)
                            assert response.status_code == 200, (path, response.status_code)
    d, s = statistics.median(through), statistics.median(straight)
    return {
        "server": "uvicorn" if mode == "asgi" else "runserver",
        "modules": len(paths),
        "fetches": len(through),
        "direct_ms_median": round(s, 3),
        "django_ms_median": round(d, 3),
        "added_ms_median": round(d - s, 3),
        "ratio": round(d / s, 2),
        **cold,
    }


def cold_page_loads(django: str, vite: str, rounds: int) -> dict[str, Any]:
    """The SPA shell with all its modules, in Chromium with an empty cache: Django's /app/
    (the dev server's index.html and every module through the proxy) against the same
    index.html straight from Vite. Alternating, after one warm-up each (Vite's transform cache)."""
    from playwright.sync_api import sync_playwright

    from django_duet.testing.browser import CI_CHROMIUM_FLAGS, find_chromium

    urls = {"django": f"{django}/app/", "vite": f"{vite}/static/index.html"}
    times: dict[str, list[float]] = {"django": [], "vite": []}
    with sync_playwright() as playwright:
        executable = find_chromium(None)
        browser = playwright.chromium.launch(
            args=list(CI_CHROMIUM_FLAGS), **({"executable_path": executable} if executable else {})
        )
        try:
            for round_number in range(rounds + 1):
                for name, url in urls.items():
                    context = browser.new_context()  # an empty cache: a cold load
                    page = context.new_page()
                    started = time.perf_counter()
                    # Module scripts and their static imports run before `load` fires. (From
                    # Vite's origin React Router's /app basename renders nothing: no title.)
                    page.goto(url, wait_until="load")
                    if round_number:  # the first round warms Vite's transforms
                        times[name].append((time.perf_counter() - started) * 1000)
                    context.close()
        finally:
            browser.close()
    d, v = statistics.median(times["django"]), statistics.median(times["vite"])
    return {
        "cold_page_django_ms": round(d, 1),
        "cold_page_vite_ms": round(v, 1),
        "cold_page_ratio": round(d / v, 2),
        "goal_cold_page_le_1_3x": d / v <= 1.3,
    }


def run(quick: bool = False) -> dict[str, dict[str, Any]]:
    rounds = 3 if quick else 20
    return {f"dev_proxy_{mode}": measure(mode, rounds) for mode in ("runserver", "asgi")}


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
