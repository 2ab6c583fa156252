"""A build swapped in (atomic rename of the manifest) while pages render: never a mix.

Threads render a page with two ``{% duet_entry %}`` tags while another thread publishes new
builds. Each page must name files of exactly one build, with that build's id in its meta tag,
and no render may fail: with DEV_MODE (the manifest reloaded when it changes) and without it
(loaded once per process: every page keeps the build the process started with).
"""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from django.template import engines
from django.test import Client, RequestFactory

from django_duet.build.loader import clear_cache

from .builds import PAGE, build_meta, builds_in, publish

THREADS = 6
SECONDS = 2.0
MAX_RENDERS = 20_000


def _hammer(render):
    stop = threading.Event()
    pages: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        for _ in range(MAX_RENDERS):
            if stop.is_set():
                return
            try:
                pages.append(render())
            except BaseException as exc:  # any failure at all is the finding
                errors.append(exc)
                return

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    return threads, stop, pages, errors


def _run(render, build_dir, *, first: int = 1):
    published = {first: publish(build_dir, first)}
    threads, stop, pages, errors = _hammer(render)
    deadline = time.monotonic() + SECONDS
    n = first
    while time.monotonic() < deadline and not errors:
        n += 1
        published[n] = publish(build_dir, n)
        time.sleep(0.002)
    stop.set()
    for t in threads:
        t.join(10)
    assert not errors, errors[:3]
    return published, pages


def _assert_one_build_each(published, pages):
    ids = {n: hashlib.sha256(text.encode()).hexdigest()[:16] for n, text in published.items()}
    assert pages
    for html in pages:
        [n] = builds_in(html)  # exactly one build per page
        assert build_meta(html) == ids[n]


@pytest.fixture
def scratch(tmp_path, settings):
    build = tmp_path / "dist"
    settings.DUET = {"BUILD_DIR": build, "DEV_MODE": True}
    settings.STATICFILES_DIRS = [build]
    return build


def _template_render():
    template = engines["django"].from_string(PAGE)
    factory = RequestFactory()
    return lambda: template.render({}, factory.get("/"))


def test_dev_mode_reload_never_mixes_builds_in_a_page(scratch):
    published, pages = _run(_template_render(), scratch)
    _assert_one_build_each(published, pages)
    assert len({next(iter(builds_in(p))) for p in pages}) > 1  # the swaps were seen


def test_production_mode_keeps_the_first_build(scratch, settings):
    settings.DUET = {**settings.DUET, "DEV_MODE": False}
    first = publish(scratch, 1)
    clear_cache()
    render = _template_render()
    render()  # the process loads its build
    published, pages = _run(render, scratch, first=2)
    published[1] = first
    _assert_one_build_each(published, pages)
    assert {next(iter(builds_in(p))) for p in pages} == {1}


def test_client_routes_page_is_one_build_while_swapping(scratch, settings):
    # The SPA shell is a Django template too; the build meta and X-Duet-Build follow its build.
    settings.ROOT_URLCONF = "tests.urls"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django_duet.version.BuildIdMiddleware"]
    publish(scratch, 1)
    (scratch / "index.html").write_text(f"<!doctype html><html>{PAGE}</html>")

    def render() -> str:
        response = Client().get("/app/some/route")
        assert response.status_code == 200
        html = response.content.decode()
        assert response["X-Duet-Build"] == build_meta(html)
        return html

    published, pages = _run(render, scratch)
    _assert_one_build_each(published, pages)


def test_a_page_without_the_request_context_processor_is_one_build(scratch, settings):
    # Found by the swap-under-load test: without the "request" context processor the tag saw
    # no request, so each {% duet_entry %} loaded the manifest again.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {}}]
    template = engines["django"].from_string(PAGE)
    factory = RequestFactory()
    published, pages = _run(lambda: template.render({}, factory.get("/")), scratch)
    _assert_one_build_each(published, pages)
