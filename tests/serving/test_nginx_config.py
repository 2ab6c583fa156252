"""`duet nginx-config` output: derived from the settings, refusing values that break nginx.

nginx picks the first nested regex location that matches, in the order written; `answer()`
replays that choice on the rendered block (Python's `re` in ASCII mode reads these patterns as
PCRE does), so the tests below check the block itself, not only its patterns.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from django_duet.serving.middleware import is_public_url
from django_duet.serving.nginx import (
    IMMUTABLE,
    REVALIDATE,
    NginxConfigError,
    NginxOptions,
    hashed_public_re,
    private_re,
    render_server_block,
)

BASE = NginxOptions(static_url="/static/", static_root="/srv/app/static")
NESTED = re.compile(r'^        location ~ "([^\n]+)" \{(.*?)\}$', re.M | re.S)


def options(**change: object) -> NginxOptions:
    return NginxOptions(**{**BASE.__dict__, **change})


def static_location(config: str) -> str:
    return re.split(r"location \^~ \S+ \{", config, maxsplit=1)[1].split("\n    }\n", 1)[0]


def answer(config: str, uri: str) -> str:
    """What the block answers for ``uri``: 404, or the Cache-Control it sends."""
    location = static_location(config)
    for pattern, body in NESTED.findall(location):
        if re.search(pattern, uri, re.ASCII):
            if "return 404;" in body:
                return "404"
            return re.search(r'add_header Cache-Control "([^"]+)"', body).group(1)
    return re.search(r'^        add_header Cache-Control "([^"]+)"', location, re.M).group(1)


def test_block_serves_static_root_and_proxies_to_every_upstream():
    config = render_server_block(
        options(
            upstreams=("127.0.0.1:8001", "10.0.0.2:8000"),
            server_names=("example.com", "www.example.com"),
        )
    )
    assert "location ^~ /static/ {\n        alias /srv/app/static/;" in config
    assert "server 127.0.0.1:8001 max_fails=3" in config and "server 10.0.0.2:8000" in config
    assert "server_name example.com www.example.com;" in config
    assert "gzip_static on;" in config and "brotli_static on;" not in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config


def test_symlinks_below_static_root_are_refused_unless_asked():
    assert "disable_symlinks on from=/srv/app/static;" in render_server_block(BASE)
    # A trailing slash in STATIC_ROOT changes neither the alias nor the symlink check.
    trailing = render_server_block(options(static_root="/srv/app/static/"))
    assert "alias /srv/app/static/;" in trailing
    assert "disable_symlinks on from=/srv/app/static;" in trailing
    assert "disable_symlinks" not in render_server_block(options(follow_symlinks=True))


def test_static_answers_are_cached_and_vary_on_accept_encoding():
    location = static_location(render_server_block(BASE))
    for directive in (
        "open_file_cache max=1000 inactive=60s;",
        "open_file_cache_valid 2s;",
        "sendfile on;",
        "tcp_nopush on;",
        "etag on;",
        # Vary comes from add_header, in each location that sets headers (nginx does not
        # inherit add_header into a location that has its own).
        "gzip_vary off;",
    ):
        assert location.count(directive) == 1, directive
    assert location.count('add_header Vary "Accept-Encoding" always;') == 2


def test_brotli_and_source_maps_are_options():
    assert "brotli_static on;" in render_server_block(options(brotli=True))
    with_maps = render_server_block(options(serve_source_maps=True))
    assert answer(with_maps, "/static/assets/index-Bv8m_63n.js.map") == IMMUTABLE
    assert answer(with_maps, "/static/debug.js.map") == REVALIDATE
    assert answer(render_server_block(BASE), "/static/debug.js.map") == "404"


@pytest.mark.parametrize(
    "uri, expected",
    [
        ("/static/assets/index-Bv8m_63n.js", IMMUTABLE),
        ("/static/assets/island-Hzjk8Ke-.css", IMMUTABLE),
        ("/static/assets/jsx-runtime-9qg0SgQd.js", IMMUTABLE),
        ("/static/front/assets/main-AbCd1234.js.br", IMMUTABLE),
        ("/static/admin/css/base.5af66c1b1797.css", IMMUTABLE),
        ("/static/favicon.svg", REVALIDATE),
        ("/static/assets/plain.js", REVALIDATE),
        ("/static/assets/short-Ab12.js", REVALIDATE),
        ("/static/admin/css/base.css", REVALIDATE),
        ("/static/lib/index-Bv8m_63n.js", REVALIDATE),  # Vite's hash only counts in assets/
        # Private, hashed name or not: the hashed location must never win over these.
        ("/static/.env", "404"),
        ("/static/.vite/manifest.json", "404"),
        ("/static/.vite/assets/index-Bv8m_63n.js", "404"),
        ("/static/assets/.index-Bv8m_63n.js", "404"),
        ("/static/staticfiles.json", "404"),
        ("/static/staticfiles.json.br", "404"),
        ("/static/assets/index-Bv8m_63n.js.map", "404"),
        ("/static/assets/index-Bv8m_63n.js.map.gz", "404"),
        ("/static/admin/js/core.js.5af66c1b1797.map", "404"),
        ("/static/debug.js.map", "404"),
    ],
)
def test_each_static_uri_gets_the_right_answer(uri, expected):
    assert answer(render_server_block(BASE), uri) == expected


@pytest.mark.parametrize("maps", [False, True])
@pytest.mark.parametrize(
    "uri",
    [
        "/static/.env",
        "/static/a/.git/config",
        "/static/.vite/manifest.json",
        "/static/staticfiles.json",
        "/static/staticfiles.json.gz",
        "/static/x/staticfiles.json",
        "/static/assets/index-Bv8m_63n.js.map",
        "/static/debug.map.br",
        "/static/assets/index-Bv8m_63n.js",
        "/static/mapping.js",
        "/static/site.webmanifest",
    ],
)
def test_nginx_refuses_the_names_django_refuses(settings, maps, uri):
    """The same private names behind nginx as behind DuetStaticMiddleware."""
    settings.DUET = {**getattr(settings, "DUET", {}), "SERVE_SOURCE_MAPS": maps}
    refused = answer(render_server_block(options(serve_source_maps=maps)), uri) == "404"
    assert refused is not is_public_url(uri)


def test_patterns_follow_static_url():
    config = render_server_block(options(static_url="/assets-v2/"))
    assert f'location ~ "{hashed_public_re("/assets-v2/")}"' in config
    assert answer(config, "/assets-v2/assets/index-Bv8m_63n.js") == IMMUTABLE
    assert answer(config, "/static/assets/index-Bv8m_63n.js") == REVALIDATE
    assert private_re(serve_source_maps=True) in render_server_block(
        options(serve_source_maps=True)
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"static_url": "https://cdn.example.com/static/"}, "must be a path like '/static/'"),
        ({"static_root": ""}, "must be an absolute path"),
        ({"static_root": "/"}, "must be an absolute path below /"),
        ({"static_root": "/srv/x; include /etc/passwd"}, "STATIC_ROOT"),
        ({"upstreams": ("127.0.0.1:80; }",)}, "upstream"),
        ({"upstreams": ()}, "at least one"),
        ({"server_names": ("evil.com;",)}, "server name"),
        ({"listen": "80 { }"}, "listen"),
        ({"max_body": "10m;"}, "max body size"),
    ],
)
def test_values_that_would_break_the_config_are_refused(change, message):
    with pytest.raises(NginxConfigError, match=re.escape(message)):
        render_server_block(options(**change))


def test_command_keeps_the_symlink_check_unless_told(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path)
    out = io.StringIO()
    call_command("duet", "nginx-config", "--brotli", stdout=out)
    assert f"disable_symlinks on from={tmp_path};" in out.getvalue()
    assert "brotli_static on;" in out.getvalue()
    out = io.StringIO()
    call_command("duet", "nginx-config", "--follow-symlinks", stdout=out)
    assert "disable_symlinks" not in out.getvalue()
