"""The tags as Jinja2 globals (django_duet.jinja2), through Django's own Jinja2 backend: the same
HTML as the Django tags on the same build, in production and development, with the request's
CSP nonce, escaping that hostile props cannot break, and docs/jinja2.md's blocks run."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.test import RequestFactory
from django.urls import path
from jinja2 import Environment, TemplateSyntaxError

from django_duet.jinja2 import GLOBALS, add_globals, environment
from tests.dev.conftest import dev_settings, fake, hot_path  # noqa: F401  (fixtures)
from tests.helpers import render_template
from tests.pages.test_csp import (
    header_nonce,
    tag_nonces,
    with_django_csp,  # noqa: F401  (fixture)
)

DOCS = Path(__file__).parents[2] / "docs" / "jinja2.md"
_BLOCK = re.compile(r"<!-- tested: ([\w-]+) -->\n```\w*\n(.*?)```", re.S)
_BUILD_ID = re.compile(r'(<meta name="duet-build" content=")[0-9a-f]{16}(">)')
HOSTILE = {
    "text": "</script><script>alert(1)</script>",
    "quotes": "\"'&<>",
    "comment": "<!--",
    "line": "\u2028",
}


def doc_blocks() -> dict[str, str]:
    return dict(_BLOCK.findall(DOCS.read_text()))


def jinja_backend(directory: Path, environment: str = "django_duet.jinja2.environment") -> dict:
    return {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [directory],
        "OPTIONS": {"environment": environment},
    }


@pytest.fixture
def jinja_dir(settings, tmp_path) -> Path:
    """Django's Jinja2 backend beside the Django one, its templates in a scratch folder."""
    directory = tmp_path / "jinja2"
    directory.mkdir()
    settings.TEMPLATES = [*settings.TEMPLATES, jinja_backend(directory)]
    return directory


def jinja(source: str, request: HttpRequest | None = None, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context, request)


def nonce_request(nonce: str = "r4nd0m") -> HttpRequest:
    request = RequestFactory().get("/")
    request.csp_nonce = nonce
    return request


# The same HTML as the Django tags -------------------------------------------------------------


@pytest.mark.parametrize("nonce", [None, "r4nd0m", 'n"0<nce'])
@pytest.mark.parametrize(
    "django, jinja2",
    [
        ('{% duet_entry "src/main.tsx" %}', '{{ duet_entry("src/main.tsx") }}'),
        (
            '{% duet_entry "src/main.tsx" %}{% duet_entry "src/admin.tsx" "src/theme.css" %}',
            '{{ duet_entry("src/main.tsx") }}{{ duet_entry("src/admin.tsx", "src/theme.css") }}',
        ),
        ("{% duet_entry name frontend=None %}", "{{ duet_entry(name, frontend=None) }}"),
        (
            '<img src="{% duet_asset "src/logo.svg" %}">',
            "<img src=\"{{ duet_asset('src/logo.svg') }}\">",
        ),
        ('{% duet_props "data" hostile %}', '{{ duet_props("data", hostile) }}'),
        ("{% duet_props id hostile %}", "{{ duet_props(id, hostile) }}"),
        (
            '{% duet_island "Greeting" hostile load="idle" %}',
            '{{ duet_island("Greeting", hostile, load="idle") }}',
        ),
        ('{% duet_island "Tip" %}', '{{ duet_island("Tip") }}'),
    ],
)
def test_each_global_renders_what_its_django_tag_renders(jinja_dir, django, jinja2, nonce):
    context = {"name": "src/main.tsx", "hostile": HOSTILE, "id": '"><script>x</script>'}
    # A request each: islands are numbered per request.
    request = nonce_request(nonce) if nonce else None
    expected = render_template(django, request=request, **context)
    request = nonce_request(nonce) if nonce else None
    assert jinja(jinja2, request, **context) == expected
    if nonce and "duet_entry" in jinja2:
        assert ' nonce="' in expected  # so the comparison covers the nonce


