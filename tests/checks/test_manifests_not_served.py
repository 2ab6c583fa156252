"""A build's manifest is for Django, never for browsers, whichever bundler wrote it (issue 19).

Vite's ``.vite/manifest.json`` was kept out by its dot-directory; webpack's
``assets-manifest.json``, create-react-app's ``asset-manifest.json`` and webpack-bundle-tracker's
``webpack-stats.json`` (which names the build machine's paths) sit beside the files, were
collected with them and served. Each is asked for here, after collectstatic, through
DuetStaticMiddleware in production: 404, while a file beside it is 200.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from django_duet.serving.middleware import is_public_url
from django_duet.serving.nginx import NginxOptions, private_re, render_server_block
from tests.serving.test_nginx_config import answer

FIXTURES = Path(__file__).parents[1] / "fixtures"

pytestmark = pytest.mark.django_db  # closing a response touches the database connection

# format: (the build, STATIC_PREFIX, the manifest below the build, a public file below it)
BUILDS = {
    "vite": (FIXTURES / "build", "", ".vite/manifest.json", "assets/main-AbCd1234.js"),
    "webpack": (
        FIXTURES / "webpack-project" / "build",
        "",
        "assets-manifest.json",
        "js/main.1f51feed.js",
    ),
    "cra": (
        FIXTURES / "cra-project" / "build",
        "",
        "asset-manifest.json",
        "static/js/main.b2bc8723.js",
    ),
    "webpack-stats": (
        FIXTURES / "webpack-stats-v3",
        "bundles",
        "webpack-stats.json",
        "js/main.d3a05b21.js",
    ),
}


def fetch(client: Client, url: str, **meta: str) -> int:
    response = client.get(url, **meta)
    if response.streaming:
        b"".join(response.streaming_content)
    response.close()
    return response.status_code


def deploy(settings, tmp_path: Path, format: str, manifest_path: str | None = None) -> str:
    """collectstatic of the format's build, as a deploy does; the URL prefix of its files."""
    source, prefix, manifest, _ = BUILDS[format]
    build = tmp_path / "dist"
    shutil.copytree(source, build)
    settings.DEBUG = False
    settings.DUET = {"BUILD_DIR": build, "MANIFEST_FORMAT": format, "STATIC_PREFIX": prefix}
    if manifest_path is not None:
        (build / manifest).rename(build / manifest_path)
        settings.DUET["MANIFEST_PATH"] = build / manifest_path
    settings.STATICFILES_DIRS = [(prefix, build) if prefix else build]
    settings.STATIC_ROOT = tmp_path / "static_root"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django_duet.storage.DuetStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return "/static/" + (f"{prefix}/" if prefix else "")


@pytest.mark.parametrize("format", list(BUILDS))
def test_the_manifest_is_404_in_production_and_its_neighbour_is_served(settings, tmp_path, format):
    base = deploy(settings, tmp_path, format)
    _, _, manifest, public = BUILDS[format]
    client = Client()
    assert fetch(client, base + public) == 200
    assert fetch(client, base + manifest) == 404
    # Not as a precompressed variant either (collectstatic wrote them for a JSON file).
    for suffix, encoding in ((".gz", "gzip"), (".br", "br")):
        assert fetch(client, base + manifest + suffix) == 404
        assert fetch(client, base + manifest, HTTP_ACCEPT_ENCODING=encoding) == 404


def test_a_manifest_under_a_name_of_its_own_is_404_too(settings, tmp_path):
    base = deploy(settings, tmp_path, "webpack-stats", manifest_path="bundle-tracker.json")
    assert (settings.STATIC_ROOT / "bundles" / "bundle-tracker.json").exists()  # collected
    client = Client()
    assert fetch(client, base + "bundle-tracker.json") == 404
    assert fetch(client, base + "js/main.d3a05b21.js") == 200
    # And behind the nginx config `duet nginx-config` writes for these settings.
    out = io.StringIO()
    call_command("duet", "nginx-config", stdout=out, stderr=io.StringIO())
    config = out.getvalue()
    assert answer(config, base + "bundle-tracker.json") == "404"
    assert answer(config, base + "bundle-tracker.json.br") == "404"
    assert answer(config, base + "bundle-tracker.jsonx") != "404"
    assert answer(config, base + "js/main.d3a05b21.js") != "404"


def test_a_web_app_manifest_stays_public(settings, tmp_path):
    """Browsers fetch a PWA's manifest.json or site.webmanifest: only the build's manifest is
    private, never every file named like one."""
    base = deploy(settings, tmp_path, "cra")
    (settings.STATIC_ROOT / "manifest.json").write_text('{"name": "app"}')
    assert fetch(Client(), base + "manifest.json") == 200
    assert is_public_url("/static/icons/manifest.json")
    assert not is_public_url("/static/assets-manifest.json.br")


@pytest.mark.parametrize(
    "name", ["assets-manifest.json", "asset-manifest.json", "webpack-stats.json"]
)
def test_nginx_refuses_the_manifests_too(name):
    config = render_server_block(NginxOptions(static_url="/static/", static_root="/srv/static"))
    assert answer(config, f"/static/{name}") == "404"
    assert answer(config, f"/static/bundles/{name}.gz") == "404"
    assert answer(config, "/static/manifest.json") != "404"
    assert private_re() in config
