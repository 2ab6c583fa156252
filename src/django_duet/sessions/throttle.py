"""Login throttling against password guessing: failures counted per username and per client IP.

Counters live in Django's cache (``DUET["LOGIN_THROTTLE_CACHE"]``), so every process that
shares the cache (Redis, Memcached, the database cache) shares the limits; the per-process
local-memory cache multiplies them by the number of workers (deploy check duet.W014).

Each limit is a sliding window approximated from two fixed windows, as many rate limiters
do: ``previous * (1 - elapsed fraction) + current``. Unlike a plain fixed window it does not
let twice the limit through around a window boundary, and every counter is one atomic
``incr``. Only failures count; a success resets the username's counter but not the IP's
(else an attacker with one valid account could reset their own IP limit).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.http import HttpRequest

from django_duet.conf import conf


def now() -> float:
    return time.time()  # a function, so tests can move the clock


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address a trusted proxy put in DUET["CLIENT_IP_HEADER"].

    Behind N proxies that each append to X-Forwarded-For, the client is the N-th entry from
    the right: entries to its left were written by the client and can be anything.
    """
    header = conf.CLIENT_IP_HEADER
    if header:
        entries = [e.strip() for e in request.headers.get(header, "").split(",") if e.strip()]
        count = conf.CLIENT_IP_PROXY_COUNT
        if len(entries) >= count:
            return entries[-count]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@dataclass(frozen=True)
class Counter:
    scope: str  # "username" or "ip"
    key: str  # cache key prefix, without the window number
    limit: int


class LoginThrottle:
    """``retry_after()`` before checking a password, then ``failed()`` or ``succeeded()``."""

    def __init__(self, request: HttpRequest, username: str) -> None:
        self.window = conf.LOGIN_THROTTLE_WINDOW
        self.cache: BaseCache = caches[conf.LOGIN_THROTTLE_CACHE]
        # Usernames are hashed: cache keys stay short and safe for memcached whatever was typed,
        # and case-folded so "Admin" and "admin" share one budget.
        candidates = [
            Counter(
                "username", _key("username", username.casefold()), conf.LOGIN_FAILURES_PER_USERNAME
            ),
            Counter("ip", _key("ip", client_ip(request)), conf.LOGIN_FAILURES_PER_IP),
        ]
        self.counters = [c for c in candidates if c.limit > 0]

    def _windows(self, counter: Counter, at: float) -> tuple[str, str]:
        index = int(at // self.window)
        return f"{counter.key}:{index - 1}", f"{counter.key}:{index}"

    def retry_after(self) -> int | None:
        """Seconds until a login may be tried again, or None when it may be tried now."""
        at = now()
        waits = [self._wait(counter, at) for counter in self.counters]
        blocked = [w for w in waits if w is not None]
        return max(blocked) if blocked else None

    def _wait(self, counter: Counter, at: float) -> int | None:
        previous_key, current_key = self._windows(counter, at)
        values = self.cache.get_many([previous_key, current_key])
        previous, current = int(values.get(previous_key, 0)), int(values.get(current_key, 0))
        start = (at // self.window) * self.window
        elapsed = (at - start) / self.window
        if previous * (1 - elapsed) + current < counter.limit:
            return None
        if current >= counter.limit:
            # Wait for the next window, where this window's count weighs less as time passes.
            wait = (start + self.window - at) + (1 - counter.limit / current) * self.window
        else:
            needed = 1 - (counter.limit - current) / previous
            wait = (needed - elapsed) * self.window
        return max(1, math.ceil(wait))

    def failed(self) -> None:
        at = now()
        for counter in self.counters:
            _, key = self._windows(counter, at)
            # Two windows: the counter is still read as "previous" during the next one.
            self.cache.add(key, 0, timeout=2 * self.window)
            try:
                self.cache.incr(key)
            except ValueError:  # expired between add and incr
                self.cache.set(key, 1, timeout=2 * self.window)
            else:
                # The database and file caches implement incr as get + set with their default
                # timeout, which may be shorter than two windows.
                self.cache.touch(key, timeout=2 * self.window)

    def succeeded(self) -> None:
        at = now()
        for counter in self.counters:
            if counter.scope == "username":
                self.cache.delete_many(list(self._windows(counter, at)))


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"duet:login:{scope}:{digest}"
