"""{% duet_island %} and island_html: the element django-duet/islands mounts, as exact strings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.test import RequestFactory

from django_duet.pages.islands import island_html
from tests.helpers import render_template as render

BUNDLE = Path(__file__).parents[1] / "fixtures" / "ssr" / "server-bundle.js"
GREETING = (
    '<div data-duet-island="Greeting" data-props="duet-island-1"></div>'
    '<script id="duet-island-1" type="application/json">{"name": "Ada"}</script>'
)


@pytest.fixture
def rf_request():
    return RequestFactory().get("/")


def test_the_element_and_its_props_script(rf_request):
    assert render(
        '{% duet_island "Greeting" props %}', props={"name": "Ada"}, request=rf_request
    ) == (GREETING)


def test_props_are_escaped_as_duet_props_escapes_them(rf_request):
    value = {"name": "</script><script>alert(1)</script>&"}
    html = render('{% duet_island "Greeting" value %}', value=value, request=rf_request)
    script = render('{% duet_props "duet-island-1" value %}', value=value)
    assert html == '<div data-duet-island="Greeting" data-props="duet-island-1"></div>' + script
    assert script == (
        '<script id="duet-island-1" type="application/json">'
        '{"name": "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E\\u0026"}'
        "</script>"
    )


def test_without_props_no_script_and_a_load_strategy():
    assert render('{% duet_island "Reviews" load="visible" %}') == (
        '<div data-duet-island="Reviews" data-duet-load="visible"></div>'
    )
    assert render('{% duet_island "Tip" tip load="idle" %}', tip={"text": "hi"}) == (
        '<div data-duet-island="Tip" data-props="duet-island-1" data-duet-load="idle"></div>'
        '<script id="duet-island-1" type="application/json">{"text": "hi"}</script>'
    )


def test_ids_are_numbered_per_request_and_per_render_without_one(rf_request):
    two = '{% duet_island "A" a %}{% duet_island "B" b %}'
    html = render(two, a={}, b={}, request=rf_request)
    assert 'data-props="duet-island-1"' in html and 'data-props="duet-island-2"' in html
    # The same request goes on counting (an island in an {% include %} rendered on its own).
    assert 'data-props="duet-island-3"' in render(
        '{% duet_island "A" a %}', a={}, request=rf_request
    )
    for _ in range(2):  # without a request: each top-level render starts at 1
        assert 'data-props="duet-island-1"' in render('{% duet_island "A" a %}', a={})


def test_the_props_script_is_a_data_block_without_a_nonce(rf_request):
    # CSP does not apply to <script type="application/json">: same HTML as without a nonce.
    rf_request.csp_nonce = "n0nce"
    assert render(
        '{% duet_island "Greeting" props %}', props={"name": "Ada"}, request=rf_request
    ) == (GREETING)


def test_names_and_strategies_are_checked_and_escaped():
    assert render("{% duet_island name %}", name='a"<b') == (
        '<div data-duet-island="a&quot;&lt;b"></div>'
    )
    with pytest.raises(ValueError, match=r"load='soon' is not a strategy; use one of 'load', "):
        render('{% duet_island "A" load="soon" %}')
    with pytest.raises(TypeError, match="needs a component name string"):
        island_html(None, "")


def test_island_html_from_python_takes_an_element_id(rf_request):
    assert island_html(rf_request, "Greeting", {"name": "Ada"}, element_id="g") == (
        '<div data-duet-island="Greeting" data-props="g"></div>'
        '<script id="g" type="application/json">{"name": "Ada"}</script>'
    )


# --- server-rendered islands (mini-racer, a hand-written server bundle) ---------------------


def test_ssr_writes_the_server_html_inside_the_element(ssr_settings, rf_request):
    html = render(
        '{% duet_island "Hello" props ssr=True %}', props={"name": "Ada"}, request=rf_request
    )
    assert html == (
        '<div data-duet-island="Hello" data-props="duet-island-1"><p>Hello, Ada!</p></div>'
        '<script id="duet-island-1" type="application/json">{"name": "Ada"}</script>'
    )


def test_ssr_islands_follow_ssr_enabled(ssr_settings, rf_request):
    ssr_settings.DUET = {**ssr_settings.DUET, "SSR_ENABLED": False}
    assert render('{% duet_island "Hello" ssr=True %}', request=rf_request) == (
        '<div data-duet-island="Hello"></div>'
    )


def test_a_failed_server_render_leaves_the_island_to_the_browser(ssr_settings, rf_request, caplog):
    ssr_settings.DEBUG = False
    with caplog.at_level(logging.WARNING, logger="django_duet.ssr"):
        html = render(
            '{% duet_island "Throws" props ssr=True %}', props={"name": "x"}, request=rf_request
        )
    assert html == (
        '<div data-duet-island="Throws" data-props="duet-island-1" data-duet-mode="client"></div>'
        '<script id="duet-island-1" type="application/json">{"name": "x"}</script>'
    )
    assert "Server rendering of Throws fell back to client rendering" in caplog.text
    ssr_settings.DEBUG = True
    html = render(
        '{% duet_island "Throws" props ssr=True %}', props={"name": "x"}, request=rf_request
    )
    assert html.startswith('<div class="duet-ssr-error" role="alert" data-duet-ssr-error="Throws"')
    assert (
        '</div><div data-duet-island="Throws" data-props="duet-island-2" data-duet-mode="client">'
        in html
    )
