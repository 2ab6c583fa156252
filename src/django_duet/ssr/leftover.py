"""Work a render leaves behind in its V8 context: timers, and JS that keeps running after it.

A server render is synchronous: nothing that runs after ``renderToString`` returns can reach
the HTML. But a context serves every request of its thread, so work left behind runs during,
or in place of, the next request's render: an endless promise chain keeps V8 busy until that
render is over its budget (and is blamed for it), a timer fires in the middle of it.

The prelude, evaluated before the bundle, counts the timers the bundle starts. After each
render a no-op evaluation settles the account: V8 runs tasks in order, after the microtasks
of the task before, so if it does not answer in time the render left JS running (the engine
discards the context); if it does, the timers still pending are cancelled and counted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django_duet.ssr.v8 import BudgetExceeded, Racer

logger = logging.getLogger("django_duet.ssr")

# Wraps the host's setTimeout/clearTimeout (mini-racer's, from ECMAScript's Atomics) to keep
# the ids of the timers not yet fired nor cleared; __duetSettle() clears them, says how many.
PRELUDE = """(function (g) {
  var set = g.setTimeout, clear = g.clearTimeout, pending = new Set();
  if (typeof set !== "function" || typeof clear !== "function") {
    g.__duetSettle = function () { return 0; };
    return;
  }
  g.setTimeout = function (fn, delay) {
    var args = Array.prototype.slice.call(arguments, 2), id;
    id = set.call(g, function () {
      pending.delete(id);
      if (typeof fn === "function") fn.apply(g, args);
    }, delay);
    pending.add(id);
    return id;
  };
  g.clearTimeout = function (id) {
    pending.delete(id);
    return clear.call(g, id);
  };
  g.__duetSettle = function () {
    var n = pending.size;
    pending.forEach(function (id) { clear.call(g, id); });
    pending.clear();
    return n;
  };
})(globalThis);"""

SETTLE = "__duetSettle()"
# The least time given to the settling evaluation, however little of the budget is left: it
# answers in well under 1 ms when nothing runs, so only left-over work ever waits this long.
MIN_SETTLE_S = 0.05


@dataclass(frozen=True, slots=True)
class Leftover:
    running: bool  # JS still running: the context must be discarded
    timers: int  # timers that were pending, now cancelled


def settle(
    racer: Racer, budget_s: float, *, charge_to: str | None, bundle: Path | None = None
) -> Leftover:
    """What the last evaluation left behind, with its timers cancelled, logged as the doing
    of the component ``charge_to`` (None: of loading ``bundle``)."""
    from py_mini_racer import JSEvalException

    started = time.monotonic()
    try:
        timers = racer.eval(SETTLE, max(budget_s, MIN_SETTLE_S))
    except BudgetExceeded:
        left = Leftover(running=True, timers=0)
    except JSEvalException:  # the bundle replaced __duetSettle: nothing to count with
        left = Leftover(running=False, timers=0)
    else:
        left = Leftover(running=False, timers=int(timers) if isinstance(timers, int) else 0)
    if charge_to is not None:
        _charge(charge_to, left, time.monotonic() - started)
    elif left.timers:
        logger.warning(
            "Loading the server bundle %s started %d timer(s) (setTimeout at module level): "
            "cancelled, so that they cannot run in the middle of a render.",
            bundle,
            left.timers,
        )
    return left


def _charge(name: str, left: Leftover, waited_s: float) -> None:
    if left.running:
        logger.warning(
            "Server rendering of %s left JavaScript running after it returned (V8 was still "
            "busy %.0f ms later: an endless chain of promises or queueMicrotask callbacks): "
            "its V8 context is discarded, so that the next render starts in a new one. Keep "
            "async work out of the render (effects do not run on the server).",
            name,
            waited_s * 1000,
            extra={"component": name, "ssr_reason": "left JS running"},
        )
    elif left.timers:
        logger.warning(
            "Server rendering of %s left %d timer(s) pending (setTimeout during the render): "
            "cancelled, since nothing they do can reach the HTML and they would run in the "
            "middle of another render. Start timers in an effect, which runs only in the "
            "browser.",
            name,
            left.timers,
            extra={"component": name, "ssr_reason": "left timers"},
        )
