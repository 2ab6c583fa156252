"""The SSR system checks (duet.E070-E073, duet.W070): each triggered, quiet when correct."""

from __future__ import annotations

import json

import pytest
from django.core import checks

from django_duet.ssr import checks as ssr_checks
from django_duet.ssr.bundle import clear_cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def write_record(build, file: str) -> None:
    (build / ".vite").mkdir(parents=True, exist_ok=True)
    (build / ".vite" / "duet-ssr.json").write_text(json.dumps({"version": 1, "file": file}))


def test_defaults_and_a_project_without_ssr_are_quiet(settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path}
    assert ssr_checks.check_ssr_budgets(None) == []
    assert ssr_checks.check_ssr_bundle(None) == []


@pytest.mark.parametrize("value", [0, -5, "1000", True, None])
def test_a_bad_timeout_is_e070(settings, value):
    settings.DUET = {**settings.DUET, "SSR_TIMEOUT_MS": value}
    [message] = ssr_checks.check_ssr_budgets(None)
    assert message.id == "duet.E070"
    assert f"DUET['SSR_TIMEOUT_MS'] is {value!r}" in message.msg
    assert message.hint == "Set DUET['SSR_TIMEOUT_MS'] = 1000 (the default)."


@pytest.mark.parametrize("value", [8, 64.5, "256", False])
def test_a_bad_heap_is_e071(settings, value):
    settings.DUET = {**settings.DUET, "SSR_HEAP_MB": value}
    [message] = ssr_checks.check_ssr_budgets(None)
    assert message.id == "duet.E071"
    assert f"DUET['SSR_HEAP_MB'] is {value!r}" in message.msg


@pytest.mark.parametrize("value", [0, 65, 4.5, "4", True])
def test_a_bad_semi_space_is_e073(settings, value):
    settings.DUET = {**settings.DUET, "SSR_SEMI_SPACE_MB": value}
    [message] = ssr_checks.check_ssr_budgets(None)
    assert message.id == "duet.E073"
    assert f"DUET['SSR_SEMI_SPACE_MB'] is {value!r}" in message.msg
    assert message.hint == "Set DUET['SSR_SEMI_SPACE_MB'] = 4 (the default)."


@pytest.mark.parametrize("value", [None, 1, 64])
def test_a_usable_semi_space_or_none_is_quiet(settings, value):
    settings.DUET = {**settings.DUET, "SSR_SEMI_SPACE_MB": value}
    assert ssr_checks.check_ssr_budgets(None) == []


def test_a_record_naming_a_missing_bundle_is_e072(settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path}
    write_record(tmp_path, ".vite/ssr/server-gone.js")
    [message] = ssr_checks.check_ssr_bundle(None)
    assert message.id == "duet.E072"
    assert "server-gone.js" in message.msg
    assert "deploy BUILD_DIR/.vite" in message.hint


def test_each_frontends_bundle_is_checked_and_named_in_the_hint(settings, tmp_path):
    staff = tmp_path / "staff-dist"
    settings.DUET = {
        "BUILD_DIR": tmp_path,
        "FRONTENDS": {"staff": {"FRONTEND_DIR": tmp_path / "staff", "BUILD_DIR": staff}},
    }
    assert ssr_checks.check_ssr_bundle(None) == []  # neither frontend renders on the server
    write_record(staff, ".vite/ssr/server-gone.js")
    [message] = ssr_checks.check_ssr_bundle(None)
    assert message.id == "duet.E072" and "staff-dist" in message.msg
    assert "DUET['FRONTENDS']['staff']['SSR_BUNDLE']" in message.hint


def test_an_unsafe_record_is_e072(settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path}
    write_record(tmp_path, "../../outside.js")
    [message] = ssr_checks.check_ssr_bundle(None)
    assert message.id == "duet.E072"
    assert "outside the build directory" in message.msg


def test_a_bundle_without_mini_racer_is_w070(settings, tmp_path, monkeypatch):
    settings.DUET = {"BUILD_DIR": tmp_path}
    write_record(tmp_path, ".vite/ssr/server-ok.js")
    (tmp_path / ".vite" / "ssr").mkdir()
    (tmp_path / ".vite" / "ssr" / "server-ok.js").write_text("var x;\n")
    assert ssr_checks.check_ssr_bundle(None) == []
    monkeypatch.setattr(ssr_checks, "mini_racer_installed", lambda: False)
    [message] = ssr_checks.check_ssr_bundle(None)
    assert message.id == "duet.W070"
    assert message.hint.startswith('pip install "django-duet[ssr]"')
    settings.DUET = {"BUILD_DIR": tmp_path, "SSR_ENABLED": False}
    assert ssr_checks.check_ssr_bundle(None) == []


def test_checks_are_registered_deploy_ones_only_with_deploy():
    normal = checks.registry.registry.get_checks(include_deployment_checks=False)
    everything = checks.registry.registry.get_checks(include_deployment_checks=True)
    assert ssr_checks.check_ssr_budgets in normal
    assert ssr_checks.check_ssr_bundle not in normal
    assert ssr_checks.check_ssr_bundle in everything


def test_ssr_ids_are_in_their_range_and_unique_in_the_project():
    import re
    from pathlib import Path

    src = Path(ssr_checks.__file__).parents[1]
    every = [
        i for f in src.rglob("*.py") for i in re.findall(r'id="(duet\.[EW]\d{3})"', f.read_text())
    ]
    assert len(every) == len(set(every))
    ours = re.findall(r'id="(duet\.[EW]\d{3})"', Path(ssr_checks.__file__).read_text())
    assert sorted(ours) == ["duet.E070", "duet.E071", "duet.E072", "duet.E073", "duet.W070"]
