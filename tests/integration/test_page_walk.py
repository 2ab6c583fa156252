"""The shared page walks (pagestate): a warm page emits exactly what the per-page set of URLs
would, with each request's own nonce, and the walks stay bounded."""

from itertools import permutations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from django_duet.build import loader
from django_duet.pages import pagestate
from django_duet.pages.render import render_entries

ENTRIES = ("src/main.tsx", "src/admin.tsx", "src/theme.css")


def page(names: tuple[str, ...], nonce: str | None) -> str:
    """The entries as separate tags of one template (the walk)."""
    request = RequestFactory().get("/")
    if nonce:
        request.csp_nonce = nonce
    source = "{% load duet %}" + "|".join(f'{{% duet_entry "{n}" %}}' for n in names)
    return Template(source).render(Context({"request": request}))


def by_set(names: tuple[str, ...], nonce: str | None) -> str:
    """The same entries through render_entries and one explicit set (the set path)."""
    request, emitted = RequestFactory().get("/"), set()
    if nonce:
        request.csp_nonce = nonce
    return "|".join(str(render_entries(request, n, emitted=emitted)) for n in names)


def walks() -> int:
    roots = [v for k, v in loader.get_manifest().prepared.items() if k[0] == "duet:walk"]
    return sum(root.walks.steps for root in roots)


@pytest.mark.parametrize("names", [*permutations(ENTRIES), ENTRIES[:1], ENTRIES[1:]])
def test_a_walk_emits_what_the_set_of_urls_would(names):
    for nonce in ("n0nce-one", None, "n0nce-two"):
        cold, warm = page(names, nonce), page(names, nonce)
        assert cold == warm == by_set(names, nonce)
        assert cold.count("<script") == len({n for n in names if n.endswith(".tsx")})


def test_a_warm_walk_carries_each_requests_own_nonce():
    first = page(ENTRIES, "first-n0nce")
    plain = page(ENTRIES, None)
    second = page(ENTRIES, "second-n0nce")
    assert "first-n0nce" not in second and "second-n0nce" not in first
    assert second == first.replace("first-n0nce", "second-n0nce")
    assert "nonce" not in plain and plain == first.replace(' nonce="first-n0nce"', "").replace(
        '<meta property="csp-nonce">\n', ""
    )
    tags = first.count("<script") + first.count("<link")
    assert first.count(' nonce="first-n0nce"') == tags + 1  # and the csp-nonce meta


def test_walks_are_bounded_and_pages_beyond_the_bound_stay_right(monkeypatch):
    monkeypatch.setattr(pagestate, "MAX_STEPS", 4)
    expected = {names: by_set(names, "n") for names in permutations(ENTRIES)}
    for names, html in expected.items():
        assert page(names, "n") == html
    assert walks() == 4  # 6 orders of 3 entries need up to 15 steps: the rest went by set
    for names, html in expected.items():  # and again, warm where a walk exists
        assert page(names, "n") == html
    assert walks() == 4


def test_a_warm_walk_follows_a_new_build(settings, tmp_path):
    # The walks live on the manifest: a rebuild (here in DEV_MODE) starts new ones.
    settings.DEBUG = True
    settings.DUET = {"BUILD_DIR": tmp_path}
    path = tmp_path / ".vite" / "manifest.json"
    path.parent.mkdir()
    path.write_text('{"a.ts": {"file": "assets/one-11111111.js", "isEntry": true}}')
    assert page(("a.ts",), "n") == page(("a.ts",), "n")
    assert "one-11111111" in page(("a.ts",), "n")
    path.write_text('{"a.ts": {"file": "assets/two-222222222.js", "isEntry": true}}')
    html = page(("a.ts",), "n")
    assert "two-222222222" in html and "one-11111111" not in html


def test_threads_walking_at_once_get_each_pages_own_html():
    # Steps are recorded without a lock: two threads may record the same one; either is kept
    # and both pages must still come out right, each with its own nonce.
    from concurrent.futures import ThreadPoolExecutor

    orders = list(permutations(ENTRIES))
    expected = {names: by_set(names, "NONCE") for names in orders}

    def work(i: int) -> bool:
        names = orders[i % len(orders)]
        nonce = f"n{i}"
        return page(names, nonce) == expected[names].replace("NONCE", nonce)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(400)))
