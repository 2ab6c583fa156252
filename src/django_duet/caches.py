"""Process-wide caches, all cleared by one ``setting_changed`` receiver.

A module that keeps something per process declares it here once, and nothing else needs an
edit: ``@settings_cache(maxsize=16)`` on a function (an ``lru_cache`` that is registered), or
``register(clear)`` for any other store. Settings change at run time only in tests
(``override_settings``), so clearing every cache on any change is both simple and cheap.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_clearers: list[Callable[[], None]] = []
_lock = threading.Lock()


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Have ``clear`` called whenever a setting changes; returns it (usable as a decorator)."""
    with _lock:
        _clearers.append(clear)
    return clear


def settings_cache(maxsize: int | None = 128) -> Callable[[F], F]:
    """``functools.lru_cache``, cleared when a setting changes."""

    def decorate(function: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        register(cached.cache_clear)
        return cached  # type: ignore[return-value]

    return decorate


def clear_all() -> None:
    with _lock:
        clearers = list(_clearers)
    for clear in clearers:
        clear()


def on_setting_changed(**kwargs: Any) -> None:
    clear_all()
