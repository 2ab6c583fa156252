"""A cold development page of a generated app with 500 source modules (issue 21), in Chromium,
through Django's origin, from Django with the modules straight from Vite (``DEV_ASSETS =
"direct"``), and straight from Vite, in the same run.

``manage.py duet dev`` runs the example on scratch copies of its frontends (runserver, then
``--asgi``: uvicorn), with 500 generated TSX modules in ``src/gen/`` (a tree: module k imports
modules 5k+1 to 5k+5, five levels deep, each a small component and a number) imported by the
island entry, which records when the whole graph has run. The page through Django is ``/``;
straight from Vite, the same markup as an HTML file Vite serves on its own port
(devlib.vite_copy_of_page). Every module is a request of its own, as in any Vite development
page: through Django, each one passes the dev proxy. The direct page is the same ``/`` from a
second Django server on the same Vite (devlib.duet_dev) whose tags name Vite's origin: the page
and a few assets from Django, the module graph from Vite (``*_django_requests`` counts the
requests that reached a Django port).

Measured per visit, in the page: ``performance.now()`` when the entry has run with all 500
modules (``cold``: a new browser context, an empty cache), then the same after ``reload`` in
that context (Vite answers each module 304 to the browser's revalidation). One unmeasured visit
per origin first (Vite's transforms and dependency optimizer), then 5 rounds (1 with
``--quick``), the origins taking turns going first.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchlib import median, r
from devlib import chromium, duet_dev, vite_copy_of_page

MODULES = 500
FANOUT = 5
ISLAND = Path("src") / "island.tsx"


def generate(frontend: Path) -> None:
    """``src/gen/m0.tsx`` ... ``m499.tsx``, and the island entry importing ``m0``."""
    folder = frontend / "src" / "gen"
    folder.mkdir()
    for k in range(MODULES):
        kids = [c for c in range(FANOUT * k + 1, FANOUT * k + FANOUT + 1) if c < MODULES]
        lines = [f'import {{ n as n{c}, M{c} }} from "./m{c}";' for c in kids]
        total = " + ".join(["1", *(f"n{c}" for c in kids)])
        inner = "".join(f"<M{c} />" for c in kids)
        lines += [
            f"export const n: number = {total};",
            f"export function M{k}() {{",
            f'  return <span data-gen="{k}">{{n}}{inner}</span>;',
            "}",
        ]
        (folder / f"m{k}.tsx").write_text("\n".join(lines) + "\n")
    island = frontend / ISLAND
    island.write_text(
        'import { n as generated } from "./gen/m0";\n'
        + island.read_text()
        + "\n(window as any).__duetGen = { modules: generated, at: performance.now() };\n"
    )


def visit(page: Any, action: Any, problems: list[str]) -> float:
    action()
    try:
        page.wait_for_function("() => window.__duetGen", timeout=120_000)
    except Exception as missing:  # Playwright's TimeoutError: say what the page met
        raise RuntimeError(f"the generated modules never ran: {problems[-10:]}") from missing
    found = page.evaluate("() => window.__duetGen")
    if found["modules"] != MODULES:
        raise RuntimeError(f"{found['modules']} generated modules ran, not {MODULES}")
    page.wait_for_selector("[data-testid=island-greeting]", timeout=30_000)
    return float(found["at"])


def load(browser: Any, url: str, django_ports: tuple[str, ...]) -> dict[str, float]:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda req: problems.append(f"{req.url}: {req.failure}"))
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on(
        "response",
        lambda res: res.status >= 400 and problems.append(f"{res.url}: {res.status}"),
    )
    try:
        cold = visit(page, lambda: page.goto(url, wait_until="load", timeout=120_000), problems)
        cold_requests = len(requests)
        to_django = sum(1 for u in requests if urlsplit(u).netloc.endswith(django_ports))
        reload = visit(page, lambda: page.reload(wait_until="load", timeout=120_000), problems)
    finally:
        context.close()
    return {"cold": cold, "reload": reload, "requests": cold_requests, "django_requests": to_django}


def measure(mode: str, rounds: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    samples: dict[str, list[dict[str, float]]] = {"django": [], "direct": [], "vite": []}
    with (
        tempfile.TemporaryDirectory(prefix="duet-bench-cold-") as tmp,
        duet_dev(Path(tmp), mode, prepare=generate) as dev,
        sync_playwright() as playwright,
    ):
        urls = {
            "django": dev.django + "/",
            "direct": dev.direct + "/",
            "vite": vite_copy_of_page(dev, "/", "bench.html"),
        }
        ports = tuple(f":{urlsplit(url).port}" for url in (dev.django, dev.direct))
        browser: Any = chromium(playwright)
        try:
            for url in urls.values():  # warm-up: Vite transforms the modules once
                load(browser, url, ports)
            order = list(urls)
            for turn in range(rounds):
                for name in order[turn % 3 :] + order[: turn % 3]:
                    samples[name].append(load(browser, urls[name], ports))
        finally:
            browser.close()
    out: dict[str, Any] = {
        "server": "uvicorn" if mode == "asgi" else "runserver",
        "modules": MODULES,
        "visits": len(samples["django"]),
    }
    for name, runs in samples.items():
        out[f"{name}_requests"] = int(median([run["requests"] for run in runs]))
        out[f"{name}_django_requests"] = int(median([run["django_requests"] for run in runs]))
        for key in ("cold", "reload"):
            values = [run[key] for run in runs]
            out[f"{name}_{key}_ms"] = r(median(values), 0)
            out[f"{name}_{key}_range_ms"] = [r(min(values), 0), r(max(values), 0)]
    for key in ("cold", "reload"):
        out[f"{key}_ratio"] = r(out[f"django_{key}_ms"] / out[f"vite_{key}_ms"], 2)
        out[f"direct_{key}_ratio"] = r(out[f"direct_{key}_ms"] / out[f"vite_{key}_ms"], 2)
    out["goal_cold_le_1_3x"] = out["cold_ratio"] <= 1.3
    out["goal_cold_direct_le_1_3x"] = out["direct_cold_ratio"] <= 1.3
    return out


def run(quick: bool = False) -> dict[str, dict[str, Any]]:
    rounds = 1 if quick else 5
    results = {}
    for mode in ("runserver", "asgi"):
        results[f"dev_cold_{mode}"] = f = measure(mode, rounds)
        print(f"   {mode}: cold {f['django_cold_ms']} / {f['vite_cold_ms']} ms = {f['cold_ratio']},"
              f" reload {f['django_reload_ms']} / {f['vite_reload_ms']} ms = {f['reload_ratio']};"
              f" direct: cold {f['direct_cold_ms']} ms = {f['direct_cold_ratio']},"
              f" reload {f['direct_reload_ms']} ms = {f['direct_reload_ratio']}",
              flush=True)  # fmt: skip
    return results


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
