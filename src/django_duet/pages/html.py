"""The one HTML builder of the package: tags, the nonce attribute, script escapes, the
once-per-page rule. Pure functions over ``format_html`` (usable from Jinja2 or views), used by
the tags, the dev tags, the client-routes shell and the SSR head.

An entry's tags are built once per build (``prepare_entry``) as parts split where the nonce
goes: a request then only joins them with its nonce attribute.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from django_duet.build.manifest import EntryAssets

UrlFor = Callable[[str], str]

# What json_script escapes: JSON (or a JS string literal) with these cannot end its <script>
# early ("</script>" inside a string), and JSON.parse reads the same values.
SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


def script_safe_json(text: str) -> str:
    """``text`` with ``SCRIPT_ESCAPES``, by str.replace: about 20 times faster than
    str.translate on 100 KB of props."""
    for raw, escaped in SCRIPT_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def nonce_attribute(nonce: str | None) -> SafeString:
    """`` nonce="..."`` for the request's CSP nonce, "" without one."""
    if not nonce:
        return SafeString("")
    # Django's escape() is this html.escape behind a lazy-string wrapper that costs more than
    # the escape itself; once per page, but on every page.
    return SafeString(f' nonce="{html.escape(nonce)}"')


def once(emitted: set[str], key: str) -> bool:
    """The once-per-page rule: True the first time ``key`` (a tag's URL, or one of the keys
    below) is put on the page whose set of emitted keys is ``emitted`` (updated). A prepared
    entry applies it to all its URLs at once (``pages.prepared``: ``without`` those on the
    page)."""
    if key in emitted:
        return False
    emitted.add(key)
    return True


@dataclass(frozen=True)
class PreparedTag:
    """A tag rendered once per build: ``head`` + the request's nonce attribute + ``tail``."""

    url: str  # the page's key for it (once per page)
    head: str
    tail: str
    # The tag as a ``Link`` header value, less the nonce (``pages.links``); "" for none.
    link: str = ""
    style: bool = False  # a stylesheet: first in the header, as it blocks rendering


# Once per page: where Vite's client and preload helper read the nonce for the tags they
# insert, and the build the page was loaded with (``django-duet/client`` compares it with the
# server's). The keys a page's set of emitted tags knows them by, and the attribute that marks
# them in HTML a bundler wrote.
CSP_META = PreparedTag("duet:csp-nonce", '<meta property="csp-nonce"', ">")
CSP_META_MARK = 'property="csp-nonce"'
BUILD_META_KEY = "meta:duet-build"
BUILD_META_MARK = 'name="duet-build"'
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def csp_meta(nonce: str | None) -> SafeString:
    """The csp-nonce meta, "" without a nonce."""
    if not nonce:
        return SafeString("")
    return format_html(CSP_META.head + "{}" + CSP_META.tail, nonce_attribute(nonce))


def build_meta(build_id: str) -> SafeString:
    return format_html('<meta name="duet-build" content="{}">', build_id)


def insert_after_head(document: str, tag: str, mark: str) -> str:
    """``tag`` right after the ``<head>`` of a document a bundler wrote, unless ``mark`` (its
    identifying attribute) is already in it: the once-per-page rule for whole documents."""
    if mark in document:
        return document
    return _HEAD.sub(lambda m: m.group(0) + tag, document, count=1)


@dataclass(frozen=True)
class PreparedEntry:
    """An entry's tags, rendered once per build (each URL once): ``nonce_attr.join(parts)``
    is their HTML, one a line."""

    tags: tuple[PreparedTag, ...]
    urls: frozenset[str]
    parts: tuple[str, ...]  # the tags' HTML split where the nonce attribute goes


def entry_of(tags: tuple[PreparedTag, ...]) -> PreparedEntry:
    """``tags``, one a line, split where the nonce attribute goes."""
    parts = [""]
    for tag in tags:
        parts[-1] += ("\n" if len(parts) > 1 else "") + tag.head
        parts.append(tag.tail)
    return PreparedEntry(tags, frozenset(tag.url for tag in tags), tuple(parts))


def without(entry: PreparedEntry, urls: frozenset[str]) -> PreparedEntry:
    """``entry`` less the tags of ``urls`` (already on the page)."""
    return entry_of(tuple(tag for tag in entry.tags if tag.url not in urls))


_SHAPES = {
    "classic": ('<script defer src="{}"{}', "></script>"),  # webpack, CRA: run in order
    "script": ('<script type="module" src="{}"{}', "></script>"),
    "preload": ('<link rel="modulepreload" href="{}"{}', ">"),
    "style": ('<link rel="stylesheet" href="{}"{}', ">"),
}
# The same files as ``Link`` header relations (RFC 8288; the HTML spec's link processing
# options read ``as``, ``crossorigin``, ``integrity`` and ``nonce`` from them).
_LINK_RELS = {
    "classic": "rel=preload; as=script",
    "script": "rel=modulepreload",
    "preload": "rel=modulepreload",
    "style": "rel=preload; as=style",
}
# What may stand between <> in a Link header: a URI reference, percent-encoded otherwise.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def link_value(
    url: str, rel: str, crossorigin: str | None = None, integrity: str | None = None
) -> str:
    """A ``Link`` header value for ``url`` (no nonce: ``link_nonce`` adds it per request)."""
    parts = [f"<{quote(url, safe=_URI_SAFE)}>", rel]
    if crossorigin is not None:
        parts.append(f"crossorigin={_quoted(crossorigin or 'anonymous')}")
    if integrity:
        parts.append(f"integrity={_quoted(integrity)}")
    return "; ".join(parts)


