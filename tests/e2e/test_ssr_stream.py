"""Streaming SSR end to end: /ssr/stream/ (``StreamingPage``) through real servers, in Chromium.

The example's ReviewsPage waits ``delay`` ms in V8 for its reviews (a Suspense boundary); the
product around them is the shell. Chromium must show the shell while the reviews are still
loading (checked well before the delay is over), then the reviews in place, then hydration
(the like button works) with a clean console: under gunicorn (WSGI), uvicorn (ASGI), and the
strict nonce-based CSP of docs/csp.md (DUET_EXAMPLE_CSP=1), where every inline script React
streams must carry the nonce to run at all.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from django_duet.testing.live import LiveServer

DELAY_MS = 1500
HYDRATED = """() => {
  const button = document.querySelector('[data-testid="like"]');
  return button !== null && Object.keys(button).some((k) => k.startsWith("__reactProps$"));
}"""
# Recorded as the parser adds them, before any script of the page runs.
WATCH = """
window.__seen = {};
new MutationObserver(() => {
  const now = performance.now();
  for (const id of ["stream-shell", "reviews-loading", "reviews"]) {
    if (!(id in window.__seen) && document.querySelector(`[data-testid="${id}"]`)) {
      window.__seen[id] = now;
    }
  }
}).observe(document, { childList: true, subtree: true });
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""


@pytest.fixture(scope="module")
def csp_server(duet_live_server_factory: Any) -> Iterator[LiveServer]:
    with duet_live_server_factory(env={"DUET_EXAMPLE_CSP": "1"}) as server:
        yield server


def chunk_times(url: str) -> list[tuple[float, bytes]]:
    started = time.monotonic()
    with httpx.stream("GET", url, timeout=20) as response:
        assert response.status_code == 200
        assert response.headers.get("content-length") is None  # streamed, not buffered
        return [(time.monotonic() - started, chunk) for chunk in response.iter_raw()]


@pytest.mark.parametrize("server", ["duet_live_server", "uvicorn_server"])
def test_the_shell_leaves_before_the_slow_boundary(request, server):
    base = request.getfixturevalue(server).url
    chunk_times(base + "/ssr/stream/?delay=50")  # the worker's V8 context, created and loaded
    chunks = chunk_times(base + f"/ssr/stream/?delay={DELAY_MS}")
    body = b"".join(chunk for _, chunk in chunks).decode()
    shell_at, first_bytes = chunks[0]
    first = first_bytes.decode()
    assert "<title>Duet desk lamp: reviews | django-duet shop</title>" in first
    assert 'data-testid="stream-shell"' in first and "Loading the reviews" in first
    assert "<strong>Grace</strong>" not in first  # (the props, for hydration, have it)
    reviews_at = next(t for t, chunk in chunks if b"<strong>Grace</strong>" in chunk)
    assert shell_at < DELAY_MS / 1000 / 2, chunks
    assert reviews_at >= DELAY_MS / 1000 - 0.05
    assert body.rstrip().endswith("</html>")


@pytest.mark.parametrize("server", ["duet_live_server", "uvicorn_server", "csp_server"])
def test_chromium_shows_the_shell_then_the_reviews_then_hydrates(duet_page, request, server):
    base = request.getfixturevalue(server).url
    httpx.get(base + "/ssr/stream/?delay=50", timeout=20)  # warm the worker's V8 context
    messages: list[str] = []
    duet_page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    duet_page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    started = time.monotonic()
    page = duet_page
    page.add_init_script(WATCH)
    page.goto(base + f"/ssr/stream/?delay={DELAY_MS}", wait_until="commit")
    page.wait_for_selector('[data-testid="stream-shell"]', state="attached", timeout=10_000)
    shell_seen = time.monotonic() - started
    # The shell is in the DOM and the boundary shows its fallback: the reviews are not there.
    assert shell_seen < DELAY_MS / 1000, shell_seen
    assert page.locator('[data-testid="reviews"]').count() == 0
    expect(page.get_by_test_id("reviews-loading")).to_be_attached()
    expect(page.get_by_test_id("stream-shell")).to_have_text("Duet desk lamp")
    # Then the reviews, put in place by React's streamed script, and hydration.
    expect(page.get_by_test_id("reviews")).to_contain_text("Grace", timeout=10_000)
    page.wait_for_function(HYDRATED, timeout=10_000)
    seen = page.evaluate("window.__seen")
    assert seen["stream-shell"] + DELAY_MS * 0.6 < seen["reviews"], seen
    assert page.locator('[data-testid="reviews-loading"]').count() == 0
    page.get_by_test_id("like").click()
    expect(page.get_by_test_id("like")).to_have_text("Like (1)")
    assert page.title() == "Duet desk lamp: reviews | django-duet shop"
    assert page.evaluate("window.__csp") == []
    noisy = [m for m in messages if re.search(r"hydrat|did not match|418|425|suspend", m, re.I)]
    assert noisy == [], noisy
    assert not [m for m in messages if m.startswith(("error", "warning", "pageerror"))], messages


def test_under_csp_every_streamed_script_has_the_nonce(csp_server):
    response = httpx.get(csp_server.url + "/ssr/stream/?delay=100", timeout=20)
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce, policy
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    inline = [tag for tag in scripts if "src=" not in tag]
    assert len(inline) >= 3, scripts  # the props, React's shell script and its $RC
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts), scripts
