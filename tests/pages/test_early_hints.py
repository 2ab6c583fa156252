"""``EarlyHints`` around Django's real ASGI handler with ``LinkHeaderMiddleware``: the first
visit of a page teaches it the page's Link values, the next visit gets them as a 103 first,
without nonce; nothing for servers without the extension, other methods, fetch() requests,
non-HTML answers; the memory stays bounded."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import RequestContext, Template
from django.urls import path

from django_duet.pages.early_hints import EXTENSION, EarlyHints, hint_links

LINKS = "django_duet.pages.links.LinkHeaderMiddleware"
CSS = b"</static/assets/main-MainCss0.css>; rel=preload; as=style"


def page(request: HttpRequest, name: str) -> HttpResponse:
    request.csp_nonce = "n0nce-" + name  # a nonce per request, as a CSP middleware gives
    source = '{% load duet %}{% duet_entry "src/main.tsx" %}'
    return HttpResponse(Template(source).render(RequestContext(request)))


def api(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True}, headers={"Link": "</x.css>; rel=preload; as=style"})


urlpatterns = [path("page/<str:name>", page), path("api/", api)]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def app(settings) -> EarlyHints:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, LINKS]
    settings.DUET = {**settings.DUET, "LINK_HEADER_MODULES": True}  # as docs/performance.md says
    return EarlyHints(ASGIHandler())


def visit(
    app: EarlyHints,
    path_: str,
    *,
    extension: bool = True,
    method: str = "GET",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> list[dict[str, Any]]:
    """The messages the application sent for one request, as a server would get them."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "2",
        "method": method,
        "scheme": "https",
        "path": path_,
        "raw_path": path_.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "server": ("testserver", 443),
        "client": ("127.0.0.1", 50000),
        "extensions": {EXTENSION: {}} if extension else {},
    }
    sent: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def run() -> None:
        done = asyncio.Event()

        async def receive() -> dict[str, Any]:
            if requests:
                return requests.pop()
            await done.wait()  # the client stays until the answer has been sent
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(dict(message))
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await app(scope, receive, send)

    with ThreadPoolExecutor(1) as pool:  # its own event loop, away from the sync tests'
        pool.submit(asyncio.run, run()).result(timeout=30)
    return sent


def kinds(sent: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in sent]


def test_the_next_visit_gets_the_pages_links_first_without_nonce(app):
    first = visit(app, "/page/one")
    assert kinds(first)[0] == "http.response.start"  # nothing known yet
    link = dict(first[0]["headers"])[b"Link"]
    assert b'nonce="n0nce-one"' in link
    second = visit(app, "/page/one")
    assert kinds(second)[:2] == [EXTENSION, "http.response.start"]
    hint = second[0]["links"]
    assert hint[0] == CSS.replace(b"main-MainCss0", b"shared-SharedC0")
    assert all(b"nonce" not in value for value in hint)
    assert len(hint) == len(link.split(b", ")) == 7


def test_no_hint_where_none_belongs(app):
    visit(app, "/page/one")
    assert EXTENSION not in kinds(visit(app, "/page/one", extension=False))  # HTTP/1.1
    assert EXTENSION not in kinds(visit(app, "/page/one", method="POST"))
    fetch = [(b"sec-fetch-mode", b"cors")]
    assert EXTENSION not in kinds(visit(app, "/page/one", headers=fetch))
    assert EXTENSION not in kinds(visit(app, "/page/two"))  # another page: not known yet
    visit(app, "/api/")
    assert EXTENSION not in kinds(visit(app, "/api/"))  # JSON is no page


def test_memory_is_bounded(app):
    app.max_pages = 2
    for name in ("a", "b", "c"):
        visit(app, f"/page/{name}")
    assert EXTENSION not in kinds(visit(app, "/page/a"))  # forgotten first
    assert EXTENSION in kinds(visit(app, "/page/c"))


def test_values_lose_their_nonce_and_keep_the_rest():
    headers = [
        (b"Content-Type", b"text/html; charset=utf-8"),
        (b"Link", b'</a.css>; rel=preload; as=style; nonce="x\\"y", </b.js>; rel=modulepreload'),
    ]
    assert hint_links(headers) == [
        b"</a.css>; rel=preload; as=style",
        b"</b.js>; rel=modulepreload",
    ]
    assert hint_links([(b"content-type", b"application/json")]) is None
    assert hint_links([(b"content-type", b"text/html")]) == []
