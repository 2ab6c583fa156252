"""``{% load duet %}``: thin wrappers over ``django_duet.render``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from ..html import props_script
from ..render import asset_url, render_entries

register = template.Library()

_EMITTED = "django_duet.emitted"


@register.simple_tag(takes_context=True)
def duet_entry(context: template.Context, *names: str, frontend: str | None = None) -> SafeString:
    """``{% duet_entry "src/main.tsx" %}``; ``frontend="admin"`` for a frontend in FRONTENDS."""
    # The render context's bottom dict lives for one top-level render, across {% extends %}
    # and {% include %} (which push dicts of their own): several entries on one page share it,
    # so no tag is emitted twice, while a separate render starts afresh.
    root: dict[Any, Any] = context.render_context.dicts[0]
    emitted: set[str] = root.setdefault(_EMITTED, set())
    return render_entries(_request(context), *names, emitted=emitted, frontend=frontend)


def _request(context: template.Context) -> Any:
    # A RequestContext knows its request even without the "request" context processor: the
    # page's build (and CSP nonce) then still come from it, never two builds in one page.
    return context.get("request") or getattr(context, "request", None)


@register.simple_tag
def duet_asset(name: str, frontend: str | None = None) -> str:
    return asset_url(name, frontend)


@register.simple_tag
def duet_props(element_id: str, value: Any) -> SafeString:
    return props_script(element_id, value)


_SSR_SEQ = "django_duet.ssr_seq"


@register.simple_tag(takes_context=True)
def duet_render(context: template.Context, name: str, props: Any = None) -> SafeString:
    """``{% duet_render "ProductPage" props as page %}``: ``{{ page.head }}``, ``{{ page }}``."""
    from ..ssr.render import render_component  # mini-racer itself loads on the first render

    request = context.get("request")
    element_id = None
    if request is None:
        # Without a request, number the containers per top-level render (as duet_entry does).
        root: dict[Any, Any] = context.render_context.dicts[0]
        root[_SSR_SEQ] = root.get(_SSR_SEQ, 0) + 1
        element_id = f"duet-ssr-{root[_SSR_SEQ]}"
    return render_component(request, name, props, element_id=element_id)
