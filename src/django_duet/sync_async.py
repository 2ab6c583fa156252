"""Middleware that runs sync or async, as the chain around it does: Django's documented pattern
(``sync_capable``/``async_capable``, ``markcoroutinefunction``), written once.

A subclass answers a request in ``handle`` (sync) and ``ahandle`` (async), calling
``self.get_response``; a ``ResponseMiddleware`` only changes the response, in
``process_response``, the same code in both modes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

GetResponse = Callable[[HttpRequest], Any]  # returns a response, or an awaitable of one


class SyncAndAsyncMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.ahandle(request)
        return self.handle(request)

    def handle(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError


class ResponseMiddleware(SyncAndAsyncMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        raise NotImplementedError

    def handle(self, request: HttpRequest) -> HttpResponseBase:
        return self.process_response(request, self.get_response(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        return self.process_response(request, await self.get_response(request))
