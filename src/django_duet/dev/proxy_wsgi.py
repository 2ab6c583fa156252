"""The dev proxy in front of Django's WSGI handler: what ``duet dev`` runs under runserver.

Module requests are answered before the handler; the core (``core.answer_early``) decides,
this module turns an environ into a ``DevRequest`` and an ``Answer`` into ``start_response``.
Everything else, and every request of a server not started by ``duet dev``, goes through
Django and ``DevProxyMiddleware`` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.core.handlers.wsgi import get_path_info, get_script_name

from django_duet.dev import core
from django_duet.dev.answers import Pass
from django_duet.dev.server import DECLINED, claim
from django_duet.dev.upstream import relay_blocks

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


ASKED = "duet.dev_proxy_asked"  # in the environ: the early answer was tried already


@dataclass(frozen=True)
class EarlyAnswer:
    """The dev proxy's answer in WSGI's terms: what ``start_response`` and the body take."""

    status: int
    headers: list[tuple[str, str]]
    body: Iterable[bytes]

    @property
    def status_line(self) -> str:
        return _status(self.status)


def early_answer(environ: Environ) -> EarlyAnswer | None:
    """The answer to a module request, made before Django's handler; None: Django answers
    (the environ says so: the core was asked, and whether the dev server declined)."""
    if environ.get(ASKED):
        return None
    environ[ASKED] = True
    path = _path(environ)
    frontend = claim(path)
    if frontend is None:
        return None
    request = core.DevRequest.from_meta(
        environ,
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=path,
        scheme=str(environ.get("wsgi.url_scheme", "http")),
    )
    outcome, plan = core.answer_early(request, frontend)
    if outcome is Pass.HANDED_BACK:
        environ[DECLINED] = True  # the middleware asks the finders, not the dev server
    if isinstance(outcome, Pass):
        return None
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in outcome.headers]
    headers = plan.security.add_to(headers, request.secure)
    return EarlyAnswer(
        outcome.status,
        [(k.decode(), v.decode("latin-1")) for k, v in headers],
        [outcome.body] if outcome.upstream is None else relay_blocks(outcome.upstream),
    )


def duet_wsgi(application: WSGIApp) -> WSGIApp:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        early = early_answer(environ)
        if early is None:
            return application(environ, start_response)
        start_response(early.status_line, early.headers)
        return early.body

    return app


def _path(environ: Environ) -> str:
    # As WSGIRequest.path: the script name, then the path.
    path_info = get_path_info(environ) or "/"
    return "{}/{}".format(get_script_name(environ).rstrip("/"), path_info.replace("/", "", 1))


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"
