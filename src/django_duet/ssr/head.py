"""The head tags a component set with ``head()`` (django-duet/ssr/head), as HTML for ``<head>``.

The bundle returns data, not markup: the tags are built here with ``format_html``, so a title
or a description coming from the database is escaped like any template variable, and only the
tags and attributes listed here can reach the page.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from django_duet.pages.html import nonce_attribute, script_safe_json

_LINK_RELS = {"canonical", "alternate", "prev", "next"}


def head_tags(head: dict[str, Any] | None, nonce: str | None = None) -> SafeString:
    """``<title>``, ``<meta>``, ``<link>`` and JSON-LD tags, one per line, in that order."""
    if not head:
        return mark_safe("")
    tags: list[SafeString] = []
    title = head.get("title")
    if isinstance(title, str):
        tags.append(format_html("<title>{}</title>", title))
    for meta in head.get("meta") or []:
        if not isinstance(meta, dict) or not isinstance(meta.get("content"), str):
            continue
        for attr in ("name", "property"):
            if isinstance(meta.get(attr), str) and meta[attr]:
                tags.append(
                    format_html('<meta {}="{}" content="{}">', attr, meta[attr], meta["content"])
                )
                break
    for link in head.get("link") or []:
        if not isinstance(link, dict) or link.get("rel") not in _LINK_RELS:
            continue
        if not isinstance(link.get("href"), str):
            continue
        hreflang = link.get("hreflang")
        lang = format_html(' hreflang="{}"', hreflang) if isinstance(hreflang, str) else ""
        tags.append(format_html('<link rel="{}" href="{}"{}>', link["rel"], link["href"], lang))
    for data in head.get("jsonLd") or []:
        text = script_safe_json(json.dumps(data, separators=(",", ":")))
        tags.append(
            format_html(
                '<script type="application/ld+json"{}>{}</script>',
                nonce_attribute(nonce),
                mark_safe(text),  # JSON with <, > and & escaped: inert inside the script
            )
        )
    return mark_safe("\n".join(tags))  # each tag was built by format_html
