"""The built HTML shell (Vite's index.html) made ready for Django: SRI and the CSP nonce.

Vite writes plain ``<script>``/``<link>`` tags into the HTML it builds. Before the shell is
compiled as a Django template (once per build), each tag that loads a build file gets the
file's ``integrity`` (when SRI is on), and every script, link and style element gets the
request's CSP nonce, as ``{% duet_entry %}`` does for Django-rendered pages (and the
``<meta property="csp-nonce">`` that Vite's preload helper reads).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.utils.html import escape

from django_duet.pages.html import CSP_META_MARK, csp_meta, insert_after_head, nonce_attribute

_TAG = re.compile(r"<(script|link|style)\b([^>]*)>", re.IGNORECASE)
_URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# The request's nonce attribute and csp-nonce meta ("" without a nonce), built per request by
# the one HTML builder (shell_context) into the shell compiled once per build.
NONCE_SNIPPET = "{{ duet_nonce_attr }}"
# Where Vite's preload helper reads the nonce for the <link>s it inserts for lazy chunks.
NONCE_META = "{{ duet_csp_meta }}"


def shell_context(nonce: str | None) -> dict[str, object]:
    """What the prepared shell reads for a request with the CSP nonce ``nonce``."""
    return {"duet_nonce_attr": nonce_attribute(nonce), "duet_csp_meta": csp_meta(nonce)}


def build_file_of(url: str, prefix: str) -> str | None:
    """The build file an emitted URL points at, or None for anything else."""
    # Vite wrote the URLs with base = STATIC_URL + prefix (checked by duet.W001).
    base = f"{settings.STATIC_URL}{prefix}"
    if not url.startswith(base):
        return None
    return url[len(base) :].split("?", 1)[0].split("#", 1)[0] or None


def prepare_shell(
    source: str, prefix: str, integrity_for: Callable[[str], str | None] | None
) -> str:
    def rewrite(match: re.Match[str]) -> str:
        name, attrs = match.group(1), match.group(2)
        closing = "/" if attrs.rstrip().endswith("/") else ""
        body = attrs.rstrip().removesuffix("/") if closing else attrs
        url = _URL_ATTR.search(body)
        if integrity_for is not None and url and "integrity" not in body.lower():
            file = build_file_of(url.group(1), prefix)
            digest = integrity_for(file) if file else None
            if digest:
                body += f' integrity="{escape(digest)}"'
        if "nonce" not in body.lower():
            body += NONCE_SNIPPET
        return f"<{name}{body}{closing}>"

    return insert_after_head(_TAG.sub(rewrite, source), NONCE_META, CSP_META_MARK)
