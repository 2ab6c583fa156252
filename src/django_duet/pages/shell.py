"""The built HTML shell (Vite's index.html) made ready for Django: SRI, the CSP nonce and the
app's base URL.

Vite writes plain ``<script>``/``<link>`` tags into the HTML it builds. Before the shell is
compiled as a Django template (once per build), each tag that loads a build file gets the
file's ``integrity`` (when SRI is on), and every script, link and style element gets the
request's CSP nonce, as ``{% duet_entry %}`` does for Django-rendered pages (and the
``<meta property="csp-nonce">`` that Vite's preload helper reads).

The shell is served at every path under its prefix, so a relative URL in it (``app.css``,
which Vite's build only warns about) would resolve against the route (``/app/items/app.css``):
``relative_urls`` finds them, and the catch-all view refuses such a shell with an error that
says what to write. Each answer carries ``<meta name="duet-base" content="/app/">``: the
prefix as the browser sees it (SCRIPT_NAME included), the client router's basename.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from django_duet.exceptions import DuetError
from django_duet.pages.html import (
    CSP_META_MARK,
    PreparedTag,
    csp_meta,
    insert_after_head,
    link_value,
    nonce_attribute,
)

_TAG = re.compile(r"<(script|link|style)\b([^>]*)>", re.IGNORECASE)
_URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# The request's nonce attribute and csp-nonce meta ("" without a nonce), built per request by
# the one HTML builder (shell_context) into the shell compiled once per build.
NONCE_SNIPPET = "{{ duet_nonce_attr }}"
# Where Vite's preload helper reads the nonce for the <link>s it inserts for lazy chunks.
NONCE_META = "{{ duet_csp_meta }}"
# The app's base URL for its router (docs/router-under-a-prefix.md).
BASE_META = "{{ duet_base_meta }}"
BASE_META_MARK = 'name="duet-base"'
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
# A URL that does not depend on the page's path: a scheme, "/", "//", "#", or a template tag.
_NOT_RELATIVE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|/|#|\{\{|\{%)")
_REL = re.compile(r"""\brel\s*=\s*["']?([^"'>]*)""", re.IGNORECASE)
# <link rel=...> that the browser fetches relative to the page (not canonical, alternate ...).
_FETCHED_RELS = {"stylesheet", "icon", "manifest", "modulepreload", "preload", "prefetch"}


class RelativeUrlInShell(DuetError):
    """The HTML shell loads a file by a relative URL, which breaks under any deeper route."""

    def __init__(self, path: str, urls: list[str], base: str) -> None:
        self.path = path
        self.urls = urls
        first = urls[0]
        super().__init__(
            f"{path} loads {', '.join(repr(u) for u in urls)} by a relative URL. This page is "
            f"served at every path under {base}, so at {base}items/2 the browser would ask for "
            f"{base}items/{first} (Vite's build only warned that it could not bundle it). Import "
            f'it from your entry module (import "./{first}") so that Vite bundles it, give a '
            'classic script type="module", or put the file in public/ and write it from the root '
            f'(src="/{first}"), which Vite rewrites to STATIC_URL.'
        )


def base_meta(base: str) -> SafeString:
    """``<meta name="duet-base" content="/app/">``: where the client routes start."""
    return format_html('<meta name="duet-base" content="{}">', base)


def shell_context(nonce: str | None, base: str = "/") -> dict[str, object]:
    """What the prepared shell reads for a request with the CSP nonce ``nonce``, served for
    the client routes under ``base``."""
    return {
        "duet_nonce_attr": nonce_attribute(nonce),
        "duet_csp_meta": csp_meta(nonce),
        "duet_base_meta": base_meta(base),
    }


def relative_urls(source: str) -> list[str]:
    """The URLs that scripts and fetched links of ``source`` load relative to the page."""
    found: list[str] = []
    for match in _TAG.finditer(source):
        name, attrs = match.group(1).lower(), match.group(2)
        if name == "style":
            continue
        if name == "link":
            rel = _REL.search(attrs)
            if rel is None or not set(rel.group(1).lower().split()) & _FETCHED_RELS:
                continue
        url = _URL_ATTR.search(attrs)
        if url and url.group(1).strip() and not _NOT_RELATIVE.match(url.group(1).strip()):
            found.append(url.group(1).strip())
    return found


class _LoadingTags(HTMLParser):
    """The shell's script and link tags, their attributes as the browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link"):
            self.tags.append((tag, {k.lower(): v for k, v in attrs}))


def shell_links(
    source: str, prefix: str, integrity_for: Callable[[str], str | None] | None
) -> tuple[PreparedTag, ...]:
    """What the shell's own tags fetch first, as ``Link`` values (``pages.links``): its module
    scripts and module preloads, and its stylesheets (first: they block rendering), each with
    the tag's ``crossorigin`` and ``integrity``, so that the browser's preload and the tag's
    own fetch match (a mismatch fetches the file twice). With an import map in the shell only
    the stylesheets (a module preloaded from the header could resolve its imports before the
    map is read). Tags whose URL a template writes (``{{ }}``) are left to the page.
    ``source`` is the build's file; the integrity is what ``prepare_shell`` gives the tag."""
    parser = _LoadingTags()
    parser.feed(source)
    parser.close()
    import_map = any(t == "script" and a.get("type") == "importmap" for t, a in parser.tags)
    found: list[PreparedTag] = []
    for tag, attrs in parser.tags:
        rels = set((attrs.get("rel") or "").lower().split())
        if tag == "script" and (attrs.get("type") or "").lower() == "module" and not import_map:
            url, rel, style = attrs.get("src"), "rel=modulepreload", False
        elif tag == "link" and "modulepreload" in rels and not import_map:
            url, rel, style = attrs.get("href"), "rel=modulepreload", False
        elif tag == "link" and "stylesheet" in rels:
            url, rel, style = attrs.get("href"), "rel=preload; as=style", True
        else:
            continue
        url = (url or "").strip()
        if not url or "{" in url or url.startswith("#") or not _NOT_RELATIVE.match(url):
            continue
        integrity = attrs.get("integrity")
        if integrity is None and integrity_for is not None:
            file = build_file_of(url, prefix)
            integrity = integrity_for(file) if file else None
        # A bare ``crossorigin`` (as Vite writes it) is anonymous, as an empty value is.
        crossorigin = (attrs["crossorigin"] or "") if "crossorigin" in attrs else None
        value = link_value(url, rel, crossorigin, integrity)
        found.append(PreparedTag(url, "", "", link=value, style=style))
    return tuple(found)


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

    shell = insert_after_head(_TAG.sub(rewrite, source), NONCE_META, CSP_META_MARK)
    return with_base_meta(shell, BASE_META)


def with_base_meta(document: str, meta: str) -> str:
    """``meta`` (the duet-base meta) at the end of the document's head, unless it has one."""
    if BASE_META_MARK in document:
        return document
    return _HEAD_END.sub(lambda m: meta + m.group(0), document, count=1)
