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
def duet_entry(context: template.Context, *names: str) -> SafeString:
    # The render context's bottom dict lives for one top-level render, across {% extends %}
    # and {% include %} (which push dicts of their own): several entries on one page share it,
    # so no tag is emitted twice, while a separate render starts afresh.
    root: dict[Any, Any] = context.render_context.dicts[0]
    emitted: set[str] = root.setdefault(_EMITTED, set())
    return render_entries(context.get("request"), *names, emitted=emitted)


@register.simple_tag
def duet_asset(name: str) -> str:
    return asset_url(name)


@register.simple_tag
def duet_props(element_id: str, value: Any) -> SafeString:
    return props_script(element_id, value)
