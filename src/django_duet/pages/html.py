"""Pure HTML builders for the tags (usable from Jinja2 or views).

Tags are built with format_html once per build and cached (``prepare_entry``); per request only
the nonce is added, escaped with the stdlib's ``html.escape`` (what format_html uses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import escape as _escape
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from django_duet.build.manifest import EntryAssets

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


@dataclass(frozen=True)
class PreparedTag:
    """A tag rendered once per build: ``head`` + the request's nonce attribute + ``tail``."""

    url: str
    head: str
    tail: str


# Where Vite's client and preload helper read the nonce for the tags they insert; once per page
# (``url`` is the key the pages' sets of emitted tags know it by).
CSP_META_TAG = PreparedTag("duet:csp-nonce", '<meta property="csp-nonce"', ">")


def csp_meta(nonce: str) -> str:
    return CSP_META_TAG.head + nonce_attribute(nonce) + CSP_META_TAG.tail


@dataclass(frozen=True)
class PreparedEntry:
    """An entry's tags, rendered once per build (each URL once)."""

    tags: tuple[PreparedTag, ...]

    def __iter__(self) -> Iterator[PreparedTag]:
        return iter(self.tags)


_SHAPES = {
    "classic": ('<script defer src="{}"{}', "></script>"),  # webpack, CRA: run in order
    "script": ('<script type="module" src="{}"{}', "></script>"),
    "preload": ('<link rel="modulepreload" href="{}"{}', ">"),
    "style": ('<link rel="stylesheet" href="{}"{}', ">"),
}


def prepare_entry(
    assets: EntryAssets,
    url_for: UrlFor,
    *,
    crossorigin: str | None = None,
    integrity_for: Callable[[str], str | None] | None = None,
) -> PreparedEntry:
    """Tags for one entry in Vite's order (script, preloads, stylesheets), all but the nonce.

    URLs (``staticfiles_storage.url``) and escaping cost most of a render: done once per build
    and cached by the caller, so a render only joins strings.
    """
    planned = [
        *(("classic", f) for f in assets.scripts),
        *([("script", assets.script)] if assets.script else []),
        *(("preload", f) for f in assets.preloads),
        *(("style", f) for f in assets.styles),
    ]
    prepared: list[PreparedTag] = []
    for shape, file in planned:
        url = url_for(file)
        if any(tag.url == url for tag in prepared):
            continue  # once per entry, as emit() would skip it
        head, tail = _SHAPES[shape]
        integrity = integrity_for(file) if integrity_for else None
        attrs = _attrs(None, crossorigin, integrity)
        prepared.append(PreparedTag(url, _plain(format_html(head, url, attrs)), tail))
    return PreparedEntry(tuple(prepared))


def nonce_parts(items: Iterable[str | PreparedTag]) -> tuple[str, ...]:
    """Tags joined by newlines, split where the request's nonce attribute goes (a plain str
    item takes none): ``nonce_attr.join(parts)`` is the HTML."""
    parts: list[str] = []
    current = ""
    for i, item in enumerate(items):
        if i:
            current += "\n"
        if isinstance(item, str):
            current += item
        else:
            parts.append(current + item.head)
            current = item.tail
    parts.append(current)
    return tuple(parts)


def _plain(html: SafeString) -> str:
    # An exact str (SafeString.__str__ returns itself): SafeString's own __add__ would cost a
    # Python-level call per concatenation on the hot path. Safe: it came from format_html.
    return str.__str__(html)


_last_nonce: tuple[str, str] = ("", "")  # (nonce, attribute): a page asks once per entry


def nonce_attribute(nonce: str | None) -> str:
    # Per request, on the hot path: the stdlib escape that format_html uses underneath,
    # without its lazy-object wrappers. One (atomically replaced) tuple: safe across threads.
    global _last_nonce
    if not nonce:
        return ""
    last = _last_nonce
    if last[0] == nonce:
        return last[1]
    attribute = f' nonce="{_escape(nonce, quote=True)}"'
    _last_nonce = (nonce, attribute)
    return attribute


def emit(prepared: Iterable[PreparedTag], emitted: set[str], nonce_attr: str) -> list[str]:
    """The prepared tags not yet on the page (``emitted`` holds their URLs and is updated).

    Plain strings whose every part was escaped by format_html: safe to mark so.
    """
    out: list[str] = []
    for tag in prepared:
        if tag.url in emitted:
            continue
        emitted.add(tag.url)
        out.append(tag.head + nonce_attr + tag.tail)
    return out


def entry_tags(
    assets: EntryAssets,
    url_for: UrlFor,
    *,
    emitted: set[str],
    nonce: str | None = None,
    crossorigin: str | None = None,
    integrity_for: Callable[[str], str | None] | None = None,
) -> list[SafeString]:
    """Tags for one entry, skipping URLs in ``emitted``: several entries never repeat a tag."""
    prepared = prepare_entry(assets, url_for, crossorigin=crossorigin, integrity_for=integrity_for)
    return [mark_safe(t) for t in emit(prepared, emitted, nonce_attribute(nonce))]


def props_script(element_id: str, value: Any) -> SafeString:
    """JSON for a component, safe inside HTML: <, > and & are escaped by ``json_script``."""
    return json_script(value, element_id, encoder=DjangoJSONEncoder)
