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
* The dev server's files are not in the access log unless they fail (``dev.access_log``).
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

from django_duet.dev.access_log import log_every_line, shown

RESPONSE_BUFFER = 64 * 1024  # the dev proxy relays larger answers in blocks of this size


class DevRequestHandler(WSGIRequestHandler):
    wbufsize = RESPONSE_BUFFER

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
