"""``Link`` response headers for what a page's entries need first, without code in the view.

``{% duet_entry %}`` records on the request each tag it puts on the page (``record``);
``LinkHeaderMiddleware`` turns them into one ``Link`` header: stylesheets first (they block
rendering), then, with ``LINK_HEADER_MODULES``, module scripts and their static imports, in page
order, each once, each with the request's CSP nonce and the tag's SRI and crossorigin. A CDN or
proxy that turns ``Link`` into ``103 Early Hints`` (Cloudflare, Fastly, nginx 1.29's
``early_hints``) then gets the browser fetching before the HTML arrives (docs/performance.md).

Module preloads are off by default: when the header comes with the HTML, Chromium issues a
header's ``modulepreload`` later than the page's own tags would have, and the page's module
requests wait for it (docs/benchmarks.md, "Pages in a browser"). In a 103 they come first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponseBase

from django_duet.conf import conf
from django_duet.pages.html import PreparedTag, link_nonce
from django_duet.sync_async import ResponseMiddleware

_RECORDED = "_duet_page_links"


class PageLinks:
    """What the tags of one request's page recorded: their tags, and the nonce they carry."""

    __slots__ = ("nonce", "tags")

    def __init__(self) -> None:
        self.tags: list[PreparedTag] = []
        self.nonce: str | None = None


def recorded(request: HttpRequest | None) -> PageLinks | None:
    """Where the tags of ``request``'s page are recorded (None without a request)."""
    if request is None:
        return None
    links: PageLinks | None = getattr(request, _RECORDED, None)
    if links is None:
        links = PageLinks()
        setattr(request, _RECORDED, links)
    return links


def link_header(
    tags: Iterable[PreparedTag], nonce: str | None, max_bytes: int, *, modules: bool = False
) -> str | None:
    """The ``Link`` value for ``tags``: stylesheets first, then the scripts when ``modules``,
    each URL once, cut at the last whole value that fits in ``max_bytes`` (proxies refuse large
    headers: nginx's default buffer for all of a response's headers is 4 or 8 KB); None for
    nothing."""
    wanted = (t for t in tags if t.link and (t.style or modules))
    ordered = sorted(wanted, key=lambda t: not t.style)  # stable
    suffix = link_nonce(nonce)
    values: list[str] = []
    seen: set[str] = set()
    size = 0
    for tag in ordered:
        if tag.url in seen:
            continue
        seen.add(tag.url)
        value = tag.link + suffix
        cost = len(value.encode()) + (2 if values else 0)
        if size + cost > max_bytes:
            break  # what comes first matters most: never skip ahead to a smaller one
        values.append(value)
        size += cost
    return ", ".join(values) or None


class LinkHeaderMiddleware(ResponseMiddleware):
    """Adds ``Link`` for the tags ``{% duet_entry %}`` put on the page (sync and async).

    Put it anywhere in MIDDLEWARE: it reads what the render recorded on the request, and the
    nonce the render used. Development pages (the dev server's sources) record nothing."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        return add_link_header(request, response)


def add_link_header(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    links: PageLinks | None = getattr(request, _RECORDED, None)
    if links is None or not links.tags:
        return response
    if not response.get("Content-Type", "").startswith("text/html"):
        return response  # tags rendered into JSON or an email say nothing about this answer
    value = link_header(
        links.tags, links.nonce, conf.LINK_HEADER_MAX_BYTES, modules=conf.LINK_HEADER_MODULES
    )
    if value:
        existing = response.get("Link")
        response["Link"] = f"{existing}, {value}" if existing else value
    return response
