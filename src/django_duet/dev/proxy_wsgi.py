"""The dev proxy in front of Django's WSGI handler: what ``duet dev`` runs under runserver.

Module requests are answered before the handler (``proxy_fast`` says when, and the rules);
everything else, and every request of a server not started by ``duet dev``, goes through
Django and ``DevProxyMiddleware`` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import httpx
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.http import HttpResponseBase

from django_duet.conf import Settings
from django_duet.dev.proxy import DECLINED, Refused
from django_duet.dev.proxy_fast import Plan, Request, current_plan, exchange, prepare
from django_duet.dev.server import dev_enabled, dev_server_gone, frontend_for_path
from django_duet.dev.upstream import error_page, relay_blocks, response_headers, upstream_error

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def duet_wsgi(application: WSGIApp) -> WSGIApp:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if dev_enabled():
            path = _path(environ)
            frontend = frontend_for_path(path)
            if frontend is not None:  # only then the headers: pages and API calls skip that
                answer = _proxy(environ, start_response, _request(environ, path), frontend)
                if answer is not None:
                    return answer
        return application(environ, start_response)

    return app


def _path(environ: Environ) -> str:
    # As WSGIRequest.path: the script name, then the path.
    path_info = get_path_info(environ) or "/"
    return "{}/{}".format(get_script_name(environ).rstrip("/"), path_info.replace("/", "", 1))


def _request(environ: Environ, path: str) -> Request:
    headers = [
        (key[5:].lower().replace("_", "-").encode("latin-1"), str(value).encode("latin-1"))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    if environ.get("CONTENT_TYPE"):
        headers.append((b"content-type", str(environ["CONTENT_TYPE"]).encode("latin-1")))
    length = str(environ.get("CONTENT_LENGTH") or "0").strip()
    host = str(environ.get("HTTP_HOST") or "")
    if not host:
        host = f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=path,
        query=str(environ.get("QUERY_STRING", "")),
        host=host,
        secure=environ.get("wsgi.url_scheme") == "https",
        headers=headers,
        has_body=length not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ,
    )


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


def _proxy(
    environ: Environ, start_response: StartResponse, request: Request, frontend: Settings
) -> Iterable[bytes] | None:
    plan = current_plan()
    if plan is None:
        return None
    prepared = prepare(request, frontend, plan)
    if prepared is None:
        return None
    if isinstance(prepared, Refused):
        refusal = error_page(prepared.status, "Refused by the dev proxy", prepared.detail)
        return _django(start_response, refusal, plan, request.secure)
    server, forward = prepared
    try:
        upstream, body = exchange(server, forward)
    except httpx.ConnectError:  # nothing listens: a stale hot file, as if there were none
        dev_server_gone(server, frontend)
        return None
    except httpx.HTTPError as exc:
        return _django(start_response, upstream_error(server, exc), plan, request.secure)
    if upstream.status_code == 404:
        if body is None:
            upstream.close()
        environ[DECLINED] = True  # the middleware asks the finders, not the dev server again
        return None
    headers = list(response_headers(upstream).items())
    headers += _security(plan, request.secure)
    start_response(_status(upstream.status_code), headers)
    return [body] if body is not None else relay_blocks(upstream)


def _security(plan: Plan, secure: bool) -> list[tuple[str, str]]:
    return [(k.decode(), v.decode("latin-1")) for k, v in plan.security(secure)]


def _django(
    start_response: StartResponse, response: HttpResponseBase, plan: Plan, secure: bool
) -> list[bytes]:
    headers = list(response.items())
    headers += _security(plan, secure)
    start_response(_status(response.status_code), headers)
    return [getattr(response, "content", b"")]
