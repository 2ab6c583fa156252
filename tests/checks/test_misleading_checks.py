"""Checks that misled real projects (issue 19): duet.E002 for a build already collected from
inside a STATICFILES_DIRS entry, duet.W030 for a webpack build that has no Vite dev server."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from django_duet.build import checks as build_checks
from django_duet.dev import checks as dev_checks
from django_duet.pages.render import render_entries

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROXY = "django_duet.proxy.DevProxyMiddleware"


@pytest.fixture
def project(tmp_path, settings):
    """A project whose STATICFILES_DIRS lists its whole assets folder, the build inside it."""
    assets = tmp_path / "assets"
    shutil.copytree(FIXTURES / "build", assets / "dist")
    (assets / "site.css").write_text("body {}\n")
    settings.STATICFILES_DIRS = [assets]
    settings.DUET = {"BUILD_DIR": assets / "dist", "STATIC_PREFIX": "dist/"}
    return assets


def e002() -> list:
    return [m for m in build_checks.check_build_dir_collected(None) if m.id == "duet.E002"]


# duet.E002 -------------------------------------------------------------------------------------


def test_a_build_inside_an_entry_at_its_prefix_is_collected_and_quiet(project, settings, tmp_path):
    assert e002() == []
    # What the check believes is what collectstatic does: the tags find the collected files.
    settings.STATIC_ROOT = tmp_path / "static_root"
    call_command("collectstatic", "--noinput", verbosity=0)
    html = render_entries(None, "src/main.tsx")
    assert '<script type="module" src="/static/dist/assets/main-AbCd1234.js">' in html
    assert (settings.STATIC_ROOT / "dist" / "assets" / "main-AbCd1234.js").is_file()


def test_a_build_inside_a_prefixed_entry_counts_with_that_prefix(project, settings):
    settings.STATICFILES_DIRS = [("front", project)]
    settings.DUET = {**settings.DUET, "STATIC_PREFIX": "front/dist/"}
    assert e002() == []


def test_a_build_collected_under_another_prefix_asks_for_the_prefix_not_a_second_entry(
    project, settings
):
    settings.DUET = {**settings.DUET, "STATIC_PREFIX": ""}
    [message] = e002()
    assert "is collected by the STATICFILES_DIRS entry" in message.msg
    assert "under STATIC_URL + 'dist/'" in message.msg
    assert message.hint.startswith("Set DUET['STATIC_PREFIX'] = \"dist/\" and rebuild")
    assert "Add" not in message.hint and "collected twice" in message.hint
    settings.DUET = {**settings.DUET, "STATIC_PREFIX": "dist/"}  # the hint, followed
    assert e002() == []


def test_the_build_as_its_own_entry_under_another_prefix_asks_to_fix_that_entry(project, settings):
    build = project / "dist"
    settings.STATICFILES_DIRS = [("old", build)]
    [message] = e002()
    assert message.hint.startswith(
        f"Replace ('old', {build!r}) in STATICFILES_DIRS with (\"dist\", {str(build)!r}), or "
        "set DUET['STATIC_PREFIX'] = \"old/\""
    )
    settings.STATICFILES_DIRS = [("dist", build)]
    assert e002() == []


def test_a_build_truly_missing_still_asks_to_add_it(project, settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "elsewhere", project / "dist" / "assets"]
    [message] = e002()
    assert "nor inside one of its entries" in message.msg
    assert message.hint == f'Add ("dist", {str(project / "dist")!r}) to STATICFILES_DIRS.'


def test_a_build_below_a_dot_folder_of_an_entry_is_not_collected(project, settings):
    """collectstatic ignores ``.*``: an entry above ``.build/`` does not collect it."""
    hidden = project / ".build"
    (project / "dist").rename(hidden)
    settings.DUET = {"BUILD_DIR": hidden, "STATIC_PREFIX": ".build/"}
    [message] = e002()
    assert message.hint.startswith("Add (")


def test_a_symlinked_build_dir_is_recognised(project, settings, tmp_path):
    link = tmp_path / "link-to-dist"
    link.symlink_to(project / "dist")
    settings.DUET = {**settings.DUET, "BUILD_DIR": link}
    assert e002() == []


# duet.W030 -------------------------------------------------------------------------------------


@pytest.fixture
def dev_without_proxy(settings, monkeypatch, tmp_path):
    settings.DEBUG = True
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != PROXY]
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver"])
    return settings


def dev_ids() -> list[str]:
    return [m.id or "" for m in dev_checks.check_dev_middleware(None)]


@pytest.mark.parametrize(
    "format, build",
    [
        ("webpack", FIXTURES / "webpack-project" / "build"),
        ("webpack-stats", FIXTURES / "webpack-stats-v3"),
        ("cra", FIXTURES / "cra-project" / "build"),
    ],
)
def test_a_build_with_no_vite_dev_server_gets_no_dev_proxy_warning(
    dev_without_proxy, format, build, tmp_path
):
    settings = dev_without_proxy
    settings.STATICFILES_DIRS = [build]
    common = {"BUILD_DIR": build, "HOT_FILE": tmp_path / ".duet-hot"}
    settings.DUET = {**common, "MANIFEST_FORMAT": format}
    assert dev_ids() == []
    settings.DUET = common  # the format read from the manifest itself
    assert dev_ids() == []


def test_a_vite_build_without_the_proxy_is_still_w030(dev_without_proxy, tmp_path):
    dev_without_proxy.DUET = {"BUILD_DIR": FIXTURES / "build", "HOT_FILE": tmp_path / "hot"}
    assert dev_ids() == ["duet.W030"]
    dev_without_proxy.DUET = {**dev_without_proxy.DUET, "MANIFEST_FORMAT": "vite"}
    assert dev_ids() == ["duet.W030"]
    # No build yet: Vite, the default, is what `duet dev` will run.
    dev_without_proxy.DUET = {"BUILD_DIR": tmp_path / "none", "HOT_FILE": tmp_path / "hot"}
    assert dev_ids() == ["duet.W030"]


def test_a_running_vite_dev_server_is_w030_whatever_the_build(dev_without_proxy, tmp_path):
    hot = tmp_path / ".duet-hot"
    hot.write_text("http://127.0.0.1:5173")
    build = FIXTURES / "webpack-project" / "build"
    dev_without_proxy.DUET = {"BUILD_DIR": build, "MANIFEST_FORMAT": "webpack", "HOT_FILE": hot}
    assert dev_ids() == ["duet.W030"]


def test_one_vite_frontend_among_webpack_ones_is_w030(dev_without_proxy, tmp_path):
    dev_without_proxy.DUET = {
        "BUILD_DIR": FIXTURES / "webpack-project" / "build",
        "HOT_FILE": tmp_path / "hot",
        "FRONTENDS": {
            "tools": {
                "FRONTEND_DIR": tmp_path / "tools",
                "BUILD_DIR": FIXTURES / "build",
                "STATIC_PREFIX": "tools/",
            }
        },
    }
    assert dev_ids() == ["duet.W030"]
    dev_without_proxy.DUET["FRONTENDS"]["tools"]["MANIFEST_FORMAT"] = "cra"
    assert dev_ids() == []
