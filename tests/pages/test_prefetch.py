"""Prefetch of lazy chunks (``{% duet_entry ... prefetch=... %}``, ``DUET["PREFETCH"]``): the
emitted script compared as exact HTML (nonce, SRI, order, concurrency), nothing twice and
nothing the page already has; the chunk graph walk on the fixture build and on small ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from django_duet.build.formats import read_manifest
from django_duet.build.record import sri_hash
from django_duet.exceptions import DuetError
from django_duet.pages.html import _PREFETCH_JS, prefetch_script
from django_duet.pages.prefetch import lazy_files
from tests.dev.conftest import dev_settings, fake, hot_path  # noqa: F401  (fixtures)

BUILD = Path(__file__).parents[1] / "fixtures" / "build"
LAZY = ["/static/assets/lazy-LazyLazy.js", "modulepreload", None, None]
LAZY_ONLY = ["/static/assets/lazy-only-LazyOnly.js", "modulepreload", None, None]
LAZY_CSS = ["/static/assets/lazy-LazyCss0.css", "prefetch", None, None]


def render(source: str, nonce: str | None = "n0nce", **context: object) -> str:
    request = RequestFactory().get("/")
    if nonce:
        request.csp_nonce = nonce
    return Template("{% load duet %}" + source).render(Context({"request": request, **context}))


def script(files: list[list[object]], concurrency: int, nonce: str | None = "n0nce") -> str:
    attr = f' nonce="{nonce}"' if nonce else ""
    data = json.dumps(files, separators=(",", ":"))
    return f"<script{attr}>{_PREFETCH_JS}({data},{concurrency});</script>"


def prefetches(html: str) -> list[str]:
    """The prefetch scripts of a page (tags follow each other on one line)."""
    return re.findall(r"<script[^>]*>\(\(files,.*?\);</script>", html)


def test_waterfall_after_the_entry_tags_with_the_nonce():
    html = render('{% duet_entry "src/main.tsx" prefetch="waterfall" %}')
    lines = html.split("\n")
    assert lines[-1] == script([LAZY, LAZY_ONLY, LAZY_CSS], 3)
    # Everything before it is the page's own tags, as without prefetch.
    assert "\n".join(lines[:-1]) == render('{% duet_entry "src/main.tsx" %}')


def test_aggressive_fetches_all_at_once_and_the_concurrency_is_a_setting(settings):
    html = render('{% duet_entry "src/main.tsx" prefetch="aggressive" %}', nonce=None)
    assert prefetches(html) == [script([LAZY, LAZY_ONLY, LAZY_CSS], 0, nonce=None)]
    settings.DUET = {**settings.DUET, "PREFETCH_CONCURRENCY": 1}
    html = render('{% duet_entry "src/main.tsx" prefetch="waterfall" %}')
    assert prefetches(html) == [script([LAZY, LAZY_ONLY, LAZY_CSS], 1)]


def test_off_by_default_on_by_setting_and_off_again_per_tag(settings):
    assert prefetches(render('{% duet_entry "src/main.tsx" %}')) == []
    settings.DUET = {**settings.DUET, "PREFETCH": "aggressive"}
    assert prefetches(render('{% duet_entry "src/main.tsx" %}')) == [
        script([LAZY, LAZY_ONLY, LAZY_CSS], 0)
    ]
    assert prefetches(render('{% duet_entry "src/main.tsx" prefetch="none" %}')) == []
    assert prefetches(render('{% duet_entry "src/main.tsx" prefetch=off %}', off=False)) == []


def test_sri_and_crossorigin_on_each_file(settings):
    settings.DUET = {**settings.DUET, "SRI": True, "CROSSORIGIN": "anonymous"}
    html = render('{% duet_entry "src/main.tsx" prefetch="waterfall" %}')
    files = [
        [url, how, sri_hash(BUILD / url.removeprefix("/static/")), ""]
        for url, how, _, _ in (LAZY, LAZY_ONLY, LAZY_CSS)
    ]
    assert prefetches(html) == [script(files, 3)]


def test_nothing_the_page_has_nor_anything_twice():
    # The lazy chunk is an entry of the page already: only what it does not bring is left.
    html = render(
        '{% duet_entry "src/lazy.tsx" %}{% duet_entry "src/main.tsx" prefetch="waterfall" %}'
    )
    assert prefetches(html) == []
    # Two tags that reach the same lazy chunk: the second prefetches nothing more.
    html = render(
        '{% duet_entry "src/main.tsx" prefetch="waterfall" %}'
        '{% duet_entry "src/main.tsx" "src/admin.tsx" prefetch="waterfall" %}'
    )
    assert prefetches(html) == [script([LAZY, LAZY_ONLY, LAZY_CSS], 3)]


def test_a_wrong_strategy_fails_when_the_template_compiles_or_the_tag_renders():
    with pytest.raises(TemplateSyntaxError, match="'eager' is not a prefetch strategy"):
        Template('{% load duet %}{% duet_entry "src/main.tsx" prefetch="eager" %}')
    with pytest.raises(DuetError, match="'eager' is not a prefetch strategy"):
        render('{% duet_entry "src/main.tsx" prefetch=how %}', how="eager")


def test_a_wrong_setting_is_off(settings):
    settings.DUET = {**settings.DUET, "PREFETCH": "eager"}
    assert prefetches(render('{% duet_entry "src/main.tsx" %}')) == []


def test_development_prefetches_nothing(dev_settings, fake):  # noqa: F811
    html = render('{% duet_entry "src/main.tsx" prefetch="aggressive" %}')
    assert "/@vite/client" in html and prefetches(html) == []


def test_the_data_cannot_end_the_script():
    html = prefetch_script([("/static/a</script><b>&.js", "modulepreload", None, None)], 3, "")
    assert html.count("</script>") == 1
    assert "\\u003C/script\\u003E\\u003Cb\\u003E\\u0026" in html
    assert prefetch_script([], 3, ' nonce="n"') == ""


def manifest(tmp_path: Path, chunks: dict[str, dict[str, object]]):
    path = tmp_path / ".vite" / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(chunks))
    return read_manifest(path, "vite")


def chunk(name: str, **fields: object) -> dict[str, object]:
    return {"file": f"assets/{name}.js", **fields}


def test_lazy_chunks_of_lazy_chunks_nearest_first_cycles_end(tmp_path):
    build = manifest(
        tmp_path,
        {
            "a.ts": chunk("a", isEntry=True, imports=["_s.js"], dynamicImports=["b.ts", "d.ts"]),
            "_s.js": chunk("s", dynamicImports=["c.ts"], css=["assets/s.css"]),
            "b.ts": chunk("b", dynamicImports=["c.ts"], imports=["_s.js", "_t.js"]),
            "_t.js": chunk("t", css=["assets/t.css"]),
            "c.ts": chunk("c", dynamicImports=["a.ts", "b.ts"]),  # back to the entry: a cycle
            "d.ts": chunk("d", imports=["_t.js"]),
        },
    )
    assert lazy_files(build, ("a.ts",)) == (
        ("assets/b.js", "modulepreload"),
        ("assets/t.js", "modulepreload"),
        ("assets/t.css", "prefetch"),
        ("assets/d.js", "modulepreload"),
        ("assets/c.js", "modulepreload"),
    )
    # From the lazy chunk itself: its own file is on the page, the rest is not.
    assert [f for f, _ in lazy_files(build, ("c.ts",))] == [
        "assets/a.js",
        "assets/s.js",
        "assets/s.css",
        "assets/b.js",
        "assets/t.js",
        "assets/t.css",
        "assets/d.js",
    ]
    assert lazy_files(build, ("d.ts",)) == ()


def test_the_example_build_shape_gives_each_islands_chunk():
    found = re.findall(
        r"lazy[\w-]*\.(?:js|css)",
        str(
            lazy_files(read_manifest(BUILD / ".vite" / "manifest.json", "vite"), ("src/main.tsx",))
        ),
    )
    assert found == ["lazy-LazyLazy.js", "lazy-only-LazyOnly.js", "lazy-LazyCss0.css"]
