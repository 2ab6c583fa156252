"""The dev proxy's answers as Django responses (loaded only when development claims a request:
it needs the [devserver] extra, which a production install may not have)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse

from django_duet.dev import core
from django_duet.dev.answers import Answer
from django_duet.dev.upstream import Reply, relay_blocks, relay_blocks_async


class ProxiedResponse(StreamingHttpResponse):
    """The dev server's answer, streamed; closing it returns the connection to the pool."""

    def __init__(self, upstream: Reply, content: Any, **kwargs: Any) -> None:
        super().__init__(content, status=upstream.status_code, **kwargs)
        self._upstream = upstream

    def close(self) -> None:
        try:
            self._upstream.close()
        finally:
            super().close()


def to_django(answer: Answer[Reply], *, is_async: bool) -> HttpResponseBase:
    """The answer as a Django response: streamed (an async iterator under ASGI, or Django
    would read it whole first) when it comes from the dev server."""
    if answer.upstream is None:
        return page_response(answer)
    relay = relay_blocks_async if is_async else relay_blocks
    response = ProxiedResponse(answer.upstream, relay(answer.upstream))
    del response["Content-Type"]  # Django's default: only the dev server's own is wanted
    for name, value in answer.headers:
        response[name] = value
    return response


def page_response(answer: Answer[Any]) -> HttpResponse:
    """An answer read whole (the proxy's own pages) as an ``HttpResponse``."""
    response = HttpResponse(answer.body, status=answer.status)
    del response["Content-Type"]
    for name, value in answer.headers:
        response[name] = value
    return response


def dev_request(request: HttpRequest) -> core.DevRequest:
    return core.DevRequest.from_meta(
        request.META,
        method=str(request.method),
        path=request.path,
        scheme=request.scheme or "http",
        read_body=request.read,
    )
