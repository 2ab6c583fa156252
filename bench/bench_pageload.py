"""Page load: the example page `/` with the production build (gunicorn gthread serving static
files through DuetStaticMiddleware), in headless Chromium, watched through the DevTools
protocol: requests, bytes, and the longest chain of dependent requests, cold and warm.

A request's depth is 1 when the document's parser asked for it (a script, a modulepreload, a
stylesheet), and one more than the script that asked for it otherwise. With every static import
preloaded, nothing is deeper than 1: the browser fetches the whole module graph in one wave.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchlib import EXAMPLE, example_env, gunicorn_command, median, r

from django_duet.pytest_plugin import CI_CHROMIUM_FLAGS, find_chromium
from django_duet.testing.servers import ServerProcess, free_port


class Recorder:
    """Network events of one navigation, from a CDP session."""

    def __init__(self, cdp: Any) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def reset(self) -> None:
        self.requests.clear()

    def _sent(self, event: dict[str, Any]) -> None:
        initiator = event.get("initiator", {})
        url = initiator.get("url")
        frames = initiator.get("stack", {}).get("callFrames", [])
        if not url and frames:
            url = frames[0].get("url")
        self.requests[event["requestId"]] = {
            "url": event["request"]["url"],
            "type": event.get("type"),
            "initiator_type": initiator.get("type"),
            "initiator": url,
            "bytes": 0,
            "cached": False,
            "status": None,
        }

    def _cached(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]]["cached"] = True

    def _response(self, event: dict[str, Any]) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            response = event["response"]
            found["status"] = response.get("status")
            if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
                found["cached"] = True

    def _finished(self, event: dict[str, Any]) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found["bytes"] = int(event.get("encodedDataLength", 0))

    def summary(self, page_url: str) -> dict[str, Any]:
        by_url = {v["url"]: v for v in self.requests.values()}
        depth: dict[str, int] = {page_url: 0}

        def depth_of(url: str, seen: frozenset[str] = frozenset()) -> int:
            if url in depth:
                return depth[url]
            found = by_url.get(url)
            parent = found["initiator"] if found else None
            if parent is None or parent in seen or parent == url:
                value = 1
            else:
                value = depth_of(parent, seen | {url}) + 1
            depth[url] = value
            return value

        assets = [v for v in self.requests.values() if v["url"] != page_url]
        network = [v for v in self.requests.values() if not v["cached"]]
        deep = sorted({v["url"].rsplit("/", 1)[-1] for v in assets if depth_of(v["url"]) > 1})
        return {
            "requests": len(self.requests),
            "network_requests": len(network),
            "from_cache": len(self.requests) - len(network),
            "kb_transferred": r(sum(v["bytes"] for v in network) / 1024, 1),
            "longest_chain": max((depth_of(v["url"]) for v in assets), default=0),
            "deeper_than_1": ", ".join(deep) or "none",
            "statuses": sorted({v["status"] for v in self.requests.values() if v["status"]}),
        }


def load(page: Any, recorder: Recorder, url: str) -> tuple[dict[str, Any], float]:
    recorder.reset()
    page.goto(url, wait_until="networkidle")
    timing = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )
    return recorder.summary(url), float(timing)


def run(quick: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium: `make system-deps` installs Debian's chromium")
    rounds = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="duet-bench-page-") as tmp:
        env = example_env(Path(tmp))
        port = free_port()
        command = gunicorn_command(port, workers=2, threads=4, klass="gthread")
        with ServerProcess(command, port=port, cwd=EXAMPLE, env=env, name="gunicorn") as server, \
                sync_playwright() as playwright:  # fmt: skip
            browser = playwright.chromium.launch(
                executable_path=executable, args=list(CI_CHROMIUM_FLAGS), headless=True
            )
            try:
                cold, warm, cold_ms, warm_ms = [], [], [], []
                for _ in range(rounds):
                    context = browser.new_context()  # an empty cache
                    page = context.new_page()
                    recorder = Recorder(context.new_cdp_session(page))
                    summary, ms = load(page, recorder, server.url + "/")
                    cold.append(summary)
                    cold_ms.append(ms)
                    summary, ms = load(page, recorder, server.url + "/")
                    warm.append(summary)
                    warm_ms.append(ms)
                    context.close()
            finally:
                browser.close()
    results = {}
    for name, runs, times in (("cold", cold, cold_ms), ("warm", warm, warm_ms)):
        figures = dict(runs[-1])
        figures["load_event_ms"] = r(median(times), 1)
        figures["rounds"] = rounds
        results[f"pageload_{name}"] = figures
    results["pageload_cold"]["goal_chain_1"] = all(
        x["requests"] > 1 and x["longest_chain"] == 1 for x in cold
    )
    print(
        f"   cold: {results['pageload_cold']['requests']} requests, "
        f"{results['pageload_cold']['kb_transferred']} KB, chain "
        f"{results['pageload_cold']['longest_chain']}; warm: "
        f"{results['pageload_warm']['network_requests']} from the network",
        flush=True,
    )
    return results


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
