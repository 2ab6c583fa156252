"""A pull that misses the time budget is not abandoned (ssr/stream.py, ``StreamedRender._pull``).

V8 keeps resolving a pull that Python stopped waiting for. When React writes its last output
(the ``$RX`` instruction that hands a pending Suspense boundary to the browser) while
``abort()`` runs, that pull is the one that receives it; a new pull finds the stream done. This
interleaving happens only under load with the real engine, so here V8 is a stand-in that
answers in exactly that order.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from django_duet.ssr import stream
from django_duet.ssr.jsontext import props_text

pytest.importorskip("py_mini_racer")

RX = '<script>$RX("B:1")</script>'


class Promise:
    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers

    def get(self, timeout: float) -> str:
        from py_mini_racer import JSTimeoutException

        answer = self.answers.pop(0)
        if answer is None:
            raise JSTimeoutException()
        return json.dumps(answer)


class Racer:
    """V8 as the race leaves it: the first pull's answer is what abort() made React write."""

    def __init__(self) -> None:
        self.pulls = 0

    def eval(self, code: str, timeout: float) -> Any:
        if code == "__duetSsr.pull()":
            self.pulls += 1
            if self.pulls == 1:  # waits past the budget, then gets React's last output
                return Promise([None, {"ok": True, "chunk": RX, "done": False}])
            return Promise([{"ok": True, "chunk": "", "done": True}])
        return None  # abort(), finish(), the settling of timers


class Engine:
    def __init__(self) -> None:
        self.racer = Racer()
        self.broken = False


def test_after_the_abort_the_next_pull_waits_on_the_one_that_missed(monkeypatch):
    monkeypatch.setattr(stream, "checkin_engine", lambda engine, slot: None)
    render = stream.StreamedRender(
        "Streamed", props_text({}), frontend=None, nonce=None, element_id="x", budget_ms=50
    )
    render._engine = Engine()  # type: ignore[assignment]
    html = b"".join(render.rest())
    assert RX.encode() in html  # React's instruction reaches the page, not our fallback
    assert render._waiting is None