def link_nonce(nonce: str | None) -> str:
    """``; nonce="..."`` for a Link header value, "" without one."""
    return f"; nonce={_quoted(nonce)}" if nonce else ""


def _quoted(value: str) -> str:
    """An RFC 9110 quoted-string (the header's value stays one line: no control characters)."""
    clean = "".join(c for c in value if c >= " " and c != "\x7f")
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def prepare_entry(
    assets: EntryAssets,
    url_for: UrlFor,
    *,
    crossorigin: str | None = None,
    integrity_for: Callable[[str], str | None] | None = None,
) -> PreparedEntry:
    """Tags for one entry in Vite's order (script, preloads, stylesheets), all but the nonce.

    URLs (``staticfiles_storage.url``) and escaping cost most of a render: done once per build
    and kept by the caller, so a render only joins strings.
    """
    planned = [
        *(("classic", f) for f in assets.scripts),
        *([("script", assets.script)] if assets.script else []),
        *(("preload", f) for f in assets.preloads),
        *(("style", f) for f in assets.styles),
    ]
    tags: dict[str, PreparedTag] = {}
    for shape, file in planned:
        url = url_for(file)
        if url in tags:
            continue  # once per entry
        head, tail = _SHAPES[shape]
        integrity = integrity_for(file) if integrity_for else None
        attrs = _attrs(crossorigin, integrity)
        # An exact str, not a SafeString (whose + is a Python-level call): safe, from format_html.
        tags[url] = PreparedTag(
            url,
            str.__str__(format_html(head, url, attrs)),
            tail,
            link=link_value(url, _LINK_RELS[shape], crossorigin, integrity),
            style=shape == "style",
        )
    return entry_of(tuple(tags.values()))


def _attrs(crossorigin: str | None, integrity: str | None) -> SafeString:
    parts: list[SafeString] = []
    if crossorigin is not None:
        parts.append(
            format_html(' crossorigin="{}"', crossorigin)
            if crossorigin
            else mark_safe(" crossorigin")
        )
    if integrity:
        parts.append(format_html(' integrity="{}"', integrity))
    return mark_safe("".join(parts))  # each part was built by format_html


def props_script(element_id: str, value: Any) -> SafeString:
    """JSON for a component, safe inside HTML: <, > and & are escaped by ``json_script``."""
    return json_script(value, element_id, encoder=DjangoJSONEncoder)


# After the page's `load`, adds a <link> per file (the script's own nonce on each, SRI where
# the build has it), `concurrency` at a time, the next one as each ends (0: all at once); a
# file the page already links (a later {% duet_entry %} put it there) is skipped.
_PREFETCH_JS = (
    "((files,concurrency)=>{const nonce=document.currentScript.nonce;"
    "const start=(count)=>{const batch=document.createDocumentFragment();"
    "while(count>0&&files.length){const[href,rel,integrity,crossorigin]=files.shift();"
    "const quoted=CSS.escape(href);"
    'if(document.querySelector(`link[href="${quoted}"],script[src="${quoted}"]`))continue;'
    'const link=document.createElement("link");link.rel=rel;link.href=href;'
    'link.fetchPriority="low";if(nonce)link.nonce=nonce;'
    "if(integrity)link.integrity=integrity;"
    "if(crossorigin!==null)link.crossOrigin=crossorigin;"
    "if(concurrency)link.onload=link.onerror=()=>start(1);"
    "batch.append(link);count--;}document.head.append(batch);};"
    "const go=()=>start(concurrency||files.length);"
    'document.readyState==="complete"?go():addEventListener("load",go,{once:true});'
    "})"
)

Prefetched = tuple[str, str, str | None, str | None]  # url, rel, integrity, crossorigin


def prefetch_script(files: list[Prefetched], concurrency: int, nonce_attr: str) -> str:
    """The inline script that prefetches ``files`` after ``load`` ("" for none); concurrency 0
    fetches them all at once."""
    if not files:
        return ""
    data = script_safe_json(json.dumps([list(f) for f in files], separators=(",", ":")))
    return f"<script{nonce_attr}>{_PREFETCH_JS}({data},{int(concurrency)});</script>"


def importmap_script(import_map_json: str, nonce_attr: str) -> str:
    """``<script type="importmap">`` with the request's nonce (``import_map_json``: JSON)."""
    return f'<script type="importmap"{nonce_attr}>{script_safe_json(import_map_json)}</script>'
