"""From entry names to HTML for a request: the glue the template tags wrap.

Call these from views or Jinja2 too: ``render_entries(request, "src/main.tsx")``.
"""

from __future__ import annotations

from collections.abc import Callable

import django
from django.http import HttpRequest
from django.utils.safestring import SafeString

from django_duet.build.loader import get_manifest
from django_duet.build.manifest import Manifest
from django_duet.conf import Settings, conf
from django_duet.dev.server import DevServer, active_dev_server, explain_missing_build
from django_duet.dev.tags import dev_entry_tags, source_url
from django_duet.exceptions import DuetError
from django_duet.pages.html import nonce_attribute
from django_duet.pages.links import recorded
from django_duet.pages.prefetch import STRATEGIES
from django_duet.pages.prepared import PreparedBuild, prepared_build, static_url, tag_settings

# {% duet_entry ... prefetch=... %}: a strategy, or one of these for none (DUET["PREFETCH"]
# decides when the tag says nothing).
PREFETCH_OFF = ("none", "off", "false", "False", "")

_django_get_nonce: Callable[[HttpRequest], object] | None
if django.VERSION >= (6, 0):  # its own ContentSecurityPolicyMiddleware; a failed import is loud
    from django.middleware.csp import get_nonce as _django_get_nonce
else:  # Django 5.2 has no django.middleware.csp: never try it
    _django_get_nonce = None


def csp_nonce(request: HttpRequest | None) -> str | None:
    """The request's CSP nonce (generated now if still lazy), or None without one.

    django-csp 4 sets ``request.csp_nonce``, Django 6's ContentSecurityPolicyMiddleware keeps
    ``request._csp_nonce`` behind ``django.middleware.csp.get_nonce`` (the one its ``csp``
    context processor reads), any other middleware may set a plain string. Both lazy nonces are
    falsy until read, and only a read nonce goes into the header: so test for presence, then
    read it with ``str()``.
    """
    if request is None:
        return None
    nonce = getattr(request, "csp_nonce", None)
    if nonce is None and _django_get_nonce is not None:
        nonce = _django_get_nonce(request)
    if nonce is None:
        return None
    value = str(nonce)
    return value or None


def render_entries(
    request: HttpRequest | None,
    *names: str,
    emitted: set[str] | None = None,
    frontend: str | None = None,
    prefetch: str | bool | None = None,
) -> SafeString:
    """The tags for ``names`` of the frontend named ``frontend`` (None: "default"), skipping
    any URL already in ``emitted`` (updated in place); ``prefetch``: "waterfall",
    "aggressive", False for none, None for ``DUET["PREFETCH"]``."""
    return SafeString(PageTags(request, emitted).html(names, frontend, prefetch))


def prefetch_concurrency(prefetch: str | bool | None) -> tuple[int, ...]:
    """``()`` for no prefetch, else ``(concurrency,)`` (0: all at once) for a tag's
    ``prefetch`` value; None follows ``DUET["PREFETCH"]``."""
    if prefetch is None:
        prefetch = conf.PREFETCH
    if prefetch is False or prefetch is None or prefetch in PREFETCH_OFF:
        return ()
    if prefetch not in STRATEGIES:
        raise DuetError(
            f"prefetch={prefetch!r} is not a prefetch strategy: use one of "
            f'{", ".join(map(repr, STRATEGIES))}, or "none" (docs/performance.md).'
        )
    return (conf.PREFETCH_CONCURRENCY,) if prefetch == "waterfall" else (0,)


class PageTags:
    """What the entries of one page share: its request, what is already on it (tag URLs and
    once-per-page keys), the request's nonce attribute and each frontend's build.
    ``{% duet_entry %}`` keeps one per template render."""

    __slots__ = ("_builds", "_nonce_attr", "emitted", "request")

    def __init__(self, request: HttpRequest | None, emitted: set[str] | None = None) -> None:
        self.request = request
        self.emitted = set() if emitted is None else emitted
        self._nonce_attr: str | None = None  # read on the first built entry
        self._builds: dict[str | None, PreparedBuild | DevServer] = {}

    def html(
        self,
        names: tuple[str, ...],
        frontend: str | None = None,
        prefetch: str | bool | None = None,
    ) -> str:
        """The tags ``names`` add to the page, as a plain str: every part was escaped by
        format_html (the template tag returns it as is: a node's output is never escaped).
        Recorded on the request for ``Link`` (``pages.links``); development records none."""
        build = self._builds.get(frontend)
        if build is None:
            build = self._builds[frontend] = self._open(frontend)
        if isinstance(build, DevServer):  # development: the sources, through Django's origin
            nonce = csp_nonce(self.request)
            return "\n".join(dev_entry_tags(build, names, emitted=self.emitted, nonce=nonce))
        nonce_attr = self._nonce_attr
        links = recorded(self.request)
        if nonce_attr is None:
            nonce = csp_nonce(self.request)
            nonce_attr = self._nonce_attr = nonce_attribute(nonce)
            if links is not None:
                links.nonce = nonce
        return build.html(
            names,
            self.emitted,
            nonce_attr,
            links.tags if links is not None else None,
            prefetch_concurrency(prefetch),
        )

    def _open(self, name: str | None) -> PreparedBuild | DevServer:
        config = conf.frontend(name)
        if tag_settings().dev:
            dev = active_dev_server(self.request, config)
            if dev is not None:
                return dev
        # The manifest pinned on the request: never two builds in one page.
        return prepared_build(config, _manifest(self.request, config))


def asset_url(name: str, frontend: str | None = None) -> str:
    """URL of a file that the build emitted for the source ``name`` (e.g. "src/logo.svg")."""
    config = conf.frontend(frontend)
    dev = active_dev_server(None, config)
    if dev is not None:
        return source_url(dev, name)
    return static_url(_manifest(None, config).chunk(name).file, config)


def _manifest(request: HttpRequest | None, frontend: Settings) -> Manifest:
    try:
        return get_manifest(request, frontend)
    except DuetError:
        with explain_missing_build(frontend):  # in development, "no build": start the dev server
            raise
