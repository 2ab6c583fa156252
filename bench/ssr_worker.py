"""The Python side of the SSR benchmark, in a fresh process (its RSS is the worker's).

python ssr_worker.py <bundle.js> <node server URL> <quick 0|1> <project> <jobs.json>: prints one
JSON object. Node's in-process renders (ssr_node.mjs pipe) and the Node render server over
HTTP (the props encoded with orjson, as ``render_component`` encodes them) are timed in turn
with Django's, round by round, and each ratio is taken within a round: on a machine shared with
other jobs, a load spike then slows both sides of a ratio instead of one.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import django
import httpx
import orjson
from benchlib import per_call_us, rss_mb  # bench/ is sys.path[0] when run as a script
from django.conf import settings

SMALL = {"name": "Ada"}
# Renders of the big table on each side before the steady-state figures: the JIT is done and
# V8's young generation has grown to its working size (memory after 3 renders is not that).
STEADY_RENDERS = 100


def rows(n: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"Item {i} <b>&", "price": i * 1.25, "tags": ["a", f"t{i % 7}"]}
        for i in range(n)
    ]


def private_dirty_mb(pid: int) -> float:
    """Memory only this process has written: what one more worker costs (code pages of the
    V8 library are file-backed and shared between the workers of a server)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Private_Dirty for {pid}")


def ms_per_call(fn: Any, number: int, repeat: int) -> float:
    return per_call_us(fn, number, repeat) / 1000


class NodeInProcess:
    """Node's renderToString in its own process, asked for ``number`` timed renders at a time."""

    def __init__(self, project: Path, jobs: Path) -> None:
        script = Path(__file__).resolve().parent / "ssr_node.mjs"
        self._proc = subprocess.Popen(
            ["node", str(script), "pipe", str(project), str(jobs)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "NODE_ENV": "production"},  # React's production build
        )
        if self._readline() != "ready":
            raise RuntimeError("the Node renderer did not start")

    def _readline(self) -> str:
        out: IO[str] | None = self._proc.stdout
        assert out is not None
        return out.readline().strip()

    def ms(self, key: str, number: int) -> float:
        assert self._proc.stdin is not None
        self._proc.stdin.write(f"{key} {number}\n")
        self._proc.stdin.flush()
        return float(self._readline())

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(30)


def interleaved(
    duet: Any, node: NodeInProcess, key: str, number: int, rounds: int, sidecar: Any
) -> dict[str, float]:
    """Medians of Django's, Node's in-process and the Node sidecar's ms per render, and of
    Django's ratio to each within each round (the three timed in turn, round by round)."""
    ours, theirs, http = [], [], []
    for _ in range(rounds):
        ours.append(ms_per_call(duet, number, 1))
        theirs.append(node.ms(key, number))
        http.append(ms_per_call(sidecar, number, 1))
    return {
        "duet": statistics.median(ours),
        "node": statistics.median(theirs),
        "ratio": statistics.median(o / t for o, t in zip(ours, theirs, strict=True)),
        "http": statistics.median(http),
        "ratio_http": statistics.median(o / h for o, h in zip(ours, http, strict=True)),
    }


