"""SSR under load (issue 21): the example's ``/ssr/`` (React rendered in V8 inside Django) on two
gunicorn workers, against the same page whose component a Node server renders (node:http and
React's renderToString on the same server bundle: ssr_load_node.mjs), called from the same
Django view (``/ssr-node/``, ssr_load_urls.py: props encoded once with orjson, keep-alive). One
gunicorn serves both pages, so both sides share the same two cores; the Node server's share of
them is part of its side's cost, as it would be on such a host.

wrk (2 threads, 8 connections) on each page in turn, 3 rounds of 5 s (1 of 2 s with
``--quick``), the page that goes first alternating, after 2 s of warm-up on each; requests per
second and p99, medians over the rounds, ratios within each round.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from bench_browser import built, snapshot_builds
from benchlib import EXAMPLE, example_env, gunicorn_command, median, r, wrk

from django_duet.testing.servers import ServerProcess, free_port

HERE = Path(__file__).resolve().parent
PATHS = {"duet (V8 in Django)": "/ssr/", "Node server": "/ssr-node/"}
RENDER_TAG = '{% duet_render "ProductPage" props as page %}'


def node_template(folder: Path) -> Path:
    """The example's template of /ssr/ without its render tag: the view hands ``page`` in."""
    source = (EXAMPLE / "example" / "templates" / "example" / "ssr_product.html").read_text()
    if RENDER_TAG not in source:
        raise RuntimeError(f"the example's ssr_product.html no longer holds {RENDER_TAG}")
    folder.mkdir(parents=True)
    (folder / "ssr_node_product.html").write_text(source.replace(RENDER_TAG, ""))
    return folder


def main_part(html: str) -> str:
    found = re.search(r"<main.*?</main>", html, re.S)
    if not found or 'data-duet-ssr="ProductPage"' not in found.group(0):
        raise RuntimeError(f"no server-rendered product in the page: {html[:500]}")
    return found.group(0)


def run(quick: bool = False) -> dict[str, Any]:
    rounds, seconds = (1, 2.0) if quick else (3, 5.0)
    samples: dict[str, list[Any]] = {name: [] for name in PATHS}
    with tempfile.TemporaryDirectory(prefix="duet-bench-ssr-load-") as tmp:
        scratch = Path(tmp)
        snapshot_builds(scratch)  # the build stays put while others rebuild the example's
        env = example_env(scratch)
        record = json.loads(built(".vite/duet-ssr.json").read_text())
        bundle = built(record["file"])
        node_port, port = free_port(), free_port()
        node = ServerProcess(
            ["node", str(HERE / "ssr_load_node.mjs"), str(bundle), str(node_port)],
            port=node_port,
            env={"NODE_ENV": "production"},
            name="node render server",
        )
        site_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "ssr_load_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(EXAMPLE)]),
            "DUET_BENCH_SSR_TEMPLATES": str(node_template(scratch / "templates")),
            "DUET_BENCH_SSR_NODE_URL": node.url,
        }
        gunicorn = ServerProcess(
            gunicorn_command(port, workers=2),
            port=port,
            cwd=EXAMPLE,
            env=site_env,
            name="gunicorn (2 workers)",
        )
        with node, gunicorn:
            pages = {name: httpx.get(gunicorn.url + p, timeout=30) for name, p in PATHS.items()}
            for response in pages.values():
                response.raise_for_status()
            # The same page but for its own URL (the canonical link in the props).
            parts = {
                name: main_part(response.text.replace(PATHS[name], "/ssr/"))
                for name, response in pages.items()
            }
            if len(set(parts.values())) != 1:
                raise RuntimeError(f"the two pages differ: {parts}")
            for p in PATHS.values():  # warm-up: V8 contexts in both workers, Node's JIT
                wrk(gunicorn.url + p, threads=2, connections=8, seconds=2)
            order = list(PATHS)
            for turn in range(rounds):
                for name in order[turn % 2 :] + order[: turn % 2]:
                    found = wrk(
                        gunicorn.url + PATHS[name], threads=2, connections=8, seconds=seconds
                    )
                    if found.non_2xx_3xx or found.socket_errors:
                        raise RuntimeError(f"{name}: {found}")
                    samples[name].append(found)
    duet, node_side = samples["duet (V8 in Django)"], samples["Node server"]
    rps_ratios = [d.rps / n.rps for d, n in zip(duet, node_side, strict=True)]
    p99_ratios = [n.p99_ms / d.p99_ms for d, n in zip(duet, node_side, strict=True)]
    results: dict[str, Any] = {"rounds": rounds, "seconds": seconds, "connections": 8}
    for name, runs in samples.items():
        results[name] = {
            "rps": r(median([x.rps for x in runs]), 0),
            "rps_range": [r(min(x.rps for x in runs), 0), r(max(x.rps for x in runs), 0)],
            "p99_ms": r(median([x.p99_ms for x in runs]), 1),
            "p99_range_ms": [r(min(x.p99_ms for x in runs), 1), r(max(x.p99_ms for x in runs), 1)],
            "requests": sum(x.requests for x in runs),
        }
    results["rps_ratio_duet_over_node"] = r(median(rps_ratios), 2)
    results["p99_ratio_node_over_duet"] = r(median(p99_ratios), 2)
    results["goal_ge_1_0x"] = median(rps_ratios) >= 1.0 and median(p99_ratios) >= 1.0
    print(
        f"   rps {results['rps_ratio_duet_over_node']}x Node's,"
        f" p99 {results['p99_ratio_node_over_duet']}x (Node's / duet's)",
        flush=True,
    )
    return {"ssr_load": results}


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
