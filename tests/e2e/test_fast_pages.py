"""Pages that load fast, in Chromium under the strict CSP of docs/csp.md (django-csp): the
``Link`` header of ``LinkHeaderMiddleware``, the prefetch of lazy chunks
(``DUET["PREFETCH"] = "waterfall"``) and Vite 8's chunk import map, on the built example served
by gunicorn.

A page passes when it works, reported no CSP violation and no console problem (``duet_page``),
and the browser did what the feature promises: the header's files were fetched once, the lazy
chunks after ``load`` and before the next navigation, each prefetch link with the nonce.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from django_duet.serving.nginx import NginxOptions, render_server_block
from django_duet.testing.live import LiveServer
from django_duet.testing.nginx import nginx_process
from django_duet.testing.servers import free_port

from .conftest import scratch_frontend
from .test_csp import CSP, assert_strict_policy, strict_page

LINKS = "django_duet.pages.links.LinkHeaderMiddleware"


class Expression(str):
    """A settings override written as Python source into the generated settings module (it
    imports the example's settings first): extends the example's values instead of
    replacing them."""

    def __repr__(self) -> str:
        return str(self)


FAST = {
    "MIDDLEWARE": Expression(f"[*MIDDLEWARE, {LINKS!r}]"),
    # The header's module preloads on (off by default): the path where a preload and its tag
    # could disagree (credentials, SRI) and fetch a file twice.
    "DUET": Expression(
        '{**DUET, "PREFETCH": "waterfall", "PREFETCH_CONCURRENCY": 2, "LINK_HEADER_MODULES": True}'
    ),
}
LAZY = ("Reviews", "Stock", "Tip")  # the islands src/island.tsx imports on demand


@pytest.fixture(scope="module")
def fast_server(duet_live_server_factory) -> Iterator[LiveServer]:
    with duet_live_server_factory(env=CSP, settings=FAST) as server:
        yield server


def link_urls(value: str) -> list[str]:
    return re.findall(r"<([^>]+)>", value)


def test_link_header_under_the_strict_policy(duet_page, fast_server):
    console = strict_page(duet_page)
    fetched: list[str] = []
    duet_page.on("request", lambda r: fetched.append(r.url))
    response = duet_page.goto(fast_server.url + "/")
    nonce = assert_strict_policy(response)
    link = response.headers["link"]
    values = link.split(", ")
    assert values[0].endswith(f'; nonce="{nonce}"') and "rel=preload; as=style" in values[0]
    assert all(v.endswith(f'; nonce="{nonce}"') for v in values)
    assert any("rel=modulepreload" in v for v in values)
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    assert duet_page.evaluate("() => window.__csp") == [] and console == []
    # Each file of the header was fetched once: the header's preload and the tag share it.
    for url in link_urls(link):
        assert fetched.count(fast_server.url + url) == 1, (url, fetched)
    # The stylesheets applied.
    assert duet_page.evaluate("() => document.styleSheets.length") >= 1


def test_lazy_chunks_prefetched_after_load_before_navigation(duet_page, fast_server):
    console = strict_page(duet_page)
    duet_page.goto(fast_server.url + "/")
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    # Each lazy island's chunk arrives after the page's load event, without being asked for.
    duet_page.wait_for_function(
        "(names) => names.every((n) => performance.getEntriesByType('resource')"
        ".some((e) => e.name.includes(`/assets/${n}-`) && e.responseEnd > 0))",
        arg=list(LAZY),
        timeout=10_000,
    )
    timing = duet_page.evaluate(
        """(names) => {
          const load = performance.getEntriesByType('navigation')[0].loadEventStart;
          return names.map((n) => {
            const e = performance.getEntriesByType('resource')
              .find((r) => r.name.includes(`/assets/${n}-`));
            return {name: n, start: e.startTime, load};
          });
        }""",
        list(LAZY),
    )
    for t in timing:
        assert t["start"] >= t["load"] > 0, timing
    # The links carry the page's nonce (Chromium hides it from attributes, not from .nonce).
    nonces = duet_page.evaluate(
        "() => [...document.querySelectorAll('link[fetchpriority=low]')].map((l) => l.nonce)"
    )
    script_nonce = duet_page.evaluate("() => document.querySelector('script[src]').nonce")
    assert nonces and set(nonces) == {script_nonce}, nonces
    assert duet_page.evaluate("() => window.__csp") == [] and console == []
    # Then the islands page finds them in the HTTP cache: nothing went over the network.
    duet_page.goto(fast_server.url + "/islands/")
    expect(duet_page.get_by_test_id("island-tip")).to_be_visible()
    reused = duet_page.evaluate(
        """(names) => performance.getEntriesByType('resource')
          .filter((e) => names.some((n) => e.name.includes(`/assets/${n}-`)))
          .map((e) => ({name: e.name, transferred: e.transferSize, size: e.decodedBodySize}))""",
        list(LAZY),
    )
    assert reused and all(r["transferred"] == 0 and r["size"] > 0 for r in reused), reused
    assert duet_page.evaluate("() => window.__csp") == [] and console == []


# --- Vite 8's build.chunkImportMap -------------------------------------------------------------


@pytest.fixture(scope="module")
def import_map_server(duet_live_server_factory, tmp_path_factory) -> Iterator[LiveServer]:
    """The example built with ``build.chunkImportMap: true`` (a scratch copy of its frontend),
    served with the Link header and prefetch on, under the strict policy."""
    frontend = scratch_frontend(tmp_path_factory.mktemp("import-map"))
    config = frontend / "vite.config.ts"
    source = config.read_text()
    opening = "export default defineConfig({\n"
    assert opening in source, source
    config.write_text(source.replace(opening, opening + "  build: { chunkImportMap: true },\n"))
    subprocess.run(
        ["node_modules/.bin/vite", "build"],
        cwd=frontend,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (frontend / "dist" / "importmap.json").is_file()
    env = {**CSP, "DUET_EXAMPLE_FRONTEND_DIR": str(frontend)}
    with duet_live_server_factory(env=env, settings=FAST) as server:
        yield server


def test_the_import_map_under_the_strict_policy(duet_page, import_map_server):
    console = strict_page(duet_page)
    failed: list[str] = []
    duet_page.on("requestfailed", lambda r: failed.append(r.url))
    response = duet_page.goto(import_map_server.url + "/")
    nonce = assert_strict_policy(response)
    # Modules preloaded from the header could be parsed before the map (their imports then
    # 404): with a map, the header hints the stylesheets only.
    values = response.headers["link"].split(", ")
    assert values and all("; rel=preload; as=style; nonce=" in v for v in values), values
    expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
    # The map is the first script of the page, before any module script or modulepreload.
    first = duet_page.evaluate(
        "() => { const e = document.querySelector("
        "'script[type=importmap], script[type=module], link[rel=modulepreload]');"
        " return [e.type, e.nonce, JSON.parse(e.textContent)]; }"
    )
    assert first[0] == "importmap" and first[1] == nonce
    mapped = first[2]["imports"]
    assert mapped and all(k != v for k, v in mapped.items())
    # The chunks import stable names: the map resolved them (the page works, nothing failed),
    # and a lazy island loads through it on the islands page.
    duet_page.goto(import_map_server.url + "/islands/")
    expect(duet_page.get_by_test_id("island-tip")).to_be_visible()
    expect(duet_page.get_by_test_id("island-stock")).to_be_visible()
    assert failed == []
    assert duet_page.evaluate("() => window.__csp") == [] and console == []


# --- through nginx from `duet nginx-config` ----------------------------------------------------


def test_the_link_header_passes_through_nginx(duet_page, fast_server, tmp_path):
    """The generated server block in front of the server: pages keep their Link header (with
    the nonce of the same answer's policy) and load in Chromium under the strict policy."""
    assert fast_server.database is not None
    static_root = fast_server.database.parent / "static"  # where the live server collected
    block = render_server_block(
        NginxOptions(
            static_url="/static/",
            static_root=str(static_root),
            upstreams=(f"127.0.0.1:{fast_server.port}",),
        )
    )
    with nginx_process(block, tmp_path / "nginx", free_port()) as nginx:
        console = strict_page(duet_page)
        response = duet_page.goto(nginx.url + "/")
        nonce = assert_strict_policy(response)
        values = response.headers["link"].split(", ")
        assert response.headers.get("server", "").startswith("nginx")
        assert values[0].startswith("</static/assets/") and "rel=preload; as=style" in values[0]
        assert all(v.endswith(f'; nonce="{nonce}"') for v in values)
        expect(duet_page.get_by_test_id("island-greeting")).to_have_text("Hello, Django!")
        assert duet_page.evaluate("() => window.__csp") == [] and console == []


def test_the_spa_shell_prefetches_its_lazy_route(duet_page, fast_server):
    """The client-routes shell (Vite's index.html) under DUET["PREFETCH"]: the lazy About
    route's chunk arrives after load; the navigation to it then asks the network for nothing."""
    console = strict_page(duet_page)
    duet_page.goto(fast_server.url + "/app/")
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Items")
    about = "(e) => e.name.includes('/assets/About-')"
    duet_page.wait_for_function(
        f"() => performance.getEntriesByType('resource').some({about})", timeout=10_000
    )
    start, load = duet_page.evaluate(
        f"() => [performance.getEntriesByType('resource').find({about}).startTime,"
        " performance.getEntriesByType('navigation')[0].loadEventStart]"
    )
    assert start >= load > 0
    duet_page.get_by_test_id("nav-about").click()
    expect(duet_page.get_by_test_id("page-title")).to_have_text("About")
    fetched = duet_page.evaluate(
        f"() => performance.getEntriesByType('resource').filter({about}).length"
    )
    assert fetched == 1  # the prefetch; the import() found the module ready
    assert duet_page.evaluate("() => window.__csp") == [] and console == []


def test_the_spa_shell_has_a_link_header_its_tags_use(duet_page, fast_server):
    """The client-routes shell's Link header names what Vite's index.html loads, with the tags'
    crossorigin, so that each preload is the fetch the tag uses (a credentials mismatch would
    fetch twice and warn in the console)."""
    console = strict_page(duet_page)
    fetched: list[str] = []
    duet_page.on("request", lambda r: fetched.append(r.url))
    response = duet_page.goto(fast_server.url + "/app/")
    nonce = assert_strict_policy(response)
    link = response.headers["link"]
    values = link.split(", ")
    assert all(v.endswith(f'; nonce="{nonce}"') for v in values)
    assert any("rel=modulepreload" in v for v in values)
    assert any("rel=preload; as=style" in v for v in values)
    assert "/assets/About-" not in link  # the lazy route: prefetched after load, not preloaded
    expect(duet_page.get_by_test_id("page-title")).to_have_text("Items")
    for url in link_urls(link):
        assert fetched.count(fast_server.url + url) == 1, (url, fetched)
    assert duet_page.evaluate("() => window.__csp") == [] and console == []
