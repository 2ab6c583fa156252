"""A streaming server render: React's ``renderToReadableStream`` in V8, pulled chunk by chunk.

``StreamedRender.shell()`` waits for React's shell (everything outside the pending Suspense
boundaries) and the head tags its components set; ``rest()`` then yields what React writes as
each boundary resolves: the boundary's HTML in a hidden element and the inline script that
moves it into place (with the request's CSP nonce, React's ``nonce`` option).

A bundle whose stream is in document order (Vue's: ``inOrder`` in the answer to ``stream``)
writes every chunk inside the container instead; an error, or the budget running out, after
the first chunk ends it with a script that empties the container and marks it for the browser
to render (``in_order``, ``_client_render_container``).

One time budget covers the whole stream, ``DUET['SSR_TIMEOUT_MS']`` unless the caller gives
one. With no shell within it the page falls back to client rendering, as ``render_component``
does; once the shell is out, the boundaries still pending when it runs out are aborted (React's
``abort()``): React tells the browser to render them, and the page still ends at once. If V8 is
busy and cannot even abort (a boundary stuck in a loop), the context is discarded and a small
script of ours marks the pending boundaries for the browser to render.

The stream's V8 context is taken out of the thread's slot for its duration (``checkout_engine``):
under ASGI the chunks are pulled from whichever thread runs the step, one step at a time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from django_duet.conf import conf
from django_duet.exceptions import DuetError
from django_duet.pages.html import nonce_attribute, script_safe_json
from django_duet.ssr.bundle import get_bundle
from django_duet.ssr.engine import Engine, checkin_engine, checkout_engine
from django_duet.ssr.errors import (
    SsrComponentNotFound,
    SsrEngineError,
    SsrError,
    SsrPropsTooLarge,
    SsrRenderError,
    SsrTimeout,
)
from django_duet.ssr.jsontext import PropsText, js_string, loads
from django_duet.ssr.leftover import SETTLE
from django_duet.ssr.v8 import BudgetExceeded

logger = logging.getLogger("django_duet.ssr")

# After the budget: the time V8 gets to abort and write React's last instructions.
ABORT_GRACE_S = 0.25
# When V8 cannot abort: each boundary still pending (React's "$?" comment before its template,
# not "$~": that one is complete, React reveals it) marked "$!", as React's own $RX does:
# hydration renders it.
CLIENT_RENDER_PENDING = (
    "(function(){document.querySelectorAll(SELECTOR).forEach(function(t){var m=t.previousSibling;"
    'if(m&&m.nodeType===8&&m.data==="$?"){m.data="$!";'
    "m._reactRetry&&m._reactRetry()}})})();"
)
# An in-order stream cut short: the container's partial HTML removed and the container marked
# as the browser's to render, before the page's entry hydrates it.
CLIENT_RENDER_CONTAINER = (
    "(function(){var c=document.querySelector(SELECTOR);"
    'if(c){c.replaceChildren();c.setAttribute("data-duet-mode","client")}})();'
)


class SsrStreamUnsupported(SsrError):
    reason = "no streaming in the server bundle"

    def __init__(self, path: object) -> None:
        super().__init__(
            f"The server bundle {path} cannot stream: pass React's renderToReadableStream (from "
            "react-dom/server) to createRenderer({ ... }) in the server entry and rebuild, or "
            "render the page without streaming."
        )


class _OutOfTime(DuetError):
    """The budget ran out while waiting for React (V8 itself answers)."""

    def __init__(self) -> None:
        super().__init__("the stream's time budget ran out while waiting for React")


class StreamedRender:
    """One streaming render of the component ``name``: ``shell()``, then iterate ``rest()``."""

    def __init__(
        self,
        name: str,
        props: PropsText,
        *,
        frontend: str | None,
        nonce: str | None,
        element_id: str,
        budget_ms: float | None = None,
    ) -> None:
        self.name = name
        self.props = props
        self.frontend = frontend
        self.nonce = nonce
        self.element_id = element_id
        self.budget_ms = conf.SSR_TIMEOUT_MS if budget_ms is None else float(budget_ms)
        self.started = time.monotonic()
        self.deadline = self.started + self.budget_ms / 1000
        self.done = False
        # The chunks are the container's content in document order (Vue), not React's.
        self.in_order = False
        self._engine: Engine | None = None
        self._slot = "default"
        # A pull whose answer did not come within the budget: the next pull waits on it, so
        # that what React writes after abort() (its $RX instructions) is never lost to it.
        self._waiting: Any = None

    # --- the shell ---------------------------------------------------------------------------

    def shell(self) -> tuple[bytes, Any]:
        """The shell's HTML (bytes, UTF-8) and the head data its components declared; an
        SsrError when there is no shell (the caller falls back to client rendering)."""
        try:
            return self._shell()
        except SsrError:
            self.close()
            raise

    def _shell(self) -> tuple[bytes, Any]:
        if self.props.size > conf.SSR_MAX_PROPS_BYTES:
            raise SsrPropsTooLarge(self.name, self.props.size, conf.SSR_MAX_PROPS_BYTES)
        config = conf.frontend(self.frontend)
        bundle = get_bundle(config)
        self._slot = config.name
        self._engine = checkout_engine(bundle, conf.SSR_HEAP_MB, config.name)
        if not self._eval("typeof __duetSsr.stream === 'function'"):
            raise SsrStreamUnsupported(bundle.path)
        options = js_string(json.dumps({"nonce": self.nonce} if self.nonce else {}))
        started = self._eval(
            f"__duetSsr.stream({json.dumps(self.name)},{self.props.literal},{options})"
        )
        answer = self._answer(started)
        if "missing" in answer:
            raise SsrComponentNotFound(self.name, list(answer.get("known") or []), bundle.path)
        if answer.get("ok") is not True:
            raise self._render_error(answer)
        self.in_order = answer.get("inOrder") is True
        try:
            first = self._pull()
        except _OutOfTime:
            # No shell within the budget: React gives up on it (the promise rejects).
            self._abort_quietly()
            raise SsrTimeout(self.name, self.budget_ms) from None
        if first.get("ok") is not True:
            raise self._render_error(first)
        self.done = bool(first.get("done"))
        return _bytes(first.get("chunk")), first.get("head")

    # --- the boundaries ----------------------------------------------------------------------

    def rest(self) -> Iterator[bytes]:
        """What React writes after the shell, as it comes; ends within the budget (plus the
        abort's grace), whatever the components do."""
        try:
            while not self.done:
                try:
                    answer = self._pull()
                except _OutOfTime:
                    if self.in_order:
                        self._warn("over the time budget", "the browser renders the component")
                        self._abort_quietly()
                        yield self._client_render_container()
                    else:
                        yield from self._abort()
                    return
                except SsrError as exc:  # V8 failed or is stuck: no more from React
                    self._warn(exc.reason, str(exc))
                    self._retire_engine()
                    yield (
                        self._client_render_container()
                        if self.in_order
                        else self._client_render_pending()
                    )
                    return
                if self.in_order and answer.get("ok") is not True:
                    # Part of the component's HTML is out: the browser renders all of it.
                    error = answer.get("error") or {}
                    self._warn(
                        "the component threw",
                        f"{error.get('name', 'Error')}: {error.get('message', '')}; the browser "
                        "renders the component",
                        str(error.get("stack", "")),
                    )
                    yield self._client_render_container()
                    return
                self.done = bool(answer.get("done")) or answer.get("ok") is not True
                chunk = _bytes(answer.get("chunk"))
                if chunk:
                    yield chunk
        finally:
            self.close()

    def _abort(self) -> Iterator[bytes]:
        reason = f"{self.name}: over the time budget of {self.budget_ms:g} ms (streaming)"
        self._warn("over the time budget", "its pending Suspense boundaries render in the browser")
        self.deadline = time.monotonic() + ABORT_GRACE_S
        try:
            self._eval(f"__duetSsr.abort({json.dumps(reason)})")
            while not self.done:
                answer = self._pull()
                self.done = bool(answer.get("done")) or answer.get("ok") is not True
                chunk = _bytes(answer.get("chunk"))
                if chunk:
                    yield chunk
        except (_OutOfTime, SsrError):
            yield self._client_render_pending()

    def _abort_quietly(self) -> None:
        self.deadline = time.monotonic() + ABORT_GRACE_S
        try:
            self._eval(f"__duetSsr.abort({json.dumps('over the time budget')})")
            self._pull()
        except (_OutOfTime, SsrError):
            pass

    def _retire_engine(self) -> None:
        if self._engine is not None:
            self._engine.broken = True  # V8 is stuck or failed: never reused

    def _client_render_pending(self) -> bytes:
        """Our own instruction for the boundaries React could not finish: marked as the
        browser's to render (React's ``$!`` marker), before hydration starts."""
        self._retire_engine()
        return self._script(
            CLIENT_RENDER_PENDING, f'[data-duet-props="{self.element_id}"] template[id]'
        )

    def _client_render_container(self) -> bytes:
        """The end of an in-order stream cut short: the browser renders the component."""
        return self._script(CLIENT_RENDER_CONTAINER, f'[data-duet-props="{self.element_id}"]')

    def _script(self, template: str, selector: str) -> bytes:
        # <, > and & escaped in the only variable part, a JS string.
        script = template.replace("SELECTOR", script_safe_json(json.dumps(selector)))
        html = format_html("<script{}>{}</script>", nonce_attribute(self.nonce), mark_safe(script))
        return html.encode()

    # --- talking to V8 -----------------------------------------------------------------------

    def _eval(self, code: str) -> Any:
        if self._engine is None:
            raise SsrEngineError(f"the stream of {self.name} is closed")
        left = max(self.deadline - time.monotonic(), 0.001)
        try:
            return self._engine.racer.eval(code, left)
        except BudgetExceeded:
            self._engine.broken = True
            raise SsrTimeout(self.name, self.budget_ms) from None
        except Exception as exc:  # mini-racer's JS errors: the bundle misbehaves
            if exc.__class__.__module__.startswith("py_mini_racer"):
                self._engine.broken = True
                raise SsrEngineError(f"V8 failed while streaming {self.name}: {exc}") from None
            raise

    def _pull(self) -> dict[str, Any]:
        from py_mini_racer import JSTimeoutException

        promise = self._waiting if self._waiting is not None else self._eval("__duetSsr.pull()")
        self._waiting = None
        left = self.deadline - time.monotonic()
        if left <= 0:
            self._waiting = promise
            raise _OutOfTime()
        try:
            text = promise.get(timeout=left)
        except JSTimeoutException:
            self._waiting = promise
            raise _OutOfTime() from None
        answer = self._answer(text)
        self._report(answer)
        return answer

    def _answer(self, text: Any) -> dict[str, Any]:
        if not isinstance(text, str):
            raise SsrEngineError(f"__duetSsr answered {type(text).__name__}, not JSON")
        try:
            answer = loads(text)
        except ValueError:
            raise SsrEngineError(f"__duetSsr answered {text[:80]!r}, not JSON") from None
        if not isinstance(answer, dict):
            raise SsrEngineError(f"__duetSsr answered {text[:80]!r}, not an object")
        return answer

    def _render_error(self, answer: dict[str, Any]) -> SsrError:
        error = answer.get("error") or {}
        message = f"{error.get('name', 'Error')}: {error.get('message', '')}"
        return SsrRenderError(self.name, message, str(error.get("stack", "")))

    def _report(self, answer: dict[str, Any]) -> None:
        for entry in answer.get("logs") or []:
            level = logging.WARNING if entry.get("level") in ("error", "warn") else logging.DEBUG
            logger.log(
                level,
                "console.%s in %s (server render): %s",
                entry.get("level"),
                self.name,
                entry.get("message", ""),
            )
        for error in answer.get("errors") or []:
            if error.get("aborted"):
                continue  # said once, by _abort
            self._warn(
                "a Suspense boundary threw",
                f"{error.get('name', 'Error')}: {error.get('message', '')}; that boundary "
                "renders in the browser",
                str(error.get("stack", "")),
            )

    def _warn(self, reason: str, what: str, stack: str = "") -> None:
        logger.warning(
            "Streaming server rendering of %s (%s, after %.0f ms): %s%s",
            self.name,
            reason,
            (time.monotonic() - self.started) * 1000,
            what,
            f"\nJS stack:\n{stack}" if stack else "",
            extra={"component": self.name, "ssr_reason": reason},
        )

    def close(self) -> None:
        """Ends the stream's state in V8 and gives the context back (or closes it)."""
        engine, self._engine = self._engine, None
        if engine is None:
            return
        if not engine.broken:
            try:
                # The stream's state, then its timers still pending (an aborted boundary's):
                # nothing of this render may run in the middle of the context's next one.
                engine.racer.eval("__duetSsr.finish && __duetSsr.finish()", ABORT_GRACE_S)
                engine.racer.eval(SETTLE, ABORT_GRACE_S)
            except BudgetExceeded:
                engine.broken = True
            except Exception as exc:  # a context we are about to reuse must answer cleanly
                logger.debug("ending a stream failed: %r", exc)
                engine.broken = True
        checkin_engine(engine, self._slot)


def _bytes(chunk: Any) -> bytes:
    # One char per byte (React's UTF-8 output), as the bundle hands it over.
    return chunk.encode("latin-1") if isinstance(chunk, str) and chunk else b""
