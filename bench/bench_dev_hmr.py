"""Development speed as users feel it (issue 21): from saving a component to the new DOM in
Chromium, through Django's origin, from Django with the modules and the HMR socket straight on
Vite (``DEV_ASSETS = "direct"``), and straight from Vite, in the same run.

``manage.py duet dev`` runs the example on scratch copies of its frontends, under runserver (the
HMR socket goes to Vite's port, the updated module through Django) and under ``--asgi``
(uvicorn: the socket through Django too). Django's ``/`` is the page through Django; the same
markup written into the frontend as an HTML file that Vite serves on its own port is the page
straight from Vite (devlib.vite_copy_of_page); the direct page is ``/`` from a second Django
server on the same Vite whose tags name Vite's origin (devlib.duet_dev), so the Vite client,
the updated module and the HMR socket all go to Vite's port. Each save rewrites
``Greeting.tsx`` with a new text in the greeting, in one write(2) (see ``Saver.write``); the
time runs from just before the write (Python's clock) to the moment a MutationObserver in the
page sees the new text (the page's ``performance.timeOrigin + performance.now()``: the same
wall clock on one machine). React Fast Refresh applies it in place (checked: no reload).
``phases_ms`` splits each origin's saves into the watcher, Vite's client, the module's fetch
and the refresh (see ``PHASES``).

Per mode: one unmeasured save per origin first (the watcher and Vite's first transform), then
5 rounds (1 with ``--quick``), each a fresh page per origin (the origins taking turns going
first) with 3 saves. A save the watcher misses (nothing after 15 s) is written again and counted
in ``missed``, not timed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import median, r
from devlib import chromium, duet_dev, vite_copy_of_page

GREETING = Path("src") / "components" / "Greeting.tsx"
ORIGINAL = "Hello, {name}!"
SAVES_PER_PAGE = 3
# The page's clock: the wall clock with performance.now()'s resolution (Date.now() has 1 ms).
# Besides the new text's moment, it notes where a save's time goes in the browser: the HMR
# socket's "update" message, and the updated module's fetch (Resource Timing), so that the
# benchmark can say which phase separates one origin from another (``phases``).
WATCH = """
const now = () => performance.timeOrigin + performance.now();
window.__shown = {};
window.__updates = [];
window.__modules = [];
new MutationObserver(() => {
  const el = document.querySelector('[data-testid=island-greeting]');
  if (el && !(el.textContent in window.__shown)) window.__shown[el.textContent] = now();
}).observe(document, {subtree: true, childList: true, characterData: true});
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);  // this listener comes before Vite's client's: the message's arrival
    this.addEventListener('message', (event) => {
      if (String(event.data).includes('"type":"update"')) window.__updates.push(now());
    });
  }
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.name.includes('Greeting.tsx') && entry.name.includes('t=')) {
      window.__modules.push([entry.startTime, entry.responseStart, entry.responseEnd]
        .map((t) => performance.timeOrigin + t));
    }
  }
}).observe({type: 'resource', buffered: true});
"""
# A save's phases: the write to the socket's message (Vite's watcher; under --asgi Django's
# relay too), the message to the module's request (Vite's client), the request (the proxy, or
# Vite straight), and the module's arrival to the new DOM (evaluation, React Refresh, render).
PHASES = ("watch_ms", "client_ms", "fetch_ms", "refresh_ms")


class Saver:
    """Writes the component with a new greeting each time: ``Hello, Django! #n``."""

    def __init__(self, frontend: Path) -> None:
        self.source = frontend / GREETING
        self.text = self.source.read_text()
        if ORIGINAL not in self.text:
            raise RuntimeError(f"{self.source} no longer says {ORIGINAL!r}")
        self.count = 0
        self.missed = 0
        self.last_phases: dict[str, float] | None = None

    def current(self) -> str:
        return f"Hello, Django! #{self.count:04d}" if self.count else "Hello, Django!"

    def write(self, text: str) -> None:
        """One write(2) of the whole file, never shorter than before, no truncation first: a
        watcher that reads at once never sees a half-written or empty module (Fast Refresh
        would then give up: 'export "Greeting" removed', and the page reloads)."""
        data = text.encode()
        fd = os.open(self.source, os.O_WRONLY)
        try:
            if os.fstat(fd).st_size > len(data) or os.write(fd, data) != len(data):
                raise RuntimeError(f"{self.source}: a save must not shrink the file")
        finally:
            os.close(fd)

    def save(self, page: Any) -> float:
        """Milliseconds from the write to the new text in ``page``'s DOM."""
        self.count += 1
        expected = self.current()
        text = self.text.replace(ORIGINAL, ORIGINAL + f" #{self.count:04d}")
        for attempt in range(3):
            started = time.time() * 1000
            self.write(text)
            try:
                page.wait_for_function(f"() => {expected!r} in window.__shown", timeout=15_000)
            except Exception:  # Playwright's TimeoutError: the watcher missed the write
                if attempt == 2:
                    raise
                self.missed += 1
                continue
            self.last_phases = self._phases(page, expected, started)
            return float(page.evaluate(f"() => window.__shown[{expected!r}]")) - started
        raise AssertionError("unreachable")

    @staticmethod
    def _phases(page: Any, expected: str, started: float) -> dict[str, float] | None:
        """This save's phases from the page's notes (None when a note is missing, e.g. a
        message or fetch that came before the write was retried)."""
        shown, updates, modules = page.evaluate(
            f"() => [window.__shown[{expected!r}], window.__updates, window.__modules]"
        )
        update = next((t for t in updates if t >= started), None)
        module = next((m for m in modules if update is not None and m[0] >= update), None)
        if update is None or module is None or not module[2]:
            return None
        return {
            "watch_ms": update - started,
            "client_ms": module[0] - update,
            "fetch_ms": module[2] - module[0],
            "refresh_ms": shown - module[2],
        }


