"""From entry names to HTML for a request: the glue the template tags wrap.

Call these from views or Jinja2 too: ``render_entries(request, "src/main.tsx")``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.utils.safestring import SafeString

from django_duet import caches
from django_duet.build.integrity import integrity_lookup
from django_duet.build.loader import get_manifest
from django_duet.build.manifest import Manifest
from django_duet.conf import Settings, conf
from django_duet.dev.server import DevServer, active_dev_server, dev_enabled, explain_missing_build
from django_duet.dev.tags import dev_entry_tags, source_url
from django_duet.exceptions import DuetError
from django_duet.pages.html import (
    CSP_META_TAG,
    PreparedEntry,
    PreparedTag,
    nonce_attribute,
    nonce_parts,
    prepare_entry,
)
from django_duet.pages.pagestate import PageState, add_step, root_state
from django_duet.pages.version import build_meta

_BUILD_META = "meta:duet-build"
_BUILD_META_KEY = (_BUILD_META,)
_WALK = "duet:walk"  # manifest.prepared key of the page walks' roots
_PAGE_BUILD = "duet:page-build"
_NONCE_ATTR = "_duet_nonce_attr"
CSP_META = CSP_META_TAG.url  # one <meta property="csp-nonce"> per page (shared with devtags)

_django_get_nonce: Callable[[HttpRequest], object] | None
try:  # Django 6+: its own ContentSecurityPolicyMiddleware
    from django.middleware.csp import get_nonce as _django_get_nonce
except ImportError:  # Django 5.2
    _django_get_nonce = None


def static_url(file: str, frontend: Settings = conf) -> str:
    """URL of a build file, through the configured staticfiles storage (whitenoise, CDN ...)."""
    return staticfiles_storage.url(frontend.STATIC_PREFIX + file)


def csp_nonce(request: HttpRequest | None) -> str | None:
    """The request's CSP nonce (generated now if still lazy), or None without one.

    django-csp 4 sets ``request.csp_nonce``, Django 6's ContentSecurityPolicyMiddleware keeps
    ``request._csp_nonce``, any other middleware may set a plain string. Both lazy nonces are
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


def _nonce_attr(request: HttpRequest | None) -> str:
    """`` nonce="..."`` for the request's CSP nonce ("" without one), kept on the request:
    a page with several entries reads the nonce once."""
    if request is None:
        return ""
    found: str | None = getattr(request, _NONCE_ATTR, None)
    if found is None:
        found = nonce_attribute(csp_nonce(request))
        setattr(request, _NONCE_ATTR, found)
    return found


def render_entries(
    request: HttpRequest | None,
    *names: str,
    emitted: set[str] | None = None,
    frontend: str | None = None,
) -> SafeString:
    """The tags for ``names`` of the frontend named ``frontend`` (None: "default"), skipping
    any URL already in ``emitted`` (updated in place)."""
    return PageTags(request, emitted).render(names, frontend)


class PageTags:
    """What the entries of one page share: its request, the tags already on it, the request's
    nonce attribute and each frontend's build. ``{% duet_entry %}`` keeps one per template
    render; a warm page's entries then cost a lookup and a join each (``pagestate``)."""

    __slots__ = ("_builds", "_nonce_attr", "_state", "_state_of", "emitted", "request")

    def __init__(self, request: HttpRequest | None, emitted: set[str] | None = None) -> None:
        self.request = request
        self.emitted = emitted  # None while the page follows a shared walk (self._state)
        self._nonce_attr: str | None = None  # read on the first built entry
        self._builds: dict[str | None, _PageBuild] = {}
        self._state: PageState | None = None
        self._state_of: str | None = None  # the frontend whose build the walk is through

    def render(self, names: tuple[str, ...], frontend: str | None = None) -> SafeString:
        """The tags ``names`` add to the page, marked safe."""
        return SafeString(self.html(names, frontend))

    def html(self, names: tuple[str, ...], frontend: str | None = None) -> str:
        """As ``render``, as a plain str: every part was escaped by format_html. The template
        tag returns it as is (a node's output is never escaped), saving a copy per entry."""
        state = self._state
        if state is not None and self._state_of == frontend:  # a page's later entries, warm
            step = state.steps.get(names)
            if step is not None:
                self._state = step[1]
                return self._nonce_attr.join(step[0])  # type: ignore[union-attr]
        build = self._builds.get(frontend)
        if build is None:
            build = self._builds[frontend] = self._open(frontend)
        if build.dev is not None:  # development: the sources, from the dev server via Django
            nonce = csp_nonce(self.request)
            seen = self._as_set()
            return "\n".join(dev_entry_tags(build.dev, names, emitted=seen, nonce=nonce))
        nonce_attr = self._nonce_attr
        if nonce_attr is None:
            nonce_attr = self._nonce_attr = _nonce_attr(self.request)
        if self.emitted is None:  # the hot path of every page
            state = self._state
            if state is None:
                state = self._state = _root(build, bool(nonce_attr))
                self._state_of = frontend
            if self._state_of == frontend:
                step = state.steps.get(names)
                if step is None:
                    step = add_step(
                        state, names, functools.partial(_new_tags, build, names, bool(nonce_attr))
                    )
                if step is not None:
                    self._state = step[1]
                    return nonce_attr.join(step[0])
        return self._render_set(build, names, nonce_attr)

    def _render_set(self, build: _PageBuild, names: tuple[str, ...], nonce_attr: str) -> str:
        # Off the shared walk: the same tags, from this page's own set of URLs.
        items = _new_tags(build, names, bool(nonce_attr), self._as_set())
        return nonce_attr.join(nonce_parts(items))

    def _as_set(self) -> set[str]:
        # Leave the shared walk (if on one): from here on, this page's own set.
        if self.emitted is None:
            self.emitted = set(self._state.emitted) if self._state is not None else set()
        self._state = None
        return self.emitted

    def _open(self, name: str | None) -> _PageBuild:
        config = conf if name is None else conf.frontend(name)
        state = _states.get(config.name) or _state(config)
        if state.dev:
            dev = active_dev_server(self.request, config)
            if dev is not None:
                return _PageBuild(config, dev, None, state.crossorigin, state.sri)
        manifest = _manifest(self.request, config)
        # One per build and frontend, kept on the manifest (a settings change drops both).
        key = (_PAGE_BUILD, config.name)
        build: _PageBuild | None = manifest.prepared.get(key)
        if build is None:
            build = _PageBuild(config, None, manifest, state.crossorigin, state.sri)
            manifest.prepared[key] = build
        return build


