"""``python -m django_duet.cli._wsgi_serve ADDRPORT [--noreload]``: runserver, tuned.

What ``duet dev`` runs: Django's own runserver (autoreloader, checks, output), three changes:

* Django core's command, not staticfiles' (which answers STATIC_URL before any middleware, so
  the dev proxy could not see /static/@vite/client); the proxy hands what the dev server lacks to
  the staticfiles finders instead.
* The dev server's modules are answered before Django's handler (``proxy_wsgi``), with the
  dev proxy's rules.
* Its sockets send at once (TCP_NODELAY). wsgiref writes the status line, the headers and the
  body separately; on a keep-alive connection Nagle's algorithm then holds the body until the
  browser's delayed ACK, about 40 ms per response. A page that loads a hundred modules through
  the proxy would wait for that a hundred times.
* A response leaves in one send: its status line, headers and a body up to ``RESPONSE_BUFFER``
  are buffered and flushed together (wsgiref writes the status line, the Date and Server headers,
  the other headers and the body apart: four packets and four wakeups of the browser per module).
* The dev server's modules are answered by the request handler itself, as soon as the request
  is parsed (``DevRequestHandler.parse_request``): the same ``proxy_wsgi.early_answer`` on the
  environ Django's handler would build, written without wsgiref, whose handler (environ copies,
  header objects, its checks of each header) cost about as much Python per module as the
  proxy's exchange with the dev server. A page of 500 modules pays that 500 times, one thread
  at a time (the GIL). Everything else goes on to wsgiref and Django with the same environ,
  which carries what the early answer learned (``ASKED``, ``DECLINED``): the dev server is
  asked once.
* The dev server's files are not in the access log unless they fail (``dev.access_log``).
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

from django_duet.dev.access_log import log_every_line, shown
from django_duet.dev.proxy_wsgi import EarlyAnswer, early_answer

logger = logging.getLogger("django_duet.proxy")
RESPONSE_BUFFER = 64 * 1024  # the dev proxy relays larger answers in blocks of this size


class DevRequestHandler(WSGIRequestHandler):
    wbufsize = RESPONSE_BUFFER
    _environ: dict[str, Any]  # built once per request: the early answer's, then Django's

    def parse_request(self) -> bool:
        """Django's handler goes on only for a request not answered here (as after an error
        page: False, the answer is written)."""
        if not super().parse_request():
            return False
        self._environ = environ = super().get_environ()  # Django's: headers with "_" dropped
        environ["wsgi.url_scheme"] = "http"  # runserver speaks plain HTTP only
        try:
            early = early_answer(environ)
        except Exception:  # a bug of ours: Django's middleware tries again, its 500 page shows it
            logger.exception("The dev proxy failed before Django on %s", self.path)
            early = None
        if early is None:  # the environ keeps what was learned (ASKED, DECLINED)
            return True
        self._write_early(early)
        return False

    def get_environ(self) -> dict[str, Any]:
        return self._environ

    def _write_early(self, early: EarlyAnswer) -> None:
        """As Django's ServerHandler writes an answer: Date and Server unless given, no
        keep-alive without a length (a HEAD excepted), the access log line. A body that broke
        off short of its length closes the connection: the browser sees the answer end there
        instead of waiting for the rest while the server waits for its next request."""
        names = {name.lower(): value for name, value in early.headers}
        headers = list(early.headers)
        if "content-length" not in names and self.command != "HEAD":
            headers.append(("Connection", "close"))
            self.close_connection = True
        self.log_request(early.status)
        self.send_response_only(early.status)
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        if "server" not in names:
            self.send_header("Server", self.version_string())
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        written = 0
        try:
            for block in early.body:
                if self.command != "HEAD":
                    self.wfile.write(block)
                    written += len(block)
        except OSError:  # the browser left: as wsgiref does on a failed write
            self.close_connection = True
        finally:
            getattr(early.body, "close", lambda: None)()
        declared = names.get("content-length", "")
        if self.command != "HEAD" and declared.isdigit() and written < int(declared):
            self.close_connection = True

    def handle_one_request(self) -> None:
        super().handle_one_request()
        try:  # what wsgiref left unflushed: an answer without a body (304, HEAD), an error page
            self.wfile.flush()
        except OSError:  # the browser left: as wsgiref does on a failed write
            self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if str(code).isdigit() else 0
        if shown(getattr(self, "path", ""), status):
            super().log_request(code, size)


class NoDelayWSGIServer(WSGIServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.RequestHandlerClass = DevRequestHandler  # runserver passes Django's own

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


def main(argv: list[str]) -> int:
    import django
    from django.core.management.commands.runserver import Command as Runserver

    django.setup()
    log_every_line(argv)

    class Command(Runserver):
        server_cls = NoDelayWSGIServer

        def inner_run(self, *args: Any, **options: Any) -> None:
            from django_duet.contract.output import refresh_opted_in

            refresh_opted_in(print)  # at each (re)start: the URLconf or the props may have changed
            super().inner_run(*args, **options)

        def get_handler(self, *args: Any, **options: Any) -> Any:
            from django_duet.dev.proxy_wsgi import duet_wsgi

            return duet_wsgi(super().get_handler(*args, **options))

    Command().run_from_argv(["manage.py", "runserver", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
