"""An nginx server block derived from the settings (architecture 3: nginx in front of Django).

nginx serves STATIC_ROOT itself (precompressed files, immutable caching for hashed names, never
private files nor symlinks) and proxies everything else to an upstream of app servers, setting
the forwarded headers Django is told to trust (see docs/deployment-nginx.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from django_duet.exceptions import DuetError
from django_duet.serving.manifests import MANIFEST_NAMES

# Values end up inside nginx directives: refuse anything that could end one or open a block.
_UPSTREAM = re.compile(r"^(?:unix:/[\w./-]+|[\w.-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$")
_SERVER_NAME = re.compile(r"^(?:\*\.)?[\w.-]+$|^_$")
_LISTEN = re.compile(r"^(?:[\w.-]+:|\[[0-9a-fA-F:]+\]:)?\d{1,5}(?: ssl| http2| default_server)*$")
_SIZE = re.compile(r"^\d+[kKmMgG]?$")
_SAFE_PATH = re.compile(r"^/[\w./@+-]*$")

# The headers the proxy location overwrites with the client's address: what
# DUET["CLIENT_IP_HEADER"] should name behind this config (with CLIENT_IP_PROXY_COUNT = 1).
CLIENT_IP_HEADERS = ("X-Real-IP", "X-Forwarded-For")

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=60"
# In each location that adds headers: nginx drops inherited add_header where a location has its own.
_VARY = 'add_header Vary "Accept-Encoding" always;'
# A precompressed variant asked for by its own name is as private as the file it compresses.
_VARIANT = r"(?:\.gz|\.br)?$"


class NginxConfigError(DuetError, ValueError):
    pass


@dataclass(frozen=True)
class NginxOptions:
    static_url: str
    static_root: str
    upstreams: tuple[str, ...] = ("127.0.0.1:8000",)
    server_names: tuple[str, ...] = ("_",)
    listen: str = "80"
    max_body: str = "10m"
    brotli: bool = False
    serve_source_maps: bool = False
    follow_symlinks: bool = False
    # A build's manifest under a name of the user's (serving.manifests.custom_manifest_urls)
    private_urls: tuple[str, ...] = ()


def hashed_public_re(static_url: str, serve_source_maps: bool = False) -> str:
    """Content-hashed names that may be served: Vite's ``assets/name-HASH.ext`` and Django's
    ``name.0123456789ab.ext``, with no segment starting with a dot and, unless allowed, no
    source map. Private names never match it, so nginx tests this one regex first: the only
    one a hashed file (most requests) costs. Lazy quantifiers keep PCRE's backtracking short.
    """
    extension = r"\.\w+" if serve_source_maps else r"\.(?!map" + _VARIANT + r")\w+"
    return (
        rf"^{re.escape(static_url)}(?:[^./][^/]*/)*?"
        r"(?:assets/[^./][^/]*?-[\w-]{8,}|[^./][^/]*?\.[0-9a-f]{12})"
        rf"(?:{extension})+$"
    )


def private_re(serve_source_maps: bool = False) -> str:
    """Never served: dotfiles and dot-directories (``.vite/manifest.json``, ``.env``), Django's
    ``staticfiles.json``, the bundlers' manifests (``serving.manifests``) and, unless allowed,
    source maps."""
    maps = "" if serve_source_maps else r"|\.map" + _VARIANT
    names = "|".join(n.replace(".", r"\.") for n in ("staticfiles.json", *sorted(MANIFEST_NAMES)))
    return rf"(?:/\.|/(?:{names}){_VARIANT}{maps})"


def _checked(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise NginxConfigError(f"{what} {value!r} is not valid here (nginx would misread it)")
    return value


def validate(options: NginxOptions) -> None:
    if not options.static_url.startswith("/") or not options.static_url.endswith("/"):
        raise NginxConfigError(
            f"STATIC_URL {options.static_url!r} must be a path like '/static/' for nginx to "
            "serve it (a CDN STATIC_URL needs no static location in nginx)"
        )
    _checked(options.static_url, _SAFE_PATH, "STATIC_URL")
    root = options.static_root
    if not root or not PurePosixPath(root).is_absolute() or not root.strip("/"):
        raise NginxConfigError(
            f"STATIC_ROOT {root!r} must be an absolute path below / : set it in settings"
        )
    _checked(root, _SAFE_PATH, "STATIC_ROOT")
    if not options.upstreams:
        raise NginxConfigError("at least one --upstream host:port is needed")
    for upstream in options.upstreams:
        _checked(upstream, _UPSTREAM, "upstream")
    for name in options.server_names:
        _checked(name, _SERVER_NAME, "server name")
    _checked(options.listen, _LISTEN, "listen")
    _checked(options.max_body, _SIZE, "max body size")
    for url in options.private_urls:
        _checked(url, _SAFE_PATH, "private URL")


def _symlinks(options: NginxOptions) -> str:
    if options.follow_symlinks:
        return "        # --follow-symlinks: symlinks are followed (collectstatic copies).\n"
    # from=: symlinks on the way to STATIC_ROOT (a release switch) are fine, none below it.
    return (
        "        # Symlinks below STATIC_ROOT are refused, also as a .gz or .br variant.\n"
        f"        disable_symlinks on from={options.static_root.rstrip('/')};\n"
    )


def _private_urls(options: NginxOptions) -> str:
    if not options.private_urls:
        return ""
    # _SAFE_PATH let through only [\w./@+-]: of these, "." and "+" mean something to PCRE.
    urls = "|".join(u.replace(".", r"\.").replace("+", r"\+") for u in options.private_urls)
    return f'        location ~ "^(?:{urls}){_VARIANT}" {{ return 404; }}\n'


def _static_location(options: NginxOptions) -> str:
    url, maps = options.static_url, options.serve_source_maps
    brotli = "        brotli_static on;\n" if options.brotli else ""
    return f"""\
    # Static files straight from STATIC_ROOT (collectstatic wrote .gz/.br next to each file).
    location ^~ {url} {{
        alias {options.static_root.rstrip("/")}/;
{_symlinks(options)}\
        # Open files (and their symlink checks) kept for 2 s: without this cache each request
        # opens the file and its .gz, walking every component below STATIC_ROOT for the check.
        open_file_cache max=1000 inactive=60s;
        open_file_cache_valid 2s;
        sendfile on;
        tcp_nopush on;
        gzip_static on;
{brotli}\
        # Vary on every answer; `gzip_vary on` would make gzip_static open the .gz even for
        # clients that do not accept gzip.
        gzip_vary off;
        etag on;
        add_header Cache-Control "{REVALIDATE}" always;
        {_VARY}

        # Hashed public names first (one regex for most requests), then the private ones.
        location ~ "{hashed_public_re(url, maps)}" {{
            add_header Cache-Control "{IMMUTABLE}" always;
            {_VARY}
        }}
        location ~ "{private_re(maps)}" {{ return 404; }}
{_private_urls(options)}\
    }}
