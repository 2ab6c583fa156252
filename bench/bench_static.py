"""Static serving: the example's hashed build through Django + DuetStaticMiddleware (gunicorn sync
and gthread, uvicorn) and through nginx (the generated `duet nginx-config`, a hand-tuned
block with `open_file_cache`, and the generated block less one directive, to show what each
costs), with wrk on loopback.

Cases: a small and a large file, with `Accept-Encoding: br` and without, and the 304 answers to
If-None-Match and If-Modified-Since. Rounds are interleaved (round 1 of every server and case,
then round 2 ...), and each figure is the median over at least 3 rounds (``--quick`` shortens
each wrk run to 1 s, never the rounds). DUET_BENCH_STATIC_ONLY=nginx
measures the nginx blocks alone (no app server is started: static requests never reach one).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from benchlib import (
    EXAMPLE,
    children,
    example_env,
    gunicorn_command,
    median,
    nginx_config,
    r,
    rss_mb,
    uvicorn_command,
    wrk,
)

from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import ServerProcess, free_port

GOAL_NGINX_VS_HAND = 0.90  # generated config within 10% of the hand-tuned one
# Diagnosis: the generated block less these directives, to show what each one costs.
WITHOUT = {
    "nginx_no_symlink_check": re.compile(r"(?m)^\s*disable_symlinks [^;]*;\n"),
    "nginx_no_file_cache": re.compile(r"(?m)^\s*open_file_cache[^;]*;\n"),
}
NGINX_SERVERS = ("nginx", "nginx_hand", *WITHOUT)
CLK_TCK = os.sysconf("SC_CLK_TCK")

# What someone who knows nginx writes for a folder of hashed, never-rewritten files: the
# precompressed variants, far-future caching, and the descriptor cache (issue 21's outside
# audit: the peer without open_file_cache was a straw man). Access logs are off in the test
# harness's nginx.conf for every block, and sendfile is on there.
HAND_TUNED = """\
server {{
    listen 80;
    location /static/ {{
        alias {root}/;
        gzip_static on;
        brotli_static on;
        expires max;
        open_file_cache max=10000 inactive=60s;
        open_file_cache_valid 60s;
        open_file_cache_errors on;
        tcp_nopush on;
    }}
    location / {{
        proxy_pass http://127.0.0.1:{upstream};
    }}
}}
"""


def settings(quick: bool) -> dict[str, Any]:
    """Rounds and seconds per wrk run; `make soak` raises them through the environment."""
    return {
        # At least 3 rounds, with --quick too: a figure from one round is a sample, not a
        # median (issue 21's outside audit of the ASGI static figures).
        "rounds": max(3, int(os.environ.get("DUET_BENCH_ROUNDS", 3))),
        "seconds": float(os.environ.get("DUET_BENCH_SECONDS", 1 if quick else 2)),
        "memory_seconds": float(os.environ.get("DUET_BENCH_MEMORY_SECONDS", 3 if quick else 20)),
        "threads": 2,
        "connections": 32,
        "only_nginx": os.environ.get("DUET_BENCH_STATIC_ONLY", "") == "nginx",
    }


def pick_files(static_root: Path) -> dict[str, str]:
    """The small file: the island's entry script; the large one: the build's largest script."""
    manifest = json.loads((EXAMPLE / "frontend" / "dist" / ".vite" / "manifest.json").read_text())
    small = manifest["src/island.tsx"]["file"]
    scripts = [p for p in (static_root / "assets").glob("*.js")]
    large = max(scripts, key=lambda p: p.stat().st_size).relative_to(static_root).as_posix()
    return {"small": small, "large": large}


def validators(url: str) -> dict[str, str]:
    response = httpx.get(url, headers={"accept-encoding": "identity"}, timeout=10)
    response.raise_for_status()
    return {"etag": response.headers["etag"], "last_modified": response.headers["last-modified"]}


def cases(base: str, files: dict[str, str]) -> dict[str, tuple[str, dict[str, str], int, str]]:
    """name -> (url, headers, expected status, expected content-encoding)."""
    small, large = f"{base}/static/{files['small']}", f"{base}/static/{files['large']}"
    v = validators(small)
    return {
        "small": (small, {}, 200, ""),
        "small_br": (small, {"Accept-Encoding": "br"}, 200, "br"),
        "large": (large, {}, 200, ""),
        "large_br": (large, {"Accept-Encoding": "br"}, 200, "br"),
        "304_etag": (small, {"If-None-Match": v["etag"]}, 304, ""),
        "304_ims": (small, {"If-Modified-Since": v["last_modified"]}, 304, ""),
    }


def check_case(url: str, headers: dict[str, str], status: int, encoding: str) -> str | None:
    """Four answers (nginx has two workers), each after a plain request as other clients send."""
    sent = {"accept-encoding": "identity", **{k.lower(): v for k, v in headers.items()}}
    wrong = []
    for _ in range(4):
        httpx.get(url, headers={"accept-encoding": "identity"}, timeout=10)
        response = httpx.get(url, headers=sent, timeout=10)
        got = response.headers.get("content-encoding", "")
        if response.status_code != status or got != encoding:
            wrong.append(f"status {response.status_code} encoding {got!r}")
    return f"{len(wrong)}/4 answers: {wrong[0]}, expected {status} {encoding!r}" if wrong else None


def uvicorn_memory(env: dict[str, str], url_path: str, seconds: float) -> dict[str, Any]:
    """RSS of one uvicorn process while wrk fetches the large file for ``seconds``."""
    port = free_port()
    command = uvicorn_command(port)
    with ServerProcess(command, port=port, cwd=EXAMPLE, env=env, name="uvicorn-rss") as server:
        assert server.process is not None
        pid = server.process.pid
        url = server.url + url_path
        wrk(url, threads=1, connections=8, seconds=1)  # warm-up
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                samples.append(rss_mb(pid))

        start_rss = rss_mb(pid)
        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            result = wrk(url, threads=2, connections=32, seconds=seconds)
        finally:
            done.set()
            thread.join(5)
        end_rss = rss_mb(pid)
    quarter = max(1, len(samples) // 4)
    first, last = median(samples[:quarter]), median(samples[-quarter:])
    return {
        "requests": result.requests,
        "seconds": seconds,
        "rss_before_mb": r(start_rss, 1),
        "rss_max_mb": r(max(samples, default=end_rss), 1),
        "rss_after_mb": r(end_rss, 1),
        "rss_first_quarter_mb": r(first, 1),
        "rss_last_quarter_mb": r(last, 1),
        "growth_mb": r(last - first, 1),
        "flat": abs(last - first) < 2.0,
    }


def app_servers(stack: ExitStack, env: dict[str, str]) -> dict[str, ServerProcess]:
    def app(name: str, command_for: Any) -> ServerProcess:
        port = free_port()
        server = ServerProcess(command_for(port), port=port, cwd=EXAMPLE, env=env, name=name)
        return stack.enter_context(server)

    return {
        "gunicorn_sync": app("gunicorn-sync", lambda p: gunicorn_command(p, workers=2)),
        "gunicorn_gthread": app(
            "gunicorn-gthread",
            lambda p: gunicorn_command(p, workers=2, threads=4, klass="gthread"),
        ),
        "uvicorn": app("uvicorn", lambda p: uvicorn_command(p, workers=2)),
        # One process: uvicorn sets TCP_NODELAY only without --workers (uvicorn #3149),
        # so this is where the ASGI static path's own speed shows.
        "uvicorn_1": app("uvicorn-1", lambda p: uvicorn_command(p, workers=1)),
    }


def nginx_blocks(env: dict[str, str], static_root: Path, upstream: int) -> dict[str, str]:
    """The generated block, the hand-tuned one, and the generated one less each directive."""
    generated = nginx_config(env, [upstream], brotli=True)
    blocks = {
        "nginx": generated,
        "nginx_hand": HAND_TUNED.format(root=static_root, upstream=upstream),
    }
    for name, directive in WITHOUT.items():
        if directive.search(generated):
            blocks[name] = directive.sub("", generated)
    return blocks


def nginx_cpu_seconds(server: ServerProcess) -> float:
    """User + system CPU of nginx's workers (the children of its master)."""
    assert server.process is not None
    total = 0
    for pid in children(server.process.pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def measure(
    plan: dict[str, dict[str, Any]], servers: dict[str, ServerProcess], opts: dict[str, Any]
) -> tuple[dict[tuple[str, str], list[Any]], dict[tuple[str, str], list[float]]]:
    """wrk runs per (server, case), interleaved; CPU µs per answer for the nginx servers."""
    runs: dict[tuple[str, str], list[Any]] = {}
    cpu_us: dict[tuple[str, str], list[float]] = {}
    for _ in range(opts["rounds"]):
        for case in plan["nginx"]:
            for name, by_case in plan.items():
                url, headers, _, _ = by_case[case]
                is_nginx = name in NGINX_SERVERS
                before = nginx_cpu_seconds(servers[name]) if is_nginx else 0.0
                result = wrk(url, threads=opts["threads"], connections=opts["connections"],
                             seconds=opts["seconds"], headers=headers)  # fmt: skip
                runs.setdefault((name, case), []).append(result)
                if is_nginx and result.requests:
                    spent = nginx_cpu_seconds(servers[name]) - before
                    cpu_us.setdefault((name, case), []).append(spent / result.requests * 1e6)
    return runs, cpu_us


def figures(
    runs: dict[tuple[str, str], list[Any]], cpu_us: dict[tuple[str, str], list[float]]
) -> tuple[dict[str, Any], dict[tuple[str, str], float]]:
    results: dict[str, Any] = {}
    rps: dict[tuple[str, str], float] = {}
    for (name, case), results_ in runs.items():
        figures_ = results.setdefault(f"static_{name}", {})
        rps[(name, case)] = median([x.rps for x in results_])
        figures_[f"{case}_rps"] = r(rps[(name, case)], 0)
        figures_[f"{case}_p99_ms"] = r(median([x.p99_ms for x in results_]))
        # Bytes per answer tell whether the precompressed variant was really sent.
        figures_[f"{case}_kb_per_answer"] = r(
            median([x.transfer_mb_s * 1024 / x.rps for x in results_]), 1
        )
        if (name, case) in cpu_us:
            figures_[f"{case}_cpu_us_per_answer"] = r(median(cpu_us[(name, case)]))
        errors = sum(x.non_2xx_3xx + x.socket_errors for x in results_)
        figures_["errors"] = figures_.get("errors", 0) + errors
    return results, rps


def ratios(rps: dict[tuple[str, str], float], case_names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, over, under in (
        ("uvicorn/gthread", "uvicorn", "gunicorn_gthread"),
        ("uvicorn/sync", "uvicorn", "gunicorn_sync"),
        ("uvicorn_1_process/gthread", "uvicorn_1", "gunicorn_gthread"),
        ("gthread/nginx", "gunicorn_gthread", "nginx"),
    ):
        if (over, case_names[0]) in rps and (under, case_names[0]) in rps:
            for case in case_names:
                out[f"{label}_{case}"] = r(rps[(over, case)] / rps[(under, case)], 3)
    hand = {case: rps[("nginx", case)] / rps[("nginx_hand", case)] for case in case_names}
    for case, value in hand.items():
        out[f"nginx/hand_{case}"] = r(value, 3)
    out["nginx/hand_min"] = r(min(hand.values()), 3)
    for name in WITHOUT:
        for case in case_names:
            if (name, case) in rps:
                out[f"{name}/hand_{case}"] = r(rps[(name, case)] / rps[("nginx_hand", case)], 3)
    out["goal_nginx_within_10pct_of_hand"] = min(hand.values()) >= GOAL_NGINX_VS_HAND
    return out


def run(quick: bool) -> dict[str, Any]:
    opts = settings(quick)
    with tempfile.TemporaryDirectory(prefix="duet-bench-static-") as tmp, ExitStack() as stack:
        scratch = Path(tmp)
        env = example_env(scratch)
        static_root = scratch / "static"
        files = pick_files(static_root)
        sizes = {k: (static_root / v).stat().st_size for k, v in files.items()}
        servers = {} if opts["only_nginx"] else app_servers(stack, env)
        # Static requests never reach the upstream: with only nginx, nothing listens there.
        upstream = servers["gunicorn_gthread"].port if servers else free_port()
        for name, block in nginx_blocks(env, static_root, upstream).items():
            servers[name] = stack.enter_context(
                nginx_process(block, scratch / name.replace("_", "-"), free_port())
            )
        plan = {name: cases(s.url, files) for name, s in servers.items()}
        problems = {
            f"{name}/{case}": bad
            for name, by_case in plan.items()
            for case, spec in by_case.items()
            if (bad := check_case(*spec))
        }
        runs, cpu_us = measure(plan, servers, opts)
        memory = None
        if not opts["only_nginx"]:
            memory = uvicorn_memory(env, f"/static/{files['large']}", opts["memory_seconds"])

    results, rps = figures(runs, cpu_us)
    results["static_ratios"] = ratios(rps, list(plan["nginx"]))
    results["static_setup"] = {
        "wrk": f"wrk -t{opts['threads']} -c{opts['connections']} -d{opts['seconds']:g}s --latency",
        "rounds": opts["rounds"],
        "small_file": files["small"],
        "small_bytes": sizes["small"],
        "large_file": files["large"],
        "large_bytes": sizes["large"],
        "servers": ", ".join(servers),
        "nginx": "2 workers: the generated block (--brotli), a hand-tuned block (with "
        "open_file_cache and tcp_nopush), and the "
        "generated block without `disable_symlinks` and without `open_file_cache` (diagnosis)",
        "case_check_failures": problems or "none",
    }
    if memory is not None:
        results["static_uvicorn_memory"] = memory
        print(
            f"   large file rps: gthread {results['static_gunicorn_gthread']['large_rps']}, "
            f"uvicorn {results['static_uvicorn']['large_rps']}, "
            f"nginx {results['static_nginx']['large_rps']}",
            flush=True,
        )
    print(f"   nginx/hand: {results['static_ratios']['nginx/hand_min']} at worst", flush=True)
    return results


if __name__ == "__main__":
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
