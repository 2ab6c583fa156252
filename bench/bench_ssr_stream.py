"""Streaming SSR (issue 23): the example's /ssr/stream/ streamed against the same page buffered.

ReviewsPage (example/frontend/src/ssr/ReviewsPage.tsx) renders a product at once and its
reviews behind a Suspense boundary that waits ``delay`` ms in V8 (a slow service). Streamed
(``StreamingPage``), the shell leaves when it is ready and the reviews when they come;
buffered (``?buffered=1``: the same render joined before it is sent, as any render that waits
for its data answers), everything leaves at the end. Measured over HTTP on gunicorn (gthread,
one worker), for each delay: the time to the first byte and to the chunk with the last
boundary (the reviews), medians of the rounds.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from benchlib import EXAMPLE, example_env, gunicorn_command, r

from django_duet.testing.servers import ServerProcess, free_port

DELAYS_MS = (200, 1000)
LAST = b"<strong>Grace</strong>"  # the last review: in the boundary's chunk


def fetch(client: httpx.Client, url: str) -> tuple[float, float]:
    """Seconds to the first byte and to the chunk holding the last boundary."""
    started = time.perf_counter()
    first = last = 0.0
    with client.stream("GET", url) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            now = time.perf_counter() - started
            if not first:
                first = now
            if LAST in chunk and not last:
                last = now
    if not last:
        raise RuntimeError(f"{url}: the reviews never came (the boundary fell back)")
    return first, last


def measure(client: httpx.Client, url: str, rounds: int) -> dict[str, float]:
    times = [fetch(client, url) for _ in range(rounds)]
    return {
        "ttfb_ms": r(statistics.median(t[0] for t in times) * 1000, 1),
        "last_boundary_ms": r(statistics.median(t[1] for t in times) * 1000, 1),
    }


def run(quick: bool) -> dict[str, Any]:
    rounds = 3 if quick else 10
    results: dict[str, Any] = {}
    setup = (
        f"gunicorn gthread, 1 worker x 2 threads, the example's /ssr/stream/ over HTTP on "
        f"127.0.0.1, {rounds} rounds per figure (medians)"
    )
    with tempfile.TemporaryDirectory(prefix="duet-bench-stream-") as scratch:
        env = example_env(Path(scratch))
        port = free_port()
        command = gunicorn_command(port, workers=1, threads=2, klass="gthread")
        server = ServerProcess(command, port=port, cwd=EXAMPLE, env=env, name="gunicorn-stream")
        with server, httpx.Client(base_url=server.url, timeout=30) as client:
            for _ in range(3):  # both threads' V8 contexts, created and loaded
                fetch(client, "/ssr/stream/?delay=10")
                fetch(client, "/ssr/stream/?delay=10&buffered=1")
            for delay in DELAYS_MS:
                streamed = measure(client, f"/ssr/stream/?delay={delay}", rounds)
                buffered = measure(client, f"/ssr/stream/?delay={delay}&buffered=1", rounds)
                results[f"ssr_stream_{delay}ms"] = {
                    "streamed_ttfb_ms": streamed["ttfb_ms"],
                    "streamed_last_boundary_ms": streamed["last_boundary_ms"],
                    "buffered_ttfb_ms": buffered["ttfb_ms"],
                    "buffered_last_boundary_ms": buffered["last_boundary_ms"],
                    "setup": setup,
                }
    return results