"""


_PROXY_LOCATION = """\
    # Everything else (HTML pages, the API) goes to Django.
    location / {
        proxy_pass http://duet_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # With the port: Django's CSRF check compares Origin to it. ALLOWED_HOSTS still applies.
        proxy_set_header Host $http_host;
        # Overwritten, never appended: a client cannot spoof them through nginx. The login
        # throttle counts per client address: set DUET["CLIENT_IP_HEADER"] = "X-Real-IP",
        # else every client has nginx's address and 50 failures lock everyone out.
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_redirect off;
        proxy_connect_timeout 5s;
        proxy_send_timeout 60s;
        proxy_read_timeout 60s;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries 2;
        # Django's Link header (LinkHeaderMiddleware: what the page needs first) passes on as
        # is, for a CDN to make 103 Early Hints of. nginx 1.29+ can also pass an upstream's 103
        # on (`early_hints`); the app servers behind it here send none (docs/performance.md).
    }
"""


def render_server_block(options: NginxOptions) -> str:
    validate(options)
    servers = "\n".join(f"    server {u} max_fails=3 fail_timeout=10s;" for u in options.upstreams)
    return f"""\
# Generated by `python manage.py duet nginx-config`: regenerate rather than edit.
upstream duet_app {{
{servers}
    keepalive 32;
}}

server {{
    listen {options.listen};
    server_name {" ".join(options.server_names)};
    client_max_body_size {options.max_body};
    server_tokens off;

{_static_location(options)}
{_PROXY_LOCATION}}}
"""