class _PageBuild:
    """One frontend's build as a page sees it: the dev server, or the manifest pinned on the
    request (never two builds in one page)."""

    __slots__ = ("config", "crossorigin", "dev", "manifest", "sri")

    def __init__(
        self,
        config: Settings,
        dev: DevServer | None,
        manifest: Manifest | None,
        crossorigin: str | None,
        sri: bool,
    ) -> None:
        self.config = config
        self.dev = dev
        self.manifest: Manifest = manifest  # type: ignore[assignment]  # None only with dev
        self.crossorigin = crossorigin
        self.sri = sri


def _build_meta(manifest: Manifest) -> str:
    meta: str | None = manifest.prepared.get(_BUILD_META_KEY)
    if meta is None:
        meta = manifest.prepared[_BUILD_META_KEY] = str.__str__(build_meta(manifest.build_id))
    return meta


def _root(build: _PageBuild, nonced: bool) -> PageState:
    # One walk per build, tag settings and nonce or not (the csp-nonce meta comes first).
    key = (_WALK, build.crossorigin, build.sri, nonced)
    root: PageState | None = build.manifest.prepared.get(key)
    if root is None:
        root = build.manifest.prepared[key] = root_state()
    return root


def _new_tags(
    build: _PageBuild, names: tuple[str, ...], nonced: bool, seen: set[str]
) -> list[str | PreparedTag]:
    """What ``names`` add to a page that has ``seen`` (updated): the csp-nonce meta and the
    build meta once per page, then each entry's tags not on the page yet."""
    items: list[str | PreparedTag] = []
    if nonced and CSP_META not in seen:
        seen.add(CSP_META)
        items.append(CSP_META_TAG)
    if _BUILD_META not in seen and build.manifest.build_id:
        seen.add(_BUILD_META)
        items.append(_build_meta(build.manifest))
    for name in names:
        for tag in _prepared(build, name).tags:
            if tag.url not in seen:
                seen.add(tag.url)
                items.append(tag)
    return items


def _prepared(build: _PageBuild, name: str) -> PreparedEntry:
    key = (name, build.crossorigin, build.sri)
    cache = build.manifest.prepared
    prepared: PreparedEntry | None = cache.get(key)
    if prepared is None:
        config = build.config
        prepared = cache[key] = prepare_entry(
            build.manifest.entry(name),
            functools.partial(static_url, frontend=config),
            crossorigin=build.crossorigin,
            integrity_for=integrity_lookup(build.manifest, config) if build.sri else None,
        )
    return prepared


@dataclass(frozen=True)
class _RenderState:
    """What a render reads from the settings, read once (until a setting changes)."""

    dev: bool  # DEBUG and DEV_MODE: a dev server may be in use
    crossorigin: str | None
    sri: bool


_states: dict[str, _RenderState] = {}


def _state(frontend: Settings) -> _RenderState:
    found = _states.get(frontend.name)
    if found is None:  # about ten settings reads, each through LazySettings: once, not per tag
        found = _states[frontend.name] = _RenderState(
            dev=dev_enabled(), crossorigin=conf.CROSSORIGIN, sri=conf.SRI
        )
    return found


@caches.register
def clear_cache() -> None:
    """Called on ``setting_changed`` (apps.py): the next render reads the settings again."""
    _states.clear()


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
