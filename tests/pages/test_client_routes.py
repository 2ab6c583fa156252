"""The catch-all view for client-side routes."""

import hashlib
from pathlib import Path

import pytest

from django_duet.exceptions import BuildFileNotFound
from django_duet.pages.client_routes import client_routes, looks_like_file

FIXTURE_BUILD = Path(__file__).parents[1] / "fixtures" / "build"


@pytest.mark.parametrize("path", ["", "items/2", "items/2/", "deep/a/b/c", "page.html", "v1.2/x"])
def test_every_client_route_gets_the_html_shell(client, path):
    response = client.get(f"/app/{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>SPA shell</title>" in html
    assert f'<p id="path">{path}</p>' in html
    # rendered as a Django template: the CSRF token is there and its cookie is set
    assert 'name="csrfmiddlewaretoken"' in html
    assert "csrftoken" in response.cookies
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["main.js", "assets/logo.png", "favicon.ico", "items/2/data.json"])
def test_paths_that_look_like_files_are_a_real_404(client, path):
    response = client.get(f"/app/{path}")
    assert response.status_code == 404
    assert b"SPA shell" not in response.content
    # Django's own 404 page, saying why (DEBUG is off in the tests: the plain page)
    assert b"<h1>Not Found</h1>" in response.content


def test_unsafe_methods_are_refused(client):
    assert client.post("/app/items/2").status_code in (403, 405)
    assert client.delete("/app/items/2").status_code == 405


def test_missing_build_is_a_clear_error(client, settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path / "nothing"}
    with pytest.raises(BuildFileNotFound, match="duet build"):
        client.get("/app/")


def test_rebuilt_shell_is_picked_up(client, build_dir):
    (build_dir / "index.html").write_text("<p>new build {{ path }}</p>")
    assert client.get("/app/x").content == b"<p>new build x</p>"


def test_html_outside_the_build_dir_is_refused():
    with pytest.raises(ValueError, match="inside the build directory"):
        client_routes("app/", "../secrets.html")


def test_looks_like_file():
    assert looks_like_file("a/b.js") and looks_like_file("x.woff2")
    assert not looks_like_file("a/b") and not looks_like_file("a.html") and not looks_like_file("")


def shell_for(nonce=None):
    from django.test import RequestFactory

    from django_duet.pages.client_routes import ClientRoutesView

    request = RequestFactory().get("/app/x")
    if nonce:
        request.csp_nonce = nonce
    response = ClientRoutesView.as_view(html="index.html")(request, path="x")
    return response.content.decode()


def test_shell_tags_get_the_request_nonce_and_nothing_without_one():
    script = '<script type="module" crossorigin src="/static/assets/index-Ind3x000.js"{}></script>'
    base = '<meta name="duet-base" content="/app/">'  # where the client routes start
    head = "<head>{}<title>SPA shell</title>" + script + base + "</head>"
    meta = '<meta name="duet-build" content="{}">'.format(
        hashlib.sha256((FIXTURE_BUILD / ".vite" / "manifest.json").read_bytes()).hexdigest()[:16]
    )
    csp = '<meta property="csp-nonce" nonce="n&quot;0">'
    assert head.format(meta + csp, ' nonce="n&quot;0"') in shell_for('n"0')
    assert head.format(meta, "") in shell_for()
    assert "nonce" not in shell_for()


def test_shell_tags_get_sri_when_enabled(settings, build_dir):
    import base64
    import hashlib

    settings.DUET = {**settings.DUET, "SRI": True}
    data = (build_dir / "assets" / "index-Ind3x000.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    html = shell_for("n")
    assert f'src="/static/assets/index-Ind3x000.js" integrity="sha384-{digest}" nonce="n">' in html
