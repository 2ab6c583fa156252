"""One mini-racer V8 context, called from the calling thread with a time budget.

mini-racer's public ``eval`` hops through an asyncio loop thread on every call (about 0.2 ms).
With mini-racer 0.14 we can post the evaluation to V8 and wait for its answer on the context's
result queue from the calling thread (about 0.03 ms), and on time out cancel the task, which
terminates the running script. That path uses private attributes, so it is taken only with the
versions it was checked against (``FAST_PATH_VERSIONS``) and when they are all there; any
other version gets the public API (same behaviour, slower).

An interrupted evaluation returns at once: waiting for V8 to report the end of the cancelled
task (and closing the context, which waits for V8) is left to ``close()``, which the engine
calls off the request thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.metadata
import logging
import os
import queue
import threading
from typing import Any

from django_duet.conf import conf
from django_duet.exceptions import DuetError
from django_duet.ssr.errors import SsrEngineError, SsrForkedAfterV8, SsrUnavailable

logger = logging.getLogger("django_duet.ssr")

# After a cancel, V8 reports the terminated task; a script stuck in native code may not.
TERMINATE_GRACE_S = 2.0
# The exact versions whose internals the fast path was checked against (a patch release may
# change them): any other version takes the public API. pyproject's range stays within 0.14.
FAST_PATH_VERSIONS = frozenset({"0.14.1"})
# V8 aborts the whole process ("Check failed: !IsConfigurablePoolInitialized()") when threads
# create their first contexts at the same moment, as the threads of a fresh gthread worker do:
# contexts are created one at a time. Renders and closes are not serialized.
_CREATE_LOCK = threading.Lock()
CREATE_TIMEOUT_S = 30.0
# V8's flags, set before the first context of the process: none. mini-racer's default,
# --single-threaded, makes V8 optimize hot functions on the rendering thread; with V8's own
# background threads a 1,000-row render took about 15 % less time, and less CPU in total, for
# about 1 MB more per process (docs/benchmarks.md).
V8_FLAGS: tuple[str, ...] = ()


def v8_flags() -> tuple[str, ...]:
    """V8's flags for this process: ``V8_FLAGS`` and the young generation's size."""
    semi_space_mb = conf.SSR_SEMI_SPACE_MB
    if semi_space_mb is None:
        return V8_FLAGS
    # A young generation of a fixed, smaller size: no growth from V8's 1 MB start (fewer
    # collections in a context's first renders), and about 10 MB less per busy worker; the
    # same speed for a 1,000-row table (docs/ssr.md).
    size = str(semi_space_mb)
    return (*V8_FLAGS, f"--min-semi-space-size={size}", f"--max-semi-space-size={size}")


class BudgetExceeded(DuetError):
    """The evaluation ran out of time (it was cancelled; V8 may still be stopping it)."""

    def __init__(self) -> None:
        super().__init__("the evaluation ran out of time")


# The process that started V8. A process forked from it inherits this value: V8's worker
# threads did not come along, and loading a bundle there waits for them forever.
_v8_started_in: int | None = None


def _new_mini_racer() -> Any:
    global _v8_started_in
    if _v8_started_in is not None and _v8_started_in != os.getpid():
        raise SsrForkedAfterV8(_v8_started_in)
    try:
        from py_mini_racer import MiniRacer, init_mini_racer
    except ImportError:
        raise SsrUnavailable() from None
    if _v8_started_in is None:
        _start_v8(init_mini_racer)
    _v8_started_in = os.getpid()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return MiniRacer()
    # Created inside a running event loop (an async view), mini-racer would tie the context to
    # that loop and refuse timeouts: create it from a short-lived thread, with a loop of its own.
    made: list[Any] = []
    failed: list[BaseException] = []

    def create() -> None:
        try:
            made.append(MiniRacer())
        except BaseException as exc:  # handed over to the calling thread
            failed.append(exc)

    thread = threading.Thread(target=create, name="duet-ssr-create", daemon=True)
    thread.start()
    thread.join(30.0)
    if failed:
        raise failed[0]
    if not made:
        raise SsrEngineError("creating a V8 context took more than 30 s")
    return made[0]


def _start_v8(init_mini_racer: Any) -> None:
    """Starts V8 with ``v8_flags()``; warns when someone else started it first."""
    from py_mini_racer import LibAlreadyInitializedError

    flags = v8_flags()
    try:
        init_mini_racer(flags=flags)
    except LibAlreadyInitializedError:
        # A MiniRacer created (or init_mini_racer called) before django-duet's first context:
        # V8 runs with that caller's flags, and ours cannot be set any more.
        logger.warning(
            "mini-racer was initialised before django-duet's first V8 context, so V8 runs "
            "without django-duet's flags (%s) and with mini-racer's defaults (--single-threaded: "
            "renders about 15 %% slower; DUET['SSR_SEMI_SPACE_MB'] is not applied). To fix it, "
            "let django-duet create the first context in the process, or start mini-racer "
            "yourself with init_mini_racer(flags=django_duet.ssr.v8.v8_flags()).",
            " ".join(flags) or "none",
        )


@functools.cache
def _known_version() -> bool:
    try:
        version = importlib.metadata.version("mini-racer")
    except importlib.metadata.PackageNotFoundError:
        return False
    return version in FAST_PATH_VERSIONS


def _fast_path(racer: Any) -> Any | None:
    """The context's internals if they are those of a checked mini-racer, else None."""
    if not _known_version():
        return None
    ctx = getattr(racer, "_ctx", None)
    needed = ("_dll", "_ctx", "_non_cancelable_mr_task_results_queue")
    needed_methods = ("_python_to_value_handle", "_value_handle_to_python")
    if ctx is None or not all(hasattr(ctx, name) for name in needed + needed_methods):
        return None
    dll = ctx._dll
    if not all(hasattr(dll, name) for name in ("mr_eval", "mr_cancel_task")):
        return None
    if not isinstance(ctx._non_cancelable_mr_task_results_queue, queue.Queue):
        return None
    return ctx


