"""`duet types` on a project of 500 URL patterns (issue 22's goal: under 1 s).

A generated URLconf: 20 namespaced includes (one nested a level deeper) of 25 patterns each,
with int, slug, str, uuid and path converters. Each round clears Django's URL caches first, so
the resolver is built again as in a fresh `manage.py duet types` process; the round is the
command's own work (read the URLconf, render routes.ts). Django's start-up is not counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import median, r

APPS, PER_APP = 20, 25
GOAL_SECONDS = 1.0
CONVERTERS = ("int:pk", "slug:slug", "str:name", "uuid:key", "path:rest")


def write_urlconf(root: Path) -> str:
    package = root / "typesbench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    lines = [
        "from django.http import HttpResponse",
        "from django.urls import include, path",
        "def view(request, **kwargs):\n    return HttpResponse()",
        "urlpatterns = []",
    ]
    for app in range(APPS):
        patterns = [
            f'path("p{i}/<{CONVERTERS[i % len(CONVERTERS)]}>/", view, name="n{i}")'
            for i in range(PER_APP)
        ]
        lines.append(f"app{app} = [{', '.join(patterns)}]")
        if app == 0:  # one nested level: outer:inner:nX
            lines.append(
                'urlpatterns.append(path("outer/<int:org>/", include(([path("inner/", '
                'include((app0, "inner")))], "outer"))))'
            )
        else:
            lines.append(f'urlpatterns.append(path("app{app}/", include((app{app}, "app{app}"))))')
    (package / "urls.py").write_text("\n".join(lines) + "\n")
    return "typesbench.urls"


def measure(quick: bool) -> dict[str, Any]:
    import django
    from django.conf import settings

    with tempfile.TemporaryDirectory(prefix="duet-bench-types-") as tmp:
        sys.path.insert(0, tmp)
        urlconf = write_urlconf(Path(tmp))
        settings.configure(ROOT_URLCONF=urlconf, INSTALLED_APPS=[], USE_TZ=True)
        django.setup()
        from django.urls import clear_url_caches

        from django_duet.contract.routes import collect_routes
        from django_duet.contract.typescript import render_routes

        times, patterns, size = [], 0, 0
        for _ in range(3 if quick else 9):
            clear_url_caches()
            start = time.perf_counter()
            routes, _skipped = collect_routes(urlconf)
            text = render_routes(routes, [])
            times.append(time.perf_counter() - start)
            patterns, size = sum(len(route.variants) for route in routes), len(text)
    seconds = median(times)
    return {
        "types_generation": {
            "patterns": patterns,
            "median_s": r(seconds, 3),
            "min_s": r(min(times), 3),
            "max_s": r(max(times), 3),
            "rounds": len(times),
            "routes_ts_kb": r(size / 1024, 1),
            "goal_s": GOAL_SECONDS,
            "goal_met": seconds < GOAL_SECONDS,
        }
    }


def run(quick: bool) -> dict[str, Any]:
    # In a process of its own: settings.configure() must not leak into the other benchmarks.
    args = [sys.executable, __file__, "--json", *(["--quick"] if quick else [])]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"types benchmark failed:\n{out.stderr[-4000:]}")
    results: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    figures = results["types_generation"]
    print(f"   {figures['patterns']} patterns: {figures['median_s']} s (goal < 1 s)", flush=True)
    return results


if __name__ == "__main__":
    if "--json" in sys.argv:
        print(json.dumps(measure("--quick" in sys.argv)))
    else:
        print(json.dumps(run("--quick" in sys.argv), indent=2))
