"""Vue 3 rendered inside Django's V8: example-frameworks/vue-frontend's server bundle (duetSsr()
with ``vueRenderer`` of django-duet/ssr/vue), built once for this module.

Vue's own Node renderer (``renderToString(createSSRApp(component, props))`` of the same .vue files,
render.mjs) is the oracle: the HTML Django puts in the container must be byte for byte the same.
What Django's synchronous render cannot give (an error, an async setup) falls back to the browser
with the reason logged.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from django_duet.ssr import render_component

from .support import VUE_FRONTEND, inner, node_render, ssr_bundle

pytest.importorskip("py_mini_racer")
pytestmark = pytest.mark.node


@pytest.fixture(autouse=True)
def bundle_settings(vue_build, settings):  # vue_build: conftest.py
    with ssr_bundle(settings, vue_build, 1000):
        yield


def test_django_renders_exactly_what_vue_renders_in_node():
    product = {"name": "Lamp <b>", "summary": "a & b", "price": 1.5, "features": ["\u2028"]}
    jobs: list[tuple[str, dict[str, Any]]] = [
        ("islands/Counter", {"label": 'Ünïcode <b> & \u2028 "quotes"', "start": 2}),
        ("islands/Counter", {"label": "no start"}),
        ("islands/Greeting", {"name": "Ada", "items": ["one", "<two>", "three & four"]}),
        ("ssr/ProductPage", {"product": product, "canonicalUrl": "https://shop.example/lamp"}),
    ]
    expected = node_render(VUE_FRONTEND, jobs)
    assert '<button type="button" data-testid="vue-count">Clicked 2 times</button>' in expected[0]
    for (path, props), oracle in zip(jobs, expected, strict=True):
        name = path.rsplit("/", 1)[1]
        html = render_component(RequestFactory().get("/"), name, props)
        assert html.ssr is True, html
        assert inner(html) == oracle


def test_what_vue_cannot_render_synchronously_falls_back_with_the_reason(caplog):
    request = RequestFactory().get("/")
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        thrown = render_component(request, "Throws", {"what": "the counter"})
        waited = render_component(request, "AsyncSetup", {})
        teleported = render_component(request, "Teleports", {})
    for html in (thrown, waited, teleported):
        assert 'data-duet-mode="client"></div>' in html
    first, second, third = (r.getMessage() for r in caplog.records)
    assert "Error: cannot render the counter" in first
    assert "renders asynchronously (an async setup()" in second
    assert "the component uses <Teleport>" in third
    # The context still renders the next request.
    assert render_component(request, "Counter", {"label": "after"}).ssr is True


def test_head_tags_of_a_vue_component_reach_django():
    props = {
        "product": {"name": "Lamp", "summary": "Warm & bright", "price": 2, "features": []},
        "canonicalUrl": "https://shop.example/lamp",
    }
    html = render_component(RequestFactory().get("/"), "ProductPage", props)
    assert html.ssr is True
    assert html.head == (
        "<title>Lamp | Vue in Django</title>\n"
        '<meta name="description" content="Warm &amp; bright">\n'
        '<meta property="og:title" content="Lamp">\n'
        '<link rel="canonical" href="https://shop.example/lamp">'
    )
    # The next render starts with no head tags of its own.
    assert render_component(RequestFactory().get("/"), "Counter", {"label": "x"}).head == ""
