"""A project with no frontend folder to be found gets duet.E110 from every check command, not a
traceback (``migrate`` and ``check`` run the checks first)."""

from __future__ import annotations

from django.core.checks import run_checks
from django.test import override_settings


def test_no_base_dir_nor_frontend_dir_is_one_error_not_a_crash(settings) -> None:
    del settings.BASE_DIR
    with override_settings(DUET={}):
        found = run_checks(include_deployment_checks=True)
    duet = [message for message in found if message.id and message.id.startswith("duet.")]
    assert [message.id for message in duet] == ["duet.E110"]
    assert 'set DUET = {"FRONTEND_DIR": BASE_DIR / "frontend"}' in duet[0].msg
