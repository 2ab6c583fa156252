"""``{% duet_island "Greeting" props %}``: the element that ``django-duet/islands`` mounts.

Writes ``<div data-duet-island="Greeting" data-props="duet-island-1"></div>`` and the props as a
JSON script (``{% duet_props %}``'s: ``json_script`` with Django's encoder). ``load`` delays
the mount in the browser (``"idle"``, ``"visible"``). With ``ssr=True`` and
``DUET["SSR_ENABLED"]`` (the switch of ``{% duet_render %}``), the component is rendered to
HTML inside Django (the server bundle must declare it, see docs/ssr.md) and the browser
hydrates it; when that fails, the element stays empty, marked ``data-duet-mode="client"``, and
the browser renders it (a warning is logged, and in DEBUG an overlay shows the error).

Server rendering is asked for per island rather than following ``SSR_ENABLED`` alone: that
setting is on by default, and an island that is not in a server bundle (most are not) would
then fall back with a warning on every request.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from django_duet.conf import conf
from django_duet.contract.props import check_props
from django_duet.pages.html import props_script

STRATEGIES = ("load", "idle", "visible")

_REQUEST_SEQ = "_duet_island_seq"
_process_seq = itertools.count(1)


def next_island_id(request: HttpRequest | None) -> str:
    """``duet-island-1``, ``duet-island-2`` ... per request (unique per process without one)."""
    if request is None:
        return f"duet-island-p{next(_process_seq)}"
    seq = getattr(request, _REQUEST_SEQ, 0) + 1
    setattr(request, _REQUEST_SEQ, seq)
    return f"duet-island-{seq}"


def island_html(
    request: HttpRequest | None,
    name: str,
    props: Any = None,
    *,
    load: str | None = None,
    ssr: bool = False,
    element_id: str | None = None,
    frontend: str | None = None,
) -> SafeString:
    """The island element for the component ``name`` (and its props script unless ``props`` is
    None: the component then gets ``{}``)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"duet_island needs a component name string, got {name!r}")
    if load is not None and load not in STRATEGIES:
        raise ValueError(
            f"duet_island {name!r}: load={load!r} is not a strategy; use one of "
            + ", ".join(repr(s) for s in STRATEGIES)
            + " (or leave it out: load)."
        )
    check_props(name, {} if props is None else props)  # with VALIDATE_PROPS (DEBUG) only
    if props is not None and element_id is None:
        element_id = next_island_id(request)
    html, overlay, fell_back = "", mark_safe(""), False
    if ssr and conf.SSR_ENABLED:
        html, overlay, fell_back = _server_render(name, props, frontend)
    attrs = [
        format_html(' data-props="{}"', element_id) if props is not None else "",
        format_html(' data-duet-load="{}"', load) if load is not None else "",
        mark_safe(' data-duet-mode="client"') if fell_back else "",
    ]
    parts = [
        overlay,
        format_html('<div data-duet-island="{}"', name),
        *attrs,
        ">",
        html,  # React's renderToString output, escaped by React; no whitespace around it
        "</div>",
        props_script(str(element_id), props) if props is not None else "",
    ]
    return mark_safe("".join(parts))  # every part built by format_html/json_script or React


def _server_render(name: str, props: Any, frontend: str | None) -> tuple[str, SafeString, bool]:
    """(React's HTML, the DEBUG overlay, whether it fell back): mini-racer loads on first use."""
    from django_duet.ssr.jsontext import props_text
    from django_duet.ssr.render import error_overlay, server_html

    literal = props_text({} if props is None else props).literal
    html, _head, failure = server_html(name, literal, frontend)  # islands leave <head> alone
    if failure is None:
        return html, mark_safe(""), False
    overlay = error_overlay(name, failure) if settings.DEBUG else mark_safe("")
    return "", overlay, True
