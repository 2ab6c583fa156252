"""Run Debian's nginx with a server block (from ``duet nginx-config``) on loopback, for tests.

nginx runs in the foreground as root without systemd: a scratch folder holds the pid file, the
logs and every temp path, and the process group is stopped on exit.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from django_duet.testing.servers import ServerProcess

MIME_TYPES = Path("/etc/nginx/mime.types")


def nginx_conf(server_block: str, scratch: Path, port: int) -> str:
    """A complete nginx.conf around ``server_block``, listening on 127.0.0.1:``port``."""
    block = re.sub(r"(?m)^(\s*)listen [^;]+;", rf"\1listen 127.0.0.1:{port};", server_block)
    temps = "\n".join(
        f"    {name}_temp_path {scratch / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    modules = ""
    brotli = Path("/usr/share/nginx/modules-available/mod-http-brotli-static.conf")
    if "brotli_static" in block and brotli.exists():
        modules = f"include {brotli};\n"
    # Workers would run as nobody, who cannot read a test's private scratch folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{modules}{user}daemon off;
worker_processes 2;
pid {scratch / "nginx.pid"};
error_log {scratch / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
    sendfile on;
{temps}
{block}
}}
"""


def nginx_process(server_block: str, scratch: Path, port: int) -> ServerProcess:
    scratch.mkdir(parents=True, exist_ok=True)
    conf = scratch / "nginx.conf"
    conf.write_text(nginx_conf(server_block, scratch, port))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    return ServerProcess(
        [binary, "-c", str(conf), "-e", str(scratch / "error.log")],
        port=port,
        name="nginx",
        ready_path="/static/",
    )
