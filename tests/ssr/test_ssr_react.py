"""Real React 19 through the whole path: duetSsr() builds the bundle, Django renders it in V8.

Node's own ``renderToString`` of the same components is the oracle: the HTML Django emits
inside the container must be byte for byte what Node renders.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from django_duet.ssr import render_component
from django_duet.ssr.bundle import bundle_from_record, clear_cache
from django_duet.ssr.engine import discard_thread_engine

pytest.importorskip("py_mini_racer")
pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "tests" / "fixtures" / "ssr-react"
NODE_MODULES = ROOT / "example" / "frontend" / "node_modules"  # vite, react, react-dom
PACKAGE = ROOT / "js"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    if not (NODE_MODULES / "react-dom").exists() or not (PACKAGE / "dist" / "ssr.js").exists():
        pytest.fail("npm deps missing: run `make node-deps` (make test does it).")
    root = tmp_path_factory.mktemp("ssr-react") / "project"
    shutil.copytree(PROJECT, root)
    (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    build = ["node", "build.mjs", str(root), str(PACKAGE)]
    subprocess.run(build, cwd=root, check=True, timeout=120)
    return root


def node_render(project: Path, jobs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    done = subprocess.run(
        ["node", "render.mjs", str(project), json.dumps(jobs)],
        cwd=project,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    return list(json.loads(done.stdout))


def rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"Item <{i + seed}> & co", "price": i * 1.25, "tags": ["a", f"t{i % 7}"]}
        for i in range(n)
    ]


@pytest.fixture(autouse=True)
def bundle_settings(project, settings):
    bundle = bundle_from_record(project / "dist" / ".vite" / "duet-ssr.json")
    settings.DUET = {**settings.DUET, "SSR_BUNDLE": bundle, "SSR_TIMEOUT_MS": 500}
    clear_cache()
    discard_thread_engine()
    yield
    discard_thread_engine()
    clear_cache()


def inner(html: str) -> str:
    """What Django put inside the container."""
    return html.split(">", 1)[1].split("</div><script", 1)[0]


def test_django_renders_exactly_what_node_renders(project):
    jobs: list[tuple[str, dict[str, Any]]] = [
        ("Article", {"title": "Ünïcode <title> & \u2028", "paragraphs": ["one", "<two>"]}),
        ("Table", {"rows": rows(200)}),
        ("Small", {"name": "Ada"}),
    ]
    expected = node_render(project, jobs)
    for (name, props), oracle in zip(jobs, expected, strict=True):
        html = render_component(RequestFactory().get("/"), name, props)
        assert html.ssr is True
        assert inner(html) == oracle


def test_real_react_failures_fall_back_with_the_js_stack(caplog):
    request = RequestFactory().get("/")
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        thrown = render_component(request, "Throws", {"what": "the article"})
        started = time.monotonic()
        looped = render_component(request, "Loops", {})
        elapsed = time.monotonic() - started
    assert 'data-duet-mode="client"></div>' in thrown and 'data-duet-mode="client"></div>' in looped
    assert elapsed < 3
    first, second = (r.getMessage() for r in caplog.records)
    assert "Error: cannot render the article" in first
    assert "at Throws (server-" in first  # the component's frame, in the named bundle file
    assert "over the time budget" in second
    # The thread's replaced context renders the next request.
    assert render_component(request, "Small", {"name": "Ada"}).ssr is True


def test_work_scheduled_during_a_render_is_taken_and_cancelled_after_it(project, caplog):
    # The bundle's polyfills over mini-racer's setTimeout: a MessageChannel message and
    # setTimeout(fn, 0) used to throw "value.then is not a function" and fall back.
    [expected] = node_render(project, [("Scheduled", {"label": "later"})])
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(RequestFactory().get("/"), "Scheduled", {"label": "later"})
    assert html.ssr is True
    assert inner(html) == expected
    # The two 1 ms timers it left are charged to it, unless they fired before V8 was asked.
    for record in caplog.records:
        assert record.getMessage().startswith("Server rendering of Scheduled left ")
        assert "timer(s) pending (setTimeout during the render): cancelled" in record.getMessage()
    # React's own renders leave nothing behind.
    caplog.clear()
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        assert render_component(None, "Table", {"rows": rows(50)}).ssr is True
        assert render_component(None, "Article", {"title": "t", "paragraphs": ["p"]}).ssr is True
    assert caplog.records == []


def test_concurrent_renders_from_threads_match_node(project):
    variants = [("Table", {"rows": rows(30, seed)}) for seed in range(6)]
    expected = node_render(project, variants)

    def work(i: int) -> tuple[int, str]:
        return i, inner(render_component(RequestFactory().get("/"), *variants[i % 6]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(48)))
    for i, html in results:
        assert html == expected[i % 6]
