import pytest

from django_duet.build.loader import clear_cache


@pytest.fixture(autouse=True)
def _fresh_manifest_cache():
    clear_cache()
    yield
    clear_cache()
