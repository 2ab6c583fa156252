"""A stand-in for the Vite dev server on a free loopback port, recording what reaches it.

``mode`` says how it answers: "ok" (a module, 404 for paths under one of ``absent``, a large
module under /static/big/),
"hang" (accepts, never answers), "garbage" (bytes that are not HTTP), "close" (hangs up),
"drop-reused" (hangs up on a connection's second request), "close-after" (hangs up after
each answer without saying so, as Vite does when its keep-alive timeout ends), "short" (sends
less than its Content-Length, then hangs up).
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MODULE = b"export const answer = 42;\n" * 100


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class FakeDevServer:
    mode: str = "ok"
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    html: str = "<!doctype html><p>dev shell</p>"
    absent: tuple[str, ...] = ("/static/missing/",)  # path prefixes answered 404
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def hot_file(self, path: Path, *, base: str = "/static/", url: str | None = None) -> Path:
        info = {
            "version": 1,
            "url": url or f"http://127.0.0.1:{self.port}",
            "base": base,
            "reactRefresh": True,
        }
        path.write_text(json.dumps(info))
        return path

    def start(self) -> FakeDevServer:
        fake = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def verify_request(self, request: Any, client_address: Any) -> bool:
                fake.connections += 1
                return True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client hanging up on a "hang" or "garbage" answer is expected

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def handle_one_request(self) -> None:
                if fake.mode == "hang":
                    fake._release.wait(10)
                    self.close_connection = True
                    return
                if fake.mode == "garbage":
                    self.rfile.readline()
                    self.wfile.write(b"HELLO THERE\r\n\r\n\x00\x01")
                    self.close_connection = True
                    return
                if fake.mode == "close":
                    self.rfile.readline()
                    self.close_connection = True
                    return
                self.answered = getattr(self, "answered", 0) + 1
                if fake.mode == "drop-reused" and self.answered > 1:
                    # A kept-alive connection closed as a request arrives (Node's keep-alive
                    # timeout racing the proxy's reuse): nothing is answered on it.
                    self.rfile.readline()
                    self.close_connection = True
                    return
                super().handle_one_request()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append(
                    Seen(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                if self.path.startswith(fake.absent):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.startswith("/static/index.html"):
                    payload = fake.html.encode()
                    content_type = "text/html"
                elif self.path.startswith("/static/big/"):  # streamed, not read whole
                    payload, content_type = MODULE * 400, "text/javascript"
                else:
                    payload = MODULE if self.command != "POST" else b"echo:" + body
                    content_type = "text/javascript"
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Cache-Control", "no-cache")
                self.send_header("ETag", 'W/"abc"')
                self.send_header("Keep-Alive", "timeout=5")
                self.send_header("Set-Cookie", "sessionid=from-vite; Path=/")
                self.send_header("X-Upstream", "fake")
                self.end_headers()
                if fake.mode == "short":  # less than it declared, then it hangs up
                    self.wfile.write(payload[:10])
                    self.close_connection = True
                elif self.command != "HEAD":
                    self.wfile.write(payload)
                if fake.mode == "close-after":
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = do_OPTIONS = do_PUT = _answer

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def closed_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