def main() -> None:
    bundle, node_url, quick = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
    project, jobs = Path(sys.argv[4]), Path(sys.argv[5])
    configure(bundle)
    pid = os.getpid()
    rss_start, dirty_start = rss_mb(pid), private_dirty_mb(pid)
    from django_duet.ssr import render_component
    from django_duet.ssr.bundle import get_bundle
    from django_duet.ssr.engine import engine_for

    big = {"rows": rows(1000)}
    # Rounds x renders per round on each side; 30 big renders, as many as before the interleaving.
    (repeat_big, number_big), (repeat_small, number_small) = (
        ((3, 2), (5, 50)) if quick else ((10, 3), (15, 300))
    )

    # One context (one worker thread), warmed up like a worker after its first requests.
    for _ in range(3):
        render_component(None, "Table", big)
    rss_one_context, dirty_one_context = rss_mb(pid), private_dirty_mb(pid)
    out: dict[str, Any] = {}
    node = NodeInProcess(project, jobs)

    def duet_big() -> None:
        render_component(None, "Table", big)

    # Django asking a Node render server over HTTP (keep-alive), the props encoded with orjson
    # as render_component encodes them: the usual "Node sidecar", timed in the same rounds.
    client = httpx.Client(base_url=node_url, timeout=30)

    def sidecar(name: str, props: Any) -> Any:
        def call() -> str:
            response = client.post(f"/{name}", content=orjson.dumps(props))
            response.raise_for_status()
            return response.text

        return call

    try:
        for _ in range(3):
            sidecar("Table", big)()
        table = interleaved(duet_big, node, "big", number_big, repeat_big, sidecar("Table", big))
        small = interleaved(
            lambda: render_component(None, "Small", SMALL),
            node,
            "small",
            number_small,
            repeat_small,
            sidecar("Small", SMALL),
        )
        more = STEADY_RENDERS - 3 - number_big * repeat_big  # both sides warmed up 3 times
        ms_per_call(duet_big, more, 1)
        node.ms("big", more)
        rss_steady, dirty_steady = rss_mb(pid), private_dirty_mb(pid)
        steady = interleaved(duet_big, node, "big", number_big, repeat_big, sidecar("Table", big))
    finally:
        node.close()
        client.close()
    out["big_duet_render_ms"], out["big_node_ms"] = table["duet"], table["node"]
    out["big_ratio_vs_node"] = table["ratio"]
    out["big_node_http_ms"], out["big_ratio_vs_node_http"] = table["http"], table["ratio_http"]
    out["steady_duet_render_ms"], out["steady_node_ms"] = steady["duet"], steady["node"]
    out["steady_ratio_vs_node"] = steady["ratio"]
    out["steady_node_http_ms"] = steady["http"]
    out["steady_ratio_vs_node_http"] = steady["ratio_http"]
    out["small_duet_render_ms"], out["small_node_ms"] = small["duet"], small["node"]
    out["small_node_http_ms"], out["small_ratio_vs_node_http"] = small["http"], small["ratio_http"]
    engine = engine_for(get_bundle(), 256)
    out["engine_fast_path"] = engine.fast
    # The per-call cost of mini-racer's public API, for the same render and for nothing at all.
    from py_mini_racer import MiniRacer

    with MiniRacer() as plain:
        plain.eval(bundle.read_text())
        code = "__duetSsr.render('Small', '{\"name\":\"Ada\"}')"
        out["small_plain_mini_racer_ms"] = ms_per_call(
            lambda: plain.eval(code), number_small, repeat_small
        )
        out["noop_plain_mini_racer_ms"] = ms_per_call(
            lambda: plain.eval("0"), number_small, repeat_small
        )

    # Three more threads, as in a gthread worker with 4 threads: one context each.
    def work() -> None:
        for _ in range(3):
            render_component(None, "Table", big)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.2)
    out["rss_added_one_context_mb"] = rss_one_context - rss_start
    out["rss_added_four_contexts_mb"] = rss_mb(pid) - rss_start
    out["dirty_added_one_context_mb"] = dirty_one_context - dirty_start
    out["rss_added_one_context_steady_mb"] = rss_steady - rss_start
    out["dirty_added_one_context_steady_mb"] = dirty_steady - dirty_start
    out["dirty_added_four_contexts_mb"] = private_dirty_mb(pid) - dirty_start
    out["big_html_bytes"] = len(render_component(None, "Table", big))
    print(json.dumps(out))


def forked_worker() -> None:
    """python ssr_worker.py fork <bundle.js> <preload 0|1>: a prefork server's worker. This
    process is the master: Django set up, mini-racer's library preloaded or not (gunicorn's
    ``on_starting`` hook, docs/ssr.md), V8 never started; the forked child measures the memory
    that one context adds to it after 3 and after 100 renders of the table, as JSON."""
    bundle, preload = Path(sys.argv[2]), sys.argv[3] == "1"
    configure(bundle)
    from django_duet.ssr import render_component
    from django_duet.ssr.preload import preload_library

    if preload and not preload_library():
        raise RuntimeError("mini-racer's library could not be preloaded")
    big = {"rows": rows(1000)}
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        os.close(read)
        pid = os.getpid()
        rss_start, dirty_start = rss_mb(pid), private_dirty_mb(pid)
        for _ in range(3):
            render_component(None, "Table", big)
        found = {
            "rss_added_mb": rss_mb(pid) - rss_start,
            "dirty_added_mb": private_dirty_mb(pid) - dirty_start,
        }
        for _ in range(STEADY_RENDERS - 3):
            render_component(None, "Table", big)
        found["rss_added_steady_mb"] = rss_mb(pid) - rss_start
        found["dirty_added_steady_mb"] = private_dirty_mb(pid) - dirty_start
        os.write(write, json.dumps(found).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not text:
        raise RuntimeError(f"the forked worker failed (status {status})")
    print(text)


def configure(bundle: Path) -> None:
    duet: dict[str, Any] = {"BUILD_DIR": bundle.parent, "SSR_BUNDLE": bundle}
    duet["SSR_TIMEOUT_MS"] = 10_000
    # DUET_BENCH_SSR_SEMI_SPACE_MB=none (V8's default) or a number: the young generation's
    # size, to compare with the default (docs/benchmarks.md).
    semi = os.environ.get("DUET_BENCH_SSR_SEMI_SPACE_MB")
    if semi:
        duet["SSR_SEMI_SPACE_MB"] = None if semi == "none" else int(semi)
    settings.configure(
        DEBUG=False, INSTALLED_APPS=["django_duet"], DUET=duet, STATIC_URL="/static/"
    )
    django.setup()


if __name__ == "__main__":
    forked_worker() if sys.argv[1] == "fork" else main()
