"""Pages as users feel them (issue 21): the example in Chromium with the DevTools protocol's
network and CPU emulation, a fast and a slow mobile profile, against django-vite on the same
build and an ideal page served by nginx.

Sites, each on its own gunicorn (gthread, 2 x 4) over one collected build:
- ``duet``: the example with ``LinkHeaderMiddleware`` (its default: the stylesheets) and
  ``DUET["PREFETCH"] = "waterfall"``;
- ``django-vite``: the same pages tagged by django-vite 3.2 (``{% vite_asset %}``; the React
  Router section a template with ``{% vite_asset "index.html" %}``);
- ``ideal``: nginx serving the pages as files (duet's HTML of ``/``; the SPA shell with every
  file of the deep-linked route preloaded) with the security headers of duet's answers
  (Django's ``Cross-Origin-Opener-Policy`` among them: in Chromium it makes a cold navigation
  wait for a new renderer process, 20-35 ms here, whoever serves the page), the API proxied to
  the duet site. Until session 12 the ideal page sent none of them.

After one unmeasured visit of every scenario per site (the servers' first answers), measured
per profile, 6 rounds (1 with ``--quick``; each site first in two of them), each
visit in a new browser context (3 rounds until session 11: too few for a 10 % goal when one
site's visits of a page spread 200 ms on 400):
- cold ``/`` (the island page) and warm ``/`` (again in that context): first contentful paint,
  largest contentful paint, and the time until the island's greeting is in the DOM;
- a deep link ``/app/about`` (cold): until the About page's title is there;
- a navigation to the lazy About route: ``/app/`` loaded, 2 s for the reader, then a click on
  "About": from the click until the About title is there.

Every time is read in the page (``performance.now()`` by a MutationObserver installed before any
script), not by the driver.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from benchlib import BENCH_DEPS, EXAMPLE, example_env, gunicorn_command, median, r

from django_duet.pytest_plugin import CI_CHROMIUM_FLAGS, find_chromium
from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import ServerProcess, free_port

HERE = Path(__file__).resolve().parent
SITES = ("duet", "django-vite", "ideal")
# Chrome DevTools' throttling: RTT in ms, throughput in bytes/s, CPU slowdown.
PROFILES = {
    "fast mobile": {"latency": 40, "down": 10_000_000 / 8, "up": 5_000_000 / 8, "cpu": 2},
    "slow mobile": {"latency": 150, "down": 1_600_000 / 8, "up": 750_000 / 8, "cpu": 4},
}
ROUNDS = 6  # a multiple of the three sites: each goes first equally often
READER_PAUSE_MS = 2000  # between the SPA's load and the click on the lazy route

# Records when the awaited elements appear, before any script of the page runs.
WATCH = """
window.__ready = {};
new MutationObserver(() => {
  const now = performance.now();
  if (!window.__ready.greeting && document.querySelector('[data-testid=island-greeting]'))
    window.__ready.greeting = now;
  const title = document.querySelector('[data-testid=page-title]');
  if (title && !window.__ready[title.textContent]) window.__ready[title.textContent] = now;
}).observe(document, {subtree: true, childList: true, characterData: true});
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__lcp = e.startTime;
}).observe({type: 'largest-contentful-paint', buffered: true});
"""
PAINTS = """() => ({
  fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null,
  lcp: window.__lcp || null,
})"""


FRONTEND_VARIABLES = {
    "frontend": "DUET_EXAMPLE_FRONTEND_DIR",
    "staff-frontend": "DUET_EXAMPLE_STAFF_FRONTEND_DIR",
}


def snapshot_builds(scratch: Path) -> None:
    """Copies of the example's builds (each frontend's dist/), which every server of the run,
    collectstatic included, reads through the variables example/settings.py knows."""
    for name, variable in FRONTEND_VARIABLES.items():
        source = EXAMPLE / name / "dist"
        if not (source / ".vite" / "manifest.json").is_file():
            raise RuntimeError(f"no build in {source}: run `make frontend` (make bench does)")
        shutil.copytree(source, scratch / name / "dist")
        os.environ[variable] = str(scratch / name)


def built(file: str) -> Path:
    return Path(os.environ[FRONTEND_VARIABLES["frontend"]]) / "dist" / file


def peer_templates(folder: Path) -> Path:
    """The example's home page with django-vite's tag, and the SPA page a django-vite project
    writes (the router's basename in the meta the app reads)."""
    home = (EXAMPLE / "example" / "templates" / "example" / "home.html").read_text()
    entry = '{% duet_entry "src/island.tsx" %}'
    assert entry in home and "{% load duet static %}" in home
    home = home.replace("{% load duet static %}", "{% load duet static django_vite %}")
    (folder / "example").mkdir(parents=True)
    (folder / "example" / "home.html").write_text(
        home.replace(entry, '{% vite_asset "src/island.tsx" %}')
    )
    (folder / "peer_app.html").write_text(
        '{% load django_vite %}<!doctype html>\n<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>django-duet example app</title>\n"
        '<meta name="duet-base" content="/app/">\n'
        '{% vite_asset "index.html" %}\n</head>\n<body><div id="root"></div></body>\n</html>\n'
    )
    return folder


# What a page of the app answers with besides its content: the ideal page sends the same, so
# that the comparison is of how the files are found, not of the site's security policy.
SECURITY_HEADERS = (
    "Cross-Origin-Opener-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Content-Security-Policy",  # the copied HTML carries that answer's nonce
)


def nginx_string(value: str) -> str:
    """``value`` as a double-quoted nginx string (a CSP's single quotes stay as they are)."""
    if "$" in value or any(c < " " for c in value):
        raise RuntimeError(f"a header nginx would read differently: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ideal_pages(folder: Path, duet_url: str) -> Path:
    """duet's HTML of ``/``, and of ``/app/about`` with the About route's files preloaded; each
    page's security headers as ``headers-*.conf`` (nginx ``add_header`` lines)."""
    import json

    folder.mkdir(parents=True)
    with httpx.Client(base_url=duet_url, timeout=30) as client:
        home = client.get("/")
        (folder / "index.html").write_text(home.text)
        about = client.get("/app/about")
        shell = about.text
    for name, answer in (("home", home), ("app", about)):
        lines = [
            f"add_header {header} {nginx_string(answer.headers[header])} always;\n"
            for header in SECURITY_HEADERS
            if header in answer.headers
        ]
        (folder / f"headers-{name}.conf").write_text("".join(lines))
    manifest = json.loads(built(".vite/manifest.json").read_text())
    route = manifest["src/app/About.tsx"]
    files = [route["file"], *(manifest[k]["file"] for k in route.get("imports", []))]
    tags = "".join(f'<link rel="modulepreload" href="/static/{f}">' for f in files)
    tags += "".join(f'<link rel="stylesheet" href="/static/{c}">' for c in route.get("css", []))
    (folder / "app.html").write_text(shell.replace("</head>", tags + "</head>", 1))
    return folder


def ideal_block(pages: Path, static_root: Path, upstream: int) -> str:
    return f"""
server {{
    listen 80;
    location ^~ /static/ {{
        alias {static_root}/;
        gzip_static on;
        open_file_cache max=1000 inactive=60s;
        add_header Cache-Control "public, max-age=31536000, immutable";
    }}
    location = / {{ root {pages}; include {pages}/headers-home.conf; try_files /index.html =404; }}
    location /app/ {{ root {pages}; include {pages}/headers-app.conf; try_files /app.html =404; }}
    location / {{
        proxy_pass http://127.0.0.1:{upstream};
        proxy_set_header Host $http_host;
    }}
}}
"""


def new_page(browser: Any, profile: dict[str, float]) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": profile["latency"],
            "downloadThroughput": profile["down"],
            "uploadThroughput": profile["up"],
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile["cpu"]})
    return context, page


