"""Svelte 5 rendered inside Django's V8: example-frameworks/svelte-frontend's server bundle
(duetSsr() with ``svelteRenderer`` of django-duet/ssr/svelte), built once for this module from a
scratch copy that adds tests/fixtures/svelte-ssr's failing components to the server entry.

Svelte's own Node renderer (``render(component, { props })`` of the same .svelte files, through
Vite and the same plugin: tests/fixtures/svelte-ssr/render.mjs) is the oracle: the HTML Django
puts in the container must be byte for byte Svelte's ``body``. What Django's synchronous render
cannot give (an error, an await, a loop past the time budget) falls back to the browser with the
reason logged.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from django_duet.ssr import render_component

from .support import ROOT, inner, node_render, ssr_bundle, vite_build

pytest.importorskip("py_mini_racer")
pytestmark = pytest.mark.node

FRONTEND = ROOT / "example-frameworks" / "svelte-frontend"
FIXTURE = ROOT / "tests" / "fixtures" / "svelte-ssr"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the Svelte frontend (node_modules linked) with the failing components."""
    root = tmp_path_factory.mktemp("svelte") / "svelte-frontend"
    ignore = shutil.ignore_patterns("node_modules", "dist", ".duet-hot")
    shutil.copytree(FRONTEND, root, ignore=ignore)
    (root / "node_modules").symlink_to(FRONTEND / "node_modules", target_is_directory=True)
    failing = root / "src" / "failing"
    failing.mkdir()
    for name in ("Awaits.svelte", "Loops.svelte", "Throws.svelte"):
        shutil.copy(FIXTURE / name, failing / name)
    shutil.copy(FIXTURE / "server.js", root / "src" / "server.js")
    shutil.copy(FIXTURE / "svelte.config.js", root / "svelte.config.js")
    shutil.copy(FIXTURE / "render.mjs", root / "render.mjs")
    vite_build(root)
    return root


@pytest.fixture(autouse=True)
def bundle_settings(project, settings):
    with ssr_bundle(settings, project / "dist", 500):
        yield


ARTICLE = {
    "title": 'Ünïcode <b> & \u2028 "quotes" it\'s',
    "summary": "A <summary> & more",
    "paragraphs": ["one", "<two>", "three & four"],
    "canonical": "https://example.test/a?x=1&y=2",
}


def test_django_renders_exactly_what_svelte_renders_in_node(project):
    jobs: list[tuple[str, dict[str, Any]]] = [
        ("Counter", {"label": 'Ünïcode <b> & \u2028 "quotes"', "start": 2}),
        ("Counter", {"label": "no start"}),
        ("Greeting", {"name": "Ada", "items": ["one", "<two>", "three & four"]}),
        ("Article", ARTICLE),
    ]
    expected = node_render(project, jobs)
    assert 'data-testid="svelte-count">Clicked 2 times</button>' in expected[0]["body"]
    for (name, props), oracle in zip(jobs, expected, strict=True):
        html = render_component(RequestFactory().get("/"), name, props)
        assert html.ssr is True, html
        assert inner(html) == oracle["body"]


def test_the_head_merges_head_and_svelte_head(project):
    [oracle] = node_render(project, [("Article", ARTICLE)])
    # Svelte's own head: the <link> of <svelte:head>, between its hydration markers.
    assert '<link rel="canonical" href="https://example.test/a?x=1&amp;y=2"/>' in oracle["head"]
    html = render_component(RequestFactory().get("/"), "Article", ARTICLE)
    assert html.head == (
        "<title>Ünïcode &lt;b&gt; &amp; \u2028 &quot;quotes&quot; it&#x27;s | Svelte</title>\n"
        '<meta name="description" content="A &lt;summary&gt; &amp; more">\n'
        '<link rel="canonical" href="https://example.test/a?x=1&amp;y=2">'
    )


def test_what_svelte_cannot_render_synchronously_falls_back_with_the_reason(caplog):
    request = RequestFactory().get("/")
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        thrown = render_component(request, "Throws", {"what": "the counter"})
        waited = render_component(request, "Awaits", {})
        looped = render_component(request, "Loops", {})
    for html in (thrown, waited, looped):
        assert html.ssr is False
        assert 'data-duet-mode="client"></div>' in html
    first, second, third = (r.getMessage() for r in caplog.records)
    assert "Error: cannot render the counter" in first
    assert "renders asynchronously" in second and "Django's server render is synchronous" in second
    assert "over the time budget" in third or "took more than 500 ms" in third
    # The context still renders the next request.
    assert render_component(request, "Counter", {"label": "after"}).ssr is True


def test_the_server_bundle_is_one_script_without_node(project):
    """A classic script for a bare V8: no module syntax, no require(). Svelte's asynchronous
    render (never taken by Django's synchronous one) keeps its on-demand import("node:...")."""
    [bundle] = (project / "dist" / ".vite" / "ssr").glob("server-*.js")
    text = bundle.read_text(encoding="utf-8")
    assert re.search(r"^\s*(import|export)\s", text, re.M) is None
    assert "require(" not in text
    for line in (line for line in text.splitlines() if '"node:' in line):
        assert "import(" in line or line.lstrip().startswith(("/*", "*", "//")), line
