"""The template tags, compared as exact strings."""

import hashlib
from pathlib import Path

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from django_duet.exceptions import EntryNotFound, ManifestNotFound
from django_duet.pages.render import render_entries
from tests.helpers import render_template as render

FIXTURE_MANIFEST = Path(__file__).parents[1] / "fixtures" / "build" / ".vite" / "manifest.json"
BUILD_ID = hashlib.sha256(FIXTURE_MANIFEST.read_bytes()).hexdigest()[:16]
META = f'<meta name="duet-build" content="{BUILD_ID}">'
MAIN = (
    '<script type="module" src="/static/assets/main-AbCd1234.js"></script>\n'
    '<link rel="modulepreload" href="/static/assets/shared-Sh4red00.js">\n'
    '<link rel="modulepreload" href="/static/assets/chain-b-ChainB00.js">\n'
    '<link rel="modulepreload" href="/static/assets/chain-a-ChainA00.js">\n'
    '<link rel="stylesheet" href="/static/assets/shared-SharedC0.css">\n'
    '<link rel="stylesheet" href="/static/assets/chain-b-ChainBC0.css">\n'
    '<link rel="stylesheet" href="/static/assets/main-MainCss0.css">'
)
THEME = '<link rel="stylesheet" href="/static/assets/theme-Them3Css.css">'


def test_entry_emits_script_transitive_preloads_and_styles():
    assert render('{% duet_entry "src/main.tsx" %}') == META + "\n" + MAIN


def test_several_entries_on_one_page_never_repeat_a_tag():
    html = render_to_string("two_entries.html")
    assert html == (
        META + "\n" + MAIN + "\n"
        '<script type="module" src="/static/assets/admin-Adm1n000.js"></script>\n'
        '<link rel="modulepreload" href="/static/assets/cycle-b-CycleB00.js">\n'
        '<link rel="modulepreload" href="/static/assets/cycle-a-CycleA00.js">\n'
        '<link rel="stylesheet" href="/static/assets/theme-Them3Css.css">\n'
        "[]\n\n"  # the included template's entry was already on the page
    )


def test_separate_renders_start_afresh():
    for _ in range(2):
        assert render('{% duet_entry "src/main.tsx" %}') == META + "\n" + MAIN


def test_a_context_rendered_twice_gets_its_tags_each_time():
    # The page's state lives for one render, not for the Context (render_context's bottom dict)
    template = Template('{% load duet %}{% duet_entry "src/theme.css" %}')
    context = Context({})
    for _ in range(2):
        assert template.render(context) == META + "\n" + THEME


def test_a_context_reused_for_another_request_gets_that_requests_nonce():
    template = Template('{% load duet %}{% duet_entry "src/theme.css" %}')
    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    first.csp_nonce, second.csp_nonce = "first-n0nce", "second-n0nce"
    context = Context({"request": first})
    for request in (first, second):
        context["request"] = request
        nonce = f' nonce="{request.csp_nonce}"'
        assert template.render(context) == (
            f'<meta property="csp-nonce"{nonce}>\n{META}\n{THEME[:-1]}{nonce}>'
        )


def test_css_only_entry_emits_no_script():
    assert render('{% duet_entry "src/theme.css" %}') == (
        META + '\n<link rel="stylesheet" href="/static/assets/theme-Them3Css.css">'
    )


def test_nonce_of_the_request_goes_on_every_tag():
    request = RequestFactory().get("/")
    request.csp_nonce = 'n"0<nce'
    html = render('{% duet_entry "src/theme.css" "src/admin.tsx" %}', request=request)
    # 6 tags, and the <meta property="csp-nonce"> that Vite's preload helper reads
    assert html.count(' nonce="n&quot;0&lt;nce"') == 7
    assert html.startswith('<meta property="csp-nonce" nonce="n&quot;0&lt;nce">\n')
    assert 'n"0' not in html


