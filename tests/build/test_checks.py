"""Each system check: triggered by a bad setup, quiet on a correct one."""

import json

from django.core import checks

from django_duet.build import checks as duet_checks
from tests.helpers import duet_check_ids as ids


def test_correct_setup_is_quiet(build_dir):
    assert ids() == []


def test_missing_build_is_e001_only_in_deploy_checks(settings, tmp_path):
    settings.DUET = {"BUILD_DIR": tmp_path / "dist"}
    settings.STATICFILES_DIRS = [tmp_path / "dist"]
    assert ids(include_deployment_checks=False) == []
    [message] = duet_checks.check_build(None)
    assert message.id == "duet.E001"
    assert str(tmp_path / "dist" / ".vite" / "manifest.json") in message.msg
    assert "duet build" in message.hint


def test_invalid_manifest_is_e003(build_dir):
    (build_dir / ".vite" / "manifest.json").write_text("{oops")
    [message] = duet_checks.check_build(None)
    assert message.id == "duet.E003"
    assert "line 1 column 2" in message.msg


def test_build_dir_not_in_staticfiles_dirs_is_e002(build_dir, settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "elsewhere"]
    [message] = duet_checks.check_build_dir_collected(None)
    assert message.id == "duet.E002"
    assert repr(str(build_dir)) in message.msg
    assert message.hint == f"Add {str(build_dir)!r} to STATICFILES_DIRS."


def test_build_dir_with_prefix_must_be_listed_with_that_prefix(build_dir, settings):
    settings.DUET = {"BUILD_DIR": build_dir, "STATIC_PREFIX": "front"}
    [message] = duet_checks.check_build_dir_collected(None)
    assert message.id == "duet.E002"
    # The build is its own entry already: fix that entry, never add a second one.
    assert message.hint.startswith(
        f'Replace {build_dir!r} in STATICFILES_DIRS with ("front", {str(build_dir)!r}), or '
    )
    settings.STATICFILES_DIRS = [("front", build_dir)]
    assert duet_checks.check_build_dir_collected(None) == []


def test_build_base_other_than_static_url_is_w001(build_dir, settings):
    settings.STATIC_URL = "/assets-elsewhere/"
    [message] = duet_checks.check_build_base(None)
    assert message.id == "duet.W001"
    assert "'/static/'" in message.msg and "'/assets-elsewhere/'" in message.msg
    info = build_dir / ".vite" / "duet.json"
    info.write_text(json.dumps({"base": "/assets-elsewhere/"}))
    assert duet_checks.check_build_base(None) == []


def test_checks_are_registered_and_ids_are_unique():
    import inspect
    import re

    source = inspect.getsource(duet_checks)
    declared = re.findall(r'id="(duet\.[EW]\d{3})"', source)
    assert len(declared) == len(set(declared))
    registered = checks.registry.registry.get_checks(include_deployment_checks=True)
    for name in ("check_build", "check_build_dir_collected", "check_build_base"):
        assert getattr(duet_checks, name) in registered
