"""gunicorn's settings for the example, read from the working directory (`make demo`).

What bounds a client that holds a thread (docs/production.md, "Timeouts"): each thread serves
one request at a time, so `threads` slow clients would otherwise stop the worker.
"""

import os
from typing import Any

from django_duet.ssr.preload import preload_library

# A worker that stops answering the arbiter (its main loop blocked) for this long is restarted.
# It does not see a request thread blocked in a write: SEND_TIMEOUT below bounds that.
timeout = 30
graceful_timeout = 30  # a restart waits this long for requests in flight
# Idle kept-alive connections wait in the worker's poller, holding no thread, this many seconds.
keepalive = 5
# Request line and headers: gunicorn's limits (8190 bytes a line, 100 fields) are kept.

# Seconds a write to the client (a page, or a large static file sent with sendfile) may make no
# progress. gunicorn sets no send timeout: a client that requests a large file and never reads
# holds its thread for as long as it keeps the connection open, and a few of them hold all the
# threads. With this bound the write fails, gunicorn closes the connection and the thread is
# free. It also bounds a request body that stops arriving. A slow client that keeps reading is
# never cut off: the timeout is per write, not per answer.
SEND_TIMEOUT = float(os.environ.get("DUET_EXAMPLE_SEND_TIMEOUT", "30"))


def pre_request(worker: Any, req: Any) -> None:
    # gunicorn's request reads from the connection's socket, the one the answer is written to.
    sock = getattr(getattr(req, "unreader", None), "sock", None)
    if sock is None:
        worker.log.warning("gunicorn.conf.py: no socket on the request; SEND_TIMEOUT not applied")
        return
    sock.settimeout(SEND_TIMEOUT)


def on_starting(server: object) -> None:
    # V8's library mapped once in the master: each worker gains about 17 MB less resident
    # memory from SSR (docs/ssr.md). V8 itself starts in the workers, never here.
    preload_library()
