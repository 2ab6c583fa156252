"""What the dev proxy answers, in no framework's shape: the dev server's answer, or its own
pages (a refusal, a foreign Host, a dev server that is down, hung or not speaking HTTP).

The adapters (``proxy``, ``proxy_asgi``, ``proxy_wsgi``) only translate an ``Answer`` into a
Django response, ASGI messages or a WSGI ``start_response``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.utils.html import format_html

from django_duet.conf import conf
from django_duet.dev.server import DevServer

R = TypeVar("R")  # the dev server's reply: upstream.Reply, or upstream_async.AsyncReply


class Pass(enum.Enum):
    """The request is not the dev proxy's to answer: the rest of Django gets it."""

    NOT_MINE = "not mine"  # not in development, not a dev server path, no dev server running
    HANDED_BACK = "handed back"  # the dev server has no such file (404): maybe another app's


@dataclass
class Answer(Generic[R]):
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    # The dev server's answer with its body still unread: relay it, then close it.
    upstream: R | None = field(default=None, repr=False)


def page(status: int, title: str, detail: str) -> Answer[Any]:
    """A plain HTML page: the title and the detail, nothing about settings or the process."""
    html = format_html(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{}</title></head>'
        "<body><h1>{}</h1><p>{}</p></body></html>\n",
        title,
        title,
        detail,
    ).encode()
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(html))),
        ("Cache-Control", "no-store"),
    ]
    return Answer(status, headers, html)


def foreign_host(host: str) -> Answer[Any]:
    # Not Django's DisallowedHost page: with DEBUG on it lists the settings and the process
    # environment, and a DNS-rebinding page on that Host can read it.
    return page(
        400,
        "Bad Request (400)",
        f"The Host {host!r} is not in ALLOWED_HOSTS. If you browse the site under that name, "
        "add it there.",
    )


def upstream_error(server: DevServer, exc: Exception) -> Answer[Any]:
    """A 502 or 504 page for a dev server that is down, hung, or not speaking HTTP."""
    from django_duet.dev.upstream import UpstreamGone, UpstreamTimeout

    if isinstance(exc, UpstreamTimeout):
        return page(
            504,
            "Gateway timeout: the Vite dev server did not answer",
            f"Nothing came back from {server.origin} within {conf.DEV_PROXY_TIMEOUT:g} s. It may "
            "be busy (its first dependency optimisation can take a while) or hung: look at its "
            "output in the `manage.py duet dev` terminal and restart it, or raise "
            "DUET['DEV_PROXY_TIMEOUT'].",
        )
    if isinstance(exc, UpstreamGone):
        return page(
            502,
            "Bad gateway: the Vite dev server stopped",
            f"Nothing listens at {server.origin} any more. Restart it with `python manage.py "
            "duet dev`.",
        )
    return page(
        502,
        "Bad gateway: the Vite dev server sent an invalid answer",
        f"{server.origin} answered something that is not valid HTTP ({exc}). Is another program "
        "listening on that port? Stop it, or give Vite another port "
        "(`python manage.py duet dev --vite-port 5174`).",
    )
