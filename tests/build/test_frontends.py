"""Several frontends in one project (DUET["FRONTENDS"]): settings, tags, shells, build ids,
checks, commands and the dev proxy, each frontend with its own build and prefix."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import clear_url_caches

from django_duet.cli import dev
from django_duet.conf import conf, frontend_names
from django_duet.dev import server as devserver
from django_duet.dev import upstream
from django_duet.exceptions import EntryNotFound
from django_duet.pages.render import render_entries
from django_duet.serving.hashing import is_bundler_hashed
from django_duet.testing.servers import free_port
from tests.dev.fake_devserver import FakeDevServer
from tests.helpers import fake_npm
from tests.helpers import render_template as render

FIXTURE_BUILD = Path(__file__).parents[1] / "fixtures" / "build"
ADMIN_MANIFEST = {
    "src/tools.ts": {
        "file": "assets/tools-T00ls000.js",
        "src": "src/tools.ts",
        "isEntry": True,
        "css": ["assets/tools-T00lsCss.css"],
    },
    "src/icon.svg": {"file": "assets/icon-Ic0nIc0n.svg", "src": "src/icon.svg"},
    "index.html": {"file": "assets/index-T00lsIdx.js", "src": "index.html", "isEntry": True},
}
ADMIN_SHELL = (
    "<!doctype html><html><head><title>tools</title>"
    '<script type="module" crossorigin src="/static/tools/assets/index-T00lsIdx.js"></script>'
    '</head><body><p id="path">{{ path }}</p></body></html>'
)


def build_id(manifest: Path) -> str:
    return hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]


@pytest.fixture
def admin_build(tmp_path) -> Path:
    """A second, smaller build: its own manifest, files and shell."""
    build = tmp_path / "tools-dist"
    (build / ".vite").mkdir(parents=True)
    (build / "assets").mkdir()
    (build / ".vite" / "manifest.json").write_text(json.dumps(ADMIN_MANIFEST))
    for name in (
        "tools-T00ls000.js",
        "tools-T00lsCss.css",
        "icon-Ic0nIc0n.svg",
        "index-T00lsIdx.js",
    ):
        (build / "assets" / name).write_text(f"/* {name} */\n")
    (build / "index.html").write_text(ADMIN_SHELL)
    return build


@pytest.fixture
def two(settings, tmp_path, admin_build) -> Path:
    """A copy of the fixture build as "default" (`duet build` writes its record there) and
    ``admin_build`` as "tools" under /static/tools/."""
    default = tmp_path / "dist"
    shutil.copytree(FIXTURE_BUILD, default)
    settings.STATICFILES_DIRS = [default, ("tools", admin_build)]
    settings.DUET = {
        "BUILD_DIR": default,
        "FRONTEND_DIR": tmp_path / "front",
        "FRONTENDS": {
            "tools": {
                "FRONTEND_DIR": tmp_path / "tools",
                "BUILD_DIR": admin_build,
                "STATIC_PREFIX": "/tools/",
            }
        },
    }
    return admin_build


# Settings ------------------------------------------------------------------------------------


def test_a_named_frontend_has_its_own_paths_and_shares_the_rest(two, tmp_path, settings):
    settings.DUET = {**settings.DUET, "SRI": True, "DEV_PROXY_TIMEOUT": 7}
    tools = conf.frontend("tools")
    assert frontend_names() == ["default", "tools"]
    assert two == tools.BUILD_DIR and tools.STATIC_PREFIX == "tools/"
    assert tmp_path / "tools" / ".duet-hot" == tools.HOT_FILE  # never the default's hot file
    assert two / ".vite" / "manifest.json" == tools.MANIFEST_PATH
    assert tools.SRI is True and tools.DEV_PROXY_TIMEOUT == 7.0  # shared settings
    assert conf.frontend(None) is conf and conf.frontend("default") is conf
    assert tmp_path / "dist" == conf.BUILD_DIR and conf.STATIC_PREFIX == ""


def test_an_unknown_frontend_name_says_which_exist(two):
    with pytest.raises(ImproperlyConfigured, match=r"no frontend named 'tool'.*'default', 'tools'"):
        conf.frontend("tool")
    with pytest.raises(ImproperlyConfigured, match="no frontend named"):
        render('{% duet_entry "src/tools.ts" frontend="tool" %}')


def test_a_named_frontend_without_frontend_dir_is_a_clear_error(settings):
    settings.DUET = {"FRONTENDS": {"tools": {"STATIC_PREFIX": "tools/"}}}
    with pytest.raises(ImproperlyConfigured, match=r"\['tools'\] has no FRONTEND_DIR"):
        _ = conf.frontend("tools").BUILD_DIR


# Tags, shells, build ids -----------------------------------------------------------------------


def test_each_frontend_tags_its_own_build_under_its_prefix(two):
    html = render(
        '{% duet_entry "src/main.tsx" %}{% duet_entry "src/tools.ts" frontend="tools" %}'
        '|{% duet_asset "src/icon.svg" frontend="tools" %}|{% duet_asset "src/logo.svg" %}'
    )
    assert '<script type="module" src="/static/assets/main-AbCd1234.js"></script>' in html
    assert '<script type="module" src="/static/tools/assets/tools-T00ls000.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/tools/assets/tools-T00lsCss.css">' in html
    assert "|/static/tools/assets/icon-Ic0nIc0n.svg|/static/assets/logo-L0g0L0g0.svg" in html
    assert "/static/assets/tools-" not in html and "/static/tools/assets/main-" not in html


def test_a_page_mixing_frontends_never_repeats_a_tag_and_keeps_its_nonce(two):
    # The first frontend's entries go by the shared walk; the other frontend's entry makes the
    # page leave it and continue from its own set of URLs: nothing repeated, one csp-nonce meta.
    source = (
        '{% duet_entry "src/main.tsx" %}|{% duet_entry "src/tools.ts" frontend="tools" %}'
        '|{% duet_entry "src/admin.tsx" %}|{% duet_entry "src/main.tsx" %}'
    )
    for nonce in ("n0nce-a", "n0nce-b"):  # cold walk, then warm
        request = RequestFactory().get("/")
        request.csp_nonce = nonce
        html = render(source, request=request)
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert len(urls) == len(set(urls)) and "/static/tools/assets/tools-T00ls000.js" in urls
        assert html.count("csp-nonce") == 1 and html.count(f' nonce="{nonce}"') == len(urls) + 1
        assert html.endswith("|")  # main.tsx again: all on the page already
        assert "cycle-a" in html.split("|")[2]  # admin's own chunk, after the other frontend
    # The walk it left is the default frontend's alone: no step of it is the tools build's.
    with pytest.raises(EntryNotFound):
        render('{% duet_entry "src/main.tsx" %}|{% duet_entry "src/tools.ts" %}', request=request)


def test_sri_hashes_come_from_each_frontends_own_files(two, settings):
    settings.DUET = {**settings.DUET, "SRI": True}
    html = str(render_entries(None, "src/tools.ts", frontend="tools"))
    content = (two / "assets" / "tools-T00ls000.js").read_bytes()
    import base64

    digest = base64.b64encode(hashlib.sha384(content).digest()).decode()
    assert f'integrity="sha384-{digest}"' in html


def test_a_request_keeps_each_frontends_build_for_its_whole_render(two, settings):
    settings.DUET = {**settings.DUET, "DEV_MODE": True}  # the manifest's stat is read each time
    request = RequestFactory().get("/")
    first = render_entries(request, "src/tools.ts", frontend="tools")
    manifest = two / ".vite" / "manifest.json"
    changed = {k: v for k, v in ADMIN_MANIFEST.items()}
    changed["src/tools.ts"] = {**ADMIN_MANIFEST["src/tools.ts"], "file": "assets/tools-N3wN3w00.js"}
    manifest.write_text(json.dumps(changed))
    os.utime(manifest, ns=(1, 1))  # a different stamp, whatever the clock
    assert render_entries(request, "src/tools.ts", frontend="tools") == first  # pinned
    assert "tools-N3wN3w00.js" in render_entries(None, "src/tools.ts", frontend="tools")


def test_client_routes_serve_the_named_frontends_shell(two, settings):
    import sys
    import types

    module = types.ModuleType("tools_urls")
    from django_duet.pages.client_routes import client_routes

    module.urlpatterns = [client_routes("tools/", frontend="tools")]  # type: ignore[attr-defined]
    sys.modules["tools_urls"] = module
    settings.ROOT_URLCONF = "tools_urls"
    clear_url_caches()
    try:
        response = Client().get("/tools/reports/7")
    finally:
        del sys.modules["tools_urls"]
        clear_url_caches()
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p id="path">reports/7</p>' in html
    assert "/static/tools/assets/index-T00lsIdx.js" in html
    tools_id = build_id(two / ".vite" / "manifest.json")
    assert f'<meta name="duet-build" content="{tools_id}">' in html


def test_every_response_names_every_frontends_build(two, client, settings, tmp_path):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django_duet.version.BuildIdMiddleware"]
    default_id = build_id(tmp_path / "dist" / ".vite" / "manifest.json")
    tools_id = build_id(two / ".vite" / "manifest.json")
    assert default_id != tools_id
    assert client.get("/nothing-here/")["X-Duet-Build"] == f"{default_id}, {tools_id}"


def test_a_named_frontends_hashed_files_are_not_hashed_again(two):
    assert is_bundler_hashed("tools/assets/tools-T00ls000.js")
    assert is_bundler_hashed("assets/main-AbCd1234.js")
    assert not is_bundler_hashed("other/assets/tools-T00ls000.js")


# Checks ----------------------------------------------------------------------------------------


def duet_ids(**kwargs: object) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in run_checks(**kwargs):  # type: ignore[arg-type]
        if message.id and message.id.startswith("duet."):
            found.setdefault(message.id, []).append(message.msg)
    return found


def test_two_well_configured_frontends_pass_the_checks(two):
    found = duet_ids(include_deployment_checks=True)
    assert not {k for k in found if k in {"duet.E001", "duet.E002", "duet.E110", "duet.E111"}}


@pytest.mark.parametrize(
    ("frontends", "expected"),
    [
        (["tools"], "is a list, not a dict"),
        ({"bad name": {"FRONTEND_DIR": "x"}}, "name is letters, digits"),
        ({"tools": "x"}, "is a str, not a dict of settings"),
        ({"tools": {"FRONTEND_DIR": "x", "SRI": True}}, "sets 'SRI', which a frontend does not"),
        ({"tools": {"STATIC_PREFIX": "t/"}}, "has no FRONTEND_DIR"),
    ],
)
def test_a_misshapen_frontends_setting_is_e110(settings, frontends, expected):
    settings.DUET = {"BUILD_DIR": FIXTURE_BUILD, "FRONTEND_DIR": "front", "FRONTENDS": frontends}
    [message] = duet_ids()["duet.E110"]
    assert expected in message


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ({"STATIC_PREFIX": ""}, "share the STATIC_PREFIX ''"),
        ({"STATIC_PREFIX": "tools/", "BUILD_DIR": FIXTURE_BUILD}, "share the BUILD_DIR"),
        ({"STATIC_PREFIX": "tools/", "HOT_FILE": "front/.duet-hot"}, "share the HOT_FILE"),
    ],
)
def test_frontends_that_would_collide_are_e111(settings, tmp_path, tools, expected):
    settings.DUET = {
        "BUILD_DIR": FIXTURE_BUILD,
        "FRONTEND_DIR": "front",
        "FRONTENDS": {"tools": {"FRONTEND_DIR": "tools", **tools}},
    }
    [message] = duet_ids()["duet.E111"]
    assert expected in message and "'default' and 'tools'" in message


def test_nested_prefixes_are_e111(settings):
    settings.DUET = {
        "FRONTEND_DIR": "front",
        "FRONTENDS": {
            "a": {"FRONTEND_DIR": "a", "STATIC_PREFIX": "tools/"},
            "b": {"FRONTEND_DIR": "b", "STATIC_PREFIX": "tools/reports/"},
        },
    }
    [message] = duet_ids()["duet.E111"]
    assert "nested STATIC_PREFIXes" in message


def test_a_named_frontend_missing_its_build_or_its_staticfiles_entry(two, settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "dist"]
    settings.DUET["FRONTENDS"]["tools"]["BUILD_DIR"] = tmp_path / "nowhere"
    found = duet_ids(include_deployment_checks=True)
    [e001] = found["duet.E001"]
    assert "No frontend build of the frontend 'tools'" in e001
    [e002] = found["duet.E002"]
    assert "of the frontend 'tools'" in e002
    assert "DUET['FRONTENDS']['tools']['BUILD_DIR']" in e002


def test_a_named_frontends_manifest_format_is_checked(two, settings):
    settings.DUET["FRONTENDS"]["tools"]["MANIFEST_FORMAT"] = "parcel"
    [message] = duet_ids()["duet.E100"]
    assert "DUET['FRONTENDS']['tools']['MANIFEST_FORMAT'] is 'parcel'" in message


# Commands --------------------------------------------------------------------------------------


@pytest.fixture
def projects(two, tmp_path, settings, monkeypatch) -> Path:
    for name in ("front", "tools"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "package.json").write_text("{}")
        (tmp_path / name / "package-lock.json").write_text("{}")
        (tmp_path / name / "node_modules").mkdir()
    settings.STATIC_ROOT = tmp_path / "collected"
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    log = tmp_path / "npm.log"
    fake_npm(
        tmp_path / "bin", f'echo "$(basename "$PWD") $* prefix=$DUET_STATIC_PREFIX" >> {log}\n'
    )
    return log


def test_build_builds_every_frontend_with_its_prefix_then_collects_once(projects, tmp_path):
    out = StringIO()
    call_command("duet", "build", "--no-install", stdout=out, stderr=StringIO())
    assert projects.read_text() == "front run build prefix=\ntools run build prefix=tools/\n"
    text = out.getvalue()
    assert (
        "[2/7] record" in text and "[6/7] check (tools)" in text and "[7/7] collectstatic" in text
    )
    assert (tmp_path / "collected" / "tools" / "assets" / "tools-T00ls000.js").is_file()
    assert (tmp_path / "collected" / "assets" / "main-AbCd1234.js").is_file()
    call_command("duet", "check-build", stdout=out, stderr=StringIO())
    assert "The build of the frontend 'tools' at" in out.getvalue()


def test_build_and_check_build_take_one_frontend_by_name(projects, tmp_path):
    call_command(
        "duet",
        "build",
        "--no-install",
        "--no-collectstatic",
        "--frontend",
        "tools",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert projects.read_text() == "tools run build prefix=tools/\n"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("duet", "build", "--frontend", "tool", stdout=StringIO(), stderr=err)
    assert "no frontend named 'tool'" in err.getvalue()
    (tmp_path / "tools-dist" / "assets" / "tools-T00ls000.js").unlink()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("duet", "check-build", "--no-static-root", stdout=StringIO(), stderr=err)
    assert "The build of the frontend 'tools' is not deployable" in err.getvalue()
    call_command(
        "duet",
        "check-build",
        "--no-static-root",
        "--frontend",
        "default",
        stdout=StringIO(),
        stderr=StringIO(),
    )


def test_dev_starts_one_vite_per_frontend_on_consecutive_ports(projects, tmp_path, settings):
    settings.DEBUG = True
    settings.MIDDLEWARE = ["django_duet.proxy.DevProxyMiddleware", *settings.MIDDLEWARE]
    started: list[tuple[str, list[str], Path, dict[str, str]]] = []

    def fake_run_all(children, write):  # type: ignore[no-untyped-def]
        started.extend((c.name, list(c.command), c.cwd, dict(c.env)) for c in children)
        return 0

    import django_duet.cli.dev as dev_module

    original = dev_module.run_all
    dev_module.run_all = fake_run_all
    django_port, vite_port = free_port(), free_port()
    while not dev.port_free("127.0.0.1", vite_port + 1):  # two Vites: two consecutive ports
        vite_port = free_port()
    try:
        call_command(
            "duet",
            "dev",
            f"127.0.0.1:{django_port}",
            "--vite-port",
            str(vite_port),
            stdout=StringIO(),
        )
    finally:
        dev_module.run_all = original
    names = [name for name, *_ in started]
    assert names == ["vite", "vite:tools", "django"]
    (_, default_cmd, default_cwd, default_env), (_, tools_cmd, tools_cwd, tools_env) = started[:2]
    assert default_cwd == tmp_path / "front" and tools_cwd == tmp_path / "tools"
    assert default_cmd[-3:] == ["--port", str(vite_port), "--strictPort"]
    assert tools_cmd[-3:] == ["--port", str(vite_port + 1), "--strictPort"]
    assert tools_env["DUET_STATIC_PREFIX"] == "tools/" and default_env["DUET_STATIC_PREFIX"] == ""
    assert Path(tools_env["DUET_HOT_FILE"]) == tmp_path / "tools" / ".duet-hot"
    assert Path(default_env["DUET_HOT_FILE"]) == tmp_path / "front" / ".duet-hot"


def test_dev_refuses_a_named_frontend_without_node_modules(projects, tmp_path, settings):
    settings.DEBUG = True
    settings.MIDDLEWARE = ["django_duet.proxy.DevProxyMiddleware", *settings.MIDDLEWARE]
    (tmp_path / "tools" / "node_modules").rmdir()
    with pytest.raises(CommandError, match=r"No node_modules in .*tools: run `npm ci`"):
        dev.preflight("127.0.0.1", 0, 0, asgi=False)


# The dev proxy ---------------------------------------------------------------------------------


@pytest.fixture
def two_dev_servers(two, settings, tmp_path):
    """A fake dev server per frontend, each named by its frontend's hot file."""
    settings.DEBUG = True
    settings.MIDDLEWARE = ["django_duet.proxy.DevProxyMiddleware", *settings.MIDDLEWARE]
    (tmp_path / "front").mkdir()
    (tmp_path / "tools").mkdir()
    default = FakeDevServer().start()
    tools = FakeDevServer().start()
    default.hot_file(tmp_path / "front" / ".duet-hot")
    tools.hot_file(tmp_path / "tools" / ".duet-hot", base="/static/tools/")
    yield default, tools
    upstream.close_client()
    devserver.clear_cache()
    default.stop()
    tools.stop()


