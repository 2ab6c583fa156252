"""The ASGI shapes every ASGI module of the package speaks, written once.

``InnerApp`` is what ``duet_asgi`` and ``EarlyHints`` accept: any ASGI callable, so that Django's
own handler (typed by django-stubs with a ``dict`` scope and ``Mapping`` messages) passes under
``mypy --strict`` in the user's ``asgi.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
InnerApp = Callable[..., Awaitable[None]]
