"""{% duet_entry %} over webpack-bundle-tracker builds (tests/fixtures/webpack-stats-v1, -v3),
configured as a django-webpack-loader project moves over: the build under STATIC_PREFIX
"bundles" (django-webpack-loader's BUNDLE_DIR_NAME), exact tags, SRI, and an unfinished build."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory

from django_duet.build.record import sri_hash
from django_duet.exceptions import ManifestInvalid
from tests.helpers import render_template

FIXTURES = Path(__file__).parents[1] / "fixtures"
V3 = FIXTURES / "webpack-stats-v3"
V1 = FIXTURES / "webpack-stats-v1"


def render(source: str, **context: object) -> list[str]:
    """The rendered tags, one a line, without the page's <meta> lines."""
    html = render_template(source, **context)
    return [line for line in html.splitlines() if not line.startswith("<meta ")]


@pytest.fixture
def v3(settings):
    settings.STATICFILES_DIRS = [("bundles", V3)]
    settings.DUET = {"BUILD_DIR": V3, "STATIC_PREFIX": "bundles"}  # format and file detected
    return settings


def test_two_entries_share_the_runtime_and_vendors_in_webpacks_order(v3):
    assert render('{% duet_entry "main" "admin" %}') == [
        '<script defer src="/static/bundles/js/runtime.4f1a2b3c.js"></script>',
        '<script defer src="/static/bundles/js/vendors.9c2e7d10.js"></script>',
        '<script defer src="/static/bundles/js/main.d3a05b21.js"></script>',
        '<link rel="stylesheet" href="/static/bundles/css/main.6b7d8e9f.css">',
        '<script defer src="/static/bundles/js/admin.77e0c4aa.js"></script>',
    ]
    html = render_template('{% duet_entry "main" %}')
    assert '<meta name="duet-build" content="' in html
    assert render_template('{% duet_asset "src/logo.svg" %}') == (
        "/static/bundles/media/logo.8035a964.svg"
    )


def strongest_three(path: Path) -> str:
    """The integrity webpack-bundle-tracker writes: sha256, sha384 and sha512 of the file."""
    content = path.read_bytes()
    return " ".join(
        f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, content).digest()).decode()}"
        for algorithm in ("sha256", "sha384", "sha512")
    )


def test_sri_is_the_plugins_integrity_with_the_requests_nonce(v3):
    v3.DUET = {**v3.DUET, "SRI": True}
    request = RequestFactory().get("/")
    request.csp_nonce = "n0nce"
    scripts = ("js/runtime.4f1a2b3c.js", "js/vendors.9c2e7d10.js", "js/main.d3a05b21.js")
    css = "css/main.6b7d8e9f.css"
    sri = {name: strongest_three(V3 / name) for name in (*scripts, css)}
    assert render('{% duet_entry "main" %}', request=request) == [
        *(
            f'<script defer src="/static/bundles/{s}" integrity="{sri[s]}" nonce="n0nce"></script>'
            for s in scripts
        ),
        f'<link rel="stylesheet" href="/static/bundles/{css}" integrity="{sri[css]}" '
        'nonce="n0nce">',
    ]


def test_v1_stats_outside_the_build_through_manifest_path(settings):
    settings.STATICFILES_DIRS = [("bundles", V1 / "assets" / "bundles")]
    settings.DUET = {
        "BUILD_DIR": V1 / "assets" / "bundles",
        "MANIFEST_PATH": V1 / "webpack-stats.json",
        "STATIC_PREFIX": "bundles",
        "SRI": True,
    }
    js = ("vendors-0828904584990b611fb8.js", "main-0828904584990b611fb8.js")
    css = "main-0828904584990b611fb8.css"
    assert render('{% duet_entry "main" %}') == [
        *(
            f'<script defer src="/static/bundles/{name}" '
            f'integrity="{sri_hash(V1 / "assets" / "bundles" / name)}"></script>'
            for name in js
        ),
        f'<link rel="stylesheet" href="/static/bundles/{css}" '
        f'integrity="{sri_hash(V1 / "assets" / "bundles" / css)}">',
    ]


def test_a_compiling_build_fails_the_page_at_once_and_the_finished_one_is_read(tmp_path, settings):
    build = tmp_path / "bundles"
    shutil.copytree(V3, build)
    stats = build / "webpack-stats.json"
    finished = stats.read_text()
    stats.write_text(json.dumps({"status": "compile", "assets": {}, "chunks": {}}))
    settings.STATICFILES_DIRS = [("bundles", build)]
    settings.DUET = {"BUILD_DIR": build, "STATIC_PREFIX": "bundles"}
    started = time.monotonic()
    with pytest.raises(ManifestInvalid) as caught:
        render_template('{% duet_entry "main" %}')
    assert time.monotonic() - started < 1  # refused, not waited for
    assert str(caught.value).startswith(
        f"The manifest {stats} is not a valid webpack-bundle-tracker manifest: status 'compile'"
    )
    found = run_checks(include_deployment_checks=True)
    assert [e.id for e in found if e.id.startswith("duet.E00")] == ["duet.E003"]
    stats.write_text(finished)  # the build ends: the next page reads it (no failure cached)
    assert render('{% duet_entry "admin" %}')[-1] == (
        '<script defer src="/static/bundles/js/admin.77e0c4aa.js"></script>'
    )


def test_e100_accepts_webpack_stats(v3):
    v3.DUET = {**v3.DUET, "MANIFEST_FORMAT": "webpack-stats"}
    assert not [e for e in run_checks() if e.id == "duet.E100"]
    v3.DUET = {**v3.DUET, "MANIFEST_FORMAT": "webpack-bundle-tracker"}
    errors = [e for e in run_checks() if e.id == "duet.E100"]
    assert len(errors) == 1 and "'webpack-stats'" in errors[0].hint
