"""The tags that load sources from the dev server (through Django's origin), and their URLs."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from django_duet.dev.server import DevServer, DevServerError
from django_duet.pages.html import csp_meta


def source_url(server: DevServer, name: str) -> str:
    """URL of a source file (a path relative to the Vite root) on Django's origin."""
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or ".." in name.split("/")
        or urlsplit(name).scheme
    ):
        raise DevServerError(
            f"{name!r} is not a path relative to the Vite root (e.g. 'src/main.tsx'): fix the "
            "name in the template."
        )
    return server.base + quote(name, safe="/@:+-._~")


def _js_string(value: str) -> str:
    # A JS string that cannot end the <script> element it sits in.
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _nonce(nonce: str | None) -> SafeString:
    return format_html(' nonce="{}"', nonce) if nonce else mark_safe("")


def dev_entry_tags(
    server: DevServer, names: tuple[str, ...], *, emitted: set[str], nonce: str | None = None
) -> list[SafeString]:
    """Tags that load ``names`` from the dev server: the Vite client and, for React, the
    Fast Refresh preamble, once per page; then each entry (a stylesheet for CSS)."""
    tags: list[SafeString] = []

    def once(key: str, tag: SafeString) -> None:
        if key not in emitted:
            emitted.add(key)
            tags.append(tag)

    if nonce:
        # Vite's client gives the <style> elements it injects this nonce (html.cspNonce).
        once("duet:csp-nonce", mark_safe(csp_meta(nonce)))  # the nonce is escaped
    if server.react_refresh:
        refresh = server.base + "@react-refresh"
        # The same code as @vitejs/plugin-react's preamble; it must run before any component.
        code = mark_safe(  # a JS string literal that cannot close the element (_js_string)
            f"import {{ injectIntoGlobalHook }} from {_js_string(refresh)};\n"
            "injectIntoGlobalHook(window);\n"
            "window.$RefreshReg$ = () => {};\n"
            "window.$RefreshSig$ = () => (type) => type;"
        )
        once(refresh, format_html('<script type="module"{}>{}</script>', _nonce(nonce), code))
    client = server.base + "@vite/client"
    once(client, format_html('<script type="module" src="{}"{}></script>', client, _nonce(nonce)))
    for name in names:
        if name.endswith((".html", ".htm")):
            raise DevServerError(
                f"{name!r} is an HTML entry: serve it with client_routes() (it serves the dev "
                "server's HTML in development), not {% duet_entry %}."
            )
        url = source_url(server, name)
        if name.endswith(".css"):
            once(url, format_html('<link rel="stylesheet" href="{}"{}>', url, _nonce(nonce)))
        else:
            once(url, format_html('<script type="module" src="{}"{}></script>', url, _nonce(nonce)))
    return tags