def wait_ready(page: Any, key: str) -> float:
    page.wait_for_function(f"() => window.__ready[{key!r}]", timeout=60_000)
    return float(page.evaluate(f"() => window.__ready[{key!r}]"))


def visit(page: Any, url: str, key: str) -> dict[str, float | None]:
    page.goto(url, wait_until="load", timeout=60_000)
    ready = wait_ready(page, key)
    page.wait_for_timeout(300)  # let the largest paint settle
    paints = page.evaluate(PAINTS)
    return {"fcp": paints["fcp"], "lcp": paints["lcp"], "ready": ready}


def lazy_navigation(page: Any, url: str) -> float:
    page.goto(url + "/app/", wait_until="load", timeout=60_000)
    wait_ready(page, "Items")
    page.wait_for_timeout(READER_PAUSE_MS)
    clicked = float(
        page.evaluate(
            "() => { const t = performance.now();"
            " document.querySelector('[data-testid=nav-about]').click(); return t; }"
        )
    )
    return wait_ready(page, "About") - clicked


def measure(browser: Any, url: str, profile: dict[str, float]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    context, page = new_page(browser, profile)
    out["cold /"] = visit(page, url + "/", "greeting")
    page.evaluate("() => { window.__ready = {}; }")
    out["warm /"] = visit(page, url + "/", "greeting")
    context.close()
    context, page = new_page(browser, profile)
    out["deep link /app/about"] = visit(page, url + "/app/about", "About")
    context.close()
    context, page = new_page(browser, profile)
    out["lazy route"] = {"ready": lazy_navigation(page, url)}
    context.close()
    return out


def run(quick: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium: `make system-deps` installs Debian's chromium")
    if not (BENCH_DEPS / "django_vite").is_dir():
        raise RuntimeError(f"no django-vite in {BENCH_DEPS}: `make bench-deps` installs it")
    rounds = 1 if quick else ROUNDS
    samples: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="duet-bench-browser-") as tmp:
        scratch = Path(tmp)
        snapshot_builds(scratch)  # the build under test stays put while others rebuild theirs
        env = example_env(scratch)
        path = os.pathsep.join([str(HERE), str(BENCH_DEPS), str(EXAMPLE)])
        envs = {
            "duet": {**env, "DJANGO_SETTINGS_MODULE": "browser_duet_settings", "PYTHONPATH": path},
            "django-vite": {
                **env,
                "DJANGO_SETTINGS_MODULE": "browser_peer_settings",
                "PYTHONPATH": path,
                "DUET_BENCH_PEER_TEMPLATES": str(peer_templates(scratch / "peer")),
            },
        }
        ports = {name: free_port() for name in envs}
        servers = {
            name: ServerProcess(
                gunicorn_command(ports[name], workers=2, threads=4, klass="gthread"),
                port=ports[name],
                cwd=EXAMPLE,
                env=site_env,
                name=f"gunicorn ({name})",
            )
            for name, site_env in envs.items()
        }
        with servers["duet"], servers["django-vite"], sync_playwright() as playwright:
            pages = ideal_pages(scratch / "ideal", servers["duet"].url)
            block = ideal_block(pages, Path(env["DUET_EXAMPLE_STATIC_ROOT"]), servers["duet"].port)
            with nginx_process(block, scratch / "nginx", free_port()) as nginx:
                urls = {"duet": servers["duet"].url, "django-vite": servers["django-vite"].url}
                urls["ideal"] = nginx.url
                browser = playwright.chromium.launch(
                    executable_path=executable, args=list(CI_CHROMIUM_FLAGS), headless=True
                )
                try:
                    order = list(urls.items())
                    for url in urls.values():  # warm-up, not counted: each server's first
                        # answers (Python's imports, whitenoise's first files) as in production
                        measure(browser, url, PROFILES["fast mobile"])
                    for turn in range(rounds):  # sites interleaved: drift hits them alike,
                        # and each goes first in turn (the first visits of a round are slower)
                        turned = order[turn % len(order) :] + order[: turn % len(order)]
                        for profile_name, profile in PROFILES.items():
                            for site, url in turned:
                                for scenario, figures in measure(browser, url, profile).items():
                                    key = (profile_name, site, scenario)
                                    samples.setdefault(key, []).append(figures)
                finally:
                    browser.close()
    return summarize(samples, rounds)


def summarize(samples: dict[tuple[str, str, str], list[dict[str, Any]]], rounds: int) -> dict:
    results: dict[str, Any] = {"rounds": rounds, "profiles": PROFILES}
    table: dict[str, Any] = {}
    for (profile, site, scenario), runs in samples.items():
        figures: dict[str, Any] = {}
        for metric in ("fcp", "lcp", "ready"):
            values = [run[metric] for run in runs if run.get(metric) is not None]
            if values:
                figures[f"{metric}_ms"] = r(median(values), 0)
                figures[f"{metric}_range_ms"] = [r(min(values), 0), r(max(values), 0)]
        table.setdefault(profile, {}).setdefault(scenario, {})[site] = figures
    results["times"] = table
    goals: dict[str, Any] = {}
    for profile, scenarios in table.items():
        lazy = scenarios.get("lazy route", {})
        if "duet" in lazy and "django-vite" in lazy:
            ratio = lazy["duet"]["ready_ms"] / max(lazy["django-vite"]["ready_ms"], 1)
            goals[f"{profile}: lazy route, duet / django-vite (goal <= 0.9)"] = r(ratio, 2)
        for scenario in ("cold /", "deep link /app/about"):
            found = scenarios.get(scenario, {})
            if "duet" in found and "ideal" in found:
                ratio = found["duet"]["ready_ms"] / max(found["ideal"]["ready_ms"], 1)
                goals[f"{profile}: {scenario}, duet / ideal (goal <= 1.1)"] = r(ratio, 2)
    results["ratios"] = goals
    for name, value in goals.items():
        print(f"   {name}: {value}", flush=True)
    return {"browser": results}


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(HERE))
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
