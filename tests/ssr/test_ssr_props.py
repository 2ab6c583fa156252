"""Props and output at the edges, in real V8 with the hand-written bundle: deep nesting, a size
over the bound, a lone surrogate in the HTML. Each renders, or falls back with its reason;
none is a 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from django_duet.conf import conf
from django_duet.ssr import engine as engine_module
from django_duet.ssr import render_component

pytest.importorskip("py_mini_racer")

BUNDLE = Path(__file__).parents[1] / "fixtures" / "ssr" / "server-bundle.js"


@pytest.fixture(autouse=True)
def _ssr(ssr_settings):
    """The shared fixture bundle, with a budget that deep props need."""
    ssr_settings.DUET = {**ssr_settings.DUET, "SSR_TIMEOUT_MS": 2000}
    return ssr_settings


def nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def nested_json(depth: int) -> str:
    return "[" * depth + '"x"' + "]" * depth


def props_script(html: str) -> str:
    return html.split('<script type="application/json" id="duet-ssr-1">', 1)[1][: -len("</script>")]


def test_props_nested_2000_levels_render_through_the_tag():
    # Deeper than Python's recursion allows json.dumps to go: a TypeError (a 500) before.
    html = Template("{% load duet %}{% duet_render 'Depth' props %}").render(
        Context({"props": {"deep": nested(2000)}, "request": RequestFactory().get("/")})
    )
    assert html.startswith('<div data-duet-ssr="Depth" data-duet-props="duet-ssr-1"><p>2000</p>')
    assert props_script(html) == '{"deep":' + nested_json(2000) + "}"


def test_props_too_deep_for_the_component_fall_back_with_the_reason(caplog):
    # The props reach V8 whole; the component's own recursion overflows V8's stack there.
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(RequestFactory().get("/"), "Depth", {"deep": nested(50_000)})
    assert html.ssr is False
    assert html.startswith('<div data-duet-ssr="Depth" data-duet-props="duet-ssr-1" data-duet-mode')
    assert props_script(html) == '{"deep":' + nested_json(50_000) + "}"  # for the browser
    [record] = caplog.records
    assert record.getMessage().startswith(
        "Server rendering of Depth fell back to client rendering (the component threw, after "
    )
    assert "RangeError: Maximum call stack size exceeded" in record.getMessage()


def test_a_lone_surrogate_in_the_html_becomes_a_replacement_character():
    # "😀".slice(0, 1) in JS: half a surrogate pair, which UTF-8 cannot encode.
    html = render_component(RequestFactory().get("/"), "Cut", {"text": "a😀b", "at": 2})
    assert html.ssr is True
    assert html.startswith('<div data-duet-ssr="Cut" data-duet-props="duet-ssr-1"><p>a\ufffd</p>')
    assert html.encode("utf-8")  # the page can be sent
    whole = render_component(RequestFactory().get("/"), "Cut", {"text": "a😀b", "at": 3})
    assert "<p>a😀</p>" in whole  # a whole pair is untouched


def test_props_over_the_size_bound_render_in_the_browser_without_reaching_v8(ssr_settings, caplog):
    ssr_settings.DUET = {**ssr_settings.DUET, "SSR_MAX_PROPS_BYTES": 1000}
    props = {"name": "x" * 2000}
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(RequestFactory().get("/"), "Hello", props)
    assert html == (
        '<div data-duet-ssr="Hello" data-duet-props="duet-ssr-1" data-duet-mode="client"></div>'
        f'<script type="application/json" id="duet-ssr-1">{json.dumps(props)}</script>'
    ).replace('": "', '":"')
    [record] = caplog.records
    assert record.getMessage() == (
        "Server rendering of Hello fell back to client rendering (props over the size limit, "
        f"after {record.getMessage().split('after ')[1].split(' ms')[0]} ms): The props of Hello "
        "are 2,011 bytes of JSON, over DUET['SSR_MAX_PROPS_BYTES'] (1,000): it was not rendered "
        "on the server (V8 needs many times their size, beyond SSR_HEAP_MB's reach). Pass less "
        "data (a page of rows), or raise the limit."
    )
    assert getattr(engine_module._local, "engines", {}) == {}  # no V8 context was even made
    # Under the bound, the same component renders on the server.
    assert render_component(None, "Hello", {"name": "x" * 900}).ssr is True


def test_the_default_size_bound_is_2_mib_of_json():
    assert conf.SSR_MAX_PROPS_BYTES == 2 * 1024 * 1024
    big = {"name": "Ada", "rows": ["y" * 1000] * 2200}  # 2.2 MB of JSON
    assert render_component(None, "Hello", big).ssr is False
    assert render_component(None, "Hello", {"name": "Ada", "rows": big["rows"][:1000]}).ssr is True
