"""The tags that load sources from the dev server, and their URLs: through Django's origin (the
proxy), or with ``DUET["DEV_ASSETS"] = "direct"`` from the dev server's own origin
(``DevServer.assets_origin``), so that the browser fetches the module graph from Vite."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from django_duet.dev.server import DevServer, DevServerError
from django_duet.pages.html import CSP_META, csp_meta, nonce_attribute, once, script_safe_json


def source_url(server: DevServer, name: str) -> str:
    """URL of a source file (a path relative to the Vite root): a path on Django's origin, or a
    URL on the dev server's in direct mode."""
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
    return server.assets_origin + server.base + quote(name, safe="/@:+-._~")


def _js_string(value: str) -> str:
    # A JS string that cannot end the <script> element it sits in.
    return script_safe_json(json.dumps(value))


def dev_entry_tags(
    server: DevServer, names: tuple[str, ...], *, emitted: set[str], nonce: str | None = None
) -> list[SafeString]:
    """Tags that load ``names`` from the dev server: the Vite client and, for React, the
    Fast Refresh preamble, once per page; then each entry (a stylesheet for CSS)."""
    tags: list[SafeString] = []
    attr = nonce_attribute(nonce)
    if nonce and once(emitted, CSP_META.url):
        # Vite's client gives the <style> elements it injects this nonce (html.cspNonce).
        tags.append(csp_meta(nonce))
    # The modules import "@react-refresh" and "@vite/client" by path, resolved against their own
    # URL: the tags name the same origin, so that the page holds one instance of each.
    refresh = server.assets_origin + server.base + "@react-refresh"
    if server.react_refresh and once(emitted, refresh):
        # The same code as @vitejs/plugin-react's preamble; it must run before any component.
        code = mark_safe(  # a JS string literal that cannot close the element (_js_string)
            f"import {{ injectIntoGlobalHook }} from {_js_string(refresh)};\n"
            "injectIntoGlobalHook(window);\n"
            "window.$RefreshReg$ = () => {};\n"
            "window.$RefreshSig$ = () => (type) => type;"
        )
        tags.append(format_html('<script type="module"{}>{}</script>', attr, code))
    client = server.assets_origin + server.base + "@vite/client"
    if once(emitted, client):
        tags.append(format_html('<script type="module" src="{}"{}></script>', client, attr))
    for name in names:
        if name.endswith((".html", ".htm")):
            raise DevServerError(
                f"{name!r} is an HTML entry: serve it with client_routes() (it serves the dev "
                "server's HTML in development), not {% duet_entry %}."
            )
        url = source_url(server, name)
        if not once(emitted, url):
            continue
        shape = (
            '<link rel="stylesheet" href="{}"{}>'
            if name.endswith(".css")
            else '<script type="module" src="{}"{}></script>'
        )
        tags.append(format_html(shape, url, attr))
    return tags
