"""``duet nginx-config``: print an nginx server block for this project (architecture 3)."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import OutputWrapper

from django_duet.conf import conf
from django_duet.serving.manifests import custom_manifest_urls
from django_duet.serving.nginx import (
    CLIENT_IP_HEADERS,
    NginxConfigError,
    NginxOptions,
    render_server_block,
)

HELP = "Print an nginx server block: static files from STATIC_ROOT, the rest proxied to Django."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--upstream",
        action="append",
        default=None,
        metavar="HOST:PORT",
        help="an app server (repeat for several); default 127.0.0.1:8000",
    )
    parser.add_argument(
        "--server-name",
        action="append",
        default=None,
        metavar="NAME",
        help="default: the non-wildcard ALLOWED_HOSTS",
    )
    parser.add_argument("--listen", default="80", help="nginx `listen` value (default 80)")
    parser.add_argument("--max-body", default="10m", help="client_max_body_size (default 10m)")
    parser.add_argument(
        "--brotli", action="store_true", help="emit brotli_static on (needs the module)"
    )
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="omit `disable_symlinks on` (only when nothing but collectstatic writes STATIC_ROOT)",
    )


def _server_names() -> tuple[str, ...]:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")]
    return tuple(hosts) or ("_",)


def run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    nginx = NginxOptions(
        static_url=str(settings.STATIC_URL),
        static_root=str(settings.STATIC_ROOT or ""),
        upstreams=tuple(options["upstream"] or ["127.0.0.1:8000"]),
        server_names=tuple(options["server_name"] or _server_names()),
        listen=options["listen"],
        max_body=options["max_body"],
        brotli=options["brotli"],
        serve_source_maps=conf.SERVE_SOURCE_MAPS,
        follow_symlinks=options["follow_symlinks"],
        private_urls=custom_manifest_urls(),
    )
    try:
        stdout.write(render_server_block(nginx), ending="")
    except NginxConfigError as exc:
        stderr.write(f"duet nginx-config: {exc}")
        return 2
    header = conf.CLIENT_IP_HEADER
    if not header or header.lower() not in {h.lower() for h in CLIENT_IP_HEADERS}:
        # Said on stderr, so `duet nginx-config > site.conf` keeps a clean file.
        stderr.write(
            f'duet nginx-config: DUET["CLIENT_IP_HEADER"] is {header!r}: behind this nginx set '
            'it to "X-Real-IP", which nginx overwrites with the client\'s address; else the '
            "login throttle sees every client as nginx and 50 failed logins lock everyone out."
        )
    return 0
