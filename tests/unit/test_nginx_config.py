"""`duet nginx-config` output: derived from the settings, refusing values that break nginx."""

import re

import pytest

from django_duet.nginx import HASHED_RE, NginxConfigError, NginxOptions, render_server_block

BASE = NginxOptions(static_url="/static/", static_root="/srv/app/static")


def test_block_serves_static_root_and_proxies_to_every_upstream():
    config = render_server_block(
        NginxOptions(
            static_url="/static/",
            static_root="/srv/app/static",
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


def test_brotli_and_source_maps_are_options():
    assert "brotli_static on;" in render_server_block(
        NginxOptions(**{**BASE.__dict__, "brotli": True})
    )
    with_maps = render_server_block(NginxOptions(**{**BASE.__dict__, "serve_source_maps": True}))
    assert r"\.map" not in with_maps and r"\.map" in render_server_block(BASE)


@pytest.mark.parametrize(
    "url, hashed",
    [
        ("/static/assets/index-Bv8m_63n.js", True),
        ("/static/assets/island-Hzjk8Ke-.css", True),
        ("/static/front/assets/main-AbCd1234.js.br", True),
        ("/static/admin/css/base.5af66c1b1797.css", True),
        ("/static/favicon.svg", False),
        ("/static/assets/plain.js", False),
        ("/static/admin/css/base.css", False),
    ],
)
def test_hashed_file_pattern(url, hashed):
    assert bool(re.match(HASHED_RE.format(prefix=re.escape("/static/")), url)) is hashed


@pytest.mark.parametrize(
    "change, message",
    [
        ({"static_url": "https://cdn.example.com/static/"}, "must be a path like '/static/'"),
        ({"static_root": ""}, "must be an absolute path"),
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
        render_server_block(NginxOptions(**{**BASE.__dict__, **change}))