class Racer:
    """A V8 context used by one thread at a time (the caller guarantees it)."""

    def __init__(self, *, fast: bool = True) -> None:
        if not _CREATE_LOCK.acquire(timeout=CREATE_TIMEOUT_S):
            raise SsrEngineError(f"no V8 context could be created within {CREATE_TIMEOUT_S:g} s")
        try:
            self._mr = _new_mini_racer()
        finally:
            _CREATE_LOCK.release()
        self._ctx = _fast_path(self._mr) if fast else None
        self._interrupted = False

    @property
    def fast(self) -> bool:
        return self._ctx is not None

    def set_heap_limit(self, limit_bytes: int) -> None:
        self._mr.set_hard_memory_limit(limit_bytes)

    def heap_limit_reached(self) -> bool:
        return bool(self._mr.was_hard_memory_limit_reached())

    def eval(self, code: str, timeout_s: float) -> Any:
        """The value of ``code``; mini-racer's JS errors propagate; BudgetExceeded on time out,
        after which the context must only be closed."""
        if self._ctx is None:
            return self._eval_public(code, timeout_s)
        ctx = self._ctx
        results: queue.Queue[Any] = ctx._non_cancelable_mr_task_results_queue
        code_handle = ctx._python_to_value_handle(code)  # kept alive until V8 answers
        task_id = ctx._dll.mr_eval(ctx._ctx, code_handle.raw, 0)
        try:
            answer = results.get(timeout=timeout_s)
        except queue.Empty:
            ctx._dll.mr_cancel_task(ctx._ctx, task_id)
            self._interrupted = True
            raise BudgetExceeded() from None
        del code_handle
        return ctx._value_handle_to_python(answer)

    def _eval_public(self, code: str, timeout_s: float) -> Any:
        from py_mini_racer import JSTimeoutException

        try:
            return self._mr.eval(code, timeout_sec=timeout_s)
        except JSTimeoutException:
            self._interrupted = True
            raise BudgetExceeded() from None

    def close(self) -> None:
        """Closes the context, which waits for V8 to stop what it runs: call it off the
        request thread when an evaluation was interrupted."""
        mr, self._mr = self._mr, None
        fast, self._ctx = self._ctx is not None, None
        if mr is None:
            return
        if self._interrupted and not fast:
            # V8 runs tasks in order: once a no-op answers, the cancelled task has reported
            # back, which after close() would hit the closed event loop of the public API.
            from py_mini_racer import JSEvalException, JSTimeoutException

            with contextlib.suppress(JSTimeoutException, JSEvalException):  # closing stops it
                mr.eval("0", timeout_sec=TERMINATE_GRACE_S)
        mr.close()
