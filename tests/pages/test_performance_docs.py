"""docs/performance.md's blocks, run: the settings block on a project's settings, then the
template block rendered through the middleware it installs (a Link header, a prefetch)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.urls import path
from django.utils.module_loading import import_string

from django_duet.conf import DEFAULTS
from django_duet.pages.early_hints import EarlyHints

DOCS = Path(__file__).parents[2] / "docs" / "performance.md"


def blocks(language: str) -> list[str]:
    """The page's fenced blocks of ``language`` ("" for plain ones), in order."""
    found: list[str] = []
    current: list[str] | None = None
    for line in DOCS.read_text().splitlines():
        if line.startswith("```"):
            if current is None:
                current = [] if line[3:].strip() == language else None
                if current is None:
                    current = ["\0"]  # another language: skipped to its end
            else:
                if current[:1] != ["\0"]:
                    found.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return found


def page(request: HttpRequest) -> HttpResponse:
    (source,) = blocks("django")
    return HttpResponse(Template(source).render(RequestContext(request)))


urlpatterns = [path("", page)]
pytestmark = pytest.mark.urls(__name__)


def test_the_settings_block_and_the_template_block(settings):
    source = blocks("python")[0]
    namespace = {"MIDDLEWARE": list(settings.MIDDLEWARE)}
    exec(source, namespace)
    added = [m for m in namespace["MIDDLEWARE"] if m not in settings.MIDDLEWARE]
    assert added and all(import_string(m) for m in added)
    duet = namespace["DUET"]
    assert set(duet) <= set(DEFAULTS)  # every key is a setting
    settings.MIDDLEWARE = namespace["MIDDLEWARE"]
    settings.DUET = {**settings.DUET, **duet}
    response = Client().get("/")
    html = response.content.decode()
    assert response["Link"].startswith("</static/assets/shared-SharedC0.css>; rel=preload")
    assert '<script type="module" src="/static/assets/main-AbCd1234.js">' in html
    assert '"/static/assets/lazy-LazyLazy.js","modulepreload"' in html  # the prefetch
    assert html.rstrip().endswith(",3);</script>")  # waterfall, 3 at a time


def test_the_settings_table_names_each_new_setting():
    text = DOCS.read_text()
    names = ("PREFETCH", "PREFETCH_CONCURRENCY", "LINK_HEADER_MAX_BYTES", "LINK_HEADER_MODULES")
    for name in names:
        assert f"| `{name}` |" in text and name in DEFAULTS


def test_the_asgi_block_wraps_the_application():
    asgi_block = blocks("python")[1]
    namespace: dict[str, object] = {}
    exec(asgi_block, namespace)  # DJANGO_SETTINGS_MODULE is already the tests': setdefault
    application = namespace["application"]
    assert isinstance(application, EarlyHints)
    assert type(application.app).__name__ != "EarlyHints"
    (command,) = [b for b in blocks("") if b.startswith("uvicorn ")]
    assert "--http zttp --http2" in command and "mysite.asgi:application" in command
