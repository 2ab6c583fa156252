"""Server-side rendering (issue 6): {% duet_render %} in V8 against Node, in the same run.

The components are tests/fixtures/ssr-react (React 19), built with duet() + duetSsr(). Compared:
- a 1,000-row table through ``render_component`` (props JSON included) vs Node's in-process
  ``renderToString`` (JSON.parse of the same props included; timed in turn with Django's, round
  by round) vs Django asking a Node render server over HTTP (keep-alive, the props encoded with
  orjson as ``render_component`` does; the usual "Node sidecar"), timed in the same rounds;
- a small component's per-render cost, with mini-racer's plain call as the baseline;
- the resident memory a worker gains: one context (after 3 renders and after 100), and four
  (a 4-thread gthread worker).
The Python side runs in a fresh process (bench/ssr_worker.py) so that its RSS is the worker's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchlib import FRONTEND, ROOT, r

from django_duet.testing.servers import ServerProcess, free_port

HERE = Path(__file__).resolve().parent
PROJECT = ROOT / "tests" / "fixtures" / "ssr-react"
PACKAGE = ROOT / "js"
GOAL_SMALL_MS = 0.2
GOAL_RSS_MB = 60.0


def build(scratch: Path) -> tuple[Path, Path]:
    root = scratch / "project"
    shutil.copytree(PROJECT, root)
    (root / "node_modules").symlink_to(FRONTEND / "node_modules", target_is_directory=True)
    (root / "package.json").write_text('{"private": true, "type": "module"}\n')
    subprocess.run(
        ["node", "build.mjs", str(root), str(PACKAGE)], cwd=root, check=True, timeout=300
    )
    record = json.loads((root / "dist" / ".vite" / "duet-ssr.json").read_text())
    return root, root / "dist" / record["file"]


def write_jobs(root: Path) -> Path:
    """The props of Node's renders (ssr_node.mjs pipe): the same as Django's, as JSON text."""
    big = json.dumps(
        {
            "rows": [
                {"id": i, "name": f"Item {i} <b>&", "price": i * 1.25, "tags": ["a", f"t{i % 7}"]}
                for i in range(1000)
            ]
        }
    )
    jobs = {
        "big": {"name": "Table", "json": big},
        "small": {"name": "Small", "json": '{"name":"Ada"}'},
    }
    jobs_file = root / "jobs.json"
    jobs_file.write_text(json.dumps(jobs))
    return jobs_file


def forked_worker(bundle: Path, preload: bool) -> dict[str, float]:
    """The memory one context adds to a worker forked from a master (ssr_worker.py fork)."""
    args = [sys.executable, str(HERE / "ssr_worker.py"), "fork", str(bundle), str(int(preload))]
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=300)
    found: dict[str, float] = json.loads(done.stdout)
    return found


def run(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="duet-bench-ssr-") as tmp:
        root, bundle = build(Path(tmp))
        jobs = write_jobs(root)
        port = free_port()
        command = ["node", str(HERE / "ssr_node.mjs"), "serve", str(root), str(port)]
        node_env = {"NODE_ENV": "production"}
        with ServerProcess(command, port=port, env=node_env, name="node-render-server") as server:
            done = subprocess.run(
                [
                    sys.executable,
                    str(HERE / "ssr_worker.py"),
                    str(bundle),
                    server.url,
                    "1" if quick else "0",
                    str(root),
                    str(jobs),
                ],
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            )
        py = json.loads(done.stdout)
        forked = {preload: forked_worker(bundle, preload) for preload in (False, True)}
    big = {
        "duet_render_ms": r(py["big_duet_render_ms"], 3),
        "node_in_process_ms": r(py["big_node_ms"], 3),
        "node_http_ms": r(py["big_node_http_ms"], 3),
        # The median of the ratios of interleaved rounds (see ssr_worker.py).
        "ratio_vs_node_in_process": r(py["big_ratio_vs_node"]),
        # The same after 100 renders on each side (JIT done): a busy worker's figures.
        "steady_duet_render_ms": r(py["steady_duet_render_ms"], 3),
        "steady_node_in_process_ms": r(py["steady_node_ms"], 3),
        "steady_ratio_vs_node_in_process": r(py["steady_ratio_vs_node"]),
        # Within each round too: the sidecar runs in the same rounds (ssr_worker.interleaved).
        "ratio_vs_node_http": r(py["big_ratio_vs_node_http"]),
        "steady_node_http_ms": r(py["steady_node_http_ms"], 3),
        "steady_ratio_vs_node_http": r(py["steady_ratio_vs_node_http"]),
        "html_bytes": py["big_html_bytes"],
    }
    small = {
        "duet_render_ms": r(py["small_duet_render_ms"], 4),
        "plain_mini_racer_call_ms": r(py["small_plain_mini_racer_ms"], 4),
        "plain_mini_racer_noop_ms": r(py["noop_plain_mini_racer_ms"], 4),
        "node_in_process_ms": r(py["small_node_ms"], 4),
        "node_http_ms": r(py["small_node_http_ms"], 4),
        "ratio_vs_plain_mini_racer": r(
            py["small_duet_render_ms"] / py["small_plain_mini_racer_ms"]
        ),
        "ratio_vs_node_http": r(py["small_ratio_vs_node_http"]),
        "fast_path": py["engine_fast_path"],
        "goal_ms": GOAL_SMALL_MS,
        "goal_met": py["small_duet_render_ms"] <= GOAL_SMALL_MS,
    }
    # RSS counts the V8 library's code pages (about 40 MB, file-backed): shared by the workers
    # of one server, they are not paid again per worker; private dirty memory is.
    memory = {
        "rss_added_one_context_mb": r(py["rss_added_one_context_mb"], 1),
        "rss_added_four_contexts_mb": r(py["rss_added_four_contexts_mb"], 1),
        "private_dirty_added_one_context_mb": r(py["dirty_added_one_context_mb"], 1),
        "private_dirty_added_four_contexts_mb": r(py["dirty_added_four_contexts_mb"], 1),
        # After 100 renders: V8's young generation has grown to its working size by then.
        "rss_added_one_context_after_100_renders_mb": r(py["rss_added_one_context_steady_mb"], 1),
        "private_dirty_added_one_context_after_100_renders_mb": r(
            py["dirty_added_one_context_steady_mb"], 1
        ),
        # A prefork server's worker (gunicorn): forked from a master that preloaded mini-racer's
        # library (docs/ssr.md) or not; one context, after 3 renders and after 100.
        "forked_worker_rss_added_mb": r(forked[False]["rss_added_mb"], 1),
        "forked_worker_rss_added_preloaded_mb": r(forked[True]["rss_added_mb"], 1),
        "forked_worker_private_dirty_added_preloaded_mb": r(forked[True]["dirty_added_mb"], 1),
        "forked_worker_rss_added_preloaded_after_100_renders_mb": r(
            forked[True]["rss_added_steady_mb"], 1
        ),
        "forked_worker_rss_added_after_100_renders_mb": r(forked[False]["rss_added_steady_mb"], 1),
        "goal_mb": GOAL_RSS_MB,
        "goal_met_rss": py["rss_added_one_context_mb"] <= GOAL_RSS_MB,
        "goal_met_rss_preforked_worker": forked[True]["rss_added_mb"] <= GOAL_RSS_MB,
        "goal_met_private_dirty": py["dirty_added_one_context_mb"] <= GOAL_RSS_MB,
    }
    return {"ssr_1000_rows": big, "ssr_small_component": small, "ssr_memory": memory}


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
