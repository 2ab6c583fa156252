"""The dev server's files leave no line in the app server's access log unless they fail.

A development page loads every source module through the dev proxy (542 requests for a page
of 500 modules): runserver and uvicorn would log each one, burying the lines a developer reads
(the page, the API calls, the errors), where Vite alone logs none. A request under a frontend's
dev base answered below 400 is a routine line, left out unless ``duet dev -v 2`` asked for
every line (it passes ``--verbosity 2`` on to the server); every other line is logged as before.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from django_duet.dev.server import claim


def routine(target: str, status: int) -> bool:
    """Whether a request for ``target`` (the request line's path and query, percent-encoded)
    answered with ``status`` is a dev server file that went well."""
    if status >= 400 or not target.startswith("/"):
        return False
    return claim(unquote(urlsplit(target).path)) is not None


_every_line = False


def log_every_line(argv: list[str]) -> None:
    """Every line after all, when the server's arguments hold ``--verbosity 2`` (or more)."""
    global _every_line
    at = argv.index("--verbosity") + 1 if "--verbosity" in argv else len(argv)
    _every_line = at < len(argv) and argv[at].isdigit() and int(argv[at]) >= 2


def shown(target: str, status: int) -> bool:
    return _every_line or not routine(target, status)


class UvicornAccessFilter(logging.Filter):
    """For ``uvicorn.access``, whose records carry (client, method, target, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) != 5 or not isinstance(args[4], int):
            return True  # not the access line this filter knows: keep it
        return shown(str(args[2]), args[4])
