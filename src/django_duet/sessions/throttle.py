"""Login throttling against password guessing: failures counted per username and per client IP.

Counters live in Django's cache (``DUET["LOGIN_THROTTLE_CACHE"]``), so every process that
shares the cache (Redis, Memcached, the database cache) shares the limits; the per-process
local-memory cache multiplies them by the number of workers (deploy check duet.W014).

An attempt is *reserved* before its password is checked, and the reservation is the count:
each budget is a row of numbered slots per window, and a request takes the first free one with
``cache.add``, which only one caller can win (a lock in the local-memory cache, the primary key
of the database cache, SET NX in Redis, add in Memcached). Requests in flight together hold
distinct slots, so no interleaving checks more passwords than the budget. A failure keeps its
slot; a success gives its slots back (and clears the username's: the user proved the password).

Each limit is a sliding window approximated from two fixed windows, as many rate limiters
do: ``previous * (1 - elapsed fraction) + current``. Unlike a plain fixed window it does not
let twice the limit through around a window boundary.

When the cache cannot be reached (Redis down), ``ThrottleUnavailable`` is raised: logins are
refused (503) rather than let through unlimited.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.http import HttpRequest

from django_duet.conf import conf
from django_duet.exceptions import DuetError


class ThrottleUnavailable(DuetError):
    """The throttle's cache cannot be reached: no attempt can be counted, so none may be made."""


def outage_errors() -> tuple[type[Exception], ...]:
    """What a cache raises when its server is away: sockets' OSError, redis-py's own errors."""
    try:
        import redis.exceptions as redis_errors
    except ImportError:  # no Redis client: no Redis cache
        return (OSError,)
    return (OSError, redis_errors.ConnectionError, redis_errors.TimeoutError)


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
    key: str  # cache key prefix, without the window number and slot
    limit: int


class LoginThrottle:
    """``reserve()`` before checking a password, then ``failed()`` or ``succeeded()``."""

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
        self.held: dict[str, str] = {}  # scope -> the slot this attempt holds
        self.at = now()

    def _slots(self, counter: Counter, index: int) -> list[str]:
        return [f"{counter.key}:{index}:{slot}" for slot in range(1, counter.limit + 1)]

    def reserve(self) -> int | None:
        """Take one attempt from every budget: None when taken, else the seconds to wait.

        A refused attempt holds nothing (a blocked guesser does not extend the block).
        """
        self.at = now()
        try:
            for counter in self.counters:
                wait = self._take(counter)
                if wait is not None:
                    self.cache.delete_many(list(self.held.values()))
                    self.held = {}
                    return wait
        except outage_errors() as exc:
            raise ThrottleUnavailable(f"The login throttle's cache is unreachable: {exc}") from exc
        return None

    def _take(self, counter: Counter) -> int | None:
        index = int(self.at // self.window)
        previous_keys, current_keys = self._slots(counter, index - 1), self._slots(counter, index)
        present = self.cache.get_many([*previous_keys, *current_keys])
        previous = sum(key in present for key in previous_keys)
        elapsed = (self.at - index * self.window) / self.window
        weighted = previous * (1 - elapsed)
        current = sum(key in present for key in current_keys)
        for number, key in enumerate(current_keys, start=1):
            # Slot n is only for an attempt that n - 1 earlier ones leave under the limit.
            if weighted + number - 1 >= counter.limit:
                break
            if key in present:
                continue
            # Kept two windows: it is still read as "previous" during the next one.
            if self.cache.add(key, 1, timeout=2 * self.window):
                self.held[counter.scope] = key
                return None
            current += 1  # taken meanwhile by a concurrent attempt
        return self._wait(counter, previous, current, elapsed)

    def _wait(self, counter: Counter, previous: int, current: int, elapsed: float) -> int:
        start = self.at - elapsed * self.window
        if current and current >= counter.limit:
            # Wait for the next window, where this window's count weighs less as time passes.
            wait = (start + self.window - self.at) + (1 - counter.limit / current) * self.window
        elif previous:
            needed = 1 - (counter.limit - current) / previous
            wait = (needed - elapsed) * self.window
        else:
            wait = 1.0  # the slots below were given back meanwhile: try again
        return max(1, math.ceil(wait))

    def failed(self) -> None:
        """The password was wrong: the reservations stay, as the failure's count."""
        self.held = {}

    def succeeded(self) -> None:
        """Give the attempt back; a right password also clears the username's failures."""
        keys = list(self.held.values())
        index = int(self.at // self.window)
        for counter in self.counters:
            if counter.scope == "username":
                keys += self._slots(counter, index - 1) + self._slots(counter, index)
        self.held = {}
        try:
            self.cache.delete_many(keys)
        except outage_errors() as exc:
            raise ThrottleUnavailable(f"The login throttle's cache is unreachable: {exc}") from exc


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"duet:login:{scope}:{digest}"
