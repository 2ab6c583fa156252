"""One and two app servers behind nginx, same run (issue 20): requests/s, p50 and p99 of a page,
an API call and an SSR page.

The topology is tests/e2e/scaling_stack.py's (gunicorn gthread 2 workers x 8 threads per server,
PostgreSQL and Redis shared, nginx from `duet nginx-config`); this module only starts one or two
of its app servers. wrk drives the load, bounded in time (``-d``) and in count (a Lua script
stops each thread after its share of MAX_REQUESTS).
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from benchlib import BUILD, ROOT, r, wrk

sys.path.insert(0, str(ROOT))  # tests.e2e.scaling_stack, as soak_swap.py imports tests.faults

from tests.e2e.scaling_stack import app_server, nginx_config, prepare, stack_env

from django_duet.testing.nginx import nginx_process
from django_duet.testing.postgres import PostgresServer
from django_duet.testing.redis import RedisServer
from django_duet.testing.servers import free_port

PATHS = {"page": "/", "api": "/api/auth/me/?anonymous=ok", "ssr": "/ssr/"}
THREADS, CONNECTIONS = 2, 32
# per wrk run, far above what 8 s gives here (were it reached, wrk would still wait out -d and
# understate the rate)
MAX_REQUESTS = 200_000
CAP = """\
local answered, cap = 0, {cap}
function response() answered = answered + 1; if answered >= cap then wrk.thread:stop() end end
"""


def measure(base: str, seconds: float, script: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with httpx.Client(timeout=10) as http:
        for name, path in PATHS.items():
            for _ in range(20):  # warm-up: every worker's imports, caches and V8 context
                http.get(base + path).raise_for_status()
            res = wrk(base + path, threads=THREADS, connections=CONNECTIONS, seconds=seconds,
                      script=script)  # fmt: skip
            out[name] = {
                "rps": r(res.rps, 0),
                "p50_ms": r(res.p50_ms),
                "p99_ms": r(res.p99_ms),
                "requests": res.requests,
                "errors": res.non_2xx_3xx + res.socket_errors,
            }
    return out


def run(quick: bool) -> dict[str, Any]:
    if not (BUILD / ".vite" / "manifest.json").exists():
        raise RuntimeError(f"no example build in {BUILD}: run `make frontend` (make bench does)")
    seconds = float(os.environ.get("DUET_BENCH_SCALING_SECONDS", 2.0 if quick else 8.0))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="duet-bench-scaling-") as tmp, ExitStack() as stack:
        scratch = Path(tmp)
        script = scratch / "cap.lua"
        script.write_text(CAP.format(cap=MAX_REQUESTS // THREADS))
        postgres = stack.enter_context(PostgresServer())
        redis = stack.enter_context(RedisServer())
        env = stack_env(scratch, postgres.url, redis.url)
        prepare(env)
        for count in (1, 2):
            with ExitStack() as servers_stack:
                servers = [servers_stack.enter_context(app_server(env, name))
                           for name in "ab"[:count]]  # fmt: skip
                config = nginx_config(env, servers)
                nginx = servers_stack.enter_context(
                    nginx_process(config, scratch / f"nginx-{count}", free_port())
                )
                figures = measure(nginx.url, seconds, script)
            for name, row in figures.items():
                group = results.setdefault(f"scaling_{name}", {})
                group.update({f"servers_{count}_{k}": v for k, v in row.items()})
                print(f"   {count} server(s) {name:4} {row}", flush=True)
    for name, group in results.items():
        one, two = group["servers_1_rps"], group["servers_2_rps"]
        group["rps_ratio_2_to_1"] = r(two / one) if one else None
        group["wrk"] = (
            f"wrk -t{THREADS} -c{CONNECTIONS} -d{seconds:g}s --latency --timeout 10s "
            f"-s cap.lua {PATHS[name.removeprefix('scaling_')]}"
        )
        group["setup"] = (
            "nginx (duet nginx-config, 2 workers) + 1 or 2 gunicorn gthread (2 workers x 8 "
            "threads), PostgreSQL, Redis; all on one machine"
        )
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