def test_the_proxy_sends_each_path_to_its_frontends_dev_server(two_dev_servers, client):
    default, tools = two_dev_servers
    assert client.get("/static/tools/src/tools.ts").status_code == 200
    assert client.get("/static/src/main.tsx").status_code == 200
    assert [seen.path for seen in tools.requests] == ["/static/tools/src/tools.ts"]
    assert [seen.path for seen in default.requests] == ["/static/src/main.tsx"]


def test_dev_tags_load_each_frontend_from_its_dev_server(two_dev_servers):
    html = render('{% duet_entry "src/main.tsx" %}{% duet_entry "src/tools.ts" frontend="tools" %}')
    assert '<script type="module" src="/static/@vite/client"></script>' in html
    assert '<script type="module" src="/static/tools/@vite/client"></script>' in html
    assert '<script type="module" src="/static/tools/src/tools.ts"></script>' in html


def test_a_hot_file_with_another_frontends_base_is_refused(two_dev_servers, tmp_path):
    _, tools = two_dev_servers
    tools.hot_file(tmp_path / "tools" / ".duet-hot", base="/static/")
    devserver.clear_cache()
    with pytest.raises(devserver.DevServerError, match="Django expects '/static/tools/'"):
        devserver.active_dev_server(None, conf.frontend("tools"))


def test_the_longest_matching_prefix_picks_the_frontend(two):
    assert devserver.frontend_for_path("/static/tools/src/x.ts").name == "tools"  # type: ignore[union-attr]
    assert devserver.frontend_for_path("/static/toolsx/a.js").name == "default"  # type: ignore[union-attr]
    assert devserver.frontend_for_path("/static/src/x.ts") is conf
    assert devserver.frontend_for_path("/api/notes/") is None
