"""Pages in development: the tags and the client-routes shell, with a (fake) dev server or not."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from django_duet.dev.server import DevServerNotRunning
from django_duet.pages.client_routes import ClientRoutesView
from tests.helpers import render_template as render

from .fake_devserver import FakeDevServer, closed_port

DEV_MAIN = (
    '<script type="module">import { injectIntoGlobalHook } from "/static/@react-refresh";\n'
    "injectIntoGlobalHook(window);\n"
    "window.$RefreshReg$ = () => {};\n"
    "window.$RefreshSig$ = () => (type) => type;</script>\n"
    '<script type="module" src="/static/@vite/client"></script>\n'
    '<script type="module" src="/static/src/main.tsx"></script>'
)
SHELL = (
    '<!doctype html><html><head><script type="module" nonce="DUET_CSP_NONCE">'
    'import "/static/@vite/client"</script>'
    '<meta property="csp-nonce" nonce="DUET_CSP_NONCE"></head>'
    "<body>{{ path }}{% csrf_token %}{% if x %}</body></html>"
)


def test_entries_and_assets_come_from_the_dev_server(fake):
    assert render('{% duet_entry "src/main.tsx" %}') == DEV_MAIN
    assert render("{% duet_asset 'src/logo.svg' %}") == "/static/src/logo.svg"
    # Across {% include %}: the client and the preamble once, each entry once.
    html = render_to_string("two_entries.html")
    assert html.count("/static/@vite/client") == 1 and html.count("@react-refresh") == 1
    assert '<link rel="stylesheet" href="/static/src/theme.css">' in html
    assert fake.requests == []  # the tags only check that it listens


def test_a_stale_hot_file_falls_back_to_the_build(dev_settings, hot_path):
    FakeDevServer().hot_file(hot_path, url=f"http://127.0.0.1:{closed_port()}")
    html = render('{% duet_entry "src/main.tsx" %}')
    assert '<script type="module" src="/static/assets/main-AbCd1234.js"></script>' in html
    assert "@vite/client" not in html


def test_no_dev_server_and_no_build_says_how_to_start_vite(dev_settings, tmp_path):
    dev_settings.DUET = {**dev_settings.DUET, "BUILD_DIR": tmp_path / "no-build"}
    with pytest.raises(DevServerNotRunning, match=r"python manage\.py duet dev"):
        render('{% duet_entry "src/main.tsx" %}')
    with pytest.raises(DevServerNotRunning, match="not running"):
        render("{% duet_asset 'src/logo.svg' %}")


def test_the_shell_is_the_dev_servers_html_as_is(client, fake):
    fake.html = SHELL
    response = client.get("/app/items/2")
    assert response.status_code == 200
    # Never a template: {{ path }} and the unbalanced {% if %} are left alone; the app's base
    # URL goes at the end of the head, as in production.
    expected = SHELL.replace(' nonce="DUET_CSP_NONCE"', "").replace(
        "</head>", '<meta name="duet-base" content="/app/"></head>'
    )
    assert response.content.decode() == expected
    assert "csrftoken" in response.cookies
    assert "no-store" in response["Cache-Control"]
    [seen] = fake.requests
    assert seen.path == "/static/index.html"
    assert seen.headers["accept"] == "text/html"
    assert "cookie" not in seen.headers


def test_the_shell_gets_the_requests_csp_nonce(fake):
    fake.html = SHELL
    request = RequestFactory().get("/app/")
    request.csp_nonce = "r4nd0m"  # as django-csp or Django 6 set it
    response = ClientRoutesView.as_view()(request, path="")
    html = response.content.decode()
    assert html.count('nonce="r4nd0m"') == 2 and "DUET_CSP_NONCE" not in html


def test_a_shell_the_dev_server_lacks_is_a_502(fake):
    request = RequestFactory().get("/app/")
    response = ClientRoutesView.as_view(html="missing/shell.html")(request, path="")
    assert response.status_code == 502
    assert b"/static/missing/shell.html answered 404" in response.content


def test_without_a_dev_server_the_shell_is_the_build_rendered(client, dev_settings, hot_path):
    FakeDevServer().hot_file(hot_path, url=f"http://127.0.0.1:{closed_port()}")
    response = client.get("/app/items/2")
    assert b'<p id="path">items/2</p>' in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_without_a_dev_server_nor_a_build_the_shell_says_how_to_start_vite(
    client, dev_settings, tmp_path
):
    dev_settings.DUET = {**dev_settings.DUET, "BUILD_DIR": tmp_path / "no-build"}
    with pytest.raises(DevServerNotRunning, match="duet dev"):
        client.get("/app/")


def test_pages_in_production_ignore_a_hot_file(client, fake, settings):
    settings.DEBUG = False
    assert "/static/assets/main-AbCd1234.js" in render('{% duet_entry "src/main.tsx" %}')
    assert b"SPA shell" in client.get("/app/").content
    assert fake.connections == 0
