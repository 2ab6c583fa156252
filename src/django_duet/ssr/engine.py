"""V8 contexts for server rendering: one per thread, created lazily, with the bundle loaded once.

A thread (gunicorn gthread, the thread asgiref runs sync views in under uvicorn, a runserver
thread) keeps its own context, so renders never wait for each other nor share JS state. A
context is replaced when the bundle changes (a rebuild, in DEV_MODE), when a render blew a
budget (its JS state cannot be trusted after an interruption) or left JS running after it
returned (``leftover``), or after a fork. An interrupted context is closed off the request
thread (closing waits for V8 to stop). A dead thread's context is closed when the thread goes;
every context still open is closed at exit (``weakref.finalize`` runs at exit), since an open
context with a pending timer hangs the interpreter's shutdown.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from typing import Any

from django_duet.ssr.bundle import ServerBundle
from django_duet.ssr.errors import (
    SsrBundleInvalid,
    SsrComponentNotFound,
    SsrEngineError,
    SsrHeapExceeded,
    SsrRenderError,
    SsrTimeout,
)
from django_duet.ssr.jsontext import js_string, loads
from django_duet.ssr.leftover import PRELUDE, settle
from django_duet.ssr.v8 import BudgetExceeded, Racer

logger = logging.getLogger("django_duet.ssr")

# Loading a bundle is not a render: its own, fixed bound.
LOAD_TIMEOUT_S = 10.0
_local = threading.local()
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
# Bundles that failed to load, by key: a broken deploy costs each request a lookup, not a new
# V8 context that fails again.
_invalid: dict[tuple[str, tuple[int, int, int]], SsrBundleInvalid] = {}


class Engine:
    """One V8 context with one server bundle, used by one thread."""

    def __init__(self, bundle: ServerBundle, heap_mb: int, *, fast: bool = True) -> None:
        self.bundle = bundle
        self.heap_mb = heap_mb
        # Interrupted, or left JS running: replace before the next render, close off-thread.
        self.broken = False
        self._racer = Racer(fast=fast)
        self._finalizer = weakref.finalize(self, _close_quietly, self._racer)
        _engines.add(self)
        try:
            self._racer.set_heap_limit(heap_mb * 1024 * 1024)
            self._racer.eval(PRELUDE, LOAD_TIMEOUT_S)
            self._load()
        except BaseException:
            self.broken = True  # whatever failed, V8 may still be busy with it
            self.close()
            raise

    def _load(self) -> None:
        from py_mini_racer import JSEvalException

        try:
            # sourceURL names the file in JS stacks ("at Throws (server-abc.js:24:13)").
            source = f"{self.bundle.source}\n//# sourceURL={self.bundle.path.name}\n"
            self._racer.eval(source, LOAD_TIMEOUT_S)
            protocol = self._racer.eval(
                "typeof __duetSsr === 'object' && __duetSsr !== null ? __duetSsr.version : 0",
                LOAD_TIMEOUT_S,
            )
        except BudgetExceeded:
            raise SsrBundleInvalid(
                self.bundle.path, f"evaluating it took more than {LOAD_TIMEOUT_S:g} s"
            ) from None
        except JSEvalException as exc:
            raise SsrBundleInvalid(self.bundle.path, f"evaluating it threw: {exc}") from None
        if protocol != 1:
            raise SsrBundleInvalid(
                self.bundle.path,
                "it does not install globalThis.__duetSsr (version 1): its server entry must call "
                "createRenderer({ components, createElement, renderToString })",
            )
        if settle(self._racer, LOAD_TIMEOUT_S, charge_to=None, bundle=self.bundle.path).running:
            raise SsrBundleInvalid(self.bundle.path, "JS kept running after it was evaluated")

    @property
    def fast(self) -> bool:
        return self._racer.fast

    @property
    def racer(self) -> Racer:
        """The context itself, for renders that talk to the bundle in several calls (streams)."""
        return self._racer

    def render(self, name: str, props_json: str, timeout_ms: float) -> dict[str, Any]:
        """``{"html", "head", "logs"}`` of one render, or an SsrError saying why not."""
        return self.render_literal(name, js_string(props_json), timeout_ms)

    def render_literal(self, name: str, props_literal: str, timeout_ms: float) -> dict[str, Any]:
        """As ``render``, with the props JSON already a JS string literal (``PropsText``)."""
        from py_mini_racer import JSEvalException, JSOOMException

        # The props cross as one string literal, parsed by JSON.parse in V8: cheaper than
        # building an object through the bridge.
        code = f"__duetSsr.render({json.dumps(name)},{props_literal})"
        started = time.monotonic()
        try:
            answer = self._racer.eval(code, timeout_ms / 1000)
        except BudgetExceeded:
            self.broken = True
            if self._racer.heap_limit_reached():
                raise SsrHeapExceeded(name, self.heap_mb) from None
            raise SsrTimeout(name, timeout_ms) from None
        except JSEvalException as exc:
            self.broken = True
            if isinstance(exc, JSOOMException) or self._racer.heap_limit_reached():
                raise SsrHeapExceeded(name, self.heap_mb) from None
            raise SsrEngineError(f"V8 failed while rendering {name}: {exc}") from None
        # Charged to this render: what it left behind, within what is left of its budget.
        left_s = timeout_ms / 1000 - (time.monotonic() - started)
        if settle(self._racer, left_s, charge_to=name).running:
            self.broken = True  # that work cannot be stopped in there: a new context
        if not isinstance(answer, str):
            raise SsrEngineError(f"__duetSsr.render returned {type(answer).__name__}, not JSON")
        try:
            result: dict[str, Any] = loads(answer)
        except ValueError:
            raise SsrEngineError(f"__duetSsr.render returned {answer[:80]!r}, not JSON") from None
        if not isinstance(result, dict):
            raise SsrEngineError(f"__duetSsr.render returned {answer[:80]!r}, not an object")
        _log_console(name, result.get("logs") or [])
        if result.get("ok") is True:
            return result
        if "missing" in result:
            raise SsrComponentNotFound(name, list(result.get("known") or []), self.bundle.path)
        error = result.get("error") or {}
        raise SsrRenderError(
            name,
            f"{error.get('name', 'Error')}: {error.get('message', '')}",
            error.get("stack", ""),
        )

    def close(self) -> None:
        if self.broken:
            # V8 may still be stopping what was interrupted, and closing waits for it: a
            # request thread must not, so a daemon thread does.
            threading.Thread(target=self._finalizer, name="duet-ssr-close", daemon=True).start()
        else:
            self._finalizer()


def _close_quietly(racer: Racer) -> None:
    # At exit or from the garbage collector: nobody to report a failure to.
    try:
        racer.close()
    except Exception as exc:  # a finalizer must not raise
        logger.debug("closing a V8 context failed: %r", exc)


def _log_console(name: str, logs: list[dict[str, str]]) -> None:
    for entry in logs:
        level = logging.WARNING if entry.get("level") in ("error", "warn") else logging.DEBUG
        logger.log(
            level,
            "console.%s in %s (server render): %s",
            entry.get("level"),
            name,
            entry.get("message", ""),
        )


# A forked child's copies of its parent's engines: kept referenced for good, because freeing
# one frees its mini-racer context, which waits for V8's threads, and those did not come along.
_inherited: list[Engine] = []


def _forget_after_fork() -> None:
    # A forked child has copies of the parent's contexts without V8's threads: never close them.
    for engine in list(_engines):
        engine._finalizer.detach()
        _inherited.append(engine)
    _engines.clear()
    _local.__dict__.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def engine_for(bundle: ServerBundle, heap_mb: int, slot: str = "default") -> Engine:
    """This thread's engine for ``bundle``, created or replaced as needed. ``slot`` is the
    frontend the bundle belongs to: a thread keeps one engine per frontend, and a new build of
    a frontend replaces that frontend's engine only."""
    engines: dict[str, Engine] | None = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    engine = engines.get(slot)
    if engine is not None and (
        engine.broken
        or (engine.bundle is not bundle and engine.bundle.key != bundle.key)
        or engine.heap_mb != heap_mb
    ):
        del engines[slot]
        engine.close()
        engine = None
    if engine is None:
        known = _invalid.get(bundle.key)
        if known is not None:
            raise known
        try:
            engine = Engine(bundle, heap_mb)
        except SsrBundleInvalid as exc:
            if len(_invalid) > 8:
                _invalid.clear()
            _invalid[bundle.key] = exc
            raise
        engines[slot] = engine
    return engine


def checkout_engine(bundle: ServerBundle, heap_mb: int, slot: str = "default") -> Engine:
    """This thread's engine for ``bundle``, taken out of the thread's slot for a render that
    lasts longer than one call (a stream, ``ssr.stream``): other renders of the thread, and the
    threads that drive the stream, never share it. Hand it back with ``checkin_engine``."""
    engine = engine_for(bundle, heap_mb, slot)
    engines: dict[str, Engine] = _local.engines
    del engines[slot]
    return engine


def checkin_engine(engine: Engine, slot: str = "default") -> None:
    """Back into this thread's slot, unless the slot has an engine already, or this one is
    broken: then it is closed."""
    engines: dict[str, Engine] | None = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    if engine.broken or slot in engines:
        engine.close()
    else:
        engines[slot] = engine


def discard_thread_engine() -> None:
    """Closes this thread's engines (the next render creates new ones)."""
    engines: dict[str, Engine] = getattr(_local, "engines", None) or {}
    _local.engines = {}
    for engine in engines.values():
        engine.close()