def test_without_a_request_islands_are_numbered_per_render_as_the_tag_does(jinja_dir):
    django = '{% duet_island "A" a %}{% duet_island "B" b %}'
    jinja2 = '{{ duet_island("A", a) }}{{ duet_island("B", b) }}'
    context = {"a": {"n": 1}, "b": {"n": 2}}
    for _ in range(2):  # each render starts at 1
        html = jinja(jinja2, **context)
        assert html == render_template(django, **context)
        assert 'data-props="duet-island-1"' in html and 'data-props="duet-island-2"' in html


def test_once_per_page_across_extends_and_include(jinja_dir):
    (jinja_dir / "base.html").write_text(
        '<head>{{ duet_entry("src/main.tsx") }}</head>{% block body %}{% endblock %}'
    )
    (jinja_dir / "part.html").write_text('[{{ duet_entry("src/main.tsx", "src/theme.css") }}]')
    (jinja_dir / "page.html").write_text(
        '{% extends "base.html" %}{% block body %}{% set title = "x" %}'
        '{% include "part.html" %}{% endblock %}'
    )
    html = engines["jinja2"].get_template("page.html").render({}, nonce_request())
    assert html.count("main-AbCd1234.js") == 1
    assert html.count("theme-Them3Css.css") == 1  # the include's new file, once
    assert html.count('property="csp-nonce"') == 1
    # A second render is a new page: its tags again.
    again = engines["jinja2"].get_template("page.html").render({}, nonce_request())
    assert again == html


def test_autoescape_still_escapes_the_users_own_values(jinja_dir):
    html = jinja(
        "{{ text }}|{{ duet_props('p', {'t': text}) }}|<a href=\"{{ duet_asset(asset) }}\">",
        text="<b>&",
        asset="src/logo.svg",
    )
    assert html.startswith("&lt;b&gt;&amp;|")
    assert '{"t": "\\u003Cb\\u003E\\u0026"}</script>' in html


def test_hostile_props_cannot_leave_their_script(jinja_dir):
    html = jinja("{{ duet_props('data', value) }}", value=HOSTILE)
    body = html.removeprefix('<script id="data" type="application/json">')
    assert body.endswith("</script>") and body.count("<") == 1  # only the closing tag's
    assert json.loads(body.removesuffix("</script>")) == HOSTILE


def test_a_missing_entry_name_says_how_to_call_it(jinja_dir):
    with pytest.raises(TypeError, match=r'duet_entry\("src/main.tsx"\)'):
        jinja("{{ duet_entry() }}")


def test_add_globals_on_a_plain_environment_without_django_templates():
    env = add_globals(Environment(autoescape=True))
    assert set(GLOBALS) <= set(env.globals)
    assert set(GLOBALS) == {"duet_entry", "duet_asset", "duet_props", "duet_render", "duet_island"}
    html = env.from_string('{{ duet_entry("src/theme.css") }}').render()
    assert html.endswith('<link rel="stylesheet" href="/static/assets/theme-Them3Css.css">')
    assert environment(autoescape=True).globals["duet_asset"] is GLOBALS["duet_asset"]
    with pytest.raises(TemplateSyntaxError):  # the tag syntax is Django's, not Jinja2's
        env.from_string('{% duet_entry "src/main.tsx" %}')


# The nonce from the real middlewares -----------------------------------------------------------


def page(request: HttpRequest) -> HttpResponse:
    return render(request, "page.html", {"name": "Ada"}, using="jinja2")


urlpatterns = [path("page/", page)]


@pytest.fixture
def page_template(jinja_dir) -> Path:
    (jinja_dir / "page.html").write_text(
        '<head>{{ duet_entry("src/theme.css", "src/main.tsx") }}</head>'
        '<body>{{ duet_island("Greeting", {"name": name}) }}</body>'
    )
    return jinja_dir


@pytest.mark.urls(__name__)
def test_the_header_nonce_is_on_every_tag(client, with_django_csp, page_template):  # noqa: F811
    response = client.get("/page/")
    html = response.content.decode()
    nonce = header_nonce(response)
    assert tag_nonces(html) == {nonce}
    # the csp-nonce meta, the script, 3 preloads and 4 stylesheets of the two entries
    assert html.count(f' nonce="{nonce}"') == 9
    assert client.get("/page/").content.decode().count(nonce) == 0  # a new one per request


