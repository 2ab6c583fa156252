"""Which static files the bundler already fingerprinted (never to be hashed a second time)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django_duet.conf import all_frontends

# Vite/Rollup's default `[name]-[hash]` (8+ base64url characters), any extensions after it.
_BUNDLER_HASH = re.compile(r"-[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9]+)+$")
# webpack's `[name].[contenthash]` (20 hex characters by default, often cut to 8) and
# create-react-app's `main.1f51feed.js` / `480.aa11bb22.chunk.js`, with any extensions after it
# (`.js.map`).
_CONTENT_HASH = re.compile(r"\.[0-9a-f]{8,32}(?:\.chunk)?(?:\.[A-Za-z0-9]+)+$")


def is_bundler_hashed(name: str) -> bool:
    """True for a build's file whose name carries the bundler's content hash: Vite's in its
    ``assets/`` folder, webpack's and create-react-app's anywhere under the frontend's
    STATIC_PREFIX. Hashing such a file again would rewrite it (its ``sourceMappingURL``) and
    break its SRI, and rename the chunks its runtime loads by their bundler names.

    ``name`` is relative to STATIC_URL (a query or fragment is ignored).
    """
    path = urlsplit(name).path.lstrip("/")
    file_name = path.rsplit("/", 1)[-1]
    for frontend in all_frontends():
        if not path.startswith(frontend.STATIC_PREFIX):
            continue
        if path.startswith(frontend.STATIC_PREFIX + "assets/") and _BUNDLER_HASH.search(file_name):
            return True
        if _CONTENT_HASH.search(file_name):
            return True
    return False
