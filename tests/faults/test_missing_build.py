"""No build directory at start-up: the app starts, the deploy check and pages say what to do.

duet.E001 itself (the message and hint) is tested in tests/build/test_checks.py.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template import engines
from django.test import Client, RequestFactory

from django_duet.exceptions import BuildFileNotFound, ManifestNotFound
from django_duet.pages.version import BuildIdMiddleware
from django_duet.serving.middleware import DuetStaticMiddleware


@pytest.fixture
def no_build(tmp_path, settings):
    missing = tmp_path / "never-built" / "dist"
    settings.DUET = {"BUILD_DIR": missing}
    settings.STATICFILES_DIRS = [missing]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django_duet.version.BuildIdMiddleware"]
    return missing


def test_the_app_starts_and_the_plain_check_passes(no_build):
    DuetStaticMiddleware(lambda r: None)  # whitenoise indexes an absent folder: no error
    BuildIdMiddleware(lambda r: None)
    call_command("check", "--fail-level", "ERROR", verbosity=0)


def test_the_deploy_check_reports_duet_e001(no_build):
    with pytest.raises(SystemCheckError) as info:
        call_command("check", "--deploy", "--fail-level", "ERROR", verbosity=0)
    message = str(info.value)
    assert "duet.E001" in message
    assert f"No frontend build: {no_build / '.vite' / 'manifest.json'} does not exist." in message
    assert "python manage.py duet build" in message


def test_a_page_with_duet_entry_raises_the_clear_error(no_build):
    template = engines["django"].from_string('{% load duet %}{% duet_entry "src/main.tsx" %}')
    with pytest.raises(ManifestNotFound) as info:
        template.render({}, RequestFactory().get("/"))
    assert str(info.value).startswith(
        f"No frontend build: the manifest {no_build / '.vite' / 'manifest.json'} does not exist."
    )


def test_client_routes_raise_the_clear_error_and_a_500_without_debug(no_build):
    with pytest.raises(BuildFileNotFound) as info:
        Client().get("/app/x")
    assert f"{no_build / 'index.html'} does not exist" in str(info.value)
    response = Client(raise_request_exception=False).get("/app/x")
    assert response.status_code == 500
    assert "X-Duet-Build" not in response  # no build, no id: nothing raises on the way out


def test_static_files_answer_404_not_500(no_build):
    response = Client().get("/static/assets/main-AbCd1234.js")
    assert response.status_code == 404
