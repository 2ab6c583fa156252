"""Real React 19 through the whole path: duetSsr() builds the bundle, Django renders it in V8.

Node's own ``renderToString`` of the same components is the oracle: the HTML Django emits
inside the container must be byte for byte what Node renders.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from django_duet.ssr import render_component

from .support import ROOT, inner, node_render, react_build, ssr_bundle

pytest.importorskip("py_mini_racer")
pytestmark = pytest.mark.node

FIXTURE = ROOT / "tests" / "fixtures" / "ssr-react"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return react_build(FIXTURE, tmp_path_factory.mktemp("ssr-react") / "project")


def react_render(project: Path, jobs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """React's renderToString in Node (the fixture's render.mjs)."""
    return node_render(project, jobs, str(project), timeout=60)


def rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"Item <{i + seed}> & co", "price": i * 1.25, "tags": ["a", f"t{i % 7}"]}
        for i in range(n)
    ]


@pytest.fixture(autouse=True)
def bundle_settings(project, settings):
    with ssr_bundle(settings, project / "dist", 500):
        yield


def test_django_renders_exactly_what_node_renders(project):
    jobs: list[tuple[str, dict[str, Any]]] = [
        ("Article", {"title": "Ünïcode <title> & \u2028", "paragraphs": ["one", "<two>"]}),
        ("Table", {"rows": rows(200)}),
        ("Small", {"name": "Ada"}),
    ]
    expected = react_render(project, jobs)
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
    [expected] = react_render(project, [("Scheduled", {"label": "later"})])
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
    expected = react_render(project, variants)

    def work(i: int) -> tuple[int, str]:
        return i, inner(render_component(RequestFactory().get("/"), *variants[i % 6]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(48)))
    for i, html in results:
        assert html == expected[i % 6]