def test_each_request_gets_its_own_nonce_on_every_entry():
    # The per-entry fast path keeps the nonce's attribute on the request and the last one in
    # the process: interleaved requests must never see each other's nonce.
    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    first.csp_nonce, second.csp_nonce = "first-n0nce", "second-n0nce"
    outputs = [
        str(render_entries(request, name))
        for name in ("src/main.tsx", "src/admin.tsx", "src/theme.css")
        for request in (first, second, first)
    ]
    for index, html in enumerate(outputs):
        own, other = ("second", "first") if index % 3 == 1 else ("first", "second")
        assert f' nonce="{own}-n0nce"' in html and f"{other}-n0nce" not in html
    no_nonce = RequestFactory().get("/")
    assert str(render_entries(no_nonce, "src/main.tsx")) == META + "\n" + MAIN


def test_an_entry_sharing_chunks_with_an_earlier_one_adds_only_its_own_tags():
    request, emitted = RequestFactory().get("/"), set()
    request.csp_nonce = "n0nce"
    render_entries(request, "src/admin.tsx", emitted=emitted)
    html = str(render_entries(request, "src/main.tsx", emitted=emitted))
    assert "cycle-a" not in html and "csp-nonce" not in html and "duet-build" not in html
    assert html == (  # MAIN without the shared chunk and its CSS, which admin brought
        '<script type="module" src="/static/assets/main-AbCd1234.js" nonce="n0nce"></script>\n'
        '<link rel="modulepreload" href="/static/assets/chain-b-ChainB00.js" nonce="n0nce">\n'
        '<link rel="modulepreload" href="/static/assets/chain-a-ChainA00.js" nonce="n0nce">\n'
        '<link rel="stylesheet" href="/static/assets/chain-b-ChainBC0.css" nonce="n0nce">\n'
        '<link rel="stylesheet" href="/static/assets/main-MainCss0.css" nonce="n0nce">'
    )


@override_settings(STATIC_URL="https://cdn.example.test/static/")
def test_urls_go_through_staticfiles_storage():
    assert render('{% duet_asset "src/logo.svg" %}') == (
        "https://cdn.example.test/static/assets/logo-L0g0L0g0.svg"
    )


def test_static_prefix_is_prepended(tmp_path, settings):
    manifest = tmp_path / ".vite" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text('{"src/a.ts": {"file": "assets/a-12345678.js", "isEntry": true}}')
    settings.DUET = {"BUILD_DIR": tmp_path, "STATIC_PREFIX": "/front"}
    assert render('{% duet_entry "src/a.ts" %}').endswith(
        '\n<script type="module" src="/static/front/assets/a-12345678.js"></script>'
    )


def test_props_are_json_safe_against_script_injection():
    html = render(
        '{% duet_props "p" value %}', value={"name": "</script><script>alert(1)</script>&"}
    )
    assert html == (
        '<script id="p" type="application/json">{"name": "\\u003C/script\\u003E'
        '\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E\\u0026"}</script>'
    )


def test_unknown_entry_raises_with_the_nearest_names():
    with pytest.raises(
        EntryNotFound, match=r"'src/mian.tsx' is not in the manifest .* 'src/main.tsx'"
    ):
        render('{% duet_entry "src/mian.tsx" %}')


def test_no_build_raises_an_error_naming_the_path(settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path / "dist"}
    with pytest.raises(ManifestNotFound, match=str(tmp_path / "dist" / ".vite" / "manifest.json")):
        render('{% duet_entry "src/main.tsx" %}')


def test_manifest_is_parsed_once_per_process(monkeypatch):
    from django_duet.build import formats

    calls = []
    real = formats.parse_manifest
    monkeypatch.setattr(formats, "parse_manifest", lambda *a: calls.append(1) or real(*a))
    for _ in range(3):
        render_entries(None, "src/main.tsx")
    assert len(calls) == 1


def test_dev_mode_reloads_a_changed_manifest(settings, tmp_path):
    settings.DEBUG = True
    settings.DUET = {"BUILD_DIR": tmp_path}
    path = tmp_path / ".vite" / "manifest.json"
    path.parent.mkdir()
    path.write_text('{"a.ts": {"file": "assets/one-11111111.js", "isEntry": true}}')
    assert "one-11111111" in render_entries(None, "a.ts")
    path.write_text('{"a.ts": {"file": "assets/two-222222222.js", "isEntry": true}}')
    assert "two-222222222" in render_entries(None, "a.ts")


