"""Streaming SSR (``StreamingPage``): React's renderToReadableStream in V8, chunk by chunk.

A real bundle (tests/fixtures/ssr-stream, built by duetSsr() with React 19) whose boundaries
resolve after timers in V8. The chunks are read as the WSGI server would read them, each with
the time it left, so the order and the timing are both checked: the head and the shell first,
each boundary when its delay is over, the budget honoured, the nonce on every inline script.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest
from django.test import AsyncRequestFactory, RequestFactory

from django_duet.ssr.engine import _local, engine_for
from django_duet.ssr.stream_page import StreamingPage, StreamingPageError

from .support import ROOT, page_template, react_build, read, ssr_bundle

pytest.importorskip("py_mini_racer")
pytestmark = pytest.mark.node

FIXTURE = ROOT / "tests" / "fixtures" / "ssr-stream"
TEMPLATE = """<!doctype html><html><head><meta charset="utf-8">{{ page.head }}</head>
<body><main>{{ page }}</main><footer>the end</footer></body></html>"""
NONCE = "n0nce-123"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    build = ROOT / "tests" / "fixtures" / "ssr-react" / "build.mjs"
    return react_build(FIXTURE, tmp_path_factory.mktemp("ssr-stream") / "project", [build])


@pytest.fixture(autouse=True)
def stream_settings(project, settings, tmp_path):
    page_template(settings, tmp_path, TEMPLATE)
    with ssr_bundle(settings, project / "dist", 1500):
        yield


def request_with_nonce():
    request = RequestFactory().get("/stream/")
    request.csp_nonce = NONCE  # type: ignore[attr-defined]
    return request


def page(props, **kwargs) -> StreamingPage:
    return StreamingPage(
        request_with_nonce(), "page.html", component="Streamed", props=props, **kwargs
    )


def test_head_and_shell_first_then_each_boundary_when_it_resolves():
    read(page({"title": "warm"}))  # the thread's V8 context, created and loaded
    chunks = read(page({"title": "Lamp <1>", "delays": [150, 450]}))
    first_at, first = chunks[0]
    # The first chunk: the template up to the component, the head tags in <head>, the shell
    # with both boundaries pending, the props, and nothing of the boundaries' content.
    assert first_at < 0.15
    assert first.index("<title>Lamp &lt;1&gt;</title>") < first.index("</head>")
    assert '<meta name="description" content="About Lamp &lt;1&gt;">' in first
    assert '<div data-duet-ssr="Streamed" data-duet-props="duet-ssr-1"><article><h1>' in first
    assert first.count("<!--$?-->") == 2 and "Loading 0…" in first and "Loading 1…" in first
    assert "Boundary 0" not in first and "the end" not in first
    assert f'<script type="application/json" id="duet-ssr-1" nonce="{NONCE}">' in first
    # Then each boundary, in its own chunk, no earlier than its delay; the page's end last.
    texts = [text for _, text in chunks]
    b0 = next(i for i, t in enumerate(texts) if "Boundary 0 after 150 ms" in t)
    b1 = next(i for i, t in enumerate(texts) if "Boundary 1 after 450 ms" in t)
    assert 0 < b0 < b1
    assert chunks[b0][0] >= 0.14 and chunks[b1][0] >= 0.44
    assert chunks[b0][0] < 0.4  # not held back until the slower one
    assert texts[-1].endswith("<footer>the end</footer></body></html>")
    assert "the end" not in "".join(texts[:-1])


def test_every_inline_script_carries_the_nonce():
    html = "".join(text for _, text in read(page({"title": "t", "delays": [50, 100]})))
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) >= 3  # the props, and React's instructions for two boundaries
    assert all(f'nonce="{NONCE}"' in tag for tag in scripts), scripts
    assert "$RC" in html  # React's completion instruction


def test_over_the_budget_the_pending_boundary_is_left_to_the_browser(caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        chunks = read(page({"title": "t", "delays": [50], "never": True}, budget_ms=400))
    elapsed = time.monotonic() - started
    html = "".join(text for _, text in chunks)
    assert 0.39 < elapsed < 1.0  # ends at the budget (plus the abort), no hang
    assert "Boundary 0 after 50 ms" in html  # what resolved in time is there
    # React's client-render instruction for the aborted boundary, with the nonce.
    assert re.search(rf'<script nonce="{NONCE}">\$RX=', html) or "$RX(" in html
    assert html.endswith("</html>")
    assert "over the time budget" in caplog.text
    # The context is sound: the next stream in this thread works, with no leftover timer.
    assert "Boundary 0" in "".join(t for _, t in read(page({"title": "t", "delays": [10]})))


def test_no_shell_within_the_budget_falls_back_to_client_rendering(caplog):
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        chunks = read(page({"title": "t", "shellDelay": 5000}, budget_ms=300))
    html = "".join(t for _, t in chunks)
    assert chunks[0][0] < 0.6  # the budget, not the shell's 5 s
    assert "over the time budget" in caplog.text
    assert 'data-duet-mode="client"></div>' in html
    assert "<title>" not in html
    assert html.endswith("</html>")


def test_a_shell_that_throws_falls_back_like_render_component(caplog):
    response = StreamingPage(request_with_nonce(), "page.html", component="ShellThrows")
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(t for _, t in read(response))
    container = '<div data-duet-ssr="ShellThrows" data-duet-props="duet-ssr-1"'
    assert f'{container} data-duet-mode="client"></div>' in html
    assert "no shell today" in caplog.text and "the component threw" in caplog.text
    assert "<footer>the end</footer>" in html


def test_a_boundary_that_throws_is_logged_and_left_to_the_browser(caplog):
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(t for _, t in read(page({"title": "t", "delays": [20], "failAfter": 60})))
    assert "Boundary 0 after 20 ms" in html
    assert "$RX" in html  # React's instruction: render this boundary in the browser
    assert "the reviews service is down" in caplog.text
    assert html.endswith("</html>")


def test_a_boundary_stuck_in_a_loop_cannot_hang_the_page(caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(t for _, t in read(page({"title": "t", "spinAfter": 30}, budget_ms=300)))
    assert time.monotonic() - started < 1.5
    # Our own instruction (V8 cannot answer): the pending boundary becomes the browser's.
    assert f'<script nonce="{NONCE}">(function(){{document.querySelectorAll(' in html
    assert html.endswith("</html>")
    # That context was discarded: the thread's next render gets a new one that works.
    assert "Boundary 0" in "".join(t for _, t in read(page({"title": "t", "delays": [10]})))


def test_an_unknown_component_falls_back(caplog):
    response = StreamingPage(request_with_nonce(), "page.html", component="Nope")
    with caplog.at_level(logging.WARNING, "django_duet.ssr"):
        html = "".join(t for _, t in read(response))
    assert 'data-duet-mode="client"' in html and "has no component 'Nope'" in caplog.text


def test_the_stream_takes_the_threads_context_and_gives_it_back(project):
    response = page({"title": "t", "delays": [30]})
    parts = iter(response)
    next(parts)  # the shell is out: the stream holds the context
    assert not getattr(_local, "engines", {})
    list(parts)
    engine = _local.engines["default"]
    assert engine_for(engine.bundle, engine.heap_mb) is engine  # reused, not replaced


def test_a_template_without_the_component_is_refused(tmp_path):
    (tmp_path / "page.html").write_text("<html>{{ page.head }}</html>")
    with pytest.raises(StreamingPageError, match=r"has no \{\{ page \}\}"):
        StreamingPage(request_with_nonce(), "page.html", component="Streamed")


def test_with_ssr_off_the_browser_renders_and_v8_is_not_used(settings):
    settings.DUET = {**settings.DUET, "SSR_ENABLED": False}
    html = "".join(t for _, t in read(page({"title": "t", "delays": [10]})))
    assert 'data-duet-mode="client"></div>' in html and "<title>" not in html
    assert not getattr(_local, "engines", {})


def test_under_asgi_the_chunks_leave_as_they_come():
    request = AsyncRequestFactory().get("/stream/")
    request.csp_nonce = NONCE  # type: ignore[attr-defined]
    response = StreamingPage(
        request, "page.html", component="Streamed", props={"title": "t", "delays": [400]}
    )
    assert response.is_async  # Django would read a sync iterator whole before sending

    async def consume() -> list[tuple[float, str]]:
        started = time.monotonic()
        return [(time.monotonic() - started, chunk.decode()) async for chunk in response]

    chunks = asyncio.run(consume())
    boundary = next(t for t, text in chunks if "Boundary 0 after 400 ms" in text)
    assert chunks[0][0] < 0.35 and "<h1>t</h1>" in chunks[0][1]
    assert boundary >= 0.39
    assert chunks[-1][1].endswith("</html>")


@pytest.mark.django_db  # closing a response sends request_finished, which closes connections
def test_a_client_that_goes_away_ends_the_render():
    response = page({"title": "t", "delays": [300]})
    parts = iter(response)
    next(parts)  # the shell; then the client disconnects: the server closes the response
    response.close()
    engine = _local.engines["default"]  # given back, React's render aborted, its timers gone
    assert engine.racer.eval("__duetSettle()", 1) == 0
    assert "Boundary 0" in "".join(t for _, t in read(page({"title": "t", "delays": [10]})))
