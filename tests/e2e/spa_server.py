"""A static host for the built SPA on its own origin, as a CDN or object storage would serve it.

    python spa_server.py --port 5173 --root example/frontend/dist --api-url http://api.example.test:8000

Serves ``/static/<file>`` from the build (Vite's ``base``), and ``index.html`` for every route
under ``/app/``, with ``<meta name="duet-api-url">`` added to its head: the deploy-time config
that tells the SPA where the API is (the same build, served by Django, has none and uses its
own origin), and ``<meta name="duet-base">``, where its routes start (Django writes that one
itself). Nothing else: no Django, no cookies.
"""

from __future__ import annotations

import argparse
import html
import mimetypes
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def make_handler(root: Path, api_url: str) -> type[BaseHTTPRequestHandler]:
    meta = f'<meta name="duet-api-url" content="{html.escape(api_url, quote=True)}">'
    # Where the app's routes start, as Django's client_routes("app/") says it (its router's
    # basename: docs/router-under-a-prefix.md); this host serves the app under /app/ too.
    meta += '\n<meta name="duet-base" content="/app/">'
    shell = (
        (root / "index.html").read_text(encoding="utf-8").replace("<head>", "<head>\n" + meta, 1)
    )
    real_root = root.resolve()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path == "/app" or path.startswith("/app/"):
                self.send(HTTPStatus.OK, shell.encode(), "text/html; charset=utf-8", "no-store")
            elif path.startswith("/static/"):
                file = (real_root / path.removeprefix("/static/")).resolve()
                if file.is_relative_to(real_root) and file.is_file():
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    self.send(HTTPStatus.OK, file.read_bytes(), kind, "max-age=60")
                else:
                    self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain", "no-store")
            else:
                self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain", "no-store")

        def send(self, status: HTTPStatus, body: bytes, kind: str, cache: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", cache)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the test output is for failures

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", type=Path, required=True, help="the Vite build (dist)")
    parser.add_argument("--api-url", required=True, help="the API's origin, for the SPA")
    args = parser.parse_args()
    mimetypes.add_type("text/javascript", ".js")  # some systems map .js to a legacy type
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.root, args.api_url))
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
