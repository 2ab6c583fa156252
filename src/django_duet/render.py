"""From entry names to HTML for a request: the glue the template tags wrap.

Call these from views or Jinja2 too: ``render_entries(request, "src/main.tsx")``.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.utils.safestring import SafeString

from .conf import conf
from .devserver import active_dev_server, explain_missing_build
from .devtags import dev_entry_tags, source_url
from .html import entry_tags, join_tags
from .integrity import integrity_lookup
from .loader import get_manifest
from .manifest import Manifest
from .version import build_meta

_BUILD_META = "meta:duet-build"


def static_url(file: str) -> str:
    """URL of a build file, through the configured staticfiles storage (whitenoise, CDN ...)."""
    return staticfiles_storage.url(conf.STATIC_PREFIX + file)


def csp_nonce(request: HttpRequest | None) -> str | None:
    # django-csp and Django 6's native CSP both expose the nonce as request.csp_nonce.
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    return str(nonce) if nonce else None


def render_entries(
    request: HttpRequest | None, *names: str, emitted: set[str] | None = None
) -> SafeString:
    """The tags for ``names``, skipping any URL already in ``emitted`` (updated in place)."""
    seen = emitted if emitted is not None else set()
    nonce = csp_nonce(request)
    dev = active_dev_server(request)
    if dev is not None:  # development: the sources, from the dev server through Django's origin
        return join_tags(dev_entry_tags(dev, names, emitted=seen, nonce=nonce))
    manifest = _manifest()
    integrity_for, crossorigin = integrity_lookup(), conf.CROSSORIGIN
    tags: list[SafeString] = []
    if manifest.build_id and _BUILD_META not in seen:  # once per page, for version skew
        seen.add(_BUILD_META)
        tags.append(build_meta(manifest.build_id))
    for name in names:
        assets = manifest.entry(name)
        tags += entry_tags(
            assets, static_url, emitted=seen, nonce=nonce,
            crossorigin=crossorigin, integrity_for=integrity_for,
        )
    return join_tags(tags)


def asset_url(name: str) -> str:
    """URL of a file that the build emitted for the source ``name`` (e.g. "src/logo.svg")."""
    dev = active_dev_server()
    if dev is not None:
        return source_url(dev, name)
    return static_url(_manifest().chunk(name).file)


def _manifest() -> Manifest:
    with explain_missing_build():  # in development, "no build" means "start the dev server"
        return get_manifest()
