"""Load (issue 7): nginx from `duet nginx-config` in front of two gunicorn processes (as in
tests/e2e/test_nginx.py), serving the example page `/` and every asset it names, under 64
concurrent connections; and the memory of one gunicorn worker across 10,000 requests.

wrk drives the load with a Lua script that walks the page's URLs in turn (one page, then its
assets, as a browser with an empty cache would), bounded by time; the memory run is a Python
client bounded by a request count and by time.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from benchlib import (
    EXAMPLE,
    example_env,
    gunicorn_command,
    nginx_config,
    r,
    rss_mb,
    wait_children,
    wrk,
)

from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import ServerProcess, free_port

GOAL_GROWTH_MB = 5.0
BROWSER_ENCODINGS = "gzip, deflate, br"

ROUND_ROBIN = """\
local paths = {{{paths}}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def settings(quick: bool) -> dict[str, Any]:
    return {
        "seconds": float(os.environ.get("DUET_BENCH_LOAD_SECONDS", 5 if quick else 30)),
        "page_seconds": float(os.environ.get("DUET_BENCH_PAGE_SECONDS", 3 if quick else 10)),
        "memory_requests": int(
            os.environ.get("DUET_BENCH_MEMORY_REQUESTS", 2000 if quick else 10000)
        ),
        "connections": 64,
        "threads": 2,
    }


def page_urls(base: str) -> list[str]:
    """`/` and every static URL the page names (script, preloads, styles, icon, image)."""
    html = httpx.get(base + "/", timeout=10).raise_for_status().text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    return ["/", *dict.fromkeys(assets)]


def lua(scratch: Path, name: str, template: str, paths: list[str]) -> Path:
    quoted = ", ".join(f'"{p}"' for p in paths)
    path = scratch / f"{name}.lua"
    path.write_text(template.format(paths=quoted))
    return path


def gunicorn(env: dict[str, str], backend: str) -> ServerProcess:
    port = free_port()
    return ServerProcess(
        gunicorn_command(port, workers=1, threads=4, klass="gthread"),
        port=port,
        cwd=EXAMPLE,
        name=f"gunicorn-{backend}",
        env={**env, "DUET_EXAMPLE_BACKEND_ID": backend, "DUET_EXAMPLE_BEHIND_PROXY": "1"},
    )


def figures(result: Any) -> dict[str, Any]:
    return {
        "rps": r(result.rps, 0),
        "p50_ms": r(result.p50_ms),
        "p99_ms": r(result.p99_ms),
        "requests": result.requests,
        "non_2xx_3xx": result.non_2xx_3xx,
        "socket_errors": result.socket_errors,
        "errors": result.non_2xx_3xx + result.socket_errors,
    }


def fetch_count(base: str, paths: list[str], count: int, seconds: float) -> dict[str, int]:
    """``count`` requests over ``paths`` in turn from 4 keep-alive clients, bounded in time."""
    deadline = time.monotonic() + seconds
    share = count // 4

    def client(offset: int) -> tuple[int, int]:
        done = errors = 0
        with httpx.Client(base_url=base, timeout=10,
                          headers={"accept-encoding": BROWSER_ENCODINGS}) as http:  # fmt: skip
            while done < share and time.monotonic() < deadline:
                try:
                    status = http.get(paths[(offset + done) % len(paths)]).status_code
                    errors += status >= 400
                except httpx.TransportError:
                    errors += 1
                done += 1
        return done, errors

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(client, range(4)))
    return {"requests": sum(a[0] for a in answers), "errors": sum(a[1] for a in answers)}


def worker_memory(env: dict[str, str], paths: list[str], count: int) -> dict[str, Any]:
    """RSS of a gunicorn worker (gthread, 4 threads) before and after ``count`` requests to it
    directly: the page and, through DuetStaticMiddleware, its assets."""
    port = free_port()
    command = gunicorn_command(port, workers=1, threads=4, klass="gthread")
    with ServerProcess(command, port=port, cwd=EXAMPLE, env=env, name="gunicorn-rss") as server:
        assert server.process is not None
        (worker,) = wait_children(server.process.pid, 1)
        started = rss_mb(worker)
        warm = fetch_count(server.url, paths, 500, 60)
        before = rss_mb(worker)
        start = time.monotonic()
        run = fetch_count(server.url, paths, count, 300)
        elapsed = time.monotonic() - start
        after = rss_mb(worker)
    growth = after - before
    return {
        "rss_after_start_mb": r(started, 1),
        "warmup_requests": warm["requests"],
        "rss_before_mb": r(before, 1),
        "requests": run["requests"],
        "seconds": r(elapsed, 1),
        "errors": run["errors"],
        "rss_after_mb": r(after, 1),
        "growth_mb": r(growth, 2),
        "goal_growth_lt_5mb": growth < GOAL_GROWTH_MB,
    }


def run(quick: bool) -> dict[str, Any]:
    opts = settings(quick)
    with tempfile.TemporaryDirectory(prefix="duet-bench-load-") as tmp, ExitStack() as stack:
        scratch = Path(tmp)
        env = example_env(scratch)
        a = stack.enter_context(gunicorn(env, "a"))
        b = stack.enter_context(gunicorn(env, "b"))
        config = nginx_config(env, [a.port, b.port], brotli=True)
        nginx = stack.enter_context(nginx_process(config, scratch / "nginx", free_port()))
        paths = page_urls(nginx.url)
        headers = {"Accept-Encoding": BROWSER_ENCODINGS}
        common = {"threads": opts["threads"], "connections": opts["connections"]}
        mixed = wrk(nginx.url, seconds=opts["seconds"], headers=headers,
                    script=lua(scratch, "page", ROUND_ROBIN, paths), **common)  # fmt: skip
        page = wrk(nginx.url + "/", seconds=opts["page_seconds"], headers=headers, **common)
        memory = worker_memory(env, paths, opts["memory_requests"])

    load = figures(mixed)
    load.update(
        setup="nginx (generated, 2 workers) + 2 gunicorn gthread (1 worker x 4 threads)",
        wrk=f"wrk -t{opts['threads']} -c{opts['connections']} -d{opts['seconds']:g}s --latency "
        f"-s round-robin.lua -H 'Accept-Encoding: {BROWSER_ENCODINGS}'",
        urls=len(paths),
        goal_zero_errors=load["errors"] == 0,
    )
    page_only = figures(page)
    page_only.update(
        wrk=f"wrk -t{opts['threads']} -c{opts['connections']} -d{opts['page_seconds']:g}s "
        "--latency /",
        goal_zero_errors=page_only["errors"] == 0,
    )
    print(
        f"   page+assets {load['rps']} rps p99 {load['p99_ms']} ms errors {load['errors']}; "
        f"worker RSS +{memory['growth_mb']} MB over {memory['requests']} requests",
        flush=True,
    )
    return {"load_page_and_assets": load, "load_page_only": page_only, "load_worker_memory": memory}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
