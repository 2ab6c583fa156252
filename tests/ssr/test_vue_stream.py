"""Vue 3 streamed from Django's V8 (``StreamingPage``): example-frameworks/vue-frontend's server
bundle, whose ``vueRenderer`` has Vue's ``renderToWebStream``, built once for this module.

Vue's stream is the component's HTML in document order: every chunk goes inside the container,
which closes after the last one. The page's top leaves at once, the part an async component
waits for when it comes, and the whole equals Vue's Node ``renderToString``. After the first
chunk, an error or the budget running out ends the container with a script that hands the
component to the browser.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.test import RequestFactory

from django_duet.ssr import StreamingPage
from django_duet.ssr.engine import _local

from .support import VUE_FRONTEND, container, node_render, page_template, read, ssr_bundle

pytest.importorskip("py_mini_racer")
pytestmark = pytest.mark.node

NONCE = "vue-stream-nonce"
TEMPLATE = """<!doctype html><html><head>{{ page.head }}</head>
<body>{{ page }}<footer>the end</footer></body></html>"""
PRODUCT = {"name": "Lamp <1>", "summary": "warm & bright", "price": 2.5, "features": ["one"]}
REVIEWS = [{"author": "Ada", "text": "Bright <enough>."}, {"author": "Grace", "text": "Later."}]


@pytest.fixture(autouse=True)
def stream_settings(vue_build, settings, tmp_path):  # vue_build: conftest.py
    page_template(settings, tmp_path, TEMPLATE)
    with ssr_bundle(settings, vue_build, 1500):
        yield


def props(delay: int) -> dict[str, Any]:
    return {
        "product": PRODUCT,
        "canonicalUrl": "https://shop.example/lamp",
        "reviews": REVIEWS,
        "delayMs": delay,
    }


def page(component: str = "ReviewsPage", **kwargs: Any) -> StreamingPage:
    request = RequestFactory().get("/stream/")
    request.csp_nonce = NONCE  # type: ignore[attr-defined]
    return StreamingPage(request, "page.html", component=component, **kwargs)


def test_the_top_leaves_first_and_the_whole_is_what_vue_renders_in_node():
    read(page(props=props(0)))  # the thread's V8 context, created and loaded
    chunks = read(page(props=props(400)))
    texts = [text for _, text in chunks]
    first_at = chunks[0][0]
    assert first_at < 0.3
    head = texts[0].split("</head>", 1)[0]
    assert "<title>Lamp &lt;1&gt; | Vue in Django</title>" in head  # head() of a child
    top = next(i for i, t in enumerate(texts) if "Total: 2.50 EUR" in t)
    reviews = next(i for i, t in enumerate(texts) if "Bright &lt;enough&gt;." in t)
    assert top < reviews
    assert chunks[top][0] < 0.3  # at once
    assert chunks[reviews][0] >= 0.39  # when the async component had waited
    assert "</div><script" not in "".join(texts[:reviews])  # the container is still open
    html = "".join(texts)
    assert html.endswith("<footer>the end</footer></body></html>")
    [oracle] = node_render(VUE_FRONTEND, [("ssr/ReviewsPage", props(0))])
    assert container(html, "ReviewsPage") == oracle
    assert f'<script type="application/json" id="duet-ssr-1" nonce="{NONCE}">' in html


def test_an_error_after_the_first_chunk_hands_the_component_to_the_browser(caplog):
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(text for _, text in read(page("ThrowsLater")))
    assert "<h2>Reviews</h2>" in html  # sent before the error
    script = (
        f'<script nonce="{NONCE}">(function(){{var c=document.querySelector('
        '"[data-duet-props=\\"duet-ssr-1\\"]");'
        'if(c){c.replaceChildren();c.setAttribute("data-duet-mode","client")}})();</script>'
    )
    # The script inside the container (it empties it), then the container's end and the props.
    assert f'{script}</div><script type="application/json" id="duet-ssr-1"' in html
    assert "the reviews service is down" in caplog.text and "the component threw" in caplog.text
    assert html.endswith("</html>")


def test_v8_stuck_after_the_first_chunk_ends_the_page_and_its_context_is_never_reused(caplog):
    read(page(props=props(0)))  # the thread's V8 context, created and loaded
    before = _local.engines["default"]
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(text for _, text in read(page("LoopsLater", budget_ms=300)))
    assert time.monotonic() - started < 1.5  # the budget and the abort's grace, not the loop
    assert "<h2>Reviews</h2>" in html  # sent before V8 got stuck
    assert 'c.setAttribute("data-duet-mode","client")' in html.split("</div>", 1)[0]
    assert html.endswith("<footer>the end</footer></body></html>")
    assert before.broken  # a context stuck in a loop is never handed out again
    assert "Bright &lt;enough&gt;." in "".join(t for _, t in read(page(props=props(10))))
    assert _local.engines["default"] is not before  # the next stream got a new one


def test_over_the_budget_the_browser_renders_the_component(caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(text for _, text in read(page(props=props(5000), budget_ms=400)))
    elapsed = time.monotonic() - started
    assert 0.39 < elapsed < 1.2  # the budget (plus the abort), not the component's 5 s
    assert "Total: 2.50 EUR" in html and "Bright" not in html.split("</div><script")[0]
    assert 'c.setAttribute("data-duet-mode","client")' in html
    assert "over the time budget" in caplog.text
    assert html.endswith("</html>")
    # The thread's context still renders the next stream.
    assert "Bright &lt;enough&gt;." in "".join(t for _, t in read(page(props=props(10))))


def test_a_component_that_cannot_stream_at_all_falls_back_as_render_component_does(caplog):
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(text for _, text in read(page("Throws", props={"what": "x"})))
    assert 'data-duet-ssr="Throws" data-duet-props="duet-ssr-1" data-duet-mode="client"></div>' in (
        html
    )
    assert "cannot render x" in caplog.text
