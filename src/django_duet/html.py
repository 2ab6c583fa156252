"""Pure HTML builders for the tags (usable from Jinja2 or views). Escaping via format_html only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from .manifest import EntryAssets

UrlFor = Callable[[str], str]


def _attrs(nonce: str | None, crossorigin: str | None, integrity: str | None) -> SafeString:
    parts: list[SafeString] = []
    if crossorigin is not None:
        parts.append(
            format_html(' crossorigin="{}"', crossorigin)
            if crossorigin
            else mark_safe(" crossorigin")
        )
    if integrity:
        parts.append(format_html(' integrity="{}"', integrity))
    if nonce:
        parts.append(format_html(' nonce="{}"', nonce))
    return mark_safe("".join(parts))  # each part was built by format_html


def script_tag(src: str, attrs: SafeString) -> SafeString:
    return format_html('<script type="module" src="{}"{}></script>', src, attrs)


def preload_tag(href: str, attrs: SafeString) -> SafeString:
    return format_html('<link rel="modulepreload" href="{}"{}>', href, attrs)


def stylesheet_tag(href: str, attrs: SafeString) -> SafeString:
    return format_html('<link rel="stylesheet" href="{}"{}>', href, attrs)


def entry_tags(
    assets: EntryAssets,
    url_for: UrlFor,
    *,
    emitted: set[str],
    nonce: str | None = None,
    crossorigin: str | None = None,
    integrity_for: Callable[[str], str | None] | None = None,
) -> list[SafeString]:
    """Tags for one entry in Vite's order (script, preloads, stylesheets).

    ``emitted`` holds the URLs already on the page and is updated, so several entries on one
    page never repeat a tag.
    """
    planned: Iterable[tuple[Callable[[str, SafeString], SafeString], str]] = [
        *([(script_tag, assets.script)] if assets.script else []),
        *((preload_tag, f) for f in assets.preloads),
        *((stylesheet_tag, f) for f in assets.styles),
    ]
    out: list[SafeString] = []
    for build, file in planned:
        url = url_for(file)
        if url in emitted:
            continue
        emitted.add(url)
        integrity = integrity_for(file) if integrity_for else None
        out.append(build(url, _attrs(nonce, crossorigin, integrity)))
    return out


def join_tags(tags: Iterable[SafeString]) -> SafeString:
    return mark_safe("\n".join(tags))  # each tag was built by format_html


def props_script(element_id: str, value: Any) -> SafeString:
    """JSON for a component, safe inside HTML: <, > and & are escaped by ``json_script``."""
    return json_script(value, element_id, encoder=DjangoJSONEncoder)
