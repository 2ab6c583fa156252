"""The example's ASGI application inside ``EarlyHints`` (docs/performance.md), for uvicorn.

Its 103s go out 50 ms late, standing in for the network's round trip: Chromium drops a 103 that
reaches it before it has finished sending the request (its net log shows the HTTP/2 session
receive the 103 and the transaction never read it), which over loopback happened on about half
of the visits. Over a real network the request is sent long before any answer can arrive.
"""

import asyncio
import os
from collections.abc import MutableMapping
from typing import Any

from django.core.asgi import get_asgi_application

from django_duet.asgi import duet_asgi
from django_duet.asgi_types import Receive, Scope, Send
from django_duet.pages.early_hints import EarlyHints

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.early_hints_settings")
hinted = EarlyHints(duet_asgi(get_asgi_application()))
ROUND_TRIP = 0.05


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    async def after_a_round_trip(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.early_hint":
            await asyncio.sleep(ROUND_TRIP)
        await send(message)

    await hinted(scope, receive, after_a_round_trip)