def open_page(browser: Any, url: str, saver: Saver) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(url, wait_until="load", timeout=60_000)
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=island-greeting]')?.textContent"
        f" === {saver.current()!r}",
        timeout=30_000,
    )
    deadline = time.monotonic() + 20
    while not any("[vite] connected" in m for m in messages):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the HMR client never connected at {url}: {messages}")
        page.wait_for_timeout(50)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.messages = messages  # type: ignore[attr-defined]
    return context, page


def measure(mode: str, rounds: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"django": [], "direct": [], "vite": []}
    phases: dict[str, list[dict[str, float]]] = {name: [] for name in times}
    with (
        tempfile.TemporaryDirectory(prefix="duet-bench-hmr-") as tmp,
        duet_dev(Path(tmp), mode) as dev,
        sync_playwright() as playwright,
    ):
        urls = {
            "django": dev.django + "/",
            "direct": dev.direct + "/",
            "vite": vite_copy_of_page(dev, "/", "bench.html"),
        }
        saver = Saver(dev.frontend)
        browser: Any = chromium(playwright)
        try:
            for url in urls.values():  # warm-up: not timed
                context, page = open_page(browser, url, saver)
                saver.save(page)
                context.close()
            order = list(urls)
            for turn in range(rounds):
                for name in order[turn % 3 :] + order[: turn % 3]:
                    context, page = open_page(browser, urls[name], saver)
                    for _ in range(SAVES_PER_PAGE):
                        times[name].append(saver.save(page))
                        if saver.last_phases is not None:
                            phases[name].append(saver.last_phases)
                        page.wait_for_timeout(300)  # let Vite and the page settle
                    if page.evaluate("() => window.__sameDocument") is not True:
                        raise RuntimeError(
                            f"{name}: a save reloaded the page (no Fast Refresh):"
                            f" {page.messages[-12:]}"
                        )
                    context.close()
        finally:
            browser.close()
    d, v = median(times["django"]), median(times["vite"])
    direct = median(times["direct"])
    return {
        "server": "uvicorn" if mode == "asgi" else "runserver",
        "hmr_socket": "through Django" if mode == "asgi" else "Vite's port",
        "saves": len(times["django"]),
        "missed": saver.missed,
        "django_ms": r(d, 1),
        "django_range_ms": [r(min(times["django"]), 1), r(max(times["django"]), 1)],
        "vite_ms": r(v, 1),
        "vite_range_ms": [r(min(times["vite"]), 1), r(max(times["vite"]), 1)],
        "ratio": r(d / v, 2),
        "goal_le_1_1x": d / v <= 1.1,
        "direct_ms": r(direct, 1),
        "direct_range_ms": [r(min(times["direct"]), 1), r(max(times["direct"]), 1)],
        "direct_ratio": r(direct / v, 2),
        "goal_direct_le_1_1x": direct / v <= 1.1,
        "phases_ms": {name: phase_medians(notes) for name, notes in phases.items()},
    }


def phase_medians(notes: list[dict[str, float]]) -> dict[str, float]:
    """Each phase's median over the saves whose notes are complete (``saves``: how many)."""
    figures = {phase: r(median([n[phase] for n in notes]), 1) for phase in PHASES} if notes else {}
    return {**figures, "saves": len(notes)}


def run(quick: bool = False) -> dict[str, dict[str, Any]]:
    rounds = 1 if quick else 5
    results = {}
    for mode in ("runserver", "asgi"):
        results[f"dev_hmr_{mode}"] = figures = measure(mode, rounds)
        print(f"   {mode}: django {figures['django_ms']} ms, vite {figures['vite_ms']} ms,"
              f" ratio {figures['ratio']}; direct {figures['direct_ms']} ms,"
              f" ratio {figures['direct_ratio']}", flush=True)  # fmt: skip
        for origin, medians in figures["phases_ms"].items():
            print(f"     {origin} phases: {medians}", flush=True)
    return results


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
