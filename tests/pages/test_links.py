"""``Link`` headers for what a page's entries need first (``LinkHeaderMiddleware``): recorded by
``{% duet_entry %}`` on the request, no code in the view; compared as exact strings, through the
test client (WSGI and ASGI) with the real middleware, tags and fixture build."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import RequestContext, Template
from django.test import Client
from django.urls import path

from django_duet.pages.html import PreparedTag, link_nonce, link_value
from django_duet.pages.links import link_header
from tests.dev.conftest import dev_settings, fake, hot_path  # noqa: F401  (fixtures)

LINKS = "django_duet.pages.links.LinkHeaderMiddleware"
CSP = "csp.middleware.CSPMiddleware"
POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [NONCE, STRICT_DYNAMIC],
        "style-src": [NONCE],
        "object-src": [NONE],
    }
}
MAIN = "</static/assets/main-AbCd1234.js>; rel=modulepreload"
SHARED = "</static/assets/shared-Sh4red00.js>; rel=modulepreload"
CHAIN_B = "</static/assets/chain-b-ChainB00.js>; rel=modulepreload"
CHAIN_A = "</static/assets/chain-a-ChainA00.js>; rel=modulepreload"
ADMIN = "</static/assets/admin-Adm1n000.js>; rel=modulepreload"
CYCLE_B = "</static/assets/cycle-b-CycleB00.js>; rel=modulepreload"
CYCLE_A = "</static/assets/cycle-a-CycleA00.js>; rel=modulepreload"
C_SHARED = "</static/assets/shared-SharedC0.css>; rel=preload; as=style"
C_CHAIN_B = "</static/assets/chain-b-ChainBC0.css>; rel=preload; as=style"
C_MAIN = "</static/assets/main-MainCss0.css>; rel=preload; as=style"
C_THEME = "</static/assets/theme-Them3Css.css>; rel=preload; as=style"

PAGES = {
    "one": '{% load duet %}{% duet_entry "src/main.tsx" %}',
    # Two tags, the second sharing a chunk with the first, and a stylesheet entry.
    "two": '{% load duet %}{% duet_entry "src/main.tsx" %}{% duet_entry "src/admin.tsx" %}'
    '{% duet_entry "src/theme.css" %}',
    "none": "{% load duet %}no entry here",
}


def page(request: HttpRequest, name: str) -> HttpResponse:
    return HttpResponse(Template(PAGES[name]).render(RequestContext(request)))


def with_link(request: HttpRequest) -> HttpResponse:
    response = page(request, "one")
    response["Link"] = "</fonts/a.woff2>; rel=preload; as=font; crossorigin"
    return response


def fragment(request: HttpRequest) -> JsonResponse:
    html = Template(PAGES["one"]).render(RequestContext(request))
    return JsonResponse({"html": html})  # tags rendered into JSON: no header for it


urlpatterns = [
    path("page/<str:name>", page),
    path("with-link/", with_link),
    path("fragment/", fragment),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def links(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, LINKS]
    settings.DUET = {**settings.DUET, "LINK_HEADER_MODULES": True}


def test_by_default_the_header_holds_the_stylesheets_only(client, settings):
    """Without LINK_HEADER_MODULES the page's own tags start its module fetches (Chromium
    issues a header's modulepreload later than them, and they wait for it)."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, LINKS]
    response = client.get("/page/two")
    assert response["Link"] == ", ".join([C_SHARED, C_CHAIN_B, C_MAIN, C_THEME])
    settings.DUET = {**settings.DUET, "LINK_HEADER_MODULES": "yes"}  # duet.E144; read as off
    assert client.get("/page/two")["Link"] == response["Link"]


def test_one_entry_stylesheets_first_then_modules_in_page_order(client, links):
    response = client.get("/page/one")
    assert response["Link"] == ", ".join(
        [C_SHARED, C_CHAIN_B, C_MAIN, MAIN, SHARED, CHAIN_B, CHAIN_A]
    )


def test_several_entries_on_one_page_each_file_once(client, links):
    response = client.get("/page/two")
    assert response["Link"] == ", ".join(
        [
            C_SHARED,
            C_CHAIN_B,
            C_MAIN,
            C_THEME,
            MAIN,
            SHARED,
            CHAIN_B,
            CHAIN_A,
            ADMIN,
            CYCLE_B,
            CYCLE_A,
        ]
    )


def test_under_asgi_too(async_client, links):
    async def get():
        return await async_client.get("/page/one")

    with ThreadPoolExecutor(1) as pool:  # the sync tests' event loop stays out of the way
        response = pool.submit(asyncio.run, get()).result(timeout=30)
    assert response["Link"] == ", ".join(
        [C_SHARED, C_CHAIN_B, C_MAIN, MAIN, SHARED, CHAIN_B, CHAIN_A]
    )


def test_no_entry_no_header_and_no_middleware_no_header(client, settings, links):
    assert "Link" not in client.get("/page/none")
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != LINKS]
    assert "Link" not in Client().get("/page/one")  # a client loads MIDDLEWARE once


