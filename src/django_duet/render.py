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

from .conf import Settings, conf
from .devserver import active_dev_server, dev_enabled, explain_missing_build
from .devtags import dev_entry_tags, source_url
from .exceptions import DuetError
from .html import csp_meta_for, emit_joined, join_tags, nonce_attribute, prepare_entry
from .integrity import integrity_lookup
from .loader import get_manifest
from .manifest import Manifest
from .version import build_meta

_BUILD_META = "meta:duet-build"
_BUILD_META_KEY = (_BUILD_META,)
_NONCE_ATTR = "_duet_nonce_attr"
CSP_META = "duet:csp-nonce"  # one <meta property="csp-nonce"> per page (shared with devtags)

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
    # The hot path of every page: a few dict and attribute lookups, one join per entry.
    seen = emitted if emitted is not None else set()
    config = conf if frontend is None else conf.frontend(frontend)
    state = _states.get(config.name) or _state(config)
    if state.dev:
        dev = active_dev_server(request, config)
        if dev is not None:  # development: the sources, from the dev server via Django's origin
            nonce = csp_nonce(request)
            return join_tags(dev_entry_tags(dev, names, emitted=seen, nonce=nonce))
    manifest = _manifest(request, config)
    crossorigin, sri = state.crossorigin, state.sri
    tags: list[str] = []
    nonce_attr = _nonce_attr(request)
    if nonce_attr and CSP_META not in seen:  # Vite's preload helper nonces what it inserts
        seen.add(CSP_META)
        tags.append(csp_meta_for(nonce_attr))
    if _BUILD_META not in seen and manifest.build_id:  # once per page, for version skew
        seen.add(_BUILD_META)
        meta = manifest.prepared.get(_BUILD_META_KEY)
        if meta is None:
            meta = manifest.prepared[_BUILD_META_KEY] = str.__str__(build_meta(manifest.build_id))
        tags.append(meta)
    for name in names:
        key = (name, crossorigin, sri)
        prepared = manifest.prepared.get(key)
        if prepared is None:
            prepared = manifest.prepared[key] = prepare_entry(
                manifest.entry(name),
                functools.partial(static_url, frontend=config),
                crossorigin=crossorigin,
                integrity_for=integrity_lookup(manifest, config) if sri else None,
            )
        tags += emit_joined(prepared, seen, nonce_attr)
    return join_tags(tags)


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