def test_production_keeps_the_manifest_of_its_first_use(settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path}
    path = tmp_path / ".vite" / "manifest.json"
    path.parent.mkdir()
    path.write_text('{"a.ts": {"file": "assets/one-11111111.js", "isEntry": true}}')
    assert "one-11111111" in render_entries(None, "a.ts")
    path.write_text('{"a.ts": {"file": "assets/two-222222222.js", "isEntry": true}}')
    assert "one-11111111" in render_entries(None, "a.ts")


def test_cdn_static_url_gets_crossorigin_and_matching_sri(build_dir, settings):
    import base64
    import hashlib

    settings.STATIC_URL = "https://cdn.example.test/static/"
    html = render('{% duet_entry "src/admin.tsx" %}')
    expected = []
    for file in ("admin-Adm1n000.js", "shared-Sh4red00.js", "cycle-b-CycleB00.js"):
        digest = hashlib.sha384((build_dir / "assets" / file).read_bytes()).digest()
        expected.append(f'integrity="sha384-{base64.b64encode(digest).decode()}"')
    lines = html.split("\n")[1:]  # after the build meta
    assert lines[0] == (
        '<script type="module" src="https://cdn.example.test/static/assets/admin-Adm1n000.js"'
        f" crossorigin {expected[0]}></script>"
    )
    assert lines[1].startswith('<link rel="modulepreload" href="https://cdn.example.test/static/')
    assert f"crossorigin {expected[1]}>" in lines[1]
    assert all(" crossorigin integrity=" in line for line in lines)


def test_stale_build_record_is_not_trusted(build_dir, settings):
    from django_duet.build.record import write_record

    settings.DUET = {**settings.DUET, "SRI": True}
    write_record(build_dir)
    (build_dir / "assets" / "theme-Them3Css.css").write_text(".new{}")  # rebuilt without it
    manifest = build_dir / ".vite" / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")  # a new build writes a new manifest
    html = render('{% duet_entry "src/theme.css" %}')
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha384(b".new{}").digest()).decode()
    assert f'integrity="sha384-{digest}"' in html


def test_same_origin_static_has_no_sri_or_crossorigin_by_default(build_dir):
    assert render('{% duet_entry "src/theme.css" %}') == META + "\n" + THEME


def test_two_frontends_reading_one_manifest_keep_their_own_urls(tmp_path, settings):
    # Nothing prepared for one frontend is served to another, even from the same manifest.
    manifest = tmp_path / "shared" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text('{"src/a.ts": {"file": "assets/a-12345678.js", "isEntry": true}}')
    other = {"FRONTEND_DIR": tmp_path, "BUILD_DIR": tmp_path / "b", "MANIFEST_PATH": manifest}
    settings.DUET = {
        "BUILD_DIR": tmp_path / "a",
        "MANIFEST_PATH": manifest,
        "STATIC_PREFIX": "a/",
        "FRONTENDS": {"b": {**other, "STATIC_PREFIX": "b/"}},
    }
    build_id = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    for _ in range(2):
        for prefix, tag in (
            ("a", '{% duet_entry "src/a.ts" %}'),
            ("b", '{% duet_entry "src/a.ts" frontend="b" %}'),
        ):
            assert render(tag) == (
                f'<meta name="duet-build" content="{build_id}">\n'
                f'<script type="module" src="/static/{prefix}/assets/a-12345678.js"></script>'
            )
    assert str(render_entries(None, "src/a.ts", frontend="b")).endswith(
        '/static/b/assets/a-12345678.js"></script>'
    )


def test_entry_tag_takes_variables_a_frontend_variable_and_as():
    html = render(
        "{% duet_entry name frontend=which as tags %}[{{ tags }}]",
        name="src/theme.css",
        which=None,
    )
    assert html == (
        "[" + META + '\n<link rel="stylesheet" href="/static/assets/theme-Them3Css.css">]'
    )


@pytest.mark.parametrize(
    "source",
    ["{% duet_entry %}", '{% duet_entry "a.ts" mode="x" %}', '{% duet_entry frontend="x" %}'],
)
def test_entry_tag_misuse_is_a_template_syntax_error(source):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="takes one or more entry names"):
        render(source)
