"""The tags over a real webpack build (tests/fixtures/webpack-project/build), configured through
settings as a project would, and the check of DUET["MANIFEST_FORMAT"]."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory

from tests.helpers import render_template as render

FIXTURES = Path(__file__).parents[1] / "fixtures"
WEBPACK = FIXTURES / "webpack-project" / "build"


@pytest.fixture
def webpack_settings(settings):
    settings.STATICFILES_DIRS = [WEBPACK]
    settings.DUET = {"BUILD_DIR": WEBPACK}  # format and manifest detected
    return settings


def files() -> dict[str, str]:
    data = json.loads((WEBPACK / "assets-manifest.json").read_text())
    return {k: v["src"] for k, v in data.items() if k != "entrypoints"}


def test_two_webpack_entries_share_their_runtime_and_split_chunk(webpack_settings):
    f = files()
    html = render('{% duet_entry "main" "admin" %}')
    lines = html.splitlines()
    assert lines[0].startswith('<meta name="duet-build" content="')
    assert lines[1:] == [
        f'<script defer src="/static/{f["runtime.js"]}"></script>',
        f'<script defer src="/static/{f["shared.js"]}"></script>',
        f'<script defer src="/static/{f["main.js"]}"></script>',
        f'<link rel="stylesheet" href="/static/{f["shared.css"]}">',
        f'<link rel="stylesheet" href="/static/{f["main.css"]}">',
        f'<script defer src="/static/{f["admin.js"]}"></script>',
    ]
    assert render('{% duet_asset "media/logo.svg" %}') == f"/static/{f['media/logo.svg']}"


def test_sri_comes_from_webpacks_manifest(webpack_settings):
    webpack_settings.DUET = {**webpack_settings.DUET, "SRI": True, "MANIFEST_FORMAT": "webpack"}
    data = json.loads((WEBPACK / "assets-manifest.json").read_text())
    request = RequestFactory().get("/")
    request.csp_nonce = "n0nce"
    html = render('{% duet_entry "admin" %}', request=request)
    sri = data["admin.js"]["integrity"]
    assert (
        f'<script defer src="/static/{data["admin.js"]["src"]}" integrity="{sri}" '
        'nonce="n0nce"></script>'
    ) in html


def test_e100_names_a_format_that_does_not_exist(settings):
    settings.DUET = {**settings.DUET, "MANIFEST_FORMAT": "parcel"}
    errors = [e for e in run_checks() if e.id == "duet.E100"]
    assert len(errors) == 1 and "'parcel'" in errors[0].msg and "'webpack'" in errors[0].hint
    settings.DUET = {**settings.DUET, "MANIFEST_FORMAT": "cra"}
    assert not [e for e in run_checks() if e.id == "duet.E100"]


def test_cra_build_gets_sri_computed_from_its_files(settings):
    from django_duet.build.record import sri_hash

    cra = FIXTURES / "cra-project" / "build"
    settings.STATICFILES_DIRS = [cra]
    settings.DUET = {"BUILD_DIR": cra, "SRI": True}
    data = json.loads((cra / "asset-manifest.json").read_text())
    js, css = data["files"]["main.js"][1:], data["files"]["main.css"][1:]
    html = render('{% duet_entry "main" %}')
    assert html.splitlines()[1:] == [
        f'<script defer src="/static/{js}" integrity="{sri_hash(cra / js)}"></script>',
        f'<link rel="stylesheet" href="/static/{css}" integrity="{sri_hash(cra / css)}">',
    ]