@pytest.mark.urls(__name__)
def test_dev_tags_match_the_django_tags_and_carry_the_nonce(
    client,
    with_django_csp,  # noqa: F811
    page_template,
    fake,  # noqa: F811
):
    response = client.get("/page/")
    html = response.content.decode()
    nonce = header_nonce(response)
    assert "/static/@vite/client" in html and "injectIntoGlobalHook" in html
    assert tag_nonces(html) == {nonce}
    request = nonce_request(nonce)
    head = html[len("<head>") : html.index("</head>")]
    assert head == render_template(
        '{% duet_entry "src/theme.css" "src/main.tsx" %}', request=request
    )


# Server-side rendering --------------------------------------------------------------------------


@pytest.mark.usefixtures("ssr_settings")
def test_duet_render_and_its_head_match_the_tag(jinja_dir):
    props = {"name": "<Ada & Bob>"}
    django = (
        '{% duet_render "Hello" props as page %}<head>{{ page.head }}</head><body>{{ page }}</body>'
    )
    jinja2 = (
        '{% set page = duet_render("Hello", props) %}<head>{{ page.head }}</head>'
        "<body>{{ page }}</body>"
    )
    for request in (None, RequestFactory().get("/ssr/")):
        html = jinja(jinja2, request, props=props)
        other = None if request is None else RequestFactory().get("/ssr/")  # numbered per request
        assert html == render_template(django, request=other, props=props)
        assert "<p>Hello, &lt;Ada &amp; Bob&gt;!</p>" in html
        assert "<title>Hello &lt;Ada &amp; Bob&gt;</title>" in html


# docs/jinja2.md, run ---------------------------------------------------------------------------


def test_every_code_block_of_the_page_is_tested():
    fenced = re.findall(r"^```\w+$", DOCS.read_text(), re.M)
    assert len(fenced) == len(doc_blocks()) == 5


def test_the_documented_settings_and_page_render_the_documented_html(settings, tmp_path):
    blocks = doc_blocks()
    namespace: dict[str, object] = {"BASE_DIR": tmp_path}
    exec(blocks["settings"], namespace)
    (tmp_path / "jinja2").mkdir()
    (tmp_path / "jinja2" / "page.html").write_text(blocks["template"])
    settings.TEMPLATES = namespace["TEMPLATES"]
    html = render(nonce_request(), "page.html", {"name": "</script><b>"}).content.decode()
    expected = _BUILD_ID.sub(r"\g<1>BUILD\2", blocks["html"])
    # Jinja2 drops the template's last newline (keep_trailing_newline is off by default).
    assert _BUILD_ID.sub(r"\g<1>BUILD\2", html) == expected.removesuffix("\n")


@pytest.mark.usefixtures("ssr_settings")
def test_the_documented_ssr_block_renders_the_component(jinja_dir):
    html = jinja(doc_blocks()["ssr"], RequestFactory().get("/"), name="Ada")
    assert html.startswith("\n<head><title>Hello Ada</title>")  # the line after the set
    assert '<body><div data-duet-ssr="Hello" data-duet-props="duet-ssr-1"><p>Hello, Ada!' in html


def test_the_documented_own_environment_has_django_duets_and_its_own_globals(
    settings, tmp_path, monkeypatch
):
    module = types.ModuleType("docs_jinja2_env")
    exec(doc_blocks()["environment"], module.__dict__)
    monkeypatch.setitem(sys.modules, "docs_jinja2_env", module)
    settings.TEMPLATES = [jinja_backend(tmp_path, "docs_jinja2_env.environment")]
    html = jinja(
        "{{ static('site.css') }} {{ duet_asset('src/logo.svg') }} {{ url('app', args=['x']) }}"
    )
    assert html == "/static/site.css /static/assets/logo-L0g0L0g0.svg /app/x"
