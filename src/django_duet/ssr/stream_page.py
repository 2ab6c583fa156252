"""``StreamingPage``: a template page whose React component is streamed (``ssr.stream``).

The view-level switch: a view that returns ``render(request, "page.html", {"props": ...})``
with ``{% duet_render "Page" props as page %}`` in the template streams the same page with

    return StreamingPage(request, "page.html", component="Page", props=props)

where the template writes ``{{ page.head }}`` in ``<head>`` and ``{{ page }}`` where the
component goes, as with the tag. The first bytes leave when React's shell is ready: the
template up to the component, with the head tags in place, the container with the shell, and
the props for hydration; then each Suspense boundary as it resolves (outside the container,
which is React's root: React's scripts move each one in by id); then the rest of the template.
A Vue component's stream is in document order: every chunk goes inside the container, which
closes after the last one.

Without a shell (the component threw, the budget ran out, no bundle ...) the page is the
same as ``render_component``'s fallback: an empty container the browser renders, logged.

Under WSGI the response iterates in the request's thread; under ASGI each step runs through
``sync_to_async`` (one at a time), since Django would read a synchronous iterator to its end
before sending anything.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from django_duet.conf import conf
from django_duet.contract.props import check_props
from django_duet.exceptions import DuetError
from django_duet.pages.render import csp_nonce
from django_duet.ssr.errors import SsrError
from django_duet.ssr.head import head_tags
from django_duet.ssr.jsontext import props_text
from django_duet.ssr.render import (
    _container_open,
    _props_script_open,
    _warn,
    error_overlay,
    next_element_id,
)
from django_duet.ssr.stream import StreamedRender


class StreamingPageError(DuetError):
    """The template cannot be streamed as it is written."""


class _Slot:
    """What the template sees as ``page``: markers where the head and the component go."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)
        self.body = mark_safe(f"<!--duet-stream-body:{token}-->")
        self.head = mark_safe(f"<!--duet-stream-head:{token}-->")

    def __str__(self) -> str:
        return str(self.body)

    def __html__(self) -> SafeString:
        return self.body


class StreamingPage(StreamingHttpResponse):
    """The template ``template_name`` with ``component`` streamed where it writes ``{{ page }}``."""

    def __init__(
        self,
        request: HttpRequest,
        template_name: str | list[str],
        context: Mapping[str, Any] | None = None,
        *,
        component: str,
        props: Any = None,
        frontend: str | None = None,
        element_id: str | None = None,
        budget_ms: float | None = None,
        content_type: str | None = None,
        status: int | None = None,
        using: str | None = None,
    ) -> None:
        if not isinstance(component, str) or not component:
            raise TypeError(f"StreamingPage needs a component name string, got {component!r}")
        check_props(component, {} if props is None else props)
        slot = _Slot()
        page = render_to_string(template_name, {**(context or {}), "page": slot}, request, using)
        before, found, after = page.partition(slot.body)
        if not found:
            raise StreamingPageError(
                f"The template {template_name!r} of the streamed component {component} has no "
                "{{ page }}: write it where the component goes (and {{ page.head }} in <head>)."
            )
        head_at = before.find(slot.head)
        self._page = (before, head_at, len(slot.head), after)
        self._props = props_text({} if props is None else props)
        self._nonce = csp_nonce(request)
        self._element_id = element_id or next_element_id(request)
        self._render = StreamedRender(
            component,
            self._props,
            frontend=frontend,
            nonce=self._nonce,
            element_id=self._element_id,
            budget_ms=budget_ms,
        )
        self.component = component
        parts = self._parts()
        content: Iterator[bytes] | AsyncIterator[bytes]
        content = _async_steps(parts) if isinstance(request, ASGIRequest) else parts
        super().__init__(content, content_type=content_type, status=status)
        # Proxies (nginx) must not hold the chunks back until the page is complete.
        self.headers.setdefault("X-Accel-Buffering", "no")

    def _parts(self) -> Iterator[bytes]:
        before, head_at, head_len, after = self._page
        render = self._render
        name = self.component
        failure: SsrError | None = None
        shell = b""
        head: SafeString = mark_safe("")
        if conf.SSR_ENABLED:
            try:
                shell, head_data = render.shell()
                head = head_tags(head_data, self._nonce)
            except SsrError as exc:
                failure = exc
                _warn(name, exc, time.monotonic() - render.started)
        try:
            if head_at >= 0:
                before = before[:head_at] + head + before[head_at + head_len :]
            ssr = conf.SSR_ENABLED and failure is None
            opening = [
                error_overlay(name, failure) if failure is not None and settings.DEBUG else "",
                _container_open(name, self._element_id, ssr),
            ]
            # An in-order stream (Vue) is the container's content: closed after its last chunk.
            inside = ssr and render.in_order
            closing = self._closing().encode()
            yield (before + "".join(opening)).encode() + shell + (b"" if inside else closing)
            if ssr:
                yield from render.rest()
            yield (closing if inside else b"") + after.encode()
        finally:
            render.close()

    def _closing(self) -> str:
        # The container is React's root: the boundaries that resolve later come after it.
        return "".join(
            [
                "</div>",
                _props_script_open(self._element_id, self._nonce),
                self._props.script,
                "</script>",
            ]
        )


async def _async_steps(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """``parts`` driven from ASGI, one step at a time in the request's sync thread."""
    step = sync_to_async(_next, thread_sensitive=True)
    try:
        while True:
            chunk = await step(parts)
            if chunk is None:
                return
            yield chunk
    finally:
        close = getattr(parts, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=True)()


def _next(parts: Iterator[bytes]) -> bytes | None:
    return next(parts, None)