def test_only_html_answers_get_it(client, links):
    response = client.get("/fragment/")
    assert "main-AbCd1234.js" in response.json()["html"] and "Link" not in response


def test_a_views_own_link_header_is_kept_first(client, links):
    value = client.get("/with-link/")["Link"]
    assert value.startswith("</fonts/a.woff2>; rel=preload; as=font; crossorigin, " + C_SHARED)


def test_the_nonce_of_the_csp_header_on_each_value(client, settings, links):
    settings.MIDDLEWARE = [CSP, *settings.MIDDLEWARE]
    settings.CONTENT_SECURITY_POLICY = POLICY
    response = client.get("/page/one")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    values = response["Link"].split(", ")
    assert len(values) == 7
    assert all(v.endswith(f'; nonce="{nonce}"') for v in values), values
    # ...the same nonce as the tags of the page.
    assert f'nonce="{nonce}"' in response.content.decode()


def test_sri_and_crossorigin_on_the_values(client, settings, links):
    settings.DUET = {**settings.DUET, "SRI": True, "CROSSORIGIN": "use-credentials"}
    values = client.get("/page/one")["Link"].split(", ")
    assert values[0].startswith(C_SHARED + '; crossorigin="use-credentials"; integrity="sha384-')
    html = client.get("/page/one").content.decode()
    for value in values:  # the header's hash is the tag's
        url = value[1 : value.index(">")]
        integrity = re.search(r'integrity="([^"]+)"', value).group(1)
        assert re.search(
            rf'"{re.escape(url)}" crossorigin="use-credentials" integrity="'
            rf'{re.escape(integrity)}"',
            html,
        ), url


def test_cdn_static_url_gets_anonymous_crossorigin(client, settings, links):
    settings.STATIC_URL = "https://cdn.example.test/static/"
    first = client.get("/page/one")["Link"].split(", ")[0]
    assert first.startswith(
        "<https://cdn.example.test/static/assets/shared-SharedC0.css>; rel=preload; as=style; "
        'crossorigin="anonymous"; integrity="sha384-'
    )


def test_the_size_cap_keeps_whole_values_from_the_first(client, settings, links):
    settings.DUET = {**settings.DUET, "LINK_HEADER_MAX_BYTES": len(C_SHARED) + 2 + len(C_CHAIN_B)}
    assert client.get("/page/one")["Link"] == f"{C_SHARED}, {C_CHAIN_B}"
    settings.DUET = {**settings.DUET, "LINK_HEADER_MAX_BYTES": len(C_SHARED) - 1}
    assert "Link" not in client.get("/page/one")
    settings.DUET = {**settings.DUET, "LINK_HEADER_MAX_BYTES": 0}  # off
    assert "Link" not in client.get("/page/one")


def test_default_cap_holds_on_a_page_of_many_files():
    tags = [
        PreparedTag(
            f"/static/assets/chunk-{i:04d}.js",
            "",
            "",
            link=f"</static/assets/chunk-{i:04d}.js>; rel=modulepreload",
        )
        for i in range(500)
    ]
    value = link_header(tags, "n" * 22, 2048, modules=True)
    everything = link_header(tags, None, 10**6, modules=True)
    assert value and len(value) <= 2048 and everything and len(everything.split(", ")) == 500
    assert value.split(", ")[0].startswith("</static/assets/chunk-0000.js>")


def test_header_values_stay_one_line_and_urls_stay_inside_brackets():
    tag = PreparedTag("/x", "", "", link="")
    assert link_header([tag], None, 2048) is None
    assert link_value("/static/a b>c.js", "rel=modulepreload") == (
        "</static/a%20b%3Ec.js>; rel=modulepreload"
    )
    assert link_nonce('a"b\\c\r\nd') == '; nonce="a\\"b\\\\cd"'


def test_development_pages_get_no_header(client, links, dev_settings, fake):  # noqa: F811
    response = client.get("/page/one")
    assert "/@vite/client" in response.content.decode()
    assert "Link" not in response


def test_several_frontends_on_one_page(client, settings, links, tmp_path):
    manifest = tmp_path / "b" / ".vite" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        '{"src/b.ts": {"file": "assets/b-12345678.js", "isEntry": true, '
        '"css": ["assets/b-Css00000.css"]}}'
    )
    settings.DUET = {
        **settings.DUET,
        "FRONTENDS": {
            "b": {"FRONTEND_DIR": tmp_path, "BUILD_DIR": tmp_path / "b", "STATIC_PREFIX": "b/"}
        },
    }
    PAGES["frontends"] = (
        '{% load duet %}{% duet_entry "src/theme.css" %}{% duet_entry "src/b.ts" frontend="b" %}'
    )
    try:
        value = client.get("/page/frontends")["Link"]
    finally:
        del PAGES["frontends"]
    assert value == ", ".join(
        [
            C_THEME,
            "</static/b/assets/b-Css00000.css>; rel=preload; as=style",
            "</static/b/assets/b-12345678.js>; rel=modulepreload",
        ]
    )
