"""A WSGI app for test_slow_readers.py: a large file through wsgi.file_wrapper, as whitenoise
answers (gunicorn sends it with sendfile), and a small answer for every other path."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/large":
        path = os.environ["DUET_LARGE_FILE"]
        size = os.path.getsize(path)
        start_response(
            "200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))]
        )
        return environ["wsgi.file_wrapper"](open(path, "rb"))  # closed by the server
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
