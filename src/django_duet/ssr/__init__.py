"""Server-side rendering of React components inside Django, in an embedded V8 (docs/ssr.md).

``render_component(request, "ProductPage", props)`` for views and Jinja2; the template tag
``{% duet_render %}`` wraps it. ``StreamingPage`` streams a page's component (React's
``renderToReadableStream``). mini-racer is imported only when a render needs it.
"""

from django_duet.ssr.render import Rendered, render_component
from django_duet.ssr.stream_page import StreamingPage

__all__ = ["Rendered", "StreamingPage", "render_component"]
