"""The client-routes shell (Vite's index.html) prefetches its lazy routes' chunks too, with the
request's nonce, when DUET["PREFETCH"] (or the view's ``prefetch``) says so."""

from __future__ import annotations

import json

import pytest
from csp.constants import NONCE, STRICT_DYNAMIC
from django.test import Client

from django_duet.pages.client_routes import ClientRoutesView, client_routes
from django_duet.pages.html import _PREFETCH_JS

MANIFEST = {
    "index.html": {
        "file": "assets/index-Ind3x000.js",
        "src": "index.html",
        "isEntry": True,
        "imports": ["_shared-Sh4red00.js"],
        "dynamicImports": ["src/About.tsx"],
    },
    "_shared-Sh4red00.js": {"file": "assets/shared-Sh4red00.js"},
    "src/About.tsx": {
        "file": "assets/About-Ab0ut000.js",
        "isDynamicEntry": True,
        "imports": ["_shared-Sh4red00.js"],
        "css": ["assets/About-Ab0utCss.css"],
    },
}
SHELL = """<!doctype html>
<html><head>
<script type="module" crossorigin src="/static/assets/index-Ind3x000.js"></script>
<link rel="modulepreload" crossorigin href="/static/assets/shared-Sh4red00.js">
</head><body><div id="root"></div></body></html>
"""


class Eager(ClientRoutesView):
    prefetch = "aggressive"


urlpatterns = [client_routes("app/", "index.html"), client_routes("eager/", view=Eager)]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def build(tmp_path, settings):
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "index.html").write_text(SHELL)
    settings.DUET = {"BUILD_DIR": tmp_path}
    return tmp_path


def script(concurrency: int, nonce: str | None) -> str:
    files = [
        ["/static/assets/About-Ab0ut000.js", "modulepreload", None, None],
        ["/static/assets/About-Ab0utCss.css", "prefetch", None, None],
    ]
    attr = f' nonce="{nonce}"' if nonce else ""
    data = json.dumps(files, separators=(",", ":"))
    return f"<script{attr}>{_PREFETCH_JS}({data},{concurrency});</script></head>"


def test_off_by_default(build):
    assert _PREFETCH_JS not in Client().get("/app/about").content.decode()


def test_the_setting_puts_the_lazy_routes_in_the_head_with_the_nonce(build, settings):
    settings.DUET = {**settings.DUET, "PREFETCH": "waterfall"}
    settings.MIDDLEWARE = ["csp.middleware.CSPMiddleware", *settings.MIDDLEWARE]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [NONCE, STRICT_DYNAMIC]}}
    response = Client().get("/app/about")
    html = response.content.decode()
    nonce = html.split('<meta property="csp-nonce" nonce="', 1)[1].split('"', 1)[0]
    assert script(3, nonce) in html
    assert html.count("shared-Sh4red00.js") == 1  # in the shell already: not prefetched


def test_the_views_own_strategy(build):
    assert script(0, None) in Client().get("/eager/anything").content.decode()


LINKS = "django_duet.pages.links.LinkHeaderMiddleware"


def test_the_shell_gets_a_link_header_for_its_entry_with_the_nonce(build, settings):
    settings.MIDDLEWARE = [LINKS, "csp.middleware.CSPMiddleware", *settings.MIDDLEWARE]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [NONCE, STRICT_DYNAMIC]}}
    assert "Link" not in Client().get("/app/about")  # by default: its stylesheets (none here)
    settings.DUET = {**settings.DUET, "LINK_HEADER_MODULES": True}
    response = Client().get("/app/about")
    html = response.content.decode()
    nonce = html.split('<meta property="csp-nonce" nonce="', 1)[1].split('"', 1)[0]
    assert response["Link"] == (
        f'</static/assets/index-Ind3x000.js>; rel=modulepreload; crossorigin="anonymous"; '
        f'nonce="{nonce}", '
        f'</static/assets/shared-Sh4red00.js>; rel=modulepreload; crossorigin="anonymous"; '
        f'nonce="{nonce}"'
    )
    assert "About-Ab0ut000" not in response["Link"]  # a lazy route: prefetched, never preloaded


def test_without_the_middleware_the_shell_has_no_link_header(build):
    assert "Link" not in Client().get("/app/about")


def test_the_shells_links_match_its_tags_fetches():
    from django_duet.pages.shell import shell_links

    source = """<html><head>
    <script type="module" crossorigin src="/static/assets/index-1.js"></script>
    <link rel="modulepreload" crossorigin="use-credentials" href="/static/assets/vendor-2.js">
    <link rel="stylesheet" crossorigin href="/static/assets/index-3.css">
    <link rel="stylesheet" href="https://fonts.example.com/css?family=A">
    <link rel="icon" href="/favicon.svg">
    <script src="/static/legacy.js"></script>
    <script type="module" src="{{ cdn }}/x.js"></script>
    </head></html>"""
    digests = {"assets/index-1.js": "sha384-one", "assets/index-3.css": "sha384-three"}
    links = shell_links(source, "", digests.get)
    assert [link.link for link in links] == [
        '</static/assets/index-1.js>; rel=modulepreload; crossorigin="anonymous"; '
        'integrity="sha384-one"',
        '</static/assets/vendor-2.js>; rel=modulepreload; crossorigin="use-credentials"',
        '</static/assets/index-3.css>; rel=preload; as=style; crossorigin="anonymous"; '
        'integrity="sha384-three"',
        "<https://fonts.example.com/css?family=A>; rel=preload; as=style",
    ]
    assert [link.style for link in links] == [False, False, True, True]
    with_map = source.replace("<head>", '<head><script type="importmap">{}</script>')
    assert [link.url for link in shell_links(with_map, "", None)] == [
        "/static/assets/index-3.css",
        "https://fonts.example.com/css?family=A",
    ]
