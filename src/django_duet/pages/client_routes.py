"""The catch-all view for client-side routes (React Router): one HTML shell for every route.

``client_routes("app/")`` serves the build's ``index.html``, rendered as a Django template
(so the CSRF cookie is set and ``{% csrf_token %}`` works), for ``/app/``, ``/app/items/2``,
a reload of any deep link. In development (a live dev server) the same URLs serve the dev
server's transformed ``index.html`` as is (never as a template), CSRF cookie included.
Paths that look like files (``/app/logo.png``) get a real 404 instead of an HTML page that
a browser would try to run as a script.

Both tell the app where its routes start (``<meta name="duet-base" content="/app/">``, the
router's basename), and both refuse a shell that loads a file by a relative URL
(``RelativeUrlInShell``: under ``/app/items/2`` it would resolve to ``/app/items/...``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template import Engine, RequestContext, Template
from django.urls import URLPattern, re_path
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from django_duet import caches
from django_duet.build.integrity import integrity_lookup
from django_duet.build.loader import get_manifest
from django_duet.conf import Settings, conf
from django_duet.dev.server import active_dev_server, explain_missing_build
from django_duet.exceptions import BuildFileNotFound
from django_duet.pages.html import PreparedTag, nonce_attribute, prefetch_script
from django_duet.pages.links import recorded
from django_duet.pages.prepared import prepared_build
from django_duet.pages.render import csp_nonce, prefetch_concurrency
from django_duet.pages.shell import (
    RelativeUrlInShell,
    base_meta,
    prepare_shell,
    relative_urls,
    shell_context,
    shell_links,
    with_base_meta,
)
from django_duet.pages.version import insert_build_meta

_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
# As Vite's own HTML fallback: a last segment with an extension (other than .html) is a file.
_FILE_LIKE = re.compile(r"\.(?!html?$)[A-Za-z0-9]{1,10}$")


def looks_like_file(path: str) -> bool:
    return bool(_FILE_LIKE.search(path.rsplit("/", 1)[-1]))


@method_decorator([never_cache, ensure_csrf_cookie], name="dispatch")
class ClientRoutesView(View):
    http_method_names = ["get", "head", "options"]
    html: str = "index.html"  # the HTML entry, relative to the build directory
    frontend: str | None = None  # the frontend's name in DUET["FRONTENDS"]; None: "default"
    # "waterfall", "aggressive" or "none": the lazy routes' chunks fetched after `load`
    # (docs/performance.md); None follows DUET["PREFETCH"].
    prefetch: str | bool | None = None

    def get(self, request: HttpRequest, path: str = "") -> HttpResponse:
        if looks_like_file(path):
            raise Http404(f"No file at {request.path} (client routes never end in an extension).")
        config = conf.frontend(self.frontend)
        base = client_base(request, path)
        dev = active_dev_server(request, config)
        if dev is not None:  # development: the dev server's transformed HTML, served as is
            from django_duet.dev.shell import dev_shell  # the [devserver] extra: development only

            meta = base_meta(base)
            response = dev_shell(
                dev, self.html, csp_nonce(request), lambda t: with_base_meta(t, meta)
            )
            if response.status_code == 200:
                found = relative_urls(response.content.decode("utf-8", "replace"))
                if found:
                    raise RelativeUrlInShell(f"{self.html} (from the Vite dev server)", found, base)
            return response
        with explain_missing_build(config):
            shell = load_build_template(config.BUILD_DIR / self.html, config)
        if shell.relative:
            raise RelativeUrlInShell(str(config.BUILD_DIR / self.html), list(shell.relative), base)
        context = RequestContext(request, self.get_context_data(path=path))
        nonce = csp_nonce(request)
        context.update(shell_context(nonce, base))
        html = insert_build_meta(shell.template.render(context), request, config)
        links = recorded(request)  # for LinkHeaderMiddleware, as {% duet_entry %} records a page's
        if links is not None and shell.links:
            links.nonce = nonce
            links.tags.extend(shell.links)
        return HttpResponse(self.with_prefetch(html, request, config))

    def with_prefetch(self, html: str, request: HttpRequest, config: Settings) -> str:
        """The shell with the script that prefetches its lazy chunks (the routes of
        ``React.lazy``) after ``load``, as ``{% duet_entry ... prefetch=... %}`` does."""
        concurrency = prefetch_concurrency(self.prefetch)
        if not concurrency:
            return html
        build = prepared_build(config, get_manifest(request, config))
        if self.html not in build.manifest.chunks:
            return html  # a format without a chunk graph
        files = [f for f in build.lazy((self.html,)) if f'"{f[0]}"' not in html]
        script = prefetch_script(files, concurrency[0], nonce_attribute(csp_nonce(request)))
        if not script:
            return html
        return _HEAD_END.sub(lambda m: script + m.group(0), html, count=1)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Override to give the HTML shell data (``{{ ... }}`` in the source index.html)."""
        return kwargs


def client_routes(
    prefix: str,
    html: str = "index.html",
    *,
    name: str | None = None,
    view: type[View] = ClientRoutesView,
    frontend: str | None = None,
) -> URLPattern:
    """A URL pattern sending every path under ``prefix`` ("app/") to the HTML shell ``html``
    of the frontend named ``frontend`` (None: "default")."""
    if ".." in Path(html).parts or Path(html).is_absolute():
        raise ValueError(f"html={html!r} must be a path inside the build directory")
    if frontend is not None and not isinstance(frontend, str):
        raise TypeError(
            f"frontend={frontend!r} must be the name of a frontend in DUET['FRONTENDS']"
        )
    pattern = (
        rf"^{re.escape(prefix.strip('/'))}/(?P<path>.*)$"
        if prefix.strip("/")
        else r"^(?P<path>.*)$"
    )
    return re_path(pattern, view.as_view(html=html, frontend=frontend), name=name)


def client_base(request: HttpRequest, path: str) -> str:
    """Where this request's client routes start, as the browser sees it: ``/app/`` for
    ``/app/items/2`` (``/shop/app/`` under SCRIPT_NAME ``/shop``)."""
    full = request.path
    return full[: len(full) - len(path)] if path and full.endswith(path) else full


@dataclass(frozen=True)
class BuildShell:
    """A built shell, prepared once per build."""

    template: Template
    relative: tuple[str, ...]  # URLs it loads relative to the page (refused)
    links: tuple[PreparedTag, ...]  # what its tags fetch first, for the Link header


def load_build_template(path: Path, frontend: Settings = conf) -> BuildShell:
    """The shell compiled once per build, the URLs it loads relative to the page, and the
    ``Link`` values of what it fetches first."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BuildFileNotFound(path) from None
    key = (frontend.name, frontend.STATIC_PREFIX)
    return _compile(str(path), st.st_mtime_ns, st.st_size, conf.SRI, key)


@caches.settings_cache(maxsize=32)
def _compile(
    path: str, mtime_ns: int, size: int, sri: bool, frontend: tuple[str, str]
) -> BuildShell:
    # The build's own file (never a dev server's answer) is the template source.
    name, prefix = frontend
    source = Path(path).read_text(encoding="utf-8")
    lookup = integrity_lookup(conf.frontend(name)) if sri else None
    return BuildShell(
        Engine.get_default().from_string(prepare_shell(source, prefix, lookup)),
        tuple(relative_urls(source)),
        shell_links(source, prefix, lookup),
    )
