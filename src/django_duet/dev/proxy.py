"""``DevProxyMiddleware``: in development, Django's origin serves the dev server's paths.

Put it right after SecurityMiddleware. With DEBUG (and DEV_MODE) on and a live dev server, a
request under the dev base (``STATIC_URL``: ``/static/@vite/client``, ``/static/src/...``) is
streamed to and from the dev server; what the dev server does not have (404) goes on to the rest
of Django, then to the staticfiles finders, with production's rule on what is never served
(``.vite/manifest.json``, the SSR bundle, source maps). With DEBUG off it does nothing.

The decisions (foreign Host, refused paths, headers, body limit) are the core's (``core``,
``rules``); ``responses`` turns a Django request into a ``DevRequest`` and an ``Answer`` into a
Django response, under WSGI and ASGI. Both are imported only once development claims a request:
with DEBUG off this middleware needs nothing of the ``[devserver]`` extra.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponseBase

from django_duet.dev.server import DECLINED, claim
from django_duet.serving.middleware import is_public_url
from django_duet.sync_async import SyncAndAsyncMiddleware

if TYPE_CHECKING:  # development only: needs the [devserver] extra
    from django_duet.dev.upstream import Reply


def found_static(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """After a 404, the app's static file from the finders, as runserver would have served it
    (``duet dev`` runs ``runserver --nostatic``, so that /static/ reaches this middleware),
    except what production never serves (``serving.middleware.is_public_url``)."""
    static_path = urlsplit(str(settings.STATIC_URL)).path
    if response.status_code != 404 or not apps.is_installed("django.contrib.staticfiles"):
        return response
    if not is_public_url(request.path):  # the manifest, the SSR bundle, source maps: 404
        return response
    from django.contrib.staticfiles.views import serve

    try:
        return serve(request, request.path[len(static_path) :], insecure=True)
    except Http404:
        return response


def _declined(request: HttpRequest) -> bool:
    # Marked by duet_asgi in the scope (ASGIRequest.scope), by duet_wsgi in the environ (META).
    scope = getattr(request, "scope", None)
    return bool(request.META.get(DECLINED) or (scope and scope.get(DECLINED)))


class DevProxyMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], HttpResponseBase] = self.get_response
        frontend = claim(request.path)
        if frontend is None:
            return get_response(request)
        from django_duet.dev import core  # development only: needs the [devserver] extra
        from django_duet.dev.answers import Pass
        from django_duet.dev.responses import dev_request, to_django

        outcome = (
            Pass.HANDED_BACK if _declined(request) else core.answer(dev_request(request), frontend)
        )
        if outcome is Pass.NOT_MINE:
            return get_response(request)
        if outcome is Pass.HANDED_BACK:
            return found_static(request, get_response(request))
        return to_django(outcome, is_async=isinstance(request, ASGIRequest))

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        frontend = claim(request.path)
        if frontend is None:
            return await get_response(request)
        from django_duet.dev import core  # development only: needs the [devserver] extra
        from django_duet.dev.answers import Answer, Pass
        from django_duet.dev.responses import dev_request, to_django

        if _declined(request):  # duet_asgi asked the dev server already: a 404
            outcome: Answer[Reply] | Pass = Pass.HANDED_BACK
        else:
            outcome = await asyncio.to_thread(core.answer, dev_request(request), frontend)
        if outcome is Pass.NOT_MINE:
            return await get_response(request)
        if outcome is Pass.HANDED_BACK:
            return await sync_to_async(found_static)(request, await get_response(request))
        return to_django(outcome, is_async=True)
