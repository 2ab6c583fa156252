"""Which static files the bundler already fingerprinted (never to be hashed a second time)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django_duet.conf import all_frontends

# Vite/Rollup's default `[name]-[hash]` (8+ base64url characters), any extensions after it.
_BUNDLER_HASH = re.compile(r"-[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9]+)+$")


def is_bundler_hashed(name: str) -> bool:
    """True for a file in a build's ``assets/`` folder whose name carries Vite's hash.

    ``name`` is relative to STATIC_URL (a query or fragment is ignored).
    """
    path = urlsplit(name).path.lstrip("/")
    if not any(path.startswith(f.STATIC_PREFIX + "assets/") for f in all_frontends()):
        return False
    return bool(_BUNDLER_HASH.search(path.rsplit("/", 1)[-1]))
