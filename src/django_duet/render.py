"""From entry names to HTML for a request: the glue the template tags wrap.

Call these from views or Jinja2 too: ``render_entries(request, "src/main.tsx")``.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.utils.safestring import SafeString

from .conf import conf
from .html import entry_tags, join_tags
from .loader import get_manifest


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
    manifest = get_manifest()
    seen = emitted if emitted is not None else set()
    nonce = csp_nonce(request)
    tags: list[SafeString] = []
    for name in names:
        tags += entry_tags(manifest.entry(name), static_url, emitted=seen, nonce=nonce)
    return join_tags(tags)


def asset_url(name: str) -> str:
    """URL of a file that the build emitted for the source ``name`` (e.g. "src/logo.svg")."""
    return static_url(get_manifest().chunk(name).file)
