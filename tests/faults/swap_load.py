"""Load with faults: gunicorn serves pages while new builds are swapped in; count what breaks.

Each client connection loops: GET the page, check it names one build (and that build's id in
its meta tag and X-Duet-Build header), then GET every asset the page names. A 5xx, a
transport error, a page mixing builds or an asset that is not there is a failure. Used by
tests/faults/test_swap_load.py (short) and bench/soak_swap.py (``make soak``: 60 s, 64
connections, a new build every 5 s).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from django_duet.testing.servers import ServerProcess, free_port

from .builds import asset_urls, build_meta, builds_in, manifest_text, publish

ROOT = Path(__file__).resolve().parents[2]
MAX_LOOPS_PER_CONNECTION = 1_000_000


@dataclass
class Report:
    pages: int = 0
    assets: int = 0
    builds_published: int = 0
    builds_seen: set[int] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, kind: str, detail: str) -> None:
        self.failures[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {detail}")

    @property
    def ok(self) -> bool:
        return not self.failures and self.pages > 0

    def summary(self) -> str:
        rate = (self.pages + self.assets) / self.seconds if self.seconds else 0.0
        lines = [
            f"{self.pages} pages, {self.assets} assets in {self.seconds:.1f} s "
            f"({rate:.0f} requests/s); {self.builds_published} builds published, "
            f"{len(self.builds_seen)} seen in pages",
            "failures: " + (", ".join(f"{k}={v}" for k, v in self.failures.items()) or "none"),
            *self.examples,
        ]
        return "\n".join(lines)


def _connection(
    url: str, ids: dict[int, str], report: Report, lock: threading.Lock, stop: threading.Event
) -> None:
    with httpx.Client(base_url=url, timeout=10.0) as client:
        for _ in range(MAX_LOOPS_PER_CONNECTION):
            if stop.is_set():
                return
            try:
                response = client.get("/")
            except httpx.HTTPError as exc:
                with lock:
                    report.fail("transport", repr(exc))
                continue
            html = response.text
            builds = builds_in(html)
            with lock:
                report.pages += 1
                if response.status_code >= 500:
                    report.fail("5xx", f"/ answered {response.status_code}")
                    continue
                if len(builds) != 1:
                    report.fail("mixed builds", f"page names builds {sorted(builds)}")
                    continue
                [n] = builds
                report.builds_seen.add(n)
                meta, header = build_meta(html), response.headers.get("X-Duet-Build")
                if meta != ids.get(n) or header != meta:
                    report.fail("build id", f"build {n}: meta {meta}, header {header}")
            for asset in asset_urls(html):
                try:
                    got = client.get(asset)
                except httpx.HTTPError as exc:
                    with lock:
                        report.fail("transport", repr(exc))
                    continue
                with lock:
                    report.assets += 1
                    if got.status_code != 200:
                        report.fail(f"asset {got.status_code}", asset)


def run(
    *,
    seconds: float,
    connections: int,
    swap_every: float,
    mode: str = "reload",
    workers: int = 2,
) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="duet-swap-") as scratch:
        build_dir = Path(scratch) / "dist"
        ids = {1: _id(publish(build_dir, 1))}
        report.builds_published = 1
        port = free_port()
        threads_per_worker = max(1, -(-connections // workers))
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "django.core.wsgi:get_wsgi_application()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads_per_worker),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "5",
        ]
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.faults.swap_site",
            "DUET_SWAP_BUILD_DIR": str(build_dir),
            "DUET_SWAP_MODE": mode,
            "PYTHONPATH": str(ROOT),
        }
        with ServerProcess(
            command, port=port, cwd=ROOT, env=env, ready_path="/health", name="gunicorn-swap"
        ) as server:
            stop, lock = threading.Event(), threading.Lock()
            clients = [
                threading.Thread(target=_connection, args=(server.url, ids, report, lock, stop))
                for _ in range(connections)
            ]
            started = time.monotonic()
            for thread in clients:
                thread.start()
            n = 1
            while time.monotonic() - started < seconds:
                stop.wait(min(swap_every, max(0.0, seconds - (time.monotonic() - started))))
                if time.monotonic() - started >= seconds:
                    break
                n += 1
                with lock:  # known before any page can name it
                    ids[n] = _id(manifest_text(n))
                publish(build_dir, n)
                with lock:
                    report.builds_published += 1
            stop.set()
            for thread in clients:
                thread.join(30)
            report.seconds = time.monotonic() - started
    return report


def _id(manifest_text: str) -> str:
    return hashlib.sha256(manifest_text.encode()).hexdigest()[:16]
