"""django-duet's template tags as globals of a Jinja2 environment (docs/jinja2.md).

``{{ duet_entry("src/main.tsx") }}``, ``{{ duet_asset("src/logo.svg") }}``,
``{{ duet_props("user-data", user) }}``, ``{% set page = duet_render("Page", props) %}`` and
``{{ duet_island("Greeting", props) }}``: the same functions the Django tags wrap, so a build
gives the same HTML in both engines. Only what django-duet built is ``Markup`` (the tags,
the props' JSON with ``<``, ``>`` and ``&`` escaped for ``<script>``); a URL is a plain string
that autoescape escapes. Django's Jinja2 backend puts ``request`` in the context of a template
rendered with one: its CSP nonce goes on every tag, and its build is the page's.

As with ``{% duet_entry %}``, a tag is emitted once per render, across ``{% extends %}`` and
the ``{% include %}``s after the first entry: the page's state lives in the render's root
context.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from django_duet.pages.html import props_script
from django_duet.pages.islands import island_html
from django_duet.pages.render import PageTags, asset_url

_STATE = "_django_duet_page"  # the render's root context: {"tags": PageTags, "ssr": n, ...}


def _page(context: Context) -> dict[str, Any]:
    """What one render of a template shares (its root context's dict is made per render and
    handed to {% include %}d templates)."""
    state: dict[str, Any] | None = context.parent.get(_STATE)
    if state is None:
        state = context.parent[_STATE] = {}
    return state


def _request(context: Context) -> Any:
    return context.get("request")


def _next_id(context: Context, kind: str) -> str:
    """``duet-ssr-1``, ``duet-island-1`` ... per render, as the Django tags number them when
    there is no request (with one, the request numbers them)."""
    page = _page(context)
    page[kind] = page.get(kind, 0) + 1
    return f"duet-{kind}-{page[kind]}"


@pass_context
def duet_entry(context: Context, *names: str, frontend: str | None = None) -> Markup:
    """The tags of one or more entries (``{% duet_entry %}``), each file once per render."""
    if not names:
        raise TypeError(
            'duet_entry() takes one or more entry names: duet_entry("src/main.tsx"), '
            'optionally frontend="admin"'
        )
    page = _page(context)
    tags: PageTags | None = page.get("tags")
    if tags is None:
        tags = page["tags"] = PageTags(_request(context))
    frontend = None if frontend is None else str(frontend)
    # Every part escaped by format_html in pages.html or dev.tags.
    return Markup(tags.html(tuple(str(name) for name in names), frontend))


def duet_asset(name: str, frontend: str | None = None) -> str:
    """The URL of a file the build emitted for the source ``name`` (``{% duet_asset %}``)."""
    return asset_url(name, frontend)


def duet_props(element_id: str, value: Any) -> Markup:
    """``value`` as a JSON ``<script>`` (``{% duet_props %}``): json_script's escapes."""
    return Markup(props_script(element_id, value))


@pass_context
def duet_render(context: Context, name: str, props: Any = None, frontend: str | None = None) -> Any:
    """A component rendered in V8 (``{% duet_render %}``): ``{{ page }}`` is the container,
    ``{{ page.head }}`` its head tags; both are safe (``__html__``) for autoescape."""
    from django_duet.ssr.render import render_component  # mini-racer loads on the first render

    request = _request(context)
    element_id = None if request is not None else _next_id(context, "ssr")
    return render_component(request, name, props, element_id=element_id, frontend=frontend)


@pass_context
def duet_island(
    context: Context,
    name: str,
    props: Any = None,
    load: str | None = None,
    ssr: bool = False,
    frontend: str | None = None,
) -> Markup:
    """The element ``django-duet/islands`` mounts (``{% duet_island %}``)."""
    request = _request(context)
    element_id = None
    if request is None and props is not None:
        element_id = _next_id(context, "island")
    html = island_html(
        request, name, props, load=load, ssr=ssr, element_id=element_id, frontend=frontend
    )
    return Markup(html)


GLOBALS: dict[str, Any] = {
    "duet_entry": duet_entry,
    "duet_asset": duet_asset,
    "duet_props": duet_props,
    "duet_render": duet_render,
    "duet_island": duet_island,
}


def add_globals(env: Environment) -> Environment:
    """Add django-duet's globals to your own environment (returned, for chaining)."""
    env.globals.update(GLOBALS)
    return env


def environment(**options: Any) -> Environment:
    """A Jinja2 environment with django-duet's globals: ``"environment":
    "django_duet.jinja2.environment"`` in the OPTIONS of Django's Jinja2 backend."""
    return add_globals(Environment(**options))
