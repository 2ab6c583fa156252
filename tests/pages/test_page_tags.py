"""A page of several ``{% duet_entry %}`` tags: each tag adds only what the page does not have
yet, in the order the template names the entries, with the request's own nonce; compared as
exact HTML. The tag HTML kept per build stays bounded whatever entries pages combine."""

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from django_duet.build.loader import get_manifest
from django_duet.conf import conf
from django_duet.pages import prepared

FIXTURE_MANIFEST = Path(__file__).parents[1] / "fixtures" / "build" / ".vite" / "manifest.json"
BUILD_ID = hashlib.sha256(FIXTURE_MANIFEST.read_bytes()).hexdigest()[:16]
META = f'<meta name="duet-build" content="{BUILD_ID}">'
CSP_META = '<meta property="csp-nonce" nonce="{n}">'
S_MAIN = '<script type="module" src="/static/assets/main-AbCd1234.js"{a}></script>'
S_ADMIN = '<script type="module" src="/static/assets/admin-Adm1n000.js"{a}></script>'
P_SHARED = '<link rel="modulepreload" href="/static/assets/shared-Sh4red00.js"{a}>'
P_CHAIN_B = '<link rel="modulepreload" href="/static/assets/chain-b-ChainB00.js"{a}>'
P_CHAIN_A = '<link rel="modulepreload" href="/static/assets/chain-a-ChainA00.js"{a}>'
P_CYCLE_B = '<link rel="modulepreload" href="/static/assets/cycle-b-CycleB00.js"{a}>'
P_CYCLE_A = '<link rel="modulepreload" href="/static/assets/cycle-a-CycleA00.js"{a}>'
C_SHARED = '<link rel="stylesheet" href="/static/assets/shared-SharedC0.css"{a}>'
C_CHAIN_B = '<link rel="stylesheet" href="/static/assets/chain-b-ChainBC0.css"{a}>'
C_MAIN = '<link rel="stylesheet" href="/static/assets/main-MainCss0.css"{a}>'
C_THEME = '<link rel="stylesheet" href="/static/assets/theme-Them3Css.css"{a}>'

MAIN, ADMIN, THEME = "src/main.tsx", "src/admin.tsx", "src/theme.css"
# What each tag of the page adds, for three orders of the same entries.
PAGES = {
    (MAIN, ADMIN, THEME): [
        [S_MAIN, P_SHARED, P_CHAIN_B, P_CHAIN_A, C_SHARED, C_CHAIN_B, C_MAIN],
        [S_ADMIN, P_CYCLE_B, P_CYCLE_A],
        [C_THEME],
    ],
    (THEME, ADMIN, MAIN): [
        [C_THEME],
        [S_ADMIN, P_SHARED, P_CYCLE_B, P_CYCLE_A, C_SHARED],
        [S_MAIN, P_CHAIN_B, P_CHAIN_A, C_CHAIN_B, C_MAIN],
    ],
    (ADMIN, MAIN, ADMIN): [
        [S_ADMIN, P_SHARED, P_CYCLE_B, P_CYCLE_A, C_SHARED],
        [S_MAIN, P_CHAIN_B, P_CHAIN_A, C_CHAIN_B, C_MAIN],
        [],  # already on the page
    ],
}


def expected(names: tuple[str, ...], nonce: str | None) -> str:
    attr = f' nonce="{nonce}"' if nonce else ""
    tags = [[line.format(a=attr) for line in lines] for lines in PAGES[names]]
    tags[0][:0] = [CSP_META.format(n=nonce), META] if nonce else [META]
    return "|".join("\n".join(lines) for lines in tags)


def page(names: tuple[str, ...], nonce: str | None) -> str:
    """The entries as separate tags of one template, rendered for a new request."""
    request = RequestFactory().get("/")
    if nonce:
        request.csp_nonce = nonce
    source = "{% load duet %}" + "|".join(f'{{% duet_entry "{n}" %}}' for n in names)
    return Template(source).render(Context({"request": request}))


@pytest.mark.parametrize("names", list(PAGES))
def test_each_tag_adds_only_what_the_page_lacks(names):
    for nonce in ("n0nce-one", None, "n0nce-two"):
        assert page(names, nonce) == expected(names, nonce)  # the first page of a build
        assert page(names, nonce) == expected(names, nonce)  # and a warm one


def test_a_warm_page_carries_each_requests_own_nonce():
    names = (MAIN, ADMIN, THEME)
    for nonce in ("first-n0nce", None, "second-n0nce", 'q"<'):
        escaped = nonce and nonce.replace('"', "&quot;").replace("<", "&lt;")
        assert page(names, nonce) == expected(names, escaped)


def test_the_tag_html_kept_per_build_is_bounded_by_entries(tmp_path, settings, monkeypatch):
    # 30 entries sharing one chunk; pages render 3 of them from variables, in 600 orders.
    data = {f"src/e{i}.ts": {"file": f"assets/e{i}.js", "imports": ["_s.js"]} for i in range(30)}
    data["_s.js"] = {"file": "assets/s.js"}
    manifest = tmp_path / ".vite" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text(json.dumps(data))
    settings.DUET = {"BUILD_DIR": tmp_path}
    monkeypatch.setattr(prepared, "MAX_ENTRIES", 8)
    build_id = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    meta = f'<meta name="duet-build" content="{build_id}">'
    template = Template("{% load duet %}{% duet_entry a %}|{% duet_entry b c %}")
    for n in range(600):
        a, b, c = n % 30, (n * 7 + 1) % 30, (n * 13 + 2) % 30
        names = {"a": f"src/e{a}.ts", "b": f"src/e{b}.ts", "c": f"src/e{c}.ts"}
        html = template.render(Context(names))
        first, rest = html.split("|")
        assert first == (
            f'{meta}\n<script type="module" src="/static/assets/e{a}.js"></script>\n'
            '<link rel="modulepreload" href="/static/assets/s.js">'
        )
        later = [f'<script type="module" src="/static/assets/e{i}.js"></script>' for i in (b, c)]
        assert rest == "\n".join(dict.fromkeys(t for t in later if f"e{a}.js" not in t))
    build = prepared.prepared_build(conf, get_manifest())
    assert build.entry.cache_info().currsize == 8  # of the 30 entries the pages used
    assert build.rest.cache_info().currsize <= build.rest.cache_info().maxsize == 32


def test_a_page_follows_a_new_build(settings, tmp_path):
    # The tag HTML belongs to one build: a rebuild (here in DEV_MODE) is prepared anew.
    settings.DEBUG = True
    settings.DUET = {"BUILD_DIR": tmp_path}
    path = tmp_path / ".vite" / "manifest.json"
    path.parent.mkdir()
    path.write_text('{"a.ts": {"file": "assets/one-11111111.js", "isEntry": true}}')
    assert page(("a.ts",), "n") == page(("a.ts",), "n")
    assert '<script type="module" src="/static/assets/one-11111111.js" nonce="n">' in page(
        ("a.ts",), "n"
    )
    path.write_text('{"a.ts": {"file": "assets/two-222222222.js", "isEntry": true}}')
    html = page(("a.ts",), "n")
    assert '<script type="module" src="/static/assets/two-222222222.js" nonce="n">' in html
    assert "one-11111111" not in html


def test_threads_rendering_at_once_get_each_pages_own_html():
    orders = list(PAGES)

    def work(i: int) -> bool:
        names = orders[i % len(orders)]
        return page(names, f"n{i}") == expected(names, f"n{i}")

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(400)))
