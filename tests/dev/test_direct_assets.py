"""DUET["DEV_ASSETS"] = "direct": the page from Django, its modules straight from the dev server.

The tags name the dev server's origin at the host the browser used for Django's page, with
Vite's port; everything else (the proxy, assets without a request, production) is unchanged.
"""

from __future__ import annotations

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from django_duet.dev.server import DevServer
from django_duet.dev.tags import dev_entry_tags, source_url
from django_duet.pages.render import asset_url, render_entries

from .fake_devserver import FakeDevServer

PREAMBLE = (
    '<script type="module"{nonce}>import {{ injectIntoGlobalHook }} from '
    '"{origin}/static/@react-refresh";\n'
    "injectIntoGlobalHook(window);\n"
    "window.$RefreshReg$ = () => {{}};\n"
    "window.$RefreshSig$ = () => (type) => type;</script>"
)


def page_tags(origin: str, *entries: str, nonce: str = "") -> str:
    attr = f' nonce="{nonce}"' if nonce else ""
    tags = [f'<meta property="csp-nonce"{attr}>'] if nonce else []
    tags.append(PREAMBLE.format(nonce=attr, origin=origin))
    tags.append(f'<script type="module" src="{origin}/static/@vite/client"{attr}></script>')
    tags += [f'<script type="module" src="{origin}/static/{e}"{attr}></script>' for e in entries]
    return "\n".join(tags)


@pytest.fixture
def direct(fake, dev_settings):
    dev_settings.DUET = {**dev_settings.DUET, "DEV_ASSETS": "direct"}
    dev_settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "app.example.test"]
    return fake


def get(host: str, nonce: str | None = None):
    request = RequestFactory().get("/", HTTP_HOST=host)
    if nonce is not None:
        request.csp_nonce = nonce  # as django-csp or Django 6 set it
    return request


def test_the_pure_tags_name_the_assets_origin():
    server = DevServer("127.0.0.1", 5173, "/static/", True, "http://localhost:5173")
    tags = dev_entry_tags(server, ("src/main.tsx", "src/theme.css"), emitted=set(), nonce="n0")
    assert "\n".join(tags) == (
        page_tags("http://localhost:5173", "src/main.tsx", nonce="n0")
        + '\n<link rel="stylesheet" href="http://localhost:5173/static/src/theme.css"'
        ' nonce="n0">'
    )
    assert source_url(server, "src/a b.ts") == "http://localhost:5173/static/src/a%20b.ts"


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("localhost:8000", "localhost"),  # not 127.0.0.1: Vite's CORS and cookies see one site
        ("[::1]:8000", "[::1]"),
        ("app.example.test", "app.example.test"),  # no port: the name, with Vite's port
    ],
)
def test_the_host_of_the_page_with_vites_port(direct, host, shown):
    origin = f"http://{shown}:{direct.port}"
    assert render_entries(get(host), "src/main.tsx") == page_tags(origin, "src/main.tsx")
    assert direct.requests == []  # Django fetched nothing: the browser will


def test_direct_tags_carry_the_requests_nonce(direct):
    html = render_entries(get("localhost:8000", nonce="r4nd0m"), "src/main.tsx", "src/b.tsx")
    origin = f"http://localhost:{direct.port}"
    assert html == page_tags(origin, "src/main.tsx", "src/b.tsx", nonce="r4nd0m")


def test_the_template_tag_in_direct_mode_once_per_page(direct):
    template = Template(
        '{% load duet %}{% duet_entry "src/main.tsx" %}{% duet_entry "src/main.tsx" "src/x.ts" %}'
    )
    html = template.render(RequestContext(get("127.0.0.1:8000")))
    origin = f"http://127.0.0.1:{direct.port}"
    second = f'<script type="module" src="{origin}/static/src/x.ts"></script>'
    assert html == page_tags(origin, "src/main.tsx") + second
    assert html.count("@vite/client") == 1 and html.count("@react-refresh") == 1


def test_proxy_mode_is_the_default_and_stays_on_djangos_origin(fake):
    assert render_entries(get("localhost:8000"), "src/main.tsx") == page_tags("", "src/main.tsx")


def test_assets_without_a_request_stay_on_djangos_origin(direct):
    # {% duet_asset %} has no request to read the host from: its URL goes through the proxy,
    # which direct mode leaves on.
    assert asset_url("src/logo.svg") == "/static/src/logo.svg"


def test_the_proxy_still_answers_in_direct_mode(direct, client):
    response = client.get("/static/src/main.tsx", HTTP_HOST="localhost:8000")
    assert response.status_code == 200
    assert [seen.path for seen in direct.requests] == ["/static/src/main.tsx"]


def test_several_frontends_each_with_its_own_dev_server(direct, dev_settings, tmp_path):
    admin = FakeDevServer().start()
    try:
        admin_hot = tmp_path / "admin" / ".duet-hot"
        admin_hot.parent.mkdir()
        admin.hot_file(admin_hot, base="/static/admin/")
        dev_settings.DUET = {
            **dev_settings.DUET,
            "FRONTENDS": {
                "admin": {
                    "FRONTEND_DIR": admin_hot.parent,
                    "HOT_FILE": admin_hot,
                    "STATIC_PREFIX": "admin/",
                }
            },
        }
        template = Template(
            '{% load duet %}{% duet_entry "src/main.tsx" %}'
            '{% duet_entry "src/admin.tsx" frontend="admin" %}'
        )
        html = template.render(RequestContext(get("localhost:8000", nonce="n1")))
        default, other = f"http://localhost:{direct.port}", f"http://localhost:{admin.port}"
        assert f'src="{default}/static/src/main.tsx" nonce="n1"' in html
        assert f'src="{other}/static/admin/src/admin.tsx" nonce="n1"' in html
        assert f'src="{other}/static/admin/@vite/client" nonce="n1"' in html
        assert f'from "{other}/static/admin/@react-refresh"' in html
        assert html.count('<meta property="csp-nonce"') == 1
        assert direct.requests == [] and admin.requests == []
    finally:
        admin.stop()
