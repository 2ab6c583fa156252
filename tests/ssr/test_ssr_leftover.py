"""Work a render leaves behind is charged to that render, and a context that V8 cannot stop
at once never holds a request: the hand-written bundle and a stuck one, in real V8."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import RequestFactory

from django_duet.ssr import engine as engine_module
from django_duet.ssr import render_component

pytest.importorskip("py_mini_racer")

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ssr"
BUNDLE = FIXTURES / "server-bundle.js"
HELLO = (
    '<div data-duet-ssr="Hello" data-duet-props="duet-ssr-1"><p>Hello, Ada!</p></div>'
    '<script type="application/json" id="duet-ssr-1">{"name":"Ada"}</script>'
)


pytestmark = pytest.mark.usefixtures("ssr_settings")


def this_threads_engine() -> engine_module.Engine:
    return engine_module._local.engines["default"]


def test_an_endless_microtask_chain_is_charged_to_the_render_that_left_it(caplog):
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        spins = render_component(RequestFactory().get("/"), "Spins")
        culprit_engine = this_threads_engine()
        started = time.monotonic()
        hello = render_component(RequestFactory().get("/"), "Hello", {"name": "Ada"})
        elapsed = time.monotonic() - started
    # Its own HTML was complete when it returned: it keeps it.
    assert spins.ssr is True and "<p>spins</p></div>" in spins
    # The next, unrelated render gets a new context at once (before: it waited for the budget
    # and V8's grace, 2.3 s, and fell back, blamed for the chain).
    assert hello == HELLO and hello.ssr is True
    assert elapsed < 1.0
    assert this_threads_engine() is not culprit_engine
    [record] = caplog.records
    assert record.component == "Spins"
    assert record.getMessage().startswith(
        "Server rendering of Spins left JavaScript running after it returned (V8 was still busy "
    )
    assert "its V8 context is discarded" in record.getMessage()


def test_a_timer_left_pending_is_cancelled_and_charged_to_the_render_that_set_it(caplog):
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        sleeper = render_component(None, "Sleeper")
        engine = this_threads_engine()
        time.sleep(0.3)  # its timer was due after 200 ms, and would loop forever in V8
        started = time.monotonic()
        hello = render_component(RequestFactory().get("/"), "Hello", {"name": "Ada"})
        elapsed = time.monotonic() - started
    assert sleeper.ssr is True and "<p>sleeper</p></div>" in sleeper
    assert hello == HELLO and hello.ssr is True
    assert elapsed < 0.25  # under the 300 ms budget: the timer never ran
    assert this_threads_engine() is engine  # cancelling the timer was enough
    [record] = caplog.records
    assert record.component == "Sleeper"
    assert record.getMessage().startswith(
        "Server rendering of Sleeper left 1 timer(s) pending (setTimeout during the render): "
        "cancelled"
    )


def test_renders_that_leave_nothing_log_nothing(caplog):
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        for _ in range(3):
            assert render_component(None, "Count").ssr is True
    assert caplog.records == []


def test_a_bundle_load_that_times_out_returns_without_waiting_for_v8(
    ssr_settings, monkeypatch, caplog
):
    # The bundle sorts a big typed array at load: V8 cannot stop that, and closing the
    # context waits until the sort is over. The request must not: it returns at the bound.
    monkeypatch.setattr(engine_module, "LOAD_TIMEOUT_S", 0.5)
    ssr_settings.DUET = {**ssr_settings.DUET, "SSR_BUNDLE": FIXTURES / "server-stuck-load.js"}
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(RequestFactory().get("/"), "Hello", {"name": "Ada"})
    elapsed = time.monotonic() - started
    assert 'data-duet-mode="client"></div>' in html
    assert "evaluating it took more than 0.5 s" in caplog.records[0].getMessage()
    # Before: 0.5 s, then the rest of the sort (seconds) waiting for V8, then the close.
    assert elapsed < 1.5
