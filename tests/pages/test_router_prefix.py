"""An app under a prefix: the shell tells the app where its routes start (the duet-base meta,
the router's basename), and refuses to load files by URLs relative to the route."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from django_duet.pages.client_routes import ClientRoutesView
from django_duet.pages.shell import RelativeUrlInShell, relative_urls
from tests.dev.fake_devserver import FakeDevServer

META = '<meta name="duet-base" content="{}"></head>'


@pytest.mark.parametrize(
    ("path", "base"),
    [("", "/app/"), ("items/2", "/app/"), ("items/2/", "/app/"), ("a/b/c", "/app/")],
)
def test_every_route_says_where_the_app_starts(client, path, base):
    assert META.format(base) in client.get(f"/app/{path}").content.decode()


def test_under_a_script_name_the_base_is_the_browsers_path(client):
    response = client.get("/app/items/2", SCRIPT_NAME="/shop")
    assert META.format("/shop/app/") in response.content.decode()


def test_the_base_is_escaped():
    request = RequestFactory().get('/app/"><script>x</script>/')
    html = ClientRoutesView.as_view()(request, path='"><script>x</script>/').content.decode()
    assert '<meta name="duet-base" content="/app/">' in html


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<link rel="stylesheet" href="app.css">', ["app.css"]),
        ("<script src='legacy.js'></script>", ["legacy.js"]),
        ('<script type="module" src="./main.js"></script>', ["./main.js"]),
        ('<link rel="icon" href="favicon.svg">', ["favicon.svg"]),
        ('<link rel="manifest" href="../site.webmanifest">', ["../site.webmanifest"]),
        ('<link rel="stylesheet" href="/static/assets/app-1a2b3c4d.css">', []),
        ('<script src="https://cdn.example.com/x.js"></script>', []),
        ('<script src="//cdn.example.com/x.js"></script>', []),
        ('<link rel="canonical" href="about">', []),  # not fetched
        ('<link rel="preconnect" href="https://fonts.example.com">', []),
        ("<script>inline()</script>", []),
        ('<script src="{{ script_url }}"></script>', []),  # the template's own
        ('<link rel="icon" href="data:,">', []),
    ],
)
def test_relative_urls(html, found):
    assert relative_urls(f"<!doctype html><html><head>{html}</head></html>") == found


def test_a_built_shell_with_a_relative_url_is_refused_saying_what_to_write(client, build_dir):
    shell = build_dir / "index.html"
    shell.write_text(
        shell.read_text().replace("<title>", '<link rel="stylesheet" href="app.css"><title>')
    )
    with pytest.raises(RelativeUrlInShell) as info:
        client.get("/app/items/2")
    message = str(info.value)
    assert str(shell) in message and "'app.css'" in message
    assert "at /app/items/2 the browser would ask for /app/items/app.css" in message
    assert 'import "./app.css"' in message and "public/" in message


@pytest.fixture
def dev(settings, tmp_path):
    from django_duet.dev import server as devserver
    from django_duet.dev import upstream

    settings.DEBUG = True
    hot = tmp_path / ".duet-hot"
    settings.DUET = {**settings.DUET, "HOT_FILE": hot, "FRONTEND_DIR": tmp_path}
    fake = FakeDevServer().start()
    fake.hot_file(hot)
    yield fake
    upstream.close_client()
    fake.stop()
    devserver.clear_cache()


def test_in_development_the_same_meta_and_the_same_refusal(client, dev):
    dev.html = "<!doctype html><html><head><title>dev</title></head><body></body></html>"
    assert META.format("/app/") in client.get("/app/items/2").content.decode()
    dev.html = '<html><head><script src="legacy.js"></script></head></html>'
    with pytest.raises(RelativeUrlInShell, match="from the Vite dev server"):
        client.get("/app/items/2")
