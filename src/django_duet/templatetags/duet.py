"""``{% load duet %}``: thin wrappers over ``django_duet.pages.render`` (and ``ssr``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token, token_kwargs
from django.utils.safestring import SafeString

from django_duet.contract.props import check_props
from django_duet.exceptions import DuetError
from django_duet.pages.html import props_script
from django_duet.pages.islands import island_html
from django_duet.pages.render import PageTags, asset_url, prefetch_concurrency

register = template.Library()

_PAGE = "django_duet.page"


@register.tag("duet_entry")
def duet_entry(parser: Parser, token: Token) -> EntryNode:
    """``{% duet_entry "src/main.tsx" ... [frontend="admin"] [prefetch="waterfall"] [as tags] %}``.

    A compiled tag rather than a simple_tag: quoted names are taken at compile time, and a
    render skips simple_tag's argument machinery (this runs on every page, once per entry).
    """
    bits = token.split_contents()[1:]
    target = None
    if len(bits) >= 2 and bits[-2] == "as":
        target, bits = bits[-1], bits[:-2]
    keyword_bits = [b for b in bits if "=" in b]
    kwargs = token_kwargs(list(keyword_bits), parser)
    names = [parser.compile_filter(b) for b in bits if "=" not in b]
    if set(kwargs) - {"frontend", "prefetch"} or len(kwargs) != len(keyword_bits) or not names:
        raise template.TemplateSyntaxError(
            "{% duet_entry %} takes one or more entry names, then optionally "
            'frontend="name", prefetch="waterfall" (or "aggressive", "none") and "as variable": '
            '{% duet_entry "src/main.tsx" frontend="admin" %}'
        )
    prefetch = kwargs.get("prefetch")
    if prefetch is not None and _literal(prefetch):
        try:  # a typo in a quoted strategy fails when the template compiles
            prefetch_concurrency(str(prefetch.var))
        except DuetError as error:
            raise template.TemplateSyntaxError(f"{{% duet_entry %}}: {error}") from None
    return EntryNode(names, kwargs.get("frontend"), target, prefetch)


def _literal(expression: FilterExpression) -> bool:
    return not expression.is_var and not expression.filters


class EntryNode(template.Node):
    def __init__(
        self,
        names: list[FilterExpression],
        frontend: FilterExpression | None,
        target: str | None,
        prefetch: FilterExpression | None = None,
    ) -> None:
        self.names = names
        self.prefetch = prefetch
        self.frontend = frontend
        self.target = target
        # Quoted names and frontend, the usual case: taken now, not resolved per render.
        literal = all(_literal(n) for n in names)
        self.literal_names = tuple(str(n.var) for n in names) if literal else None
        self.literal_frontend = frontend is None or _literal(frontend)
        self.frontend_name = str(frontend.var) if frontend and self.literal_frontend else None

    def render(self, context: template.Context) -> str:
        names = self.literal_names
        if names is None:
            names = tuple(str(n.resolve(context)) for n in self.names)
        frontend = self.frontend_name
        if not self.literal_frontend and self.frontend is not None:
            value = self.frontend.resolve(context)
            frontend = None if value is None else str(value)
        page = _render_state(context).get(_PAGE)
        if page is None:
            page = _render_state(context)[_PAGE] = PageTags(_request(context))
        prefetch = None if self.prefetch is None else self.prefetch.resolve(context)
        # a node's output is not escaped: no SafeString copy
        html = page.html(names, frontend, prefetch)
        if self.target is None:
            return html
        context[self.target] = SafeString(html)
        return ""


def _render_state(context: template.Context) -> dict[Any, Any]:
    """What lives for one top-level render of a template, across its {% extends %} and
    {% include %}: several entries on one page share it, so no tag is emitted twice.

    ``Template.render`` pushes ``render_context.dicts[1]`` for the top-level render and pops it
    when the render ends; an {% include %} pushes a dict of its own above it. ``dicts[0]``
    lives as long as the Context (a second render of it would find the first one's state).
    """
    dicts = context.render_context.dicts
    return dicts[1] if len(dicts) > 1 else dicts[0]  # [0]: a Node rendered outside a Template


def _request(context: template.Context) -> Any:
    # A RequestContext knows its request even without the "request" context processor: the
    # page's build (and CSP nonce) then still come from it, never two builds in one page.
    return getattr(context, "request", None) or context.get("request")


@register.simple_tag
def duet_asset(name: str, frontend: str | None = None) -> str:
    return asset_url(name, frontend)


@register.simple_tag
def duet_props(element_id: str, value: Any, component: str | None = None) -> SafeString:
    """``{% duet_props "greeting-props" value component="Greeting" %}``: with ``component``,
    the value is checked against that component's declared props (VALIDATE_PROPS)."""
    if component is not None:
        check_props(component, value)
    return props_script(element_id, value)


_SSR_SEQ = "django_duet.ssr_seq"


@register.simple_tag(takes_context=True)
def duet_render(
    context: template.Context, name: str, props: Any = None, frontend: str | None = None
) -> SafeString:
    """``{% duet_render "ProductPage" props as page %}``: ``{{ page.head }}``, ``{{ page }}``;
    ``frontend="staff"`` renders from that frontend's server bundle."""
    from django_duet.ssr.render import (
        render_component,  # mini-racer itself loads on the first render
    )

    request = context.get("request")
    element_id = None
    if request is None:
        # Without a request, number the containers per top-level render (as duet_entry does).
        root = _render_state(context)
        root[_SSR_SEQ] = root.get(_SSR_SEQ, 0) + 1
        element_id = f"duet-ssr-{root[_SSR_SEQ]}"
    return render_component(request, name, props, element_id=element_id, frontend=frontend)


_ISLAND_SEQ = "django_duet.island_seq"


@register.simple_tag(takes_context=True)
def duet_island(
    context: template.Context,
    name: str,
    props: Any = None,
    load: str | None = None,
    ssr: bool = False,
    frontend: str | None = None,
) -> SafeString:
    """``{% duet_island "Greeting" props load="visible" ssr=True %}``: the element that
    ``django-duet/islands`` mounts (``django_duet.pages.islands.island_html``)."""
    request = context.get("request")
    element_id = None
    if request is None and props is not None:
        root = _render_state(context)
        root[_ISLAND_SEQ] = root.get(_ISLAND_SEQ, 0) + 1
        element_id = f"duet-island-{root[_ISLAND_SEQ]}"
    return island_html(
        request, name, props, load=load, ssr=ssr, element_id=element_id, frontend=frontend
    )
