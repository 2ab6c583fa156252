"""Version skew: tell a page built from an older frontend that a new one is deployed.

Every response carries ``X-Duet-Build: <id>`` (the id of the build this server runs, derived
from the manifest's content; with several frontends, each one's id: ``<id>, <id>``). Pages
carry the id they loaded with (``<meta name="duet-build">``, emitted by ``{% duet_entry %}``
and ``client_routes``); ``django-duet/client`` compares it with the server's on each API
answer and fires ``duet:stale-frontend`` when it is not among them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase

from django_duet.build.loader import get_manifest
from django_duet.conf import Settings, all_frontends, conf
from django_duet.exceptions import DuetError
from django_duet.pages.html import BUILD_META_MARK, build_meta, insert_after_head
from django_duet.sync_async import ResponseMiddleware

BUILD_HEADER = "X-Duet-Build"


def current_build_id(request: HttpRequest | None = None, frontend: Settings = conf) -> str | None:
    try:
        return get_manifest(request, frontend).build_id or None
    except DuetError:
        return None  # no build yet (development): nothing to compare


def current_build_ids(request: HttpRequest | None = None) -> str | None:
    """The header value: every frontend's build id ("default" first), or None without any.

    A page of any frontend is current while its id is among them; the client compares so."""
    ids = [current_build_id(request, frontend) for frontend in all_frontends()]
    found = [build_id for build_id in ids if build_id]
    return ", ".join(dict.fromkeys(found)) or None


def insert_build_meta(
    html: str, request: HttpRequest | None = None, frontend: Settings = conf
) -> str:
    """The page's build id as a meta tag right after ``<head>`` (for HTML the bundler wrote)."""
    build_id = current_build_id(request, frontend)
    if not build_id:
        return html
    return insert_after_head(html, build_meta(build_id), BUILD_META_MARK)


class BuildIdMiddleware(ResponseMiddleware):
    """Adds ``X-Duet-Build`` to every response (sync and async)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        build_ids = current_build_ids(request)
        if build_ids and BUILD_HEADER not in response:
            response[BUILD_HEADER] = build_ids
        return response
