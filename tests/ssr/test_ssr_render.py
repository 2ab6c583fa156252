"""{% duet_render %} and render_component with a hand-written bundle: exact HTML, fallbacks."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.test import RequestFactory

from django_duet.ssr import render_component
from django_duet.ssr.engine import discard_thread_engine
from tests.helpers import render_template as render

pytest.importorskip("py_mini_racer")

BUNDLE = Path(__file__).parents[1] / "fixtures" / "ssr" / "server-bundle.js"
HELLO = (
    '<div data-duet-ssr="Hello" data-duet-props="duet-ssr-1"><p>Hello, Ada!</p></div>'
    '<script type="application/json" id="duet-ssr-1">{"name":"Ada"}</script>'
)


pytestmark = pytest.mark.usefixtures("ssr_settings")


@pytest.fixture
def rf_request():
    return RequestFactory().get("/ssr/")


def test_tag_renders_the_component_in_a_container_with_its_props(rf_request):
    assert render('{% duet_render "Hello" props %}', props={"name": "Ada"}, request=rf_request) == (
        HELLO
    )


def test_containers_are_numbered_per_request(rf_request):
    html = render(
        '{% duet_render "Hello" a %}{% duet_render "Hello" b %}',
        a={"name": "Ada"},
        b={"name": "Bob"},
        request=rf_request,
    )
    assert 'data-duet-props="duet-ssr-1"><p>Hello, Ada!' in html
    assert 'data-duet-props="duet-ssr-2"><p>Hello, Bob!' in html
    # Without a request, per top-level render.
    assert render('{% duet_render "Hello" props %}', props={"name": "Ada"}) == HELLO


def test_as_variable_gives_head_tags_for_the_head(rf_request):
    html = render(
        '{% duet_render "Hello" props as page %}'
        "<head>{{ page.head }}</head><body>{{ page }}</body>",
        props={"name": "<Ada & Bob>"},
        request=rf_request,
    )
    assert html.startswith(
        "<head><title>Hello &lt;Ada &amp; Bob&gt;</title>\n"
        '<meta name="description" content="A greeting for &lt;Ada &amp; Bob&gt;"></head>'
    )
    assert "<p>Hello, &lt;Ada &amp; Bob&gt;!</p>" in html
    # The props JSON cannot close its script element early.
    assert '{"name":"\\u003CAda \\u0026 Bob\\u003E"}</script>' in html


def test_the_csp_nonce_goes_on_the_props_script(rf_request):
    rf_request.csp_nonce = 'n"1'
    html = render_component(rf_request, "Hello", {"name": "Ada"})
    assert '<script type="application/json" id="duet-ssr-1" nonce="n&quot;1">' in html
    assert html.ssr is True and html.component == "Hello"


@pytest.mark.parametrize(
    "component, props, reason, detail",
    [
        ("Throws", {"name": "lamp"}, "the component threw", "at Object.Throws (server-bundle.js:"),
        ("Loops", {}, "over the time budget", "took more than 300 ms"),
        ("Slow", {"ms": 2000}, "over the time budget", "took more than 300 ms"),
        ("Hog", {}, "over the heap budget", "more than 32 MB of V8 heap"),
        ("Nope", {}, "unknown component", "has no component 'Nope'"),
    ],
)
def test_a_failing_render_falls_back_and_the_worker_keeps_serving(
    ssr_settings, rf_request, caplog, component, props, reason, detail
):
    ssr_settings.DUET = {**ssr_settings.DUET, "SSR_HEAP_MB": 32}
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(rf_request, component, props)
    assert time.monotonic() - started < 5
    data = json.dumps(props, separators=(",", ":"))
    assert html == (
        f'<div data-duet-ssr="{component}" data-duet-props="duet-ssr-1" data-duet-mode="client">'
        f'</div><script type="application/json" id="duet-ssr-1">{data}</script>'
    )
    assert html.ssr is False and html.head == ""
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith(
        f"Server rendering of {component} fell back to client rendering ({reason}, after "
    )
    assert detail in record.getMessage()
    assert record.component == component
    # The same thread renders the next request normally.
    assert render_component(RequestFactory().get("/"), "Hello", {"name": "Ada"}) == HELLO


def test_debug_shows_an_overlay_with_the_escaped_error(ssr_settings, rf_request):
    ssr_settings.DEBUG = True
    html = render_component(rf_request, "Throws", {"name": "<img src=x onerror=alert(1)>"})
    assert html.startswith(
        '<div class="duet-ssr-error" role="alert" data-duet-ssr-error="Throws" style="'
    )
    assert "server rendering of Throws failed (the component threw)" in html
    assert "cannot read the price of &lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "at Object.Throws (server-bundle.js:" in html
    assert html.index("duet-ssr-error") < html.index('data-duet-ssr="Throws"')


def test_no_overlay_in_production(rf_request):
    assert "duet-ssr-error" not in render_component(rf_request, "Throws", {"name": "x"})


def test_ssr_disabled_renders_in_the_browser_without_a_warning(ssr_settings, rf_request, caplog):
    ssr_settings.DUET = {**ssr_settings.DUET, "SSR_ENABLED": False}
    html = render_component(rf_request, "Hello", {"name": "Ada"})
    assert html.startswith(
        '<div data-duet-ssr="Hello" data-duet-props="duet-ssr-1" data-duet-mode="client"></div>'
    )
    assert caplog.records == []


def test_a_missing_bundle_falls_back_and_says_how_to_build_it(ssr_settings, rf_request, caplog):
    ssr_settings.DUET = {"BUILD_DIR": Path("/nonexistent-build")}
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(rf_request, "Hello", {"name": "Ada"})
    assert 'data-duet-mode="client"' in html
    assert "duetSsr({ entry: 'src/ssr/server.tsx' })" in caplog.records[0].getMessage()


def test_without_mini_racer_it_falls_back_and_says_what_to_install(monkeypatch, rf_request, caplog):
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # import fails
    with caplog.at_level("WARNING", logger="django_duet.ssr"):
        html = render_component(rf_request, "Hello", {"name": "Ada"})
    assert 'data-duet-mode="client"' in html
    assert 'pip install "django-duet[ssr]"' in caplog.records[0].getMessage()


def test_props_that_are_not_json_are_a_clear_error(rf_request):
    with pytest.raises(TypeError, match=r"must be JSON-serializable.*Convert model instances"):
        render_component(rf_request, "Hello", {"name": object()})


def test_circular_props_are_the_same_clear_error(rf_request):
    # The encoder does not check for cycles (it is faster so): the recursion limit finds them.
    props: dict[str, object] = {"name": "Ada"}
    props["self"] = props
    with pytest.raises(TypeError, match=r"JSON-serializable .*: a circular reference"):
        render_component(rf_request, "Hello", props)


def test_concurrent_renders_from_several_threads_are_correct(ssr_settings):
    def work(i: int) -> tuple[int, str]:
        html = render_component(RequestFactory().get("/"), "Hello", {"name": f"user {i}"})
        discard = i % 10 == 9  # some threads drop their context mid-way: replaced on next use
        if discard:
            discard_thread_engine()
        return i, html

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, range(120)))
    for i, html in results:
        assert f"<p>Hello, user {i}!</p></div>" in html, html
        assert html.ssr is True


def test_inside_an_event_loop_budgets_still_apply(rf_request):
    async def view() -> tuple[str, str, float]:
        ok = render_component(rf_request, "Hello", {"name": "Ada"})
        started = time.monotonic()
        looped = render_component(rf_request, "Loops", {})
        return ok, looped, time.monotonic() - started

    ok, looped, elapsed = asyncio.run(view())
    assert "<p>Hello, Ada!</p>" in ok
    assert 'data-duet-mode="client"' in looped
    assert elapsed < 3


def test_in_debug_a_rebuilt_bundle_is_used_on_the_next_request(ssr_settings, tmp_path):
    build = tmp_path / "dist"
    (build / ".vite" / "ssr").mkdir(parents=True)
    record = build / ".vite" / "duet-ssr.json"

    def deploy(name: str, greeting: str) -> None:
        source = BUNDLE.read_text().replace('"<p>Hello, "', f'"<p>{greeting}, "')
        (build / ".vite" / "ssr" / name).write_text(source)
        # As duetSsr() does: a new record renamed into place.
        tmp = record.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": 1, "file": f".vite/ssr/{name}"}))
        tmp.replace(record)

    ssr_settings.DEBUG = True
    ssr_settings.DUET = {"BUILD_DIR": build}  # DEV_MODE follows DEBUG
    deploy("server-AAAA.js", "Hello")
    assert "<p>Hello, Ada!</p>" in render_component(None, "Hello", {"name": "Ada"})
    deploy("server-BBBB.js", "Bonjour")
    assert "<p>Bonjour, Ada!</p>" in render_component(None, "Hello", {"name": "Ada"})


def test_each_frontend_renders_from_its_own_bundle_with_its_own_engine(ssr_settings, tmp_path):
    # A second frontend's bundle: the same runtime, another greeting.
    staff_bundle = tmp_path / "staff-server.js"
    staff_bundle.write_text(BUNDLE.read_text().replace('"<p>Hello, "', '"<p>Staff hello, "'))
    ssr_settings.DUET = {
        **ssr_settings.DUET,
        "FRONTENDS": {"staff": {"FRONTEND_DIR": tmp_path, "SSR_BUNDLE": staff_bundle}},
    }
    from django_duet.ssr import engine as engine_module

    seen = []
    for which in (None, "staff", None, "staff"):  # alternating: no engine is replaced
        html = render_component(None, "Hello", {"name": "Ada"}, frontend=which)
        assert ("<p>Staff hello, Ada!</p>" in html) is (which == "staff")
        assert "<p>Hello, Ada!</p>" in html or which == "staff"
        seen.append(dict(engine_module._local.engines))
    assert set(seen[-1]) == {"default", "staff"}
    assert all(e == seen[-1] for e in seen[1:])  # the same two engines throughout
    tag = render(
        '{% duet_render "Hello" props frontend="staff" %}', props={"name": "Bo"}, request=None
    )
    assert "<p>Staff hello, Bo!</p>" in tag


def test_an_unknown_frontend_is_a_clear_error(rf_request):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="no frontend named 'nope'"):
        render_component(rf_request, "Hello", {"name": "Ada"}, frontend="nope")


def test_a_named_frontend_finds_its_bundle_through_its_own_build_record(ssr_settings, tmp_path):
    build = tmp_path / "staff-dist"
    (build / ".vite" / "ssr").mkdir(parents=True)
    text = BUNDLE.read_text().replace('"<p>Hello, "', '"<p>Staff hello, "')
    (build / ".vite" / "ssr" / "server-St4ff000.js").write_text(text)
    record = {"version": 1, "file": ".vite/ssr/server-St4ff000.js"}
    (build / ".vite" / "duet-ssr.json").write_text(json.dumps(record))
    ssr_settings.DUET = {
        **ssr_settings.DUET,
        "FRONTENDS": {"staff": {"FRONTEND_DIR": tmp_path, "BUILD_DIR": build}},
    }
    html = render_component(None, "Hello", {"name": "Ada"}, frontend="staff")
    assert "<p>Staff hello, Ada!</p>" in html and 'data-duet-mode="client"' not in html
