"""duet.W002: a staticfiles storage that hashes the bundler's already hashed files again."""

import pytest

from django_duet.serving import checks as serving_checks


@pytest.mark.parametrize(
    "backend, expected",
    [
        ("django.contrib.staticfiles.storage.ManifestStaticFilesStorage", ["duet.W002"]),
        ("whitenoise.storage.CompressedManifestStaticFilesStorage", ["duet.W002"]),
        ("django_duet.storage.DuetStaticFilesStorage", []),
        ("whitenoise.storage.CompressedStaticFilesStorage", []),
        ("django.contrib.staticfiles.storage.StaticFilesStorage", []),
    ],
)
def test_double_hashing_storage_is_w002(settings, backend, expected):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    messages = serving_checks.check_storage(None)
    assert [m.id for m in messages] == expected
    if messages:
        assert backend in messages[0].msg
        assert "django_duet.storage.DuetStaticFilesStorage" in messages[0].hint
