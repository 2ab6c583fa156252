"""Map mini-racer's V8 library in a prefork server's master, before it forks its workers.

Loading the library makes the dynamic linker read its symbol tables (about 16 MB of a 74 MB
file with V8's exported symbols) to relocate it. Done once in gunicorn's master, the workers
inherit the relocated library and never touch those pages: each worker's resident memory gains
about 17 MB less from SSR (docs/ssr.md). V8 itself is *not* started here: a process forked
after V8 started hangs on a lock held at fork time, so V8 starts in each worker, on its first
render, as without this.

In ``gunicorn.conf.py``::

    from django_duet.ssr.preload import preload_library

    def on_starting(server):
        preload_library()
"""

from __future__ import annotations

import ctypes
import logging
import sys
from importlib import resources
from pathlib import Path

logger = logging.getLogger("django_duet.ssr")

_LIBRARY_NAMES = {"darwin": "libmini_racer.dylib", "win32": "mini_racer.dll"}
_loaded: list[ctypes.CDLL] = []  # kept: the mapping must outlive this call


def preload_library() -> bool:
    """True when the library is now mapped in this process (no V8 thread is started); False,
    with nothing done, when mini-racer is not installed or not a plain install on disk."""
    if _loaded:
        return True
    try:
        import py_mini_racer  # noqa: F401 - where its library lies
    except ImportError:
        return False
    name = _LIBRARY_NAMES.get(sys.platform, "libmini_racer.so")
    path = resources.files("py_mini_racer") / name
    if not isinstance(path, Path) or not path.is_file():
        # A zipped or frozen install: mini-racer would load a copy from elsewhere.
        return False
    try:
        _loaded.append(ctypes.CDLL(str(path)))  # the mode mini-racer's own load uses
    except OSError as exc:
        logger.warning("django-duet: could not preload mini-racer's library %s: %s", path, exc)
        return False
    return True
