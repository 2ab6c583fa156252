"""``render_component``: a React component rendered to HTML in V8, ready for hydration.

Call it from views or Jinja2, or use the tag: ``{% duet_render "ProductPage" props as page %}``
then ``{{ page.head }}`` in ``<head>`` and ``{{ page }}`` where the component goes.

Never fails the page because of the component: when SSR cannot happen (the component threw,
looped, went over a budget, the bundle is missing ...) the container is emitted empty and marked
``data-duet-mode="client"``, the browser renders it instead, a warning names the component and
the reason (with the JS stack), and in DEBUG an overlay shows the error on the page.
"""

from __future__ import annotations

import itertools
import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from django_duet.conf import conf
from django_duet.contract.props import check_props
from django_duet.pages.html import nonce_attribute
from django_duet.pages.render import csp_nonce
from django_duet.ssr.bundle import get_bundle
from django_duet.ssr.engine import engine_for
from django_duet.ssr.errors import SsrError, SsrPropsTooLarge
from django_duet.ssr.head import head_tags
from django_duet.ssr.jsontext import PropsText, props_text

logger = logging.getLogger("django_duet.ssr")

_REQUEST_SEQ = "_duet_ssr_seq"
_process_seq = itertools.count(1)


class Rendered(SafeString):
    """The container HTML (a SafeString), with the component's head tags as ``.head``."""

    head: SafeString
    component: str
    ssr: bool  # False when the browser renders it (fallback)

    def __new__(cls, html: str, *, head: str, component: str, ssr: bool) -> Rendered:
        self = super().__new__(cls, html)
        self.head = mark_safe(head)  # built by format_html in head.py
        self.component = component
        self.ssr = ssr
        return self


def next_element_id(request: HttpRequest | None) -> str:
    """``duet-ssr-1``, ``duet-ssr-2`` ... per request (unique per process without one)."""
    if request is None:
        return f"duet-ssr-p{next(_process_seq)}"
    seq = getattr(request, _REQUEST_SEQ, 0) + 1
    setattr(request, _REQUEST_SEQ, seq)
    return f"duet-ssr-{seq}"


def render_component(
    request: HttpRequest | None,
    name: str,
    props: Any = None,
    *,
    element_id: str | None = None,
    frontend: str | None = None,
) -> Rendered:
    """The component ``name`` of the server bundle of the frontend named ``frontend`` (None:
    "default"), rendered with ``props`` (JSON-serializable)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"duet_render needs a component name string, got {name!r}")
    check_props(name, {} if props is None else props)  # with VALIDATE_PROPS (DEBUG) only
    props_ = props_text({} if props is None else props)
    element_id = element_id or next_element_id(request)
    nonce = csp_nonce(request)
    html = ""
    head: SafeString = mark_safe("")
    failure: SsrError | None = None
    if conf.SSR_ENABLED:
        html, head_data, failure = server_html(name, props_, frontend)
        if failure is None:
            head = head_tags(head_data, nonce)
    ssr = conf.SSR_ENABLED and failure is None
    # One join of the page's parts (React's HTML and the props are the big ones): small parts
    # built by format_html, the big ones inserted as they are.
    parts = [
        error_overlay(name, failure) if failure is not None and settings.DEBUG else "",
        _container_open(name, element_id, ssr),
        html,  # React's renderToString output: escaped by React
        "</div>",  # no whitespace around the HTML: the children must be exactly React's output
        _props_script_open(element_id, nonce),
        props_.script,  # &, < and > escaped, as json_script: inert in HTML
        "</script>",
    ]
    return Rendered("".join(parts), head=head, component=name, ssr=ssr)


def server_html(
    name: str, props: PropsText | str, frontend: str | None
) -> tuple[str, Any, SsrError | None]:
    """React's HTML for ``name`` and the head data it declared, or the failure (logged).

    ``props``: ``props_text(...)``, or its ``.literal``. Shared with islands
    (``django_duet.pages.islands``), which render the same way into their own element.
    """
    started = time.perf_counter()
    try:
        size = props.size if isinstance(props, PropsText) else len(props)
        if size > conf.SSR_MAX_PROPS_BYTES:
            raise SsrPropsTooLarge(name, size, conf.SSR_MAX_PROPS_BYTES)
        props_literal = props.literal if isinstance(props, PropsText) else props
        config = conf.frontend(frontend)
        engine = engine_for(get_bundle(config), conf.SSR_HEAP_MB, config.name)
        result = engine.render_literal(name, props_literal, conf.SSR_TIMEOUT_MS)
    except SsrError as exc:
        _warn(name, exc, time.perf_counter() - started)
        return "", None, exc
    return str(result.get("html", "")), result.get("head"), None


def _container_open(name: str, element_id: str, ssr: bool) -> SafeString:
    mode = mark_safe("") if ssr else mark_safe(' data-duet-mode="client"')
    return format_html('<div data-duet-ssr="{}" data-duet-props="{}"{}>', name, element_id, mode)


def _props_script_open(element_id: str, nonce: str | None) -> SafeString:
    return format_html(
        '<script type="application/json" id="{}"{}>', element_id, nonce_attribute(nonce)
    )


def _warn(name: str, exc: SsrError, elapsed: float) -> None:
    stack = f"\nJS stack:\n{exc.js_stack}" if exc.js_stack else ""
    logger.warning(
        "Server rendering of %s fell back to client rendering (%s, after %.0f ms): %s%s",
        name,
        exc.reason,
        elapsed * 1000,
        exc,
        stack,
        extra={"component": name, "ssr_reason": exc.reason},
    )


def error_overlay(name: str, exc: SsrError) -> SafeString:
    """DEBUG only: the error on the page, outside the container React takes over."""
    details = f"{exc}\n\n{exc.js_stack}" if exc.js_stack else str(exc)
    return format_html(
        '<div class="duet-ssr-error" role="alert" data-duet-ssr-error="{}" style="border:3px solid '
        "#dc2626;background:#fef2f2;color:#7f1d1d;padding:1rem;margin:1rem 0;font:14px/1.4 "
        'system-ui,sans-serif"><strong>django-duet: server rendering of {} failed ({}); it is '
        "rendered in the browser instead.</strong>"
        '<pre style="white-space:pre-wrap;margin:.5rem 0 0">{}</pre>'
        "<small>Shown because DEBUG is on; in production this is a logged warning.</small></div>",
        name,
        name,
        exc.reason,
        details,
    )
